//! Registration of the `pthread_atfork` handlers, and the parent-side
//! handlers (prepare, parent). The child handler lives in
//! `signal_safe::child`.
//!
//! **Invariant:** the prepare handler never blocks: it reads lock state
//! (the held-lock registry) and `/proc`, and never acquires a tracked lock.
//! Handlers are registered once per process (`install` runs the registration
//! under a `Once`) and never from inside a handler.

use crate::signal_safe::census::{self, Source};
use crate::signal_safe::report::{self, Hazard};
use crate::signal_safe::state::{self, Policy};
use crate::signal_safe::{child, held, sys};

#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe extern "C" {
    /// glibc (2.32+): non-zero while the process has never had a second
    /// thread. Lets the prepare handler skip `/proc` in single-threaded
    /// programs.
    static __libc_single_threaded: core::ffi::c_char;
}

fn known_single_threaded() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: glibc defines this variable for the life of the process.
        // A racy read can only see a stale "not single-threaded" (the value
        // goes from true to false when a thread is created, which needs the
        // very thread reading it to still be alone), which merely sends us to
        // the `/proc` census.
        unsafe { core::ptr::read_volatile(&raw const __libc_single_threaded) != 0 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

extern "C" fn prepare() {
    let policy = state::policy();
    if policy == Policy::Off {
        return;
    }
    // Concurrent forks are serialised by libc's atfork lock; if the census
    // is nonetheless busy, this fork goes without one rather than waiting.
    let Some(mut guard) = census::try_lock() else {
        return;
    };
    let me = sys::gettid();
    held::stash_generation();
    let c = guard.get();
    c.take(
        Source::AtFork,
        None,
        me,
        known_single_threaded(),
        state::allow_filter(),
    );
    // The fork call site (raw return addresses) and the thread names are
    // gathered only for a report written here, in the parent: unwinding and
    // one `open`/`read`/`close` per thread would cost every fork of a
    // multithreaded program more than the rest of the guard. A child's
    // report reads the names itself, and its trace of the hazardous call
    // runs through the function that forked.
    #[cfg(fork_guard_sentinel)]
    if c.threads_total > 1 {
        crate::sentinel::arm();
    }
    if c.hazardous() && matches!(policy, Policy::Strict | Policy::Warn) {
        capture_fork_site(c);
        c.load_names();
        report::report(Hazard::ForkWhileThreaded, Some(c));
    }
    guard.hold_across_fork();
}

#[inline(never)]
#[cold]
fn capture_fork_site(c: &mut census::Census) {
    let mut ips = [0usize; census::MAX_IPS];
    let mut n = 0;
    // SAFETY: `trace_unsynchronized` must not run concurrently with other
    // unsynchronised uses of the unwinder by fork-guard. The prepare handler
    // runs under libc's atfork lock (one fork at a time) and holds the
    // census, and reports (the only other caller) hold `REPORTING`, which is
    // set only by the prepare handler itself in the parent.
    unsafe {
        backtrace::trace_unsynchronized(|frame| match ips.get_mut(n) {
            Some(slot) => {
                *slot = frame.ip() as usize;
                n += 1;
                true
            }
            None => false,
        });
    }
    c.set_ips(ips.iter().take(n).copied());
}

extern "C" fn parent() {
    drop(census::reclaim_after_fork());
    #[cfg(fork_guard_sentinel)]
    crate::sentinel::after_fork_in_parent();
}

extern "C" fn child_handler() {
    child::after_fork_in_child();
}

/// Registers the three handlers. Called once per process, from `install`.
pub(crate) fn register() -> Result<(), i32> {
    // SAFETY: the three handlers are `extern "C" fn()` with static lifetime,
    // as `pthread_atfork` requires; they never unwind (no code in them can
    // panic) and never call `pthread_atfork` themselves.
    let rc = unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child_handler)) };
    if rc == 0 { Ok(()) } else { Err(rc) }
}

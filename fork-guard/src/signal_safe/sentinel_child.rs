//! The child side of the deadlock sentinel (the watcher is `crate::sentinel`).
//!
//! The child itself does nothing for the sentinel: the watcher finds it in
//! `/proc`. What lives here is reachable from a fork child:
//!
//! - the sentinel's signal handler, installed **in the parent** (once, when
//!   the sentinel starts) and inherited by every child: it runs only when
//!   the watcher, having seen the child's only thread blocked forever on a
//!   process-private futex, queues the signal to that child. It then writes
//!   the diagnostic from inside the child (its own census, its own copy of
//!   the held-lock registry, its own stack) and aborts.
//! - the statics the watcher and the census read: the watcher's pid and tid,
//!   the chosen signal, the cookie that tells a fork of this image from an
//!   exec'd program.
//!
//! **Invariant:** as everywhere in `signal_safe`, nothing here allocates,
//! locks, formats with `std::fmt` or panics, except the documented
//! best-effort tail of the report (symbolisation, under `alarm(2)`).

use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering::Relaxed};

use super::held;
use super::report::{self, Hazard};
use super::sys;

/// The sentinel is armed (in this process or, in a child, in its parent).
pub(crate) static ENABLED: AtomicBool = AtomicBool::new(false);
/// The process that armed the sentinel: the only sender the signal handler
/// obeys.
pub(crate) static WATCHER_PID: AtomicI32 = AtomicI32::new(0);
/// The watcher thread's tid: the census leaves it out (it is fork-guard's
/// own, holds no lock and never counts as "another thread alive").
pub(crate) static WATCHER_TID: AtomicI32 = AtomicI32::new(0);
/// The signal the watcher queues (0: none could be claimed).
pub(crate) static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// A random value set when the sentinel is armed. A child that still holds
/// it at the same address is a fork of this image, not an exec'd program.
pub(crate) static COOKIE: AtomicU64 = AtomicU64::new(0);

/// Whether `tid` is the sentinel's watcher thread (of the process that
/// armed the sentinel; in a child the tid is that of its parent's watcher).
#[inline]
pub(crate) fn is_watcher_tid(tid: i32) -> bool {
    tid != 0 && WATCHER_TID.load(Relaxed) == tid
}

/// The fields of a `siginfo_t` the handler reads, at their offsets for the
/// `rt` (queued) layout on 64-bit Linux: `si_code` at 8, `si_pid` at 16,
/// `si_value` at 24.
///
/// # Safety
/// `info` must point to a `siginfo_t` the kernel passed to an `SA_SIGINFO`
/// handler.
unsafe fn queued_fields(info: *const libc::siginfo_t) -> (i32, i32, usize) {
    let base = info.cast::<u8>();
    // SAFETY: `siginfo_t` is 128 bytes on Linux; offsets 8, 16 and 24 lie in
    // it and are suitably aligned for i32/i32/usize (the struct is 8-aligned).
    unsafe {
        (
            base.add(8).cast::<i32>().read(),
            base.add(16).cast::<i32>().read(),
            base.add(24).cast::<usize>().read(),
        )
    }
}

/// The sentinel's signal handler: in a child the watcher found blocked
/// forever, report and (under `trap`/`strict`) abort.
extern "C" fn on_signal(sig: i32, info: *mut libc::siginfo_t, _ctx: *mut c_void) {
    // SAFETY: the kernel passes a valid `siginfo_t` to an SA_SIGINFO handler.
    let (code, sender, value) = unsafe { queued_fields(info) };
    let watcher = WATCHER_PID.load(Relaxed);
    if code != libc::SI_QUEUE || sender != watcher || watcher == sys::getpid() {
        // Not the watcher's request: act as if the handler were not there.
        default_action(sig);
        return;
    }
    let futex = value;
    let lock = held_lock_at(futex);
    report::report(Hazard::BlockedForever { futex, lock }, None);
}

/// The tracked lock, held at fork by a thread that is gone, whose memory
/// contains the futex word: the hold with the highest lock address at or
/// below `futex`, within [`LOCK_SPAN`] bytes. A tracked lock's futex word
/// lies inside the lock object, a few words from its start.
fn held_lock_at(futex: usize) -> Option<held::Hold> {
    let mut best: Option<held::Hold> = None;
    held::for_each_hold(sys::gettid(), |h| {
        if h.lock <= futex && futex - h.lock < LOCK_SPAN && best.is_none_or(|b| b.lock < h.lock) {
            best = Some(h);
        }
    });
    best
}

/// How far past a tracked lock's address its futex word may lie (the
/// lock's name and std's lock state come first; a large `T` can push the
/// state further, and then the lock is not named: the trace still shows it).
const LOCK_SPAN: usize = 256;

/// Restores the default disposition and re-raises: the signal is blocked
/// while its handler runs, so it is delivered (with its default action,
/// termination) as soon as the handler returns.
fn default_action(sig: i32) {
    // SAFETY: `signal` and `raise` are async-signal-safe; SIG_DFL is a valid
    // disposition for any catchable signal.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Claims a real-time signal whose disposition is the default, from the top
/// of the range down, and installs the sentinel's handler for it (in this
/// process, inherited by children forked from now on). Returns the signal,
/// or 0 when every candidate is taken.
pub(crate) fn install_handler() -> i32 {
    let top = libc::SIGRTMAX();
    for sig in (top - 6..top).rev() {
        if sig <= libc::SIGRTMIN() {
            break;
        }
        if current_handler(sig) != Some(libc::SIG_DFL) {
            continue;
        }
        // SAFETY: a zero-initialised `sigaction` with an `extern "C"`
        // three-argument handler and `SA_SIGINFO`, as the kernel expects;
        // `SA_RESTART` so that a handler that returns (policy `warn`, or a
        // stray signal) resumes interrupted calls.
        let ok = unsafe {
            let mut act: libc::sigaction = core::mem::zeroed();
            act.sa_sigaction =
                on_signal as extern "C" fn(i32, *mut libc::siginfo_t, *mut c_void) as usize;
            act.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, core::ptr::null_mut()) == 0
        };
        if ok {
            return sig;
        }
    }
    0
}

/// Whether the sentinel's handler is still the disposition of `sig` in this
/// process (the program may have claimed the signal since).
pub(crate) fn handler_installed(sig: i32) -> bool {
    if sig == 0 {
        return false;
    }
    current_handler(sig)
        == Some(on_signal as extern "C" fn(i32, *mut libc::siginfo_t, *mut c_void) as usize)
}

/// The current disposition of `sig` in this process.
fn current_handler(sig: i32) -> Option<libc::sighandler_t> {
    // SAFETY: `sigaction` with a null new action only reads the current one
    // into `old`, a zero-initialised plain-data struct we own.
    unsafe {
        let mut old: libc::sigaction = core::mem::zeroed();
        (libc::sigaction(sig, core::ptr::null(), &mut old) == 0).then_some(old.sa_sigaction)
    }
}

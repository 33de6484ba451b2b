//! Runtime fork guard: turns a fork child that would hang (on a lock another
//! thread held at fork, or in `malloc`) into an immediate, precise
//! diagnostic, in debug builds, at no cost in release builds.
//!
//! `fork()` copies only the calling thread. In the child of a multithreaded
//! process every lock some other thread held at that instant stays locked
//! forever, so until `exec` or `_exit` the child may only call
//! async-signal-safe functions (POSIX signal-safety(7)). Get it wrong and the
//! child hangs, silently, once in a while. `fork-guard` watches the fork
//! (`pthread_atfork`), the locks you track, and the allocator, and reports.
//!
//! # Setup: one line
//!
//! ```
//! fork_guard::install(); // first thing in `main`
//! ```
//!
//! or, with no code at all, enable the `auto-install` feature
//! (`fork-guard = { version = "0.1", features = ["auto-install"] }`) and
//! mention the crate once (`use fork_guard as _;`) so that it is linked: a
//! constructor in `.init_array` installs the guard before `main`.
//!
//! To let the guard see allocations in a child, also use [`GuardAlloc`] as
//! the global allocator:
//!
//! ```
//! #[global_allocator]
//! static ALLOC: fork_guard::GuardAlloc<std::alloc::System> =
//!     fork_guard::GuardAlloc::new(std::alloc::System);
//! # fn main() {}
//! ```
//!
//! and use [`Mutex`] / [`RwLock`] / [`Condvar`] (drop-in replacements for
//! std's, with an optional name: [`Mutex::with_name`]) for the locks you want
//! it to see.
//!
//! # Policies
//!
//! Chosen with `FORK_GUARD=off|warn|trap|strict` in the environment (read
//! once, by [`install`]; an invalid value is an error on stderr, and the
//! default applies) or in code with [`set_policy`] (after `install`, which
//! would otherwise override it with the environment).
//!
//! | policy | at fork (parent) | in the child |
//! |---|---|---|
//! | `trap` (default) | nothing | aborts with a diagnostic at the first hazardous operation: taking a tracked lock another thread held at fork (instead of deadlocking forever) and, when other threads were alive at fork, any [`GuardAlloc`] operation or tracked lock until the child starts threads of its own. A single-threaded parent's child is not restricted; a child that only makes async-signal-safe calls and execs is never disturbed. |
//! | `strict` | aborts with a diagnostic when any other thread is alive or another thread holds a tracked lock | as `trap` |
//! | `warn` | reports what `strict` would stop, once per process, and carries on | reports what `trap` would stop, once per kind, and carries on |
//! | `off` | nothing | nothing |
//!
//! Threads known to be harmless across fork (a runtime's idle helpers) can
//! be allow-listed by name ([`allow_thread`], or
//! `FORK_GUARD_ALLOW_THREADS=name,prefix-*`; tokio's threads are
//! `tokio-rt-worker`): they do not count as "other threads alive". A tracked
//! lock one of them holds is still a hazard.
//!
//! `FORK_GUARD=` (set but empty) is the default, as if unset.
//!
//! # Workers with threads of their own
//!
//! Only the locks held at the instant of fork count as held at fork: each
//! hold record carries the fork generation of the thread that made it, and
//! in a child only the records of threads that did not survive the fork are
//! holds at fork. A child (a prefork worker, a daemon) that starts threads
//! of its own leaves restricted mode (its threads may allocate and lock),
//! and contention among them on tracked locks, whether created before or
//! after the fork, is ordinary. Taking a lock that a vanished thread held is
//! still reported. (Starting a thread with `std::thread::spawn` allocates
//! before the thread exists: in a child that is still restricted, with
//! [`GuardAlloc`] installed, that allocation is reported under `trap`.)
//!
//! # The diagnostic
//!
//! Begins with `fork-guard:` on stderr; says what happened and why it is
//! dangerous; names the lock (name, acquisition `file:line:col`, holder
//! thread name and tid), the threads alive at fork (and, in a parent-side
//! report, the fork call site); says what to do; then `abort()`s. The holder comes from the child's own copy
//! of the held-lock registry, frozen at the instant of fork: a hold is
//! recorded before a thread blocks on the lock and forgotten only after it
//! released it, so a lock held at fork always has its holder recorded (as
//! "acquiring or releasing it" when the fork hit those few instructions).
//! Thread names are read when a report is written, not at every fork; a
//! thread that nobody named is `<unnamed>`, not its process's name. In a child it is written with `write(2)` from
//! fixed buffers, with no allocation, no lock and no `std::io`. After that
//! core message, and only then, the hazardous call (and in the parent the
//! fork call site) is symbolised, best-effort (symbolisation allocates, and
//! may need a lock a vanished thread held: it runs under `alarm(2)` so it
//! cannot hang).
//!
//! # `std::process::Command`
//!
//! Never a false alarm: std spawns with `posix_spawn` (no atfork handler
//! runs) unless it must fork (`pre_exec`, `uid`/`gid`/`groups`, ...); then
//! the child handler runs before your `pre_exec` closure, and it only stores
//! a few words. A closure that makes only async-signal-safe calls (say
//! `libc::setsid()`) and the `exec` that follows trip nothing. Under
//! `strict`, however, such a fork from a multithreaded process aborts the
//! parent: that is what `strict` is for.
//!
//! # Raw forks
//!
//! A child made without libc's `fork` (raw `clone`, `SYS_fork`, `clone3`,
//! rustix's `kernel_fork`) runs no atfork handler. The guard's mode word
//! lives on a `MADV_WIPEONFORK` page that the kernel zeroes in such a child,
//! so `GuardAlloc` and the tracked locks still notice, at no extra cost. No
//! census was taken at fork then; the guard uses the parent's threads at the
//! time of the check instead.
//!
//! # Release builds: one API
//!
//! Without `debug_assertions` the guard compiles to nothing, and the API
//! stays the same: [`Mutex`], [`RwLock`], their guards ([`MutexGuard`],
//! ...) and [`Condvar`] are the same types in every build (the guards are
//! always fork-guard's, so code that names them, implements a trait for
//! them or waits on a [`Condvar`] compiles alike in debug and release).
//! Each lock is written once, with its tracking hooks compiled in or out
//! (as parking_lot's deadlock detection is): inert, a lock is std's lock in
//! a zero-cost wrapper, [`GuardAlloc`] forwards, [`install`] does nothing.
//! The `release` feature keeps the guard on (production canaries,
//! benchmarks).
//!
//! # `lock_api`
//!
//! With the `lock_api` feature (Linux), `RawMutex` implements
//! `lock_api::RawMutex` with the same tracking, and `TrackedMutex<T>` is
//! `lock_api::Mutex<RawMutex, T>`: for code written against lock_api-style
//! locks (parking_lot's API: `lock()` returns the guard, no poisoning).
//!
//! # Deadlock sentinel
//!
//! For the locks it does not track, a watcher thread in the parent (started
//! at the first fork that sees another thread alive) looks at each child in
//! `/proc/<pid>`: a child whose only thread sits in a process-private futex
//! wait without a timeout can never wake up. Seen so in three looks, half a
//! second apart, it is signalled to write the diagnostic (naming the
//! blocked call, e.g. `std::io::stdio::Stdout::lock`) and abort. Children
//! that sleep, poll, exec or start threads are never disturbed
//! (`FORK_GUARD_SENTINEL=off` turns it off). Linux on x86_64 and aarch64;
//! see the README for its limits.
//!
//! # What it cannot see
//!
//! Locks it does not track, until the child blocks on one forever (then the
//! sentinel reports it): std's and parking_lot's locks, and libc's
//! internal ones (`malloc` arenas, stdio, the dynamic loader, `getenv`'s
//! lock, ...). [`GuardAlloc`] covers allocation through Rust's global
//! allocator only, not `malloc` called from C. The thread list is taken in
//! the prepare handler, a moment before the kernel forks; the lock check and
//! the holder in the child come from the lock's real state and the child's
//! copy of the registry at the instant of fork.

#![deny(unsafe_code)]
#![warn(missing_docs)]

#[allow(unsafe_code)]
mod alloc;
mod hooks;
#[allow(unsafe_code)]
mod locks;
mod policy;
#[cfg(all(feature = "lock_api", target_os = "linux"))]
#[allow(unsafe_code)]
mod raw;

#[cfg(fork_guard_active)]
#[allow(unsafe_code)]
mod atfork;
#[cfg(fork_guard_active)]
#[cfg(fork_guard_sentinel)]
#[allow(unsafe_code)]
mod sentinel;
#[cfg(fork_guard_active)]
#[allow(unsafe_code)]
mod signal_safe;
#[cfg(fork_guard_active)]
#[allow(unsafe_code)]
mod wipeonfork;

pub use alloc::GuardAlloc;
pub use locks::{
    Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, WaitTimeoutResult,
};
pub use policy::{ALLOW_THREADS_ENV, InstallError, POLICY_ENV, ParsePolicyError, Policy};
#[cfg(all(feature = "lock_api", target_os = "linux"))]
pub use raw::{RawMutex, TrackedMutex, TrackedMutexGuard};

/// Whether the guard is compiled in (debug builds, or the `release`
/// feature). When `false`, every function here is a no-op.
pub const fn is_active() -> bool {
    cfg!(fork_guard_active)
}

/// Installs the guard: reads `FORK_GUARD` and `FORK_GUARD_ALLOW_THREADS`,
/// maps the wipe-on-fork page and registers the `pthread_atfork` handlers.
///
/// Idempotent and cheap after the first call; call it from `main` or from a
/// test. Problems (an invalid `FORK_GUARD`) are printed to stderr once, as
/// `fork-guard: error: ...`; use [`try_install`] to handle them yourself.
/// A no-op when the guard is compiled out.
pub fn install() {
    #[cfg(fork_guard_active)]
    active::install();
}

/// Like [`install`], but returns problems instead of printing them. Every
/// call returns the outcome of the first.
pub fn try_install() -> Result<(), InstallError> {
    #[cfg(fork_guard_active)]
    return active::try_install();
    #[cfg(not(fork_guard_active))]
    Ok(())
}

/// Whether [`install`] has run (and registered the handlers) in this process.
pub fn is_installed() -> bool {
    #[cfg(fork_guard_active)]
    return active::is_installed();
    #[cfg(not(fork_guard_active))]
    false
}

/// Sets the policy for the rest of the process (overrides `FORK_GUARD` when
/// called after [`install`]).
pub fn set_policy(policy: Policy) {
    #[cfg(fork_guard_active)]
    signal_safe::state::set_policy(policy);
    #[cfg(not(fork_guard_active))]
    let _ = policy;
}

/// The policy in effect (`Off` when the guard is compiled out).
pub fn policy() -> Policy {
    #[cfg(fork_guard_active)]
    return signal_safe::state::policy();
    #[cfg(not(fork_guard_active))]
    Policy::Off
}

/// Allow-lists threads by name: an exact name, or a prefix ending in `*`
/// (`"tokio-rt-worker"`, the name tokio gives its threads, or `"worker-*"`).
/// Allow-listed threads do not count as "other
/// threads alive at fork". Names are those the kernel reports
/// (`/proc/<pid>/task/<tid>/comm`, at most 15 bytes).
pub fn allow_thread(pattern: &str) {
    #[cfg(fork_guard_active)]
    signal_safe::state::allow_thread(pattern);
    #[cfg(not(fork_guard_active))]
    let _ = pattern;
}

/// Whether the raw-fork backstop is in place (the kernel accepted
/// `MADV_WIPEONFORK`, Linux 4.14+).
pub fn backstop_available() -> bool {
    #[cfg(fork_guard_active)]
    return signal_safe::state::BACKSTOP.load(core::sync::atomic::Ordering::Relaxed);
    #[cfg(not(fork_guard_active))]
    false
}

#[cfg(fork_guard_active)]
mod active {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

    use crate::policy::{ALLOW_THREADS_ENV, InstallError, POLICY_ENV, split_patterns};
    use crate::signal_safe::state;
    use crate::{Policy, atfork, wipeonfork};

    static RESULT: OnceLock<Result<(), InstallError>> = OnceLock::new();
    static INSTALLED: AtomicBool = AtomicBool::new(false);

    pub(crate) fn install() {
        let mut first = false;
        let r = RESULT.get_or_init(|| {
            first = true;
            run()
        });
        if let (true, Err(e)) = (first, r) {
            eprintln!("fork-guard: error: {e}");
        }
    }

    pub(crate) fn try_install() -> Result<(), InstallError> {
        RESULT.get_or_init(run).clone()
    }

    pub(crate) fn is_installed() -> bool {
        INSTALLED.load(Relaxed)
    }

    fn run() -> Result<(), InstallError> {
        let mut problem = None;
        match std::env::var(POLICY_ENV) {
            // Set but empty (`FORK_GUARD=`): the default, as if unset.
            Ok(v) if v.trim().is_empty() => {}
            Ok(v) => match v.parse::<Policy>() {
                Ok(p) => state::set_policy(p),
                Err(e) => problem = Some(InstallError::InvalidPolicy(e)),
            },
            Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => problem = Some(InstallError::NotUnicode),
        }
        if let Ok(v) = std::env::var(ALLOW_THREADS_ENV) {
            for p in split_patterns(&v) {
                state::allow_thread(p);
            }
        }
        #[cfg(fork_guard_sentinel)]
        crate::sentinel::configure_from_env();
        wipeonfork::install_page();
        atfork::register().map_err(InstallError::AtFork)?;
        INSTALLED.store(true, Relaxed);
        problem.map_or(Ok(()), Err)
    }
}

#[cfg(all(feature = "auto-install", fork_guard_active, target_os = "linux"))]
#[allow(unsafe_code)]
mod auto_install {
    extern "C" fn run() {
        crate::install();
    }

    /// Runs `install` before `main`, from the ELF `.init_array`.
    // SAFETY (link_section): `.init_array` holds pointers to `extern "C"
    // fn()` that the loader calls once at start-up; `run` has that type,
    // and `install` is fine to run before `main` (it reads the environment,
    // maps a page and registers atfork handlers; it never unwinds out of the
    // `extern "C"` boundary except through an abort).
    #[used]
    #[unsafe(link_section = ".init_array")]
    static AUTO_INSTALL: extern "C" fn() = run;
}

pub use fork_guard_macros::{checked, child, child_closure};

/// Unit tests that touch the process-wide mode word or the held-lock
/// registry take this, so that they do not see each other's state.
#[cfg(all(test, fork_guard_active))]
pub(crate) static TEST_SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Support for `fork-guard-macros`; not a public API.
#[doc(hidden)]
pub mod __private {
    /// Child-restricted mode for the **calling thread**: from now on, every
    /// [`GuardAlloc`](crate::GuardAlloc) operation and every tracked-lock
    /// acquisition on this thread aborts with the fork-guard diagnostic
    /// (under `warn`: reports once and carries on; under `off`: nothing),
    /// whatever the thread count. Other threads are not affected, so code
    /// meant for a child can be exercised in a multithreaded test; in a real
    /// fork child the calling thread is the only one. There is no way back:
    /// call it only on a thread that will exec or exit. A no-op when the
    /// guard is compiled out.
    pub fn enter_child_mode() {
        #[cfg(fork_guard_active)]
        crate::signal_safe::child::enter_child_mode();
    }

    /// The type `#[fork_guard::child]` aliases next to a marked function, so
    /// that callers' expansions can check the callee is marked.
    #[derive(Debug)]
    pub enum ChildMarker {}
}

//! `lock_api` support (feature `lock_api`, Linux): [`RawMutex`], a tracked
//! raw mutex, so that code written against `lock_api`'s generic
//! `Mutex<R, T>` (as parking_lot's and spin's locks are) can have locks the
//! guard sees: [`TrackedMutex<T>`] is `lock_api::Mutex<RawMutex, T>`.
//!
//! The mutex itself is a three-state futex mutex (unlocked, locked, locked
//! with waiters; Drepper, "Futexes Are Tricky", mutex 2) on one `AtomicU32`,
//! with the same tracking hooks as [`Mutex`](crate::Mutex): the holder's
//! thread is recorded before blocking and forgotten after unlocking, and in
//! a fork child taking it when a thread that did not survive the fork held
//! it aborts with the diagnostic instead of waiting forever.
//!
//! `lock_api` calls the raw lock from its own (non-`#[track_caller]`)
//! methods, so the acquisition site in a diagnostic is `lock_api`'s, not
//! the caller's; the holder's thread and the lock's name are exact.

use core::sync::atomic::{AtomicU32, Ordering::Acquire, Ordering::Relaxed, Ordering::Release};

use crate::hooks::{self, Hold, Kind, Meta, addr_of};

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const CONTENDED: u32 = 2;

/// A tracked raw mutex implementing [`lock_api::RawMutex`].
///
/// ```
/// static QUEUE: fork_guard::TrackedMutex<Vec<u32>> =
///     fork_guard::TrackedMutex::from_raw(fork_guard::RawMutex::with_name("queue"), Vec::new());
/// QUEUE.lock().push(1);
/// assert_eq!(QUEUE.lock().len(), 1);
/// ```
pub struct RawMutex {
    state: AtomicU32,
    meta: Meta,
}

/// A `lock_api` mutex over [`RawMutex`]: `lock()` returns the guard
/// directly (no poisoning), as parking_lot's does.
pub type TrackedMutex<T> = lock_api::Mutex<RawMutex, T>;
/// The guard of a [`TrackedMutex`].
pub type TrackedMutexGuard<'a, T> = lock_api::MutexGuard<'a, RawMutex, T>;

impl RawMutex {
    /// An unnamed, unlocked raw mutex (also `lock_api::RawMutex::INIT`).
    pub const fn new() -> Self {
        RawMutex {
            state: AtomicU32::new(UNLOCKED),
            meta: Meta::new(None),
        }
    }

    /// An unlocked raw mutex whose diagnostics call it `name`; use it with
    /// `TrackedMutex::from_raw(RawMutex::with_name(..), value)`.
    pub const fn with_name(name: &'static str) -> Self {
        RawMutex {
            state: AtomicU32::new(UNLOCKED),
            meta: Meta::new(Some(name)),
        }
    }

    /// The name given at construction, if any (always `None` when the guard
    /// is compiled out).
    pub fn name(&self) -> Option<&'static str> {
        self.meta.name()
    }

    #[inline(always)]
    fn try_take(&self) -> bool {
        self.state
            .compare_exchange(UNLOCKED, LOCKED, Acquire, Relaxed)
            .is_ok()
    }

    #[inline(always)]
    fn take(&self) {
        if !self.try_take() {
            self.take_contended();
        }
    }

    #[cold]
    fn take_contended(&self) {
        for _ in 0..100 {
            core::hint::spin_loop();
            if self.state.load(Relaxed) == UNLOCKED && self.try_take() {
                return;
            }
        }
        while self.state.swap(CONTENDED, Acquire) != UNLOCKED {
            futex(
                &self.state,
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                CONTENDED,
            );
        }
    }

    #[inline(always)]
    fn give(&self) {
        if self.state.swap(UNLOCKED, Release) == CONTENDED {
            futex(&self.state, libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG, 1);
        }
    }
}

impl Default for RawMutex {
    fn default() -> Self {
        RawMutex::new()
    }
}

impl core::fmt::Debug for RawMutex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawMutex")
            .field("name", &self.name())
            .field("locked", &(self.state.load(Relaxed) != UNLOCKED))
            .finish()
    }
}

/// `FUTEX_WAIT` (sleep while `*word == val`) or `FUTEX_WAKE` (wake `val`
/// waiters), process-private. Spurious returns are fine: callers loop.
fn futex(word: &AtomicU32, op: libc::c_int, val: u32) {
    // SAFETY: `word` is a valid, aligned `u32` for the duration of the call
    // (it is borrowed); FUTEX_WAIT only reads it and FUTEX_WAKE ignores its
    // contents; the timeout pointer is null (wait without a deadline) and the
    // remaining arguments are unused by these two operations.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            op,
            val,
            core::ptr::null::<libc::timespec>(),
        );
    }
}

// SAFETY: `lock` and `try_lock` (when it returns true) leave the state
// LOCKED or CONTENDED, taken with an acquire compare-exchange or swap from
// UNLOCKED, so only one thread holds the mutex at a time; `unlock` releases
// with a release swap to UNLOCKED. The guard is not `Send`: the hold record
// belongs to the thread that took the lock, which must be the one that
// unlocks it.
unsafe impl lock_api::RawMutex for RawMutex {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = RawMutex::new();
    type GuardMarker = lock_api::GuardNoSend;

    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline]
    fn lock(&self) {
        let at = hooks::site();
        let addr = addr_of(self);
        let early = hooks::gate(&self.meta, addr, Kind::Mutex, at, || {
            self.try_take().then_some(())
        });
        let hold = Hold::begin(&self.meta, addr, Kind::Mutex, at);
        if early.is_none() {
            self.take();
        }
        hold.acquired();
    }

    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline]
    fn try_lock(&self) -> bool {
        let at = hooks::site();
        let addr = addr_of(self);
        let hold = Hold::begin(&self.meta, addr, Kind::Mutex, at);
        let got = self.try_take();
        if got {
            hold.acquired();
        } else {
            hold.end();
        }
        hooks::after_try(&self.meta, addr, Kind::Mutex, at, got);
        got
    }

    #[inline]
    unsafe fn unlock(&self) {
        let hold = Hold::held_at(addr_of(self));
        hold.releasing();
        self.give();
        hold.end();
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.state.load(Relaxed) != UNLOCKED
    }
}

#[cfg(all(test, fork_guard_active))]
mod tests {
    use super::*;
    use crate::signal_safe::{held, sys};

    #[test]
    fn tracked_raw_mutex_records_its_holder() {
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        static M: TrackedMutex<u32> = TrackedMutex::from_raw(RawMutex::with_name("raw-unit"), 0);
        let addr = addr_of(raw_of(&M));
        let me = sys::gettid();
        {
            let mut g = M.lock();
            *g += 1;
            let seen = std::thread::spawn(move || held::find_holder(addr, sys::gettid()))
                .join()
                .unwrap()
                .expect("hold recorded");
            assert_eq!(seen.tid, me);
            assert_eq!(seen.name, Some("raw-unit"));
            assert!(M.try_lock().is_none(), "not reentrant");
        }
        assert!(!held::held_by_me(addr));
        assert!(!lock_api::RawMutex::is_locked(raw_of(&M)));
    }

    #[test]
    fn contended_raw_mutex_counts_exactly() {
        let m = std::sync::Arc::new(TrackedMutex::from_raw(RawMutex::new(), 0u64));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        *m.lock() += 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*m.lock(), 80_000);
    }

    fn raw_of<T>(m: &TrackedMutex<T>) -> &RawMutex {
        // SAFETY: only the raw mutex's address and lock state are read; the
        // tests never lock or unlock through this reference.
        unsafe { m.raw() }
    }
}

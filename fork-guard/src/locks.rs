//! `Mutex<T>`, `RwLock<T>` and `Condvar`: drop-in replacements for std's,
//! defined once for every build.
//!
//! The public types are the same in debug and release builds: the guard
//! types are always fork-guard's, wrapping std's guard. The tracking (who
//! holds what, from where, and the child-side checks) goes through the hooks
//! of `hooks.rs`, which compile to nothing when the guard is inert, so that
//! a lock is then std's lock at zero cost (same size, same code after
//! inlining), as parking_lot does with its deadlock detection.

use core::fmt;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use crate::hooks::{self, Hold, Kind, Meta, addr_of};

/// Maps the guard inside a `LockResult`, poisoned or not.
#[inline(always)]
fn map_result<G, H>(r: LockResult<G>, f: impl FnOnce(G) -> H) -> LockResult<H> {
    match r {
        Ok(g) => Ok(f(g)),
        Err(p) => Err(PoisonError::new(f(p.into_inner()))),
    }
}

/// A `try_*` result as the hooks see it: `None` when the lock is held.
#[inline(always)]
fn settled<G>(r: TryLockResult<G>) -> Option<LockResult<G>> {
    match r {
        Ok(g) => Some(Ok(g)),
        Err(TryLockError::Poisoned(p)) => Some(Err(p)),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// The blocking acquisition protocol shared by every lock (see `hooks.rs`):
/// the child-side gate, the hold in transit, the lock, the hold taken.
#[inline(always)]
fn acquire<G>(
    meta: &Meta,
    addr: usize,
    kind: Kind,
    at: hooks::Site,
    try_take: impl FnOnce() -> TryLockResult<G>,
    take: impl FnOnce() -> LockResult<G>,
) -> (LockResult<G>, Hold) {
    let early = hooks::gate(meta, addr, kind, at, || settled(try_take()));
    let hold = Hold::begin(meta, addr, kind, at);
    let r = match early {
        Some(r) => r,
        None => take(),
    };
    hold.acquired();
    (r, hold)
}

/// The `try_*` protocol shared by every lock.
#[inline(always)]
fn try_acquire<G, H>(
    meta: &Meta,
    addr: usize,
    kind: Kind,
    at: hooks::Site,
    try_take: impl FnOnce() -> TryLockResult<G>,
    wrap: impl FnOnce(G, Hold) -> H,
) -> TryLockResult<H> {
    let hold = Hold::begin(meta, addr, kind, at);
    let r = match try_take() {
        Ok(g) => {
            hold.acquired();
            Ok(wrap(g, hold))
        }
        Err(TryLockError::Poisoned(p)) => {
            hold.acquired();
            Err(TryLockError::Poisoned(PoisonError::new(wrap(
                p.into_inner(),
                hold,
            ))))
        }
        Err(TryLockError::WouldBlock) => {
            hold.end();
            Err(TryLockError::WouldBlock)
        }
    };
    let got = !matches!(r, Err(TryLockError::WouldBlock));
    hooks::after_try(meta, addr, kind, at, got);
    r
}

/// A mutual exclusion primitive like [`std::sync::Mutex`], tracked by the
/// fork guard.
///
/// Same methods, same poisoning, same guard behaviour; in addition the lock
/// can carry a name for diagnostics ([`Mutex::with_name`]), and every
/// acquisition records the holder's thread and source location (from
/// `#[track_caller]`, without allocating) so that a fork diagnostic can say
/// who held it. In a fork child, taking a lock that a thread which did not
/// survive the fork held aborts with a diagnostic instead of hanging.
///
/// The type and its guard are the same in every build; when the guard is
/// compiled out (release builds without the `release` feature) they are
/// std's at zero cost.
pub struct Mutex<T: ?Sized> {
    meta: Meta,
    inner: std::sync::Mutex<T>,
}

/// The RAII guard of a [`Mutex`]; releases (and forgets the hold) on drop.
///
/// Works with [`Condvar`] (fork-guard's), in every build.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized + 'a> {
    /// Dropped by hand in `Drop`, between the hooks (or moved out for a
    /// `Condvar` wait).
    inner: ManuallyDrop<std::sync::MutexGuard<'a, T>>,
    hold: Hold,
}

impl<T> Mutex<T> {
    /// Creates an unnamed, unlocked mutex.
    pub const fn new(value: T) -> Self {
        Mutex {
            meta: Meta::new(None),
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Creates an unlocked mutex whose diagnostics call it `name` (the name
    /// is dropped when the guard is compiled out).
    pub const fn with_name(name: &'static str, value: T) -> Self {
        Mutex {
            meta: Meta::new(Some(name)),
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Consumes the mutex, returning the value (see [`std::sync::Mutex::into_inner`]).
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// The name given at construction, if any (always `None` when the guard
    /// is compiled out).
    #[inline]
    pub fn name(&self) -> Option<&'static str> {
        self.meta.name()
    }

    /// Acquires the mutex, blocking until it is available (see
    /// [`std::sync::Mutex::lock`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline(always)]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let (r, hold) = acquire(
            &self.meta,
            addr_of(self),
            Kind::Mutex,
            hooks::site(),
            || self.inner.try_lock(),
            || self.inner.lock(),
        );
        map_result(r, |g| MutexGuard::new(g, hold))
    }

    /// Attempts to acquire the mutex without blocking (see
    /// [`std::sync::Mutex::try_lock`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline(always)]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        try_acquire(
            &self.meta,
            addr_of(self),
            Kind::Mutex,
            hooks::site(),
            || self.inner.try_lock(),
            MutexGuard::new,
        )
    }

    /// Whether the mutex is poisoned.
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Clears the poisoned state.
    #[inline]
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// Mutable access without locking (see [`std::sync::Mutex::get_mut`]).
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("name", &self.name())
            .field("inner", &&self.inner)
            .finish()
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    #[inline(always)]
    fn new(inner: std::sync::MutexGuard<'a, T>, hold: Hold) -> Self {
        MutexGuard {
            inner: ManuallyDrop::new(inner),
            hold,
        }
    }

    /// Takes the guard apart without releasing the lock (for a `Condvar`
    /// wait, which releases and retakes it itself).
    #[inline(always)]
    fn into_parts(self) -> (std::sync::MutexGuard<'a, T>, Hold) {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped (it is in a `ManuallyDrop`), so
        // each field is moved out exactly once and nothing else reads it
        // afterwards; `inner` was initialised by `new` and not dropped yet
        // (only `Drop::drop` drops it, and that cannot run for `this`).
        unsafe {
            (
                ManuallyDrop::take(&mut this.inner),
                core::ptr::read(&this.hold),
            )
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        self.hold.releasing();
        // SAFETY: `inner` is dropped here and only here (`into_parts`
        // forgets the guard instead of dropping it), and never used again.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
        self.hold.end();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A condition variable for [`Mutex`], like [`std::sync::Condvar`] (same
/// methods, same semantics), in every build. While a thread waits, its
/// hold is recorded as in transit; on wake-up the hold is recorded again, at
/// the `wait` call's location.
#[derive(Debug, Default)]
pub struct Condvar {
    inner: std::sync::Condvar,
}

pub use std::sync::WaitTimeoutResult;

impl Condvar {
    /// Creates a condition variable.
    pub const fn new() -> Self {
        Condvar {
            inner: std::sync::Condvar::new(),
        }
    }

    /// Blocks until notified (see [`std::sync::Condvar::wait`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let at = hooks::site();
        let (g, hold) = guard.into_parts();
        hold.releasing();
        map_result(self.inner.wait(g), |g| {
            hold.reacquired(at);
            MutexGuard::new(g, hold)
        })
    }

    /// Blocks while `condition` holds (see [`std::sync::Condvar::wait_while`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    pub fn wait_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = hooks::site();
        let (g, hold) = guard.into_parts();
        hold.releasing();
        map_result(self.inner.wait_while(g, condition), |g| {
            hold.reacquired(at);
            MutexGuard::new(g, hold)
        })
    }

    /// Blocks until notified or `dur` elapses (see
    /// [`std::sync::Condvar::wait_timeout`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: std::time::Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let at = hooks::site();
        let (g, hold) = guard.into_parts();
        hold.releasing();
        map_result(self.inner.wait_timeout(g, dur), |(g, t)| {
            hold.reacquired(at);
            (MutexGuard::new(g, hold), t)
        })
    }

    /// Blocks while `condition` holds, at most `dur` (see
    /// [`std::sync::Condvar::wait_timeout_while`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: std::time::Duration,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = hooks::site();
        let (g, hold) = guard.into_parts();
        hold.releasing();
        map_result(
            self.inner.wait_timeout_while(g, dur, condition),
            |(g, t)| {
                hold.reacquired(at);
                (MutexGuard::new(g, hold), t)
            },
        )
    }

    /// Wakes one waiter.
    #[inline]
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Wakes all waiters.
    #[inline]
    pub fn notify_all(&self) {
        self.inner.notify_all();
    }
}

/// A reader-writer lock like [`std::sync::RwLock`], tracked by the fork
/// guard (see [`Mutex`] for what tracking means).
pub struct RwLock<T: ?Sized> {
    meta: Meta,
    inner: std::sync::RwLock<T>,
}

/// Shared guard of an [`RwLock`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized + 'a> {
    inner: ManuallyDrop<std::sync::RwLockReadGuard<'a, T>>,
    hold: Hold,
}

/// Exclusive guard of an [`RwLock`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized + 'a> {
    inner: ManuallyDrop<std::sync::RwLockWriteGuard<'a, T>>,
    hold: Hold,
}

impl<T> RwLock<T> {
    /// Creates an unnamed, unlocked lock.
    pub const fn new(value: T) -> Self {
        RwLock {
            meta: Meta::new(None),
            inner: std::sync::RwLock::new(value),
        }
    }

    /// Creates an unlocked lock whose diagnostics call it `name` (the name
    /// is dropped when the guard is compiled out).
    pub const fn with_name(name: &'static str, value: T) -> Self {
        RwLock {
            meta: Meta::new(Some(name)),
            inner: std::sync::RwLock::new(value),
        }
    }

    /// Consumes the lock, returning the value.
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// The name given at construction, if any (always `None` when the guard
    /// is compiled out).
    #[inline]
    pub fn name(&self) -> Option<&'static str> {
        self.meta.name()
    }

    /// Acquires shared access, blocking (see [`std::sync::RwLock::read`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline(always)]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let (r, hold) = acquire(
            &self.meta,
            addr_of(self),
            Kind::Read,
            hooks::site(),
            || self.inner.try_read(),
            || self.inner.read(),
        );
        map_result(r, |g| RwLockReadGuard::new(g, hold))
    }

    /// Attempts shared access without blocking.
    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline(always)]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        try_acquire(
            &self.meta,
            addr_of(self),
            Kind::Read,
            hooks::site(),
            || self.inner.try_read(),
            RwLockReadGuard::new,
        )
    }

    /// Acquires exclusive access, blocking (see [`std::sync::RwLock::write`]).
    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline(always)]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let (r, hold) = acquire(
            &self.meta,
            addr_of(self),
            Kind::Write,
            hooks::site(),
            || self.inner.try_write(),
            || self.inner.write(),
        );
        map_result(r, |g| RwLockWriteGuard::new(g, hold))
    }

    /// Attempts exclusive access without blocking.
    #[cfg_attr(fork_guard_active, track_caller)]
    #[inline(always)]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        try_acquire(
            &self.meta,
            addr_of(self),
            Kind::Write,
            hooks::site(),
            || self.inner.try_write(),
            RwLockWriteGuard::new,
        )
    }

    /// Whether the lock is poisoned.
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Clears the poisoned state.
    #[inline]
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// Mutable access without locking.
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLock")
            .field("name", &self.name())
            .field("inner", &&self.inner)
            .finish()
    }
}

macro_rules! guard_impls {
    ($guard:ident, $std:ident) => {
        impl<'a, T: ?Sized> $guard<'a, T> {
            #[inline(always)]
            fn new(inner: std::sync::$std<'a, T>, hold: Hold) -> Self {
                $guard {
                    inner: ManuallyDrop::new(inner),
                    hold,
                }
            }
        }

        impl<T: ?Sized> Deref for $guard<'_, T> {
            type Target = T;
            #[inline(always)]
            fn deref(&self) -> &T {
                &self.inner
            }
        }

        impl<T: ?Sized> Drop for $guard<'_, T> {
            #[inline(always)]
            fn drop(&mut self) {
                self.hold.releasing();
                // SAFETY: `inner` is dropped here and only here, and never
                // used again.
                unsafe { ManuallyDrop::drop(&mut self.inner) };
                self.hold.end();
            }
        }

        impl<T: ?Sized + fmt::Debug> fmt::Debug for $guard<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<T: ?Sized + fmt::Display> fmt::Display for $guard<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    };
}

guard_impls!(RwLockReadGuard, RwLockReadGuard);
guard_impls!(RwLockWriteGuard, RwLockWriteGuard);

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

#[cfg(all(test, not(fork_guard_active)))]
mod inert_tests {
    use super::*;

    #[test]
    fn zero_cost_layout() {
        assert_eq!(size_of::<Mutex<u64>>(), size_of::<std::sync::Mutex<u64>>());
        assert_eq!(
            size_of::<RwLock<[u8; 3]>>(),
            size_of::<std::sync::RwLock<[u8; 3]>>()
        );
        assert_eq!(
            size_of::<MutexGuard<'static, u64>>(),
            size_of::<std::sync::MutexGuard<'static, u64>>()
        );
        assert!(!crate::is_active());
        crate::install();
        assert!(!crate::is_installed());
    }
}

#[cfg(all(test, fork_guard_active))]
mod tests {
    use super::*;
    use crate::signal_safe::held;
    use crate::signal_safe::sys;

    #[test]
    fn holds_are_visible_to_other_threads_while_held() {
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        static M: Mutex<u32> = Mutex::with_name("unit-registry", 0);
        let line = line!() + 1;
        let mut g = M.lock().unwrap();
        *g += 1;
        let me = sys::gettid();
        let addr = addr_of(&M);
        let seen = std::thread::spawn(move || held::find_holder(addr, sys::gettid()))
            .join()
            .unwrap()
            .expect("hold recorded");
        assert_eq!(seen.tid, me);
        assert_eq!(seen.name, Some("unit-registry"));
        assert_eq!(seen.location.unwrap().line(), line);
        assert!(seen.location.unwrap().file().ends_with("locks.rs"));
        drop(g);
        assert!(!held::held_by_me(addr));
        assert_eq!(*M.lock().unwrap(), 1);
    }

    #[test]
    fn a_thread_in_child_mode_leaves_the_others_tracked() {
        use crate::signal_safe::state;
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        // As after `enter_child_mode` on some thread: the mode word is not
        // plain, but this is no fork child.
        state::add_mode_bits(state::THREAD_CHILD_MODE);
        static M: Mutex<u32> = Mutex::with_name("other-thread", 0);
        let addr = addr_of(&M);
        let (tx, rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _g = M.lock().unwrap();
            tx.send(sys::gettid()).unwrap();
            let _ = done_rx.recv();
        });
        let tid = rx.recv().unwrap();
        let seen = held::find_holder(addr, sys::gettid());
        done_tx.send(()).unwrap();
        holder.join().unwrap();
        state::clear_mode_bits(state::THREAD_CHILD_MODE);
        assert_eq!(
            seen.map(|h| h.tid),
            Some(tid),
            "a new thread still claims a record"
        );
    }

    #[test]
    fn poisoning_matches_std() {
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let m = std::sync::Arc::new(Mutex::new(5));
        let m2 = m.clone();
        let _ = std::thread::spawn(move || {
            let _g = m2.lock().unwrap();
            panic!("poison it");
        })
        .join();
        assert!(m.is_poisoned());
        let g = m.lock().unwrap_err().into_inner();
        assert_eq!(*g, 5);
        assert!(held::held_by_me(addr_of(&*m)));
        drop(g);
        assert!(!held::held_by_me(addr_of(&*m)));
        m.clear_poison();
        assert!(!m.is_poisoned());
        assert!(m.try_lock().is_ok());
    }

    #[test]
    fn condvar_releases_and_retakes_the_hold() {
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let pair = std::sync::Arc::new((Mutex::with_name("cv", false), Condvar::new()));
        let p2 = pair.clone();
        let addr = addr_of(&pair.0);
        let waiter = std::thread::spawn(move || {
            let (m, cv) = &*p2;
            let g = cv.wait_while(m.lock().unwrap(), |ready| !*ready).unwrap();
            // Held again after the wait, recorded for this thread.
            assert!(*g && held::held_by_me(addr));
        });
        // While the waiter waits, nobody holds the lock.
        loop {
            let mut g = pair.0.lock().unwrap();
            assert!(held::find_holder(addr, sys::gettid()).is_none());
            *g = true;
            drop(g);
            pair.1.notify_all();
            if waiter.is_finished() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        waiter.join().unwrap();
        let (g, t) = pair
            .1
            .wait_timeout(pair.0.lock().unwrap(), std::time::Duration::from_millis(1))
            .unwrap();
        assert!(t.timed_out() && *g);
    }

    #[test]
    fn rwlock_readers_and_writer() {
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let l = RwLock::with_name("unit-rw", vec![1, 2]);
        {
            let a = l.read().unwrap();
            let b = l.try_read().unwrap();
            assert_eq!(a.len() + b.len(), 4);
            assert!(matches!(l.try_write(), Err(TryLockError::WouldBlock)));
        }
        l.write().unwrap().push(3);
        assert!(!held::held_by_me(addr_of(&l)));
        assert_eq!(l.into_inner().unwrap(), vec![1, 2, 3]);
    }
}

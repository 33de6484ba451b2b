//! Tracked locks: `Mutex<T>` and `RwLock<T>`, drop-in replacements for
//! std's that record who holds them (thread, `#[track_caller]` location, no
//! allocation) so that the guard can name the holder at fork time and stop a
//! child from waiting forever on a lock whose holder did not survive the fork.
//!
//! This is the active variant (debug builds, or the `release` feature); see
//! `inert.rs` for the zero-cost one.

use core::fmt;
use core::ops::{Deref, DerefMut};
use core::panic::Location;
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use crate::signal_safe::child::{self, Verdict};
use crate::signal_safe::held::{self, HoldKind};
use crate::signal_safe::state;

#[inline]
fn addr_of<T: ?Sized>(r: &T) -> usize {
    core::ptr::from_ref(r).cast::<()>() as usize
}

/// Records a hold; returns the lock address to forget on release, or 0 when
/// the hold could not be recorded.
#[inline]
fn record(
    addr: usize,
    name: Option<&'static str>,
    at: &'static Location<'static>,
    kind: HoldKind,
) -> usize {
    if held::push(addr, name, at, kind) {
        addr
    } else {
        0
    }
}

#[inline]
fn forget_hold(addr: usize) {
    if addr != 0 {
        held::pop(addr);
    }
}

#[inline]
fn map_result<G, H>(r: LockResult<G>, f: impl FnOnce(G) -> H) -> LockResult<H> {
    match r {
        Ok(g) => Ok(f(g)),
        Err(p) => Err(PoisonError::new(f(p.into_inner()))),
    }
}

#[inline]
fn map_try_result<G, H>(r: TryLockResult<G>, f: impl FnOnce(G) -> H) -> TryLockResult<H> {
    match r {
        Ok(g) => Ok(f(g)),
        Err(TryLockError::Poisoned(p)) => {
            Err(TryLockError::Poisoned(PoisonError::new(f(p.into_inner()))))
        }
        Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
    }
}

/// Runs the child-side protocol for one acquisition attempt. `try_take`
/// tries the inner lock without blocking. Returns `Some` when the attempt
/// was settled here (the lock was taken with `try_take`), `None` when the
/// caller should block on the inner lock as usual.
#[cold]
#[inline(never)]
fn acquire_in_child<G>(
    addr: usize,
    name: Option<&'static str>,
    kind: HoldKind,
    at: &'static Location<'static>,
    try_take: impl FnOnce() -> TryLockResult<G>,
) -> Option<LockResult<G>> {
    match child::before_lock(addr, name, kind, at) {
        Verdict::Proceed => None,
        Verdict::TryFirst => match try_take() {
            Ok(g) => {
                child::lock_acquired(addr, name, kind, at);
                Some(Ok(g))
            }
            Err(TryLockError::Poisoned(p)) => {
                child::lock_acquired(addr, name, kind, at);
                Some(Err(p))
            }
            Err(TryLockError::WouldBlock) => {
                child::lock_would_block(addr, name, kind, at);
                None
            }
        },
    }
}

/// Child-side protocol for a `try_*` acquisition: it cannot block, so only
/// the "any lock in a restricted child" and child-mode rules apply.
#[cold]
#[inline(never)]
fn try_in_child(
    addr: usize,
    name: Option<&'static str>,
    kind: HoldKind,
    at: &'static Location<'static>,
    got: bool,
) {
    if child::before_lock(addr, name, kind, at) == Verdict::TryFirst && got {
        child::lock_acquired(addr, name, kind, at);
    }
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
/// The guard type is fork-guard's own; treat it as opaque (in release
/// builds without the `release` feature it is std's `MutexGuard`).
pub struct Mutex<T: ?Sized> {
    name: Option<&'static str>,
    inner: std::sync::Mutex<T>,
}

/// The RAII guard of a [`Mutex`]; releases (and forgets the hold) on drop.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized + 'a> {
    lock: &'a Mutex<T>,
    hold: usize,
    /// `None` only inside [`Condvar`] waits, which own the guard meanwhile.
    inner: Option<std::sync::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// Creates an unnamed, unlocked mutex.
    pub const fn new(value: T) -> Self {
        Mutex {
            name: None,
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Creates an unlocked mutex whose diagnostics call it `name`.
    pub const fn with_name(name: &'static str, value: T) -> Self {
        Mutex {
            name: Some(name),
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Consumes the mutex, returning the value (see [`std::sync::Mutex::into_inner`]).
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// The name given at construction, if any.
    pub fn name(&self) -> Option<&'static str> {
        self.name
    }

    #[inline(always)]
    fn guard<'a>(
        &'a self,
        g: std::sync::MutexGuard<'a, T>,
        at: &'static Location<'static>,
    ) -> MutexGuard<'a, T> {
        MutexGuard {
            lock: self,
            hold: record(addr_of(self), self.name, at, HoldKind::Mutex),
            inner: Some(g),
        }
    }

    /// Acquires the mutex, blocking until it is available (see
    /// [`std::sync::Mutex::lock`]).
    #[track_caller]
    #[inline(always)]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        if !state::fast_ok() {
            let addr = addr_of(self);
            if let Some(r) = acquire_in_child(addr, self.name, HoldKind::Mutex, at, || {
                self.inner.try_lock()
            }) {
                return map_result(r, |g| self.guard(g, at));
            }
        }
        map_result(self.inner.lock(), |g| self.guard(g, at))
    }

    /// Attempts to acquire the mutex without blocking (see
    /// [`std::sync::Mutex::try_lock`]).
    #[track_caller]
    #[inline]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        let r = map_try_result(self.inner.try_lock(), |g| self.guard(g, at));
        if !state::fast_ok() {
            let got = !matches!(r, Err(TryLockError::WouldBlock));
            try_in_child(addr_of(self), self.name, HoldKind::Mutex, at, got);
        }
        r
    }

    /// Whether the mutex is poisoned.
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Clears the poisoned state.
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// Mutable access without locking (see [`std::sync::Mutex::get_mut`]).
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
            .field("name", &self.name)
            .field("inner", &&self.inner)
            .finish()
    }
}

const GUARD_TAKEN: &str = "fork_guard::MutexGuard used while a Condvar wait owns it";

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.inner.as_deref().expect(GUARD_TAKEN)
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_deref_mut().expect(GUARD_TAKEN)
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Gives up the hold record and the std guard (for a `Condvar` wait).
    fn into_parts(mut self) -> (&'a Mutex<T>, std::sync::MutexGuard<'a, T>) {
        forget_hold(self.hold);
        self.hold = 0;
        let inner = self.inner.take().expect(GUARD_TAKEN);
        (self.lock, inner)
    }
}

/// A condition variable for [`Mutex`], like [`std::sync::Condvar`] (same
/// methods, same semantics). While a thread waits, the mutex is not held and
/// the registry says so; on wake-up the hold is recorded again, at the
/// `wait` call's location.
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
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let at = Location::caller();
        let (lock, g) = guard.into_parts();
        map_result(self.inner.wait(g), |g| lock.guard(g, at))
    }

    /// Blocks while `condition` holds (see [`std::sync::Condvar::wait_while`]).
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Location::caller();
        let (lock, g) = guard.into_parts();
        map_result(self.inner.wait_while(g, condition), |g| lock.guard(g, at))
    }

    /// Blocks until notified or `dur` elapses (see
    /// [`std::sync::Condvar::wait_timeout`]).
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: std::time::Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let at = Location::caller();
        let (lock, g) = guard.into_parts();
        map_result(self.inner.wait_timeout(g, dur), |(g, t)| {
            (lock.guard(g, at), t)
        })
    }

    /// Blocks while `condition` holds, at most `dur` (see
    /// [`std::sync::Condvar::wait_timeout_while`]).
    #[track_caller]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: std::time::Duration,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Location::caller();
        let (lock, g) = guard.into_parts();
        map_result(
            self.inner.wait_timeout_while(g, dur, condition),
            |(g, t)| (lock.guard(g, at), t),
        )
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Wakes all waiters.
    pub fn notify_all(&self) {
        self.inner.notify_all();
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Forget the hold before `inner` releases the lock (fields drop
        // after this body), so the registry never names a non-holder.
        forget_hold(self.hold);
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

/// A reader-writer lock like [`std::sync::RwLock`], tracked by the fork
/// guard (see [`Mutex`] for what tracking means).
pub struct RwLock<T: ?Sized> {
    name: Option<&'static str>,
    inner: std::sync::RwLock<T>,
}

/// Shared guard of an [`RwLock`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized + 'a> {
    hold: usize,
    inner: std::sync::RwLockReadGuard<'a, T>,
}

/// Exclusive guard of an [`RwLock`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized + 'a> {
    hold: usize,
    inner: std::sync::RwLockWriteGuard<'a, T>,
}

impl<T> RwLock<T> {
    /// Creates an unnamed, unlocked lock.
    pub const fn new(value: T) -> Self {
        RwLock {
            name: None,
            inner: std::sync::RwLock::new(value),
        }
    }

    /// Creates an unlocked lock whose diagnostics call it `name`.
    pub const fn with_name(name: &'static str, value: T) -> Self {
        RwLock {
            name: Some(name),
            inner: std::sync::RwLock::new(value),
        }
    }

    /// Consumes the lock, returning the value.
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// The name given at construction, if any.
    pub fn name(&self) -> Option<&'static str> {
        self.name
    }

    #[inline]
    fn read_guard<'a>(
        &'a self,
        g: std::sync::RwLockReadGuard<'a, T>,
        at: &'static Location<'static>,
    ) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            hold: record(addr_of(self), self.name, at, HoldKind::Read),
            inner: g,
        }
    }

    #[inline]
    fn write_guard<'a>(
        &'a self,
        g: std::sync::RwLockWriteGuard<'a, T>,
        at: &'static Location<'static>,
    ) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            hold: record(addr_of(self), self.name, at, HoldKind::Write),
            inner: g,
        }
    }

    /// Acquires shared access, blocking (see [`std::sync::RwLock::read`]).
    #[track_caller]
    #[inline]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let at = Location::caller();
        if !state::fast_ok()
            && let Some(r) = acquire_in_child(addr_of(self), self.name, HoldKind::Read, at, || {
                self.inner.try_read()
            })
        {
            return map_result(r, |g| self.read_guard(g, at));
        }
        map_result(self.inner.read(), |g| self.read_guard(g, at))
    }

    /// Attempts shared access without blocking.
    #[track_caller]
    #[inline]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let at = Location::caller();
        let r = map_try_result(self.inner.try_read(), |g| self.read_guard(g, at));
        if !state::fast_ok() {
            let got = !matches!(r, Err(TryLockError::WouldBlock));
            try_in_child(addr_of(self), self.name, HoldKind::Read, at, got);
        }
        r
    }

    /// Acquires exclusive access, blocking (see [`std::sync::RwLock::write`]).
    #[track_caller]
    #[inline]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let at = Location::caller();
        if !state::fast_ok()
            && let Some(r) = acquire_in_child(addr_of(self), self.name, HoldKind::Write, at, || {
                self.inner.try_write()
            })
        {
            return map_result(r, |g| self.write_guard(g, at));
        }
        map_result(self.inner.write(), |g| self.write_guard(g, at))
    }

    /// Attempts exclusive access without blocking.
    #[track_caller]
    #[inline]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let at = Location::caller();
        let r = map_try_result(self.inner.try_write(), |g| self.write_guard(g, at));
        if !state::fast_ok() {
            let got = !matches!(r, Err(TryLockError::WouldBlock));
            try_in_child(addr_of(self), self.name, HoldKind::Write, at, got);
        }
        r
    }

    /// Whether the lock is poisoned.
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Clears the poisoned state.
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// Mutable access without locking.
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
            .field("name", &self.name)
            .field("inner", &&self.inner)
            .finish()
    }
}

macro_rules! guard_impls {
    ($guard:ident, $($mut:ident)?) => {
        impl<T: ?Sized> Deref for $guard<'_, T> {
            type Target = T;
            #[inline]
            fn deref(&self) -> &T {
                &self.inner
            }
        }

        impl<T: ?Sized> Drop for $guard<'_, T> {
            #[inline]
            fn drop(&mut self) {
                forget_hold(self.hold);
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

guard_impls!(RwLockReadGuard,);
guard_impls!(RwLockWriteGuard,);

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

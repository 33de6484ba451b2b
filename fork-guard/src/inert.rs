//! The inert variants, compiled when the guard is off (release builds
//! without the `release` feature): std's locks behind a transparent newtype
//! with forwarding `#[inline(always)]` methods, and std's own guard types.
//! Zero cost: same size, same code after inlining.

use core::fmt;
use std::sync::{LockResult, TryLockResult};

/// [`std::sync::Mutex`] at zero cost (the guard is compiled out).
#[repr(transparent)]
pub struct Mutex<T: ?Sized>(std::sync::Mutex<T>);

/// std's guard: the guard is compiled out.
pub type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// Creates an unlocked mutex.
    #[inline(always)]
    pub const fn new(value: T) -> Self {
        Mutex(std::sync::Mutex::new(value))
    }

    /// Creates an unlocked mutex; the name is dropped when the guard is off.
    #[inline(always)]
    pub const fn with_name(_name: &'static str, value: T) -> Self {
        Mutex(std::sync::Mutex::new(value))
    }

    /// Consumes the mutex, returning the value.
    #[inline(always)]
    pub fn into_inner(self) -> LockResult<T> {
        self.0.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Always `None` when the guard is off.
    #[inline(always)]
    pub fn name(&self) -> Option<&'static str> {
        None
    }

    /// See [`std::sync::Mutex::lock`].
    #[inline(always)]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        self.0.lock()
    }

    /// See [`std::sync::Mutex::try_lock`].
    #[inline(always)]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        self.0.try_lock()
    }

    /// See [`std::sync::Mutex::is_poisoned`].
    #[inline(always)]
    pub fn is_poisoned(&self) -> bool {
        self.0.is_poisoned()
    }

    /// See [`std::sync::Mutex::clear_poison`].
    #[inline(always)]
    pub fn clear_poison(&self) {
        self.0.clear_poison();
    }

    /// See [`std::sync::Mutex::get_mut`].
    #[inline(always)]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.0.get_mut()
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
        self.0.fmt(f)
    }
}

/// std's condition variable: the guard is compiled out, and the mutex
/// guards are std's.
pub use std::sync::{Condvar, WaitTimeoutResult};

/// [`std::sync::RwLock`] at zero cost (the guard is compiled out).
#[repr(transparent)]
pub struct RwLock<T: ?Sized>(std::sync::RwLock<T>);

/// std's guard: the guard is compiled out.
pub type RwLockReadGuard<'a, T> = std::sync::RwLockReadGuard<'a, T>;
/// std's guard: the guard is compiled out.
pub type RwLockWriteGuard<'a, T> = std::sync::RwLockWriteGuard<'a, T>;

impl<T> RwLock<T> {
    /// Creates an unlocked lock.
    #[inline(always)]
    pub const fn new(value: T) -> Self {
        RwLock(std::sync::RwLock::new(value))
    }

    /// Creates an unlocked lock; the name is dropped when the guard is off.
    #[inline(always)]
    pub const fn with_name(_name: &'static str, value: T) -> Self {
        RwLock(std::sync::RwLock::new(value))
    }

    /// Consumes the lock, returning the value.
    #[inline(always)]
    pub fn into_inner(self) -> LockResult<T> {
        self.0.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Always `None` when the guard is off.
    #[inline(always)]
    pub fn name(&self) -> Option<&'static str> {
        None
    }

    /// See [`std::sync::RwLock::read`].
    #[inline(always)]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        self.0.read()
    }

    /// See [`std::sync::RwLock::try_read`].
    #[inline(always)]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        self.0.try_read()
    }

    /// See [`std::sync::RwLock::write`].
    #[inline(always)]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        self.0.write()
    }

    /// See [`std::sync::RwLock::try_write`].
    #[inline(always)]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        self.0.try_write()
    }

    /// See [`std::sync::RwLock::is_poisoned`].
    #[inline(always)]
    pub fn is_poisoned(&self) -> bool {
        self.0.is_poisoned()
    }

    /// See [`std::sync::RwLock::clear_poison`].
    #[inline(always)]
    pub fn clear_poison(&self) {
        self.0.clear_poison();
    }

    /// See [`std::sync::RwLock::get_mut`].
    #[inline(always)]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.0.get_mut()
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
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_cost_layout() {
        assert_eq!(size_of::<Mutex<u64>>(), size_of::<std::sync::Mutex<u64>>());
        assert_eq!(
            size_of::<RwLock<[u8; 3]>>(),
            size_of::<std::sync::RwLock<[u8; 3]>>()
        );
        assert!(!crate::is_active());
        crate::install();
        assert!(!crate::is_installed());
    }
}

//! The tracking hooks of the locks, compiled in or out.
//!
//! Every lock (`locks.rs`, and `raw.rs` behind the `lock_api` feature) is
//! written once against this small interface, the way parking_lot's
//! deadlock detection hooks are: with the guard active (debug builds, or the
//! `release` feature) the hooks record holds in the registry and run the
//! child-side checks; without it every hook is an empty `#[inline(always)]`
//! function over zero-sized types, so a lock is std's lock plus nothing.
//!
//! The protocol of one acquisition, in order:
//!
//! 1. [`gate`]: in a fork child, try the lock first and report a lock held
//!    at fork instead of blocking forever (`Some` when the attempt was
//!    settled there);
//! 2. [`Hold::begin`]: record the hold as in transit, *before* blocking, so
//!    that a fork at any instant finds the holder recorded;
//! 3. take the lock, then [`Hold::acquired`];
//! 4. on release: [`Hold::releasing`], release the lock, [`Hold::end`].
//!
//! A `try_*` acquisition calls [`after_try`] instead of [`gate`].

#[cfg(fork_guard_active)]
pub(crate) use active::*;
#[cfg(not(fork_guard_active))]
pub(crate) use inert::*;

#[inline(always)]
pub(crate) fn addr_of<T: ?Sized>(r: &T) -> usize {
    core::ptr::from_ref(r).cast::<()>() as usize
}

#[cfg(fork_guard_active)]
mod active {
    use core::panic::Location;

    use crate::signal_safe::child::{self, Verdict};
    pub(crate) use crate::signal_safe::held::HoldKind as Kind;
    use crate::signal_safe::held::{self, HoldState};
    use crate::signal_safe::state;

    /// Where an acquisition happens (`#[track_caller]`).
    pub(crate) type Site = &'static Location<'static>;

    /// The caller's location; call it from a `#[track_caller]` function.
    #[track_caller]
    #[inline(always)]
    pub(crate) fn site() -> Site {
        Location::caller()
    }

    /// What a lock carries for the guard: its optional name.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Meta {
        name: Option<&'static str>,
    }

    impl Meta {
        pub(crate) const fn new(name: Option<&'static str>) -> Meta {
            Meta { name }
        }

        #[inline(always)]
        pub(crate) fn name(&self) -> Option<&'static str> {
            self.name
        }
    }

    /// One acquisition's registry entry (`None` when the hold could not be
    /// recorded: too many locks held, thread teardown, a thread born in a
    /// fork child).
    #[derive(Debug)]
    pub(crate) struct Hold {
        slot: Option<held::Slot>,
    }

    impl Hold {
        /// Records the hold as in transit (about to block on the lock).
        #[inline(always)]
        pub(crate) fn begin(meta: &Meta, addr: usize, kind: Kind, at: Site) -> Hold {
            Hold {
                slot: held::push(addr, meta.name, at, kind, HoldState::Transit),
            }
        }

        /// The hold of a lock the calling thread holds, by address (for raw
        /// locks, whose unlock has no guard to carry the hold).
        #[cfg_attr(not(feature = "lock_api"), allow(dead_code))]
        #[inline(always)]
        pub(crate) fn held_at(addr: usize) -> Hold {
            Hold {
                slot: held::find_mine(addr),
            }
        }

        /// The lock is taken.
        #[inline(always)]
        pub(crate) fn acquired(&self) {
            if let Some(s) = self.slot {
                s.set_state(HoldState::Held, None);
            }
        }

        /// The lock is taken again, at `at` (after a condition variable wait).
        #[inline(always)]
        pub(crate) fn reacquired(&self, at: Site) {
            if let Some(s) = self.slot {
                s.set_state(HoldState::Held, Some(at));
            }
        }

        /// The lock is about to be released.
        #[inline(always)]
        pub(crate) fn releasing(&self) {
            if let Some(s) = self.slot {
                s.set_state(HoldState::Transit, None);
            }
        }

        /// The lock was released (or never taken): forget the entry.
        #[inline(always)]
        pub(crate) fn end(&self) {
            if let Some(s) = self.slot {
                s.pop();
            }
        }
    }

    /// Step 1 of an acquisition. `try_take` tries the lock without
    /// blocking (`None`: it is held). Returns `Some` when the attempt was
    /// settled here (in a fork child, the lock was free and is now taken);
    /// `None` when the caller should block on the lock as usual.
    #[inline(always)]
    pub(crate) fn gate<R>(
        meta: &Meta,
        addr: usize,
        kind: Kind,
        at: Site,
        try_take: impl FnOnce() -> Option<R>,
    ) -> Option<R> {
        if state::fast_ok() {
            None
        } else {
            gate_cold(meta.name, addr, kind, at, try_take)
        }
    }

    #[cold]
    #[inline(never)]
    fn gate_cold<R>(
        name: Option<&'static str>,
        addr: usize,
        kind: Kind,
        at: Site,
        try_take: impl FnOnce() -> Option<R>,
    ) -> Option<R> {
        match child::before_lock(addr, name, kind, at) {
            Verdict::Proceed => None,
            Verdict::TryFirst => match try_take() {
                Some(r) => {
                    child::lock_acquired(addr, name, kind, at);
                    Some(r)
                }
                None => {
                    child::lock_would_block(addr, name, kind, at);
                    None
                }
            },
        }
    }

    /// After a `try_*` acquisition (`got`: it succeeded): it cannot block,
    /// so only the "any lock in a restricted child" and child-mode rules
    /// apply.
    #[inline(always)]
    pub(crate) fn after_try(meta: &Meta, addr: usize, kind: Kind, at: Site, got: bool) {
        if !state::fast_ok() {
            after_try_cold(meta.name, addr, kind, at, got);
        }
    }

    #[cold]
    #[inline(never)]
    fn after_try_cold(name: Option<&'static str>, addr: usize, kind: Kind, at: Site, got: bool) {
        if child::before_lock(addr, name, kind, at) == Verdict::TryFirst && got {
            child::lock_acquired(addr, name, kind, at);
        }
    }
}

#[cfg(not(fork_guard_active))]
mod inert {
    //! The guard is compiled out: zero-sized types and empty functions.

    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Kind {
        Mutex,
        Read,
        Write,
    }

    /// No acquisition site is kept.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Site;

    #[inline(always)]
    pub(crate) fn site() -> Site {
        Site
    }

    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Meta;

    impl Meta {
        pub(crate) const fn new(_name: Option<&'static str>) -> Meta {
            Meta
        }

        #[inline(always)]
        pub(crate) fn name(&self) -> Option<&'static str> {
            None
        }
    }

    #[derive(Debug)]
    pub(crate) struct Hold;

    impl Hold {
        #[inline(always)]
        pub(crate) fn begin(_: &Meta, _: usize, _: Kind, _: Site) -> Hold {
            Hold
        }
        #[cfg_attr(not(feature = "lock_api"), allow(dead_code))]
        #[inline(always)]
        pub(crate) fn held_at(_: usize) -> Hold {
            Hold
        }
        #[inline(always)]
        pub(crate) fn acquired(&self) {}
        #[inline(always)]
        pub(crate) fn reacquired(&self, _: Site) {}
        #[inline(always)]
        pub(crate) fn releasing(&self) {}
        #[inline(always)]
        pub(crate) fn end(&self) {}
    }

    #[inline(always)]
    pub(crate) fn gate<R>(
        _: &Meta,
        _: usize,
        _: Kind,
        _: Site,
        _: impl FnOnce() -> Option<R>,
    ) -> Option<R> {
        None
    }

    #[inline(always)]
    pub(crate) fn after_try(_: &Meta, _: usize, _: Kind, _: Site, _: bool) {}
}

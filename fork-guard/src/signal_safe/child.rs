//! The child side: the atfork child handler, the raw-fork backstop, and the
//! cold paths that `GuardAlloc` and the tracked locks take when the mode
//! word is not plain [`ARMED`](state::ARMED).
//!
//! **Invariant:** nothing here allocates, takes a lock, formats with
//! `std::fmt` or panics. The child handler runs in every child forked
//! through libc, including `std::process::Command`'s `pre_exec` path, before
//! the user's closure and `exec`: it only stores a few words.

use core::cell::Cell;
use core::panic::Location;
use core::sync::atomic::Ordering::Relaxed;

use super::census::{self, Source};
use super::held::{self, HoldKind};
use super::report::{self, AllocOp, Hazard, LockRef};
use super::state::{self, ARMED, CHILD, CHILD_THREADED, Policy, RESTRICTED, THREAD_CHILD_MODE};
use super::sys;

thread_local! {
    /// This thread called `enter_child_mode`.
    static THREAD_IN_CHILD_MODE: Cell<bool> = const { Cell::new(false) };
}

/// Puts the calling thread in child mode; see `__private::enter_child_mode`.
pub(crate) fn enter_child_mode() {
    let _ = THREAD_IN_CHILD_MODE.try_with(|f| f.set(true));
    state::add_mode_bits(THREAD_CHILD_MODE);
}

pub(crate) fn thread_in_child_mode() -> bool {
    THREAD_IN_CHILD_MODE.try_with(Cell::get).unwrap_or(false)
}

/// The atfork child handler. Runs in the child, before `fork` returns there.
#[inline(always)]
pub(crate) fn after_fork_in_child() {
    // Write to the mode page before reading it: a wiped page is not
    // present, and a read first would fault twice (zero page, then copy).
    let page = &state::MODE_PAGE;
    // The child has one thread, whose tid is the child's pid.
    let me = sys::gettid();
    page.owner_pid.store(me, Relaxed);
    page.in_child.store(state::CHILD_VIA_ATFORK, Relaxed);
    // With the wipe-on-fork page in place the census flags read zero here;
    // without it they are copies of the parent's, and the prepare handler's
    // hold is ours to release.
    let mut guard = census::reclaim_after_fork().or_else(census::try_lock);
    page.warned.store(0, Relaxed);
    held::adopt_after_fork(me);
    let keep = state::mode() & THREAD_CHILD_MODE;
    if state::policy() == Policy::Off {
        state::set_mode(ARMED | keep);
        return;
    }
    // The census is this fork's when our parent took it at fork. (Should
    // the prepare handler have skipped it, because a report in the parent
    // held it, this is the census of an earlier fork of the same parent.)
    // Without one, do not restrict on a guess; tracked locks still check
    // their state.
    let parent = sys::getppid();
    let restricted = guard.as_mut().is_some_and(|g| {
        let c = g.get();
        c.source == Source::AtFork && c.pid == parent && c.others_alive > 0
    });
    let mut mode = ARMED | CHILD | keep;
    if restricted {
        mode |= RESTRICTED;
    }
    state::set_mode(mode);
}

/// The mode word read 0: the wipe-on-fork page was zeroed, so this is a
/// child created without libc's fork (no atfork handler ran). Find out what
/// we can and set the mode word, once.
///
/// A zero word in the process that owns the page is not a fork: it is
/// `install` swapping the page in, for an instant; leave it alone.
#[cold]
fn backstop() {
    let page = &state::MODE_PAGE;
    let pid = sys::getpid();
    if page.owner_pid.load(Relaxed) == pid || state::INSTALLER_PID.load(Relaxed) == pid {
        return;
    }
    page.owner_pid.store(pid, Relaxed);
    page.in_child.store(state::CHILD_VIA_BACKSTOP, Relaxed);
    page.warned.store(0, Relaxed);
    held::adopt_after_fork(sys::gettid());
    let policy = state::policy();
    let mut mode = ARMED | CHILD;
    if policy != Policy::Off {
        // The parent's threads now are the best available evidence of the
        // threads alive at fork.
        if let Some(mut g) = census::try_lock() {
            let c = g.get();
            c.take(
                Source::Backstop,
                Some(sys::getppid()),
                0,
                false,
                state::allow_filter(),
            );
            // `forking_tid` is unknown (0); one of the parent's threads is the
            // one that forked, so "others" is one less than counted.
            if c.others_alive > 1 {
                mode |= RESTRICTED;
            }
        }
    } else {
        mode = ARMED;
    }
    state::set_mode(mode);
}

/// Cold path of every `GuardAlloc` operation.
#[cold]
#[inline(never)]
pub(crate) fn on_alloc(op: AllocOp, size: usize) {
    let reporting = state::REPORTING.load(Relaxed);
    if reporting != 0 {
        if reporting == state::REPORTING_CORE && state::REPORTER_TID.load(Relaxed) == sys::gettid()
        {
            state::CORE_REPORT_ALLOCATIONS.fetch_add(1, Relaxed);
        }
        return;
    }
    let mut mode = state::mode();
    if mode == 0 {
        backstop();
        mode = state::mode();
    }
    if mode & RESTRICTED != 0 {
        let hazard = Hazard::AllocInRestrictedChild { op, size };
        if !report::silenced(hazard) && still_restricted() {
            report::report(hazard, None);
        }
    } else if mode & THREAD_CHILD_MODE != 0 && thread_in_child_mode() {
        report::report(Hazard::AllocInChildMode { op, size }, None);
    }
}

/// Whether this fork child has started threads of its own. Cheap on any
/// thread but the child's first (its tid is not the child's pid); on that
/// one, counts `/proc/self/task`. The answer "yes" is kept in the mode
/// word ([`CHILD_THREADED`]): a process does not become single-threaded
/// again in a way that matters here.
fn child_has_threads() -> bool {
    if state::mode() & CHILD_THREADED != 0 {
        return true;
    }
    let threaded = sys::gettid() != state::MODE_PAGE.owner_pid.load(Relaxed)
        || census::count_own_threads() > 1;
    if threaded {
        state::add_mode_bits(CHILD_THREADED);
    }
    threaded
}

/// Restricted mode holds until the child starts threads of its own: from
/// then on it is an ordinary multithreaded program (its threads allocate and
/// lock), and only the locks held at fork remain hazards. Returns whether
/// the child is still restricted, leaving restricted mode if not.
fn still_restricted() -> bool {
    if child_has_threads() {
        state::clear_mode_bits(RESTRICTED);
        return false;
    }
    true
}

/// What a tracked lock must do before blocking on its inner lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Take the lock as usual.
    Proceed,
    /// We are in a fork child: try the lock first, and call
    /// [`lock_would_block`] if it is held, [`lock_acquired`] if not.
    TryFirst,
}

/// Cold path of every tracked-lock acquisition.
#[cold]
#[inline(never)]
pub(crate) fn before_lock(
    addr: usize,
    name: Option<&'static str>,
    kind: HoldKind,
    at: &'static Location<'static>,
) -> Verdict {
    if state::REPORTING.load(Relaxed) != 0 {
        return Verdict::Proceed;
    }
    let mut mode = state::mode();
    if mode == 0 {
        backstop();
        mode = state::mode();
    }
    if mode & CHILD != 0 {
        return Verdict::TryFirst;
    }
    if mode & THREAD_CHILD_MODE != 0 && thread_in_child_mode() {
        report::report(
            Hazard::LockInChildMode {
                lock: LockRef {
                    addr,
                    name,
                    kind,
                    at,
                },
            },
            None,
        );
    }
    Verdict::Proceed
}

/// In a child: the tracked lock is held. If a thread that did not survive
/// the fork held it at the instant of fork, the child would wait forever:
/// report, naming the holder from the child's own copy of the held-lock
/// registry. Returns (under `warn`/`off`, when this thread itself holds it,
/// or when the holder is one of the child's own threads: ordinary
/// contention) so the caller blocks as std would.
///
/// The rule: a `Held` entry of a vanished thread is certain. Otherwise, a
/// child with one thread has nobody left to release the lock (whoever holds
/// it, recorded in transit or not at all, is gone); a child that started
/// threads is contending with them.
#[cold]
#[inline(never)]
pub(crate) fn lock_would_block(
    addr: usize,
    name: Option<&'static str>,
    kind: HoldKind,
    at: &'static Location<'static>,
) {
    if held::held_by_me(addr) {
        return;
    }
    let at_fork = held::holder_at_fork(addr);
    if at_fork.held.is_none() && child_has_threads() {
        return;
    }
    let lock = LockRef {
        addr,
        name,
        kind,
        at,
    };
    let in_transit = if at_fork.held.is_some() {
        0
    } else {
        at_fork.transit_count
    };
    report::report(
        Hazard::LockHeldAtFork {
            lock,
            holder: at_fork.best(),
            in_transit,
        },
        None,
    );
}

/// In a child: the tracked lock was free and is now ours. Still a hazard in
/// the child of a multithreaded process (or on a thread in child mode).
#[cold]
#[inline(never)]
pub(crate) fn lock_acquired(
    addr: usize,
    name: Option<&'static str>,
    kind: HoldKind,
    at: &'static Location<'static>,
) {
    let mode = state::mode();
    let lock = LockRef {
        addr,
        name,
        kind,
        at,
    };
    if mode & RESTRICTED != 0 {
        let hazard = Hazard::LockInRestrictedChild { lock };
        if !report::silenced(hazard) && still_restricted() {
            report::report(hazard, None);
        }
    } else if mode & THREAD_CHILD_MODE != 0 && thread_in_child_mode() {
        report::report(Hazard::LockInChildMode { lock }, None);
    }
}

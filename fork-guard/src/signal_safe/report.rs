//! The diagnostic: `fork-guard:` on stderr, then `abort()` (or, under
//! `warn`, carry on).
//!
//! The core message is assembled in a [`Writer`] on the stack and written
//! with `write(2)`: no allocation, no lock, no `std::io`, no `std::fmt`.
//! Only after it is out does the report attempt best-effort work
//! (symbolising the fork call site and the hazardous call), which allocates
//! and may need a lock that a vanished thread held, so it runs under an
//! `alarm` that aborts if it hangs.

use core::panic::Location;
use core::sync::atomic::Ordering::Relaxed;

use super::census::{self, Census, Source};
use super::held::{self, Hold, HoldKind, HoldState};
use super::state::{self, Policy};
use super::sys;
use super::trace;
use super::writer::Writer;

/// A tracked lock, as the report names it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LockRef {
    pub(crate) addr: usize,
    pub(crate) name: Option<&'static str>,
    pub(crate) kind: HoldKind,
    /// Where the hazardous acquisition happens.
    pub(crate) at: &'static Location<'static>,
}

/// Which `GlobalAlloc` method.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AllocOp {
    Alloc,
    AllocZeroed,
    Realloc,
    Dealloc,
}

impl AllocOp {
    const fn verb(self) -> &'static str {
        match self {
            AllocOp::Alloc => "allocation",
            AllocOp::AllocZeroed => "zeroed allocation",
            AllocOp::Realloc => "reallocation",
            AllocOp::Dealloc => "deallocation",
        }
    }
}

/// What went wrong.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Hazard {
    /// In a child: a tracked lock that another thread held at fork.
    /// `holder` comes from the child's copy of the held-lock registry;
    /// `in_transit` counts the vanished threads that were acquiring or
    /// releasing it at the instant of fork when none had it for certain.
    LockHeldAtFork {
        lock: LockRef,
        holder: Option<Hold>,
        in_transit: usize,
    },
    /// In the child of a multithreaded parent: any tracked lock.
    LockInRestrictedChild { lock: LockRef },
    /// In the child of a multithreaded parent: any `GuardAlloc` operation.
    AllocInRestrictedChild { op: AllocOp, size: usize },
    /// On a thread in child mode (`enter_child_mode`): a tracked lock.
    LockInChildMode { lock: LockRef },
    /// On a thread in child mode: a `GuardAlloc` operation.
    AllocInChildMode { op: AllocOp, size: usize },
    /// In the parent, at fork (`strict`, or `warn`).
    ForkWhileThreaded,
    /// In a child, from the sentinel's signal: the only thread waits on a
    /// process-private futex without a timeout, so nothing can wake it.
    /// `lock` is the tracked lock held at fork whose memory holds the futex
    /// word, when there is one.
    #[cfg_attr(not(fork_guard_sentinel), allow(dead_code))]
    BlockedForever { futex: usize, lock: Option<Hold> },
}

impl Hazard {
    const fn warn_bit(self) -> u32 {
        match self {
            Hazard::LockHeldAtFork { .. } => 1,
            Hazard::LockInRestrictedChild { .. } => 2,
            Hazard::AllocInRestrictedChild { .. } => 4,
            Hazard::LockInChildMode { .. } => 8,
            Hazard::AllocInChildMode { .. } => 16,
            Hazard::ForkWhileThreaded => 32,
            Hazard::BlockedForever { .. } => 64,
        }
    }

    const fn in_parent(self) -> bool {
        matches!(self, Hazard::ForkWhileThreaded)
    }
}

/// Whether reporting `hazard` now would print nothing: policy `off`, or
/// `warn` that already reported this kind. Lets callers skip work they
/// would only do to decide whether to report.
pub(crate) fn silenced(hazard: Hazard) -> bool {
    match state::policy() {
        Policy::Off => true,
        Policy::Warn => state::MODE_PAGE.warned.load(Relaxed) & hazard.warn_bit() != 0,
        Policy::Trap | Policy::Strict => false,
    }
}

/// Reports `hazard` according to the policy. Returns only under `warn`
/// (or `off`); otherwise aborts the process.
///
/// `census` is the census of the fork in question when the caller holds it
/// (the prepare handler); otherwise the report takes it if it is free.
#[inline(never)]
#[cold]
pub(crate) fn report(hazard: Hazard, census: Option<&Census>) {
    let policy = state::policy();
    let fatal = match policy {
        Policy::Off => return,
        Policy::Warn => false,
        Policy::Trap | Policy::Strict => true,
    };
    if !fatal {
        let bit = hazard.warn_bit();
        if state::MODE_PAGE.warned.fetch_or(bit, Relaxed) & bit != 0 {
            return;
        }
    }
    if state::REPORTING
        .compare_exchange(0, state::REPORTING_CORE, Relaxed, Relaxed)
        .is_err()
    {
        // Another thread is reporting. Under `warn` skip; otherwise wait for
        // it to abort the process (bounded: abort ourselves after ~10 s).
        if fatal {
            for _ in 0..1000 {
                sleep_ms(10);
            }
            sys::abort();
        }
        return;
    }
    state::REPORTER_TID.store(sys::gettid(), Relaxed);
    state::CORE_REPORT_ALLOCATIONS.store(0, Relaxed);

    let mut own_census = if census.is_none() {
        census::try_lock()
    } else {
        None
    };
    // Thread names are read only now, when a report is written (the
    // prepare handler lists thread ids only, to keep fork cheap).
    if let Some(g) = own_census.as_mut() {
        g.get().load_names();
    }
    let census = census.or_else(|| own_census.as_mut().map(|g| &*g.get()));
    // A census describes a fork: show it in a child, or in the parent at
    // fork time, never for a child-mode report in a process that merely
    // forked earlier.
    let about_a_fork = hazard.in_parent() || state::MODE_PAGE.in_child.load(Relaxed) != 0;
    let census = census.filter(|c| c.source != Source::None && about_a_fork);

    let mut w = Writer::new(2);
    write_core(&mut w, hazard, census, policy, fatal);
    w.flush();

    let allocated = state::CORE_REPORT_ALLOCATIONS.load(Relaxed);
    if allocated != 0 {
        w.str("fork-guard: bug: writing this report allocated ")
            .dec(u64::from(allocated))
            .str(" time(s); please report it\n");
        w.flush();
    }

    // Best effort from here on: symbolisation allocates. In a child it may
    // need a lock that a vanished thread held, so it runs under an alarm.
    // A warning in a child skips it (carrying on must stay safe).
    let symbolise = fatal || hazard.in_parent();
    if symbolise {
        state::REPORTING.store(state::REPORTING_BEST_EFFORT, Relaxed);
        if fatal {
            sys::arm_abort_alarm(3);
        }
        if let Some(c) = census {
            trace::fork_site(&mut w, c.ips());
        }
        if let Hazard::BlockedForever { .. } = hazard {
            trace::blocked(&mut w);
        } else if !hazard.in_parent() {
            trace::here(&mut w);
        }
        w.flush();
        if fatal {
            sys::disarm_alarm();
        }
    }
    drop(own_census);
    if fatal {
        w.str("fork-guard: aborting (policy `")
            .str(policy.name())
            .str("`; FORK_GUARD=warn reports and carries on, FORK_GUARD=off disables the guard)\n");
        w.flush();
        sys::abort();
    }
    w.str("fork-guard: carrying on (policy `warn`)\n");
    w.flush();
    state::REPORTING.store(0, Relaxed);
}

fn sleep_ms(ms: i64) {
    let ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: ms * 1_000_000,
    };
    // SAFETY: `nanosleep` reads the valid `timespec` above; the remainder
    // pointer may be null. It is async-signal-safe.
    unsafe {
        libc::nanosleep(&ts, core::ptr::null_mut());
    }
}

/// The process whose deadlock sentinel signalled this child.
fn watcher_pid() -> i32 {
    #[cfg(fork_guard_sentinel)]
    return super::sentinel_child::WATCHER_PID.load(Relaxed);
    #[cfg(not(fork_guard_sentinel))]
    0
}

fn lock_label(w: &mut Writer, kind: HoldKind, name: Option<&str>, addr: usize) {
    w.str(kind.describe()).str(" ");
    match name {
        Some(n) => w.str("`").str(n).str("`"),
        None => w.str("(unnamed, at ").hex(addr).str(")"),
    };
}

fn location(w: &mut Writer, loc: &Location<'_>) {
    w.str(loc.file())
        .str(":")
        .dec(u64::from(loc.line()))
        .str(":")
        .dec(u64::from(loc.column()));
}

fn thread_label(w: &mut Writer, census: Option<&Census>, tid: i32) {
    // A thread the census does not list (it started after the census, or
    // there is none): read its name now, from the process that forked.
    let mut buf = [0u8; census::NAME_CAP + 1];
    let name = match census.and_then(|c| c.thread_name(tid)) {
        Some(n) => n,
        None => {
            let pid = census.map_or_else(
                || {
                    if state::MODE_PAGE.in_child.load(Relaxed) != 0 {
                        sys::getppid()
                    } else {
                        sys::getpid()
                    }
                },
                |c| c.pid,
            );
            census::thread_name_now(pid, tid, &mut buf)
        }
    };
    if name.is_empty() {
        w.str("a thread");
    } else {
        w.str("thread `").str(name).str("`");
    }
    w.str(" (tid ").int(i64::from(tid)).str(")");
}

fn write_core(
    w: &mut Writer,
    hazard: Hazard,
    census: Option<&Census>,
    policy: Policy,
    fatal: bool,
) {
    w.str(if fatal {
        "fork-guard: error: "
    } else {
        "fork-guard: warning: "
    });
    match hazard {
        Hazard::LockHeldAtFork {
            lock,
            holder,
            in_transit,
        } => {
            w.str("this child would deadlock: it takes tracked ");
            lock_label(w, lock.kind, lock.name, lock.addr);
            w.str(", which another thread held when the process forked\n  --> ");
            location(w, lock.at);
            w.str(" (the child takes the lock here)\n   = note: ");
            match holder {
                Some(h) => {
                    if h.state == HoldState::Held {
                        w.str("the lock was acquired");
                    } else {
                        w.str("the lock was being acquired or released");
                    }
                    if let Some(at) = h.location {
                        w.str(" at ");
                        location(w, at);
                    }
                    w.str(" by ");
                    thread_label(w, census, h.tid);
                    if in_transit > 1 {
                        w.str(", one of ")
                            .dec(in_transit as u64)
                            .str(" threads acquiring or releasing it at the instant of fork, none of which exists in the child");
                    } else {
                        w.str(", which does not exist in the child");
                    }
                }
                None => {
                    w.str("its holder was not recorded (it held more than 16 tracked locks at once, or was being torn down) and does not exist in the child");
                }
            }
            w.str(": fork() copies only the calling thread, so nobody will ever release the lock and the child would wait forever\n");
        }
        Hazard::LockInRestrictedChild { lock } => {
            w.str("tracked lock taken in the child of a multithreaded process: ");
            lock_label(w, lock.kind, lock.name, lock.addr);
            w.str("\n  --> ");
            location(w, lock.at);
            w.str("\n   = note: other threads were alive when the process forked; fork() copied none of them, so any lock one of them held stays locked forever in the child, and only async-signal-safe functions may be called until exec or _exit\n");
        }
        Hazard::AllocInRestrictedChild { op, size } => {
            w.str(op.verb())
                .str(" (")
                .dec(size as u64)
                .str(" bytes, through GuardAlloc) in the child of a multithreaded process\n");
            w.str("   = note: other threads were alive when the process forked; one of them may have held the allocator's lock, which stays locked forever in the child, so this can deadlock or corrupt the heap (malloc and free are not async-signal-safe)\n");
        }
        Hazard::LockInChildMode { lock } => {
            w.str("tracked lock taken in child-restricted code: ");
            lock_label(w, lock.kind, lock.name, lock.addr);
            w.str("\n  --> ");
            location(w, lock.at);
            w.str("\n   = note: this thread entered child mode (`#[fork_guard::child]` or `enter_child_mode`): code meant to run between fork and exec may not take locks\n");
        }
        Hazard::AllocInChildMode { op, size } => {
            w.str(op.verb())
                .str(" (")
                .dec(size as u64)
                .str(" bytes, through GuardAlloc) in child-restricted code\n");
            w.str("   = note: this thread entered child mode (`#[fork_guard::child]` or `enter_child_mode`): code meant to run between fork and exec may not allocate (malloc is not async-signal-safe)\n");
        }
        Hazard::BlockedForever { futex, lock } => {
            w.str("this child is deadlocked: its only thread waits on a process-private futex (");
            if futex == 0 {
                w.str("seen in /proc/<pid>/wchan, which does not show the address");
            } else {
                w.str("at ").hex(futex);
            }
            w.str(") without a timeout, and no other thread exists to wake it\n");
            match lock {
                Some(h) => {
                    w.str("   = note: the futex is part of tracked ");
                    lock_label(w, h.kind, h.name, h.lock);
                    w.str(", held at fork by ");
                    thread_label(w, census, h.tid);
                    if let Some(at) = h.location {
                        w.str(", acquired at ");
                        location(w, at);
                    }
                    w.str(", which does not exist in the child\n");
                }
                None => {
                    w.str("   = note: most likely a lock that is not tracked by fork-guard (std's Mutex/RwLock, the stdout/stderr lock, a parking_lot lock, ...) and that one of the threads alive at fork held: the blocked call is symbolised below\n");
                }
            }
            w.str("   = note: fork() copies only the calling thread, so nobody will ever release it; fork-guard's sentinel (in pid ")
                .int(i64::from(watcher_pid()))
                .str(") saw the wait unchanged and signalled this child\n");
        }
        Hazard::ForkWhileThreaded => {
            w.str("fork() while ");
            match census {
                Some(c) if c.others_alive > 0 && c.holds_total > 0 => w
                    .dec(c.others_alive as u64)
                    .str(" other thread(s) are alive and ")
                    .dec(c.holds_total as u64)
                    .str(" tracked lock(s) are held by other threads"),
                Some(c) if c.others_alive > 0 => w
                    .dec(c.others_alive as u64)
                    .str(" other thread(s) are alive"),
                Some(c) => w
                    .dec(c.holds_total as u64)
                    .str(" tracked lock(s) are held by other threads"),
                None => w.str("other threads are alive"),
            };
            w.str(" (policy `").str(policy.name()).str("`)\n");
            w.str("   = note: fork() copies only the calling thread; a child that does more than async-signal-safe calls before exec can deadlock on any lock those threads held\n");
        }
    }
    if let Some(c) = census {
        write_census(w, c);
    } else if state::MODE_PAGE.in_child.load(Relaxed) != 0 || hazard.in_parent() {
        w.str("   = note: no census of the fork is available (the guard was busy with a concurrent fork)\n");
    }
    w.str("   = help: ");
    match hazard {
        Hazard::ForkWhileThreaded => {
            w.str("fork before starting threads, spawn with std::process::Command without pre_exec (posix_spawn), or allow-list harmless threads (FORK_GUARD_ALLOW_THREADS=name,prefix-* or fork_guard::allow_thread)");
        }
        Hazard::LockInChildMode { .. } | Hazard::AllocInChildMode { .. } => {
            w.str("prepare everything before fork (allocate buffers, build CStrings), and in the child call only async-signal-safe functions (signal-safety(7)) until exec or _exit");
        }
        _ => {
            w.str("between fork and exec/_exit, call only async-signal-safe functions (signal-safety(7)): prepare what the child needs before forking, exec a helper program, or fork before starting threads");
        }
    }
    w.str("\n");
}

fn write_census(w: &mut Writer, c: &Census) {
    const SHOW: usize = 24;
    w.str("   = note: ");
    match c.source {
        Source::Backstop => {
            w.str("this child was created without libc's fork (raw clone/SYS_fork), so no census was taken at fork; threads of the parent (pid ")
                .int(i64::from(c.pid))
                .str(") now (")
        }
        _ => w.str("threads alive at fork in pid ").int(i64::from(c.pid)).str(" ("),
    };
    w.dec(c.threads_total as u64).str("): ");
    for (i, t) in c.threads().iter().take(SHOW).enumerate() {
        if i > 0 {
            w.str(", ");
        }
        let name = t.name();
        if name.is_empty() {
            w.str("<unnamed>");
        } else {
            w.str("`").str(name).str("`");
        }
        w.str(" (tid ").int(i64::from(t.tid));
        if t.tid == c.forking_tid {
            w.str(", called fork");
        }
        if t.allowed {
            w.str(", allow-listed");
        }
        w.str(")");
    }
    if c.threads_total > SHOW {
        w.str(", and ")
            .dec((c.threads_total - SHOW) as u64)
            .str(" more");
    }
    w.str("\n");
    // In a child, the holds at fork come from the child's own copy of the
    // registry (frozen at the instant of fork); in the parent, from the
    // census the prepare handler just took.
    let in_child = state::MODE_PAGE.in_child.load(Relaxed) != 0;
    let mut total = 0usize;
    if in_child {
        held::for_each_hold_at_fork(|_| total += 1);
    } else {
        total = c.holds_total;
    }
    if total > 0 {
        w.str("   = note: tracked locks held by other threads at fork (")
            .dec(total as u64)
            .str("):");
        let mut shown = 0usize;
        let mut show = |w: &mut Writer, h: &Hold| {
            shown += 1;
            if shown > SHOW {
                return;
            }
            w.str("\n             ");
            lock_label(w, h.kind, h.name, h.lock);
            w.str(" by ");
            thread_label(w, Some(c), h.tid);
            if let Some(at) = h.location {
                w.str(", acquired at ");
                location(w, at);
            }
            if h.state == HoldState::Transit {
                w.str(" (acquiring or releasing it)");
            }
        };
        if in_child {
            held::for_each_hold_at_fork(|h| show(w, &h));
        } else {
            for h in c.holds() {
                show(w, h);
            }
        }
        w.str("\n");
    }
    let ips = c.ips();
    if !ips.is_empty() {
        w.str("   = note: fork call site (raw return addresses, symbolised below when possible):");
        for ip in ips.iter().take(16) {
            w.str(" ").hex(*ip);
        }
        w.str("\n");
    }
}

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
            symbolise_fork_site(&mut w, c.ips());
        }
        if !hazard.in_parent() {
            symbolise_here(&mut w);
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

/// Names of frames that belong to the guard, the unwinder or the allocator
/// shims rather than to the user's code.
fn is_machinery(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "fork_guard::",
        "<fork_guard::",
        "backtrace::",
        "<backtrace::",
        "__rust_",
        "__rustc::",
        "__rdl_",
        "__rg_",
        "alloc::",
        "<alloc::",
        "core::alloc::",
        "std::sys::backtrace::",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Frames where the interesting part of a stack ends: the runtime's entry
/// points and thread trampolines.
fn is_stack_base(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "std::rt::",
        "std::sys::backtrace::__rust_begin_short_backtrace",
        "std::panicking::",
        "std::panic::",
        "std::thread::",
        "std::sys::pal::",
        "std::sys::thread::",
        "core::ops::function::FnOnce::call_once",
        "<&dyn core::ops::function::Fn",
        "__libc_start",
        "start_thread",
    ];
    matches!(name, "main" | "_start" | "clone" | "clone3")
        || PREFIXES.iter().any(|p| name.starts_with(p))
}

fn is_libc_fork(name: &str) -> bool {
    matches!(
        name,
        "fork" | "__libc_fork" | "__fork" | "_Fork" | "__GI___fork" | "__GI__Fork" | "libc_fork"
    ) || name.starts_with("__run_prefork")
        || name.starts_with("__run_fork_handlers")
}

struct Frame {
    name_shown: bool,
}
/// What `resolve` learnt about one address.
#[derive(Clone, Copy, Default)]
struct Resolved {
    resolved: bool,
    machinery: bool,
    fork: bool,
    base: bool,
}

fn resolve(ip: usize, w: Option<&mut Writer>, index: usize) -> Resolved {
    // Prints when `w` is given.
    let mut r = Resolved::default();
    let mut out = w;
    let mut frame = Frame { name_shown: false };
    // SAFETY: `resolve_unsynchronized` requires that no other thread
    // symbolises concurrently through the same backtrace state. The report
    // holds the `REPORTING` flag, which serialises all reports in this
    // process, and fork-guard calls into `backtrace` nowhere else except the
    // prepare handler's `trace_unsynchronized` (serialised by libc's atfork
    // lock). Other users of the `backtrace` crate in the same process could
    // race; in a child there are none, and in the parent this is best-effort.
    unsafe {
        backtrace::resolve_unsynchronized(ip as *mut core::ffi::c_void, |sym| {
            let Some(name) = sym.name() else { return };
            r.resolved = true;
            let text = name.as_str().unwrap_or("");
            let mut demangled = [0u8; 256];
            let shown = demangle_into(&name, &mut demangled);
            r.machinery |= is_machinery(shown) || is_machinery(text);
            r.fork |= is_libc_fork(text);
            r.base |= is_stack_base(shown) || is_stack_base(text);
            if let Some(w) = out.as_deref_mut() {
                if !frame.name_shown {
                    w.str("     #").dec(index as u64).str(" ");
                } else {
                    w.str("        (inlined into) ");
                }
                frame.name_shown = true;
                w.str(shown);
                if let (Some(file), Some(line)) = (sym.filename(), sym.lineno())
                    && let Some(f) = file.to_str()
                {
                    w.str("\n           at ")
                        .str(f)
                        .str(":")
                        .dec(u64::from(line));
                }
                w.str("\n");
            }
        });
    }
    r
}

/// Demangles (without the hash) into a fixed buffer; best effort.
fn demangle_into<'b>(name: &backtrace::SymbolName<'_>, buf: &'b mut [u8]) -> &'b str {
    struct Fixed<'a> {
        buf: &'a mut [u8],
        len: usize,
    }
    impl core::fmt::Write for Fixed<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            for b in s.bytes() {
                match self.buf.get_mut(self.len) {
                    Some(slot) => *slot = b,
                    None => return Err(core::fmt::Error),
                }
                self.len += 1;
            }
            Ok(())
        }
    }
    let mut f = Fixed { buf, len: 0 };
    let _ = core::fmt::write(&mut f, format_args!("{name:#}"));
    let len = f.len;
    let bytes = f.buf.get(..len).unwrap_or(&[]);
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(bytes.get(..e.valid_up_to()).unwrap_or(&[])).unwrap_or(""),
    }
}

fn symbolise_fork_site(w: &mut Writer, ips: &[usize]) {
    if ips.is_empty() {
        return;
    }
    // Start after libc's fork (and the handlers it runs) when we can see it,
    // else after our own frames.
    let mut start = None;
    let mut first_user = None;
    for (i, ip) in ips.iter().enumerate() {
        let r = resolve(*ip, None, i);
        if r.fork {
            start = Some(i + 1);
        }
        if first_user.is_none() && r.resolved && !r.machinery && !r.fork {
            first_user = Some(i);
        }
    }
    let start = start.or(first_user).unwrap_or(0);
    w.str("fork-guard: fork call site (best-effort symbolisation):\n");
    print_frames(w, ips.get(start..).unwrap_or(&[]));
}

/// Prints up to 12 frames, stopping at the runtime's entry points.
fn print_frames(w: &mut Writer, ips: &[usize]) {
    for (i, ip) in ips.iter().enumerate().take(12) {
        if i > 0 && resolve(*ip, None, i).base {
            break;
        }
        let r = resolve(*ip, Some(w), i);
        if !r.resolved {
            w.str("     #").dec(i as u64).str(" ").hex(*ip).str("\n");
        }
    }
}

fn symbolise_here(w: &mut Writer) {
    let mut ips = [0usize; 48];
    let mut n = 0;
    // SAFETY: `trace_unsynchronized` requires no concurrent unsynchronised
    // use of the unwinder state; reports are serialised by `REPORTING`.
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            if let Some(slot) = ips.get_mut(n) {
                *slot = frame.ip() as usize;
                n += 1;
                true
            } else {
                false
            }
        });
    }
    let ips = ips.get(..n).unwrap_or(&[]);
    let start = ips
        .iter()
        .position(|ip| {
            let r = resolve(*ip, None, 0);
            r.resolved && !r.machinery
        })
        .unwrap_or(0);
    w.str("fork-guard: the hazardous call (best-effort symbolisation):\n");
    print_frames(w, ips.get(start..).unwrap_or(&[]));
}

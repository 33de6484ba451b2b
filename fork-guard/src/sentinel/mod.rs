//! The deadlock sentinel, parent side: a watcher thread that turns "a fork
//! child's only thread is blocked forever on a lock" into a diagnostic and
//! an abort of that child, for any lock (std's, parking_lot's, the stdout
//! lock, libc's), not just the tracked ones.
//!
//! The key fact: in a process with one thread, a wait on a process-private
//! futex without a timeout can never end, because nobody is left to wake it.
//! The watcher looks at each child from outside, in
//! `/proc/<pid>`, and leaves it untouched unless it is deadlocked:
//!
//! 1. **Arming** (`arm`, from the prepare handler, once per process): the
//!    first fork that sees another thread alive claims a real-time signal
//!    whose disposition is the default and installs the child-side handler
//!    for it (`signal_safe::sentinel_child`; children inherit it), and maps
//!    a wipe-on-fork page for a fork counter. The parent handler of that
//!    fork starts the watcher thread (`after_fork_in_parent`); later forks
//!    bump the counter, and wake the watcher when it is idle. A program
//!    that never forks with threads alive never starts it. The child does
//!    nothing at all.
//! 2. **Finding children**: after a fork, and every tick while it watches
//!    any, the watcher lists this process's children from
//!    `/proc/self/task/<tid>/children` (so children that exited and were
//!    reaped cost nothing).
//! 3. **Watching**, every 250 ms while any child is alive (asleep
//!    otherwise): `/proc/<pid>/stat` (one thread?), `/proc/<pid>/syscall`
//!    (system call `futex` with `FUTEX_WAIT[_BITSET] | FUTEX_PRIVATE_FLAG`
//!    and a null timeout?), `/proc/<pid>/status` (voluntary context switches
//!    unchanged, so the wait never ended and restarted). The same wait on
//!    the same address in three looks (half a second) is a deadlock.
//! 4. **Acting**: the watcher reads a cookie in the child's memory
//!    (`process_vm_readv`: still a fork of this image, not an exec'd
//!    program) and queues the signal with the futex address
//!    (`sigqueue`). The handler, in the child, writes the diagnostic from
//!    the child's own state (census, held-lock registry, its own stack,
//!    symbolised) and aborts under `trap`/`strict` (reports and carries on
//!    under `warn`). If the signal cannot be used (claimed by the program,
//!    blocked in the child) or the child is still blocked 4 s later, the
//!    watcher writes what it sees from outside and sends `SIGABRT`.
//!
//! Where `/proc/<pid>/syscall` cannot be read (ptrace restrictions: Yama
//! `ptrace_scope` 2 or 3, a kernel without it), the watcher falls back to
//! `/proc/<pid>/wchan` (a futex wait, unchanged for two seconds), and says
//! so once; when neither can be read, it says once that the sentinel is off
//! and why, and stops.
//!
//! Linux on x86_64 and aarch64 only (the `/proc/<pid>/syscall` format and
//! the `siginfo_t` layout the handler reads); elsewhere this module is not
//! compiled and the hooks are no-ops.

mod procfs;

use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicPtr, AtomicU32,
    Ordering::{Acquire, Relaxed, Release, SeqCst},
};
use std::time::Duration;

use crate::signal_safe::sentinel_child::{
    self as child, COOKIE, ENABLED, SIGNAL, WATCHER_PID, WATCHER_TID,
};
use crate::signal_safe::state::{self, Policy};
use crate::signal_safe::sys;

use procfs::{Stat, Status, Syscall};

/// Time between two looks at the watched children.
const TICK: Duration = Duration::from_millis(250);
/// Looks at the same endless wait, context switches unchanged, before the
/// watcher acts: 3 looks span half a second. One look is conclusive in
/// principle (nobody can end such a wait); the others rule out a thread
/// that was starting or exiting while `/proc` was read.
const CONFIRM: u32 = 3;
/// The same, judged from `wchan` alone (it cannot see the timeout): 2 s.
const CONFIRM_WCHAN: u32 = 9;
/// Ticks the child gets to report and abort once signalled (its report
/// symbolises under a 3 s alarm).
const GRACE: u32 = 16;
/// Children watched at once; more are left unwatched until a slot frees.
const MAX_WATCHED: usize = 256;
/// The fork counter's page.
const PAGE: usize = 4096;

/// The process whose watcher thread runs (differs from `WATCHER_PID` in a
/// forked worker until it arms its own).
static THREAD_PID: AtomicI32 = AtomicI32::new(0);
/// The watcher is asleep until the next fork.
static IDLE: AtomicBool = AtomicBool::new(false);
/// Forks made by this process since the sentinel was armed, counted by the
/// parent handler; the idle watcher waits on it (a private futex). It lives
/// on a page of its own marked `MADV_WIPEONFORK`, so that counting costs no
/// copy-on-write fault in the parent and nothing at all in the child.
static FORKS: AtomicPtr<AtomicU32> = AtomicPtr::new(core::ptr::null_mut());
/// The sentinel could not work here; it was said once.
static OFF: AtomicBool = AtomicBool::new(false);

/// `FORK_GUARD_SENTINEL=off` (or `0`) turns the sentinel off for the
/// process: no watcher thread, no signal handler. `wchan` makes it judge
/// from `/proc/<pid>/wchan` alone, as it does when `/proc/<pid>/syscall`
/// cannot be read (to try that fallback where it can).
pub(crate) const SENTINEL_ENV: &str = "FORK_GUARD_SENTINEL";

/// Judge from `wchan` from the start.
static WCHAN_ONLY: AtomicBool = AtomicBool::new(false);

/// From `install`: reads [`SENTINEL_ENV`] (in normal code: the prepare
/// handler must not touch the environment's lock).
pub(crate) fn configure_from_env() {
    match std::env::var_os(SENTINEL_ENV) {
        Some(v) if v == "off" || v == "0" => OFF.store(true, Relaxed),
        Some(v) if v == "wchan" => WCHAN_ONLY.store(true, Relaxed),
        _ => {}
    }
}

fn current_pid() -> i32 {
    match state::MODE_PAGE.owner_pid.load(Relaxed) {
        0 => sys::getpid(),
        p => p,
    }
}

/// From the prepare handler, when another thread is alive at this fork:
/// arms the sentinel in this process if it is not armed yet. Cheap when it
/// is: two loads.
pub(crate) fn arm() {
    if OFF.load(Relaxed) {
        return;
    }
    let pid = current_pid();
    if WATCHER_PID.load(Relaxed) == pid {
        return;
    }
    arm_slow(pid);
}

#[cold]
#[inline(never)]
fn arm_slow(pid: i32) {
    if state::policy() == Policy::Off {
        return;
    }
    // SAFETY: a fresh private anonymous page at an address of the kernel's
    // choosing (it replaces nothing), never unmapped; `madvise` only changes
    // what a child sees there (zeroes).
    let forks = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if forks == libc::MAP_FAILED {
        say_off("could not map its page");
        return;
    }
    // SAFETY: `forks` is the page just mapped, `PAGE` bytes long.
    // Without wipe-on-fork (Linux < 4.14) counting merely costs the parent
    // a copy-on-write fault per fork.
    unsafe { libc::madvise(forks, PAGE, libc::MADV_WIPEONFORK) };
    FORKS.store(forks.cast::<AtomicU32>(), Release);
    let sig = match SIGNAL.load(Relaxed) {
        s if child::handler_installed(s) => s,
        _ => child::install_handler(),
    };
    SIGNAL.store(sig, Relaxed);
    if COOKIE.load(Relaxed) == 0 {
        COOKIE.store(random_cookie(), Relaxed);
    }
    WATCHER_PID.store(pid, Relaxed);
    ENABLED.store(true, Release);
}

fn random_cookie() -> u64 {
    let mut v = 0u64;
    // SAFETY: `getrandom` writes at most 8 bytes into `v`, which we own.
    let n = unsafe { libc::getrandom((&raw mut v).cast(), 8, libc::GRND_NONBLOCK) };
    if n != 8 || v == 0 {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        v = t ^ (u64::from(sys::getpid().unsigned_abs()) << 32) ^ 0x9e37_79b9_7f4a_7c15;
    }
    v | 1
}

/// From the parent handler: starts the watcher the first time, wakes it
/// when it sleeps. Cheap otherwise: a few loads.
pub(crate) fn after_fork_in_parent() {
    if !ENABLED.load(Relaxed) || OFF.load(Relaxed) {
        return;
    }
    let pid = current_pid();
    if WATCHER_PID.load(Relaxed) != pid {
        return;
    }
    let Some(forks) = forks() else { return };
    forks.fetch_add(1, SeqCst);
    if THREAD_PID.load(Relaxed) != pid {
        start(pid);
    } else if IDLE.load(SeqCst) {
        wake(forks);
    }
}

fn forks() -> Option<&'static AtomicU32> {
    let p = FORKS.load(Acquire);
    // SAFETY: a non-null `FORKS` points to the page `arm_slow` mapped in
    // this process (or, in a child, to the same address of its zeroed copy)
    // and never unmaps; an `AtomicU32` at its start is in bounds and aligned.
    (!p.is_null()).then(|| unsafe { &*p })
}

#[cold]
#[inline(never)]
fn wake(forks: &AtomicU32) {
    IDLE.store(false, Relaxed);
    // SAFETY: FUTEX_WAKE on a private futex word we own; it reads no other
    // memory.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            forks.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            1,
        );
    }
}

#[cold]
#[inline(never)]
fn start(pid: i32) {
    THREAD_PID.store(pid, Relaxed);
    // A raw pthread on a stack in `.bss`: a thread costs every later fork
    // the copy of its mappings (a std thread: its stack, guard page and
    // signal stack, ~5% of a fork with 4 threads alive here); this one
    // adds no mapping at all.
    let stack = WATCHER_STACK.0.get().cast::<libc::c_void>();
    let mut thread: libc::pthread_t = 0;
    // SAFETY: `attr` is initialised before use and destroyed after; the
    // stack is a static buffer of `WATCHER_STACK_SIZE` bytes (above
    // PTHREAD_STACK_MIN, 16-byte aligned) used by this one thread only: a
    // process starts at most one watcher (`THREAD_PID` is set first, and
    // the parent handler runs under libc's atfork lock). `watcher_main` has
    // the signature `pthread_create` expects and never unwinds.
    let rc = unsafe {
        let mut attr: libc::pthread_attr_t = core::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        libc::pthread_attr_setstack(&mut attr, stack, WATCHER_STACK_SIZE);
        let rc = libc::pthread_create(&mut thread, &attr, watcher_main, core::ptr::null_mut());
        libc::pthread_attr_destroy(&mut attr);
        rc
    };
    if rc != 0 {
        let mut msg = [0u8; 160];
        let text = fmt_into(
            &mut msg,
            format_args!(
                "its thread could not start ({})",
                std::io::Error::from_raw_os_error(rc)
            ),
        );
        say_off(text);
        return;
    }
    // SAFETY: `thread` was just created; the name is NUL-terminated and
    // within the kernel's 16-byte limit.
    unsafe { libc::pthread_setname_np(thread, c"fork-guard-snt".as_ptr()) };
}

const WATCHER_STACK_SIZE: usize = 128 * 1024;

#[repr(C, align(4096))]
struct Stack(core::cell::UnsafeCell<[u8; WATCHER_STACK_SIZE]>);

// SAFETY: the buffer is only ever used as the watcher thread's stack (see
// `start`), never read or written through a Rust reference.
unsafe impl Sync for Stack {}

static WATCHER_STACK: Stack = Stack(core::cell::UnsafeCell::new([0; WATCHER_STACK_SIZE]));

extern "C" fn watcher_main(_: *mut libc::c_void) -> *mut libc::c_void {
    WATCHER_TID.store(sys::gettid(), Relaxed);
    Watcher::new().run();
    core::ptr::null_mut()
}

/// Formats into a fixed buffer (best effort: cut at the end).
fn fmt_into<'b>(buf: &'b mut [u8], args: core::fmt::Arguments<'_>) -> &'b str {
    let mut cur = std::io::Cursor::new(&mut *buf);
    let _ = std::io::Write::write_fmt(&mut cur, args);
    let n = usize::try_from(cur.position()).unwrap_or(0);
    std::str::from_utf8(buf.get(..n).unwrap_or(&[])).unwrap_or("")
}

/// Says once that the sentinel is off, and why; the watcher stops.
fn say_off(why: &str) {
    if OFF.swap(true, Relaxed) {
        return;
    }
    ENABLED.store(false, Relaxed);
    let mut w = crate::signal_safe::writer::Writer::new(2);
    w.str("fork-guard: warning: deadlock sentinel off: ")
        .str(why)
        .str("; a fork child that blocks forever on a lock fork-guard does not track will hang silently\n");
    w.flush();
}

fn say_note(what: &str) {
    let mut w = crate::signal_safe::writer::Writer::new(2);
    w.str("fork-guard: note: deadlock sentinel: ")
        .str(what)
        .str("\n");
    w.flush();
}

/// Where the watcher learns how a child is blocked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Syscall,
    Wchan,
}

/// One look at a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sample {
    stat: Stat,
    /// The futex address of an endless private wait (0 when only `wchan`
    /// says it is a futex wait), `None` when the child is not in one.
    wait: Option<u64>,
    /// The stack and instruction pointers of the blocked call.
    sp: u64,
    pc: u64,
    status: Status,
}

/// A watched child.
#[derive(Clone, Copy, Debug)]
struct Watch {
    pid: i32,
    /// Consecutive looks at the same endless wait.
    streak: u32,
    futex: u64,
    nvcsw: u64,
    /// The tick the child was signalled at.
    asked: Option<u64>,
    /// The watcher wrote a report itself and sent `SIGABRT`.
    killed: Option<u64>,
    /// Nothing more to do for this child (reported under `warn`, exec'd):
    /// it is no longer looked at, only remembered while it lives.
    done: bool,
    /// The tick at which it was last listed as a child.
    seen: u64,
}

impl Watch {
    const EMPTY: Watch = Watch {
        pid: 0,
        streak: 0,
        futex: 0,
        nvcsw: 0,
        asked: None,
        killed: None,
        done: false,
        seen: 0,
    };

    fn new(pid: i32) -> Watch {
        Watch {
            pid,
            ..Watch::EMPTY
        }
    }

    /// Takes one look into account; returns whether the child has now been
    /// seen blocked forever for long enough (`needed` looks).
    fn observe(&mut self, s: &Sample, needed: u32) -> bool {
        let Some(futex) = s.wait.filter(|_| s.stat.threads == 1) else {
            self.streak = 0;
            return false;
        };
        if self.streak > 0 && self.futex == futex && self.nvcsw == s.status.nvcsw {
            self.streak = self.streak.saturating_add(1);
        } else {
            self.streak = 1;
            self.futex = futex;
            self.nvcsw = s.status.nvcsw;
        }
        self.streak >= needed
    }
}

struct Watcher {
    list: [Watch; MAX_WATCHED],
    len: usize,
    tick: u64,
    source: Source,
    /// The fork count at the last look.
    forks_seen: u32,
}

impl Watcher {
    fn new() -> Watcher {
        Watcher {
            list: [Watch::EMPTY; MAX_WATCHED],
            len: 0,
            tick: 0,
            source: if WCHAN_ONLY.load(Relaxed) {
                Source::Wchan
            } else {
                Source::Syscall
            },
            // The page is fresh: any count is a fork not looked at yet.
            forks_seen: 0,
        }
    }

    fn run(mut self) {
        while !OFF.load(Relaxed) {
            self.discover();
            if state::policy() == Policy::Off {
                self.len = 0;
            }
            let mut i = 0;
            let mut busy = false;
            while i < self.len {
                let keep = match self.list.get(i).copied() {
                    Some(w) if w.done && w.killed.is_none() => true,
                    Some(mut w) => {
                        busy = true;
                        let keep = self.step(&mut w);
                        if let Some(slot) = self.list.get_mut(i) {
                            *slot = w;
                        }
                        keep
                    }
                    None => false,
                };
                if keep {
                    i += 1;
                } else {
                    self.len -= 1;
                    self.list.swap(i, self.len);
                }
            }
            if !busy {
                self.sleep_until_fork();
            } else {
                std::thread::sleep(TICK);
            }
            self.tick += 1;
        }
    }

    /// Sleeps until the parent handler of the next fork wakes us (or a
    /// minute, as a safety net). A fork that happened since the last look
    /// keeps us awake for another tick: we may have looked for children
    /// before it forked.
    fn sleep_until_fork(&mut self) {
        let Some(forks) = forks() else {
            std::thread::sleep(TICK);
            return;
        };
        let seen = forks.load(SeqCst);
        if seen != self.forks_seen {
            self.forks_seen = seen;
            std::thread::sleep(TICK);
            return;
        }
        IDLE.store(true, SeqCst);
        let timeout = libc::timespec {
            tv_sec: 60,
            tv_nsec: 0,
        };
        // SAFETY: FUTEX_WAIT on a private futex word we own, with a valid
        // relative timeout; it returns at once if the word no longer holds
        // `seen` (a fork counted since), when woken, on a signal or on
        // timeout.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                forks.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                seen,
                &raw const timeout,
            );
        }
        IDLE.store(false, Relaxed);
        self.forks_seen = forks.load(SeqCst);
        // Let the child that woke us start.
        std::thread::sleep(TICK);
    }

    /// Adds this process's children that are not watched yet, from
    /// `/proc/self/task/<tid>/children` (every thread's: a child belongs to
    /// the thread that forked it).
    fn discover(&mut self) {
        if self.list_children() {
            // Forget the children that are gone (reaped).
            let tick = self.tick;
            let mut i = 0;
            while i < self.len {
                if self.list.get(i).is_some_and(|w| w.seen != tick) {
                    self.len -= 1;
                    self.list.swap(i, self.len);
                } else {
                    i += 1;
                }
            }
        }
    }

    /// Marks the children listed now as seen, adding the new ones; returns
    /// whether the listing was complete.
    fn list_children(&mut self) -> bool {
        let Some(dir) = sys::open_read(c"/proc/self/task", libc::O_DIRECTORY) else {
            return false;
        };
        let mut complete = true;
        let mut ents = [0u8; 4096];
        loop {
            let n = dir.getdents(&mut ents);
            if n == 0 {
                break;
            }
            let mut off = 0usize;
            while off < n {
                // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, name.
                let reclen = match (ents.get(off + 16), ents.get(off + 17)) {
                    (Some(a), Some(b)) => usize::from(u16::from_ne_bytes([*a, *b])),
                    _ => break,
                };
                if reclen == 0 {
                    break;
                }
                let name = ents.get(off + 19..off + reclen).unwrap_or(&[]);
                let name = name.split(|b| *b == 0).next().unwrap_or(&[]);
                if let Some(tid) = procfs::parse_pid(name) {
                    complete &= self.add_children_of(tid);
                }
                off += reclen;
            }
        }
        complete
    }

    /// Returns whether the thread's children could be listed.
    fn add_children_of(&mut self, tid: i32) -> bool {
        let mut buf = [0u8; 4096];
        let n = match procfs::read_task_children(tid, &mut buf) {
            Ok(n) => n,
            Err(libc::ENOENT) if procfs::task_exists(tid) => {
                say_off(
                    "/proc/self/task/<tid>/children does not exist (a kernel without CONFIG_PROC_CHILDREN)",
                );
                return false;
            }
            // The thread exited meanwhile: its children moved to another
            // thread, which may have been listed already.
            Err(_) => return false,
        };
        let tick = self.tick;
        for pid in buf
            .get(..n)
            .unwrap_or(&[])
            .split(|b| *b == b' ' || *b == b'\n')
            .filter_map(procfs::parse_pid)
        {
            let len = self.len;
            if let Some(w) = self.list.iter_mut().take(len).find(|w| w.pid == pid) {
                w.seen = tick;
            } else if let Some(w) = self.list.get_mut(len) {
                // (A full list leaves the newcomer unwatched for now.)
                *w = Watch {
                    seen: tick,
                    ..Watch::new(pid)
                };
                self.len += 1;
            }
        }
        true
    }

    /// Looks at one child; returns whether to keep watching it.
    fn step(&mut self, w: &mut Watch) -> bool {
        let mut buf = [0u8; 2048];
        let Ok(n) = procfs::read(w.pid, "stat", &mut buf) else {
            return false; // gone (and reaped)
        };
        let Some(stat) = procfs::parse_stat(buf.get(..n).unwrap_or(&[])) else {
            return false;
        };
        if matches!(stat.state, b'Z' | b'X' | b'x') {
            return false;
        }
        if let Some(at) = w.killed {
            if self.tick - at >= u64::from(GRACE) {
                // SAFETY: `kill` on a child of this process that was listed
                // as such this tick and is not a zombie: it has not been
                // reaped, so its pid cannot have been reused.
                unsafe { libc::kill(w.pid, libc::SIGKILL) };
                return false;
            }
            return true;
        }
        if w.done {
            return true;
        }
        let Some(sample) = self.sample(w.pid, stat) else {
            return true;
        };
        let needed = match self.source {
            Source::Syscall => CONFIRM,
            Source::Wchan => CONFIRM_WCHAN,
        };
        let confirmed = w.observe(&sample, needed);
        match w.asked {
            None if confirmed => self.act(w, &sample),
            Some(at) if confirmed && self.tick - at >= u64::from(GRACE) => {
                // Signalled, yet still in the same wait: the handler did not
                // run (or the program replaced it). Report from outside.
                self.report_from_outside(w, &sample, true);
            }
            _ => {}
        }
        true
    }

    /// Reads `/proc/<pid>/syscall` (or `wchan`) and `status`.
    fn sample(&mut self, pid: i32, stat: Stat) -> Option<Sample> {
        let mut buf = [0u8; 4096];
        let mut sample = Sample {
            stat,
            wait: None,
            sp: 0,
            pc: 0,
            status: Status::default(),
        };
        if stat.threads != 1 {
            return Some(sample);
        }
        if self.source == Source::Syscall {
            match procfs::read(pid, "syscall", &mut buf) {
                Ok(n) => {
                    let s = procfs::parse_syscall(buf.get(..n).unwrap_or(&[]))?;
                    sample.wait = procfs::endless_private_futex_wait(&s);
                    if let Syscall::In { sp, pc, .. } = s {
                        sample.sp = sp;
                        sample.pc = pc;
                    }
                }
                // The child exited between the two reads.
                Err(libc::ESRCH) => return None,
                Err(libc::ENOENT) if procfs::read(pid, "stat", &mut buf).is_err() => return None,
                Err(e) => self.fall_back_to_wchan(pid, e),
            }
        }
        if self.source == Source::Wchan {
            let n = procfs::read(pid, "wchan", &mut buf).ok()?;
            sample.wait = procfs::wchan_is_futex_wait(buf.get(..n).unwrap_or(&[])).then_some(0);
        }
        let n = procfs::read(pid, "status", &mut buf).ok()?;
        sample.status = procfs::parse_status(buf.get(..n).unwrap_or(&[]))?;
        Some(sample)
    }

    #[cold]
    fn fall_back_to_wchan(&mut self, pid: i32, errno: i32) {
        let mut buf = [0u8; 64];
        let usable = procfs::read(pid, "wchan", &mut buf)
            .is_ok_and(|n| buf.get(..n).is_some_and(|t| !t.is_empty()));
        if !usable && procfs::read(pid, "stat", &mut buf).is_err() {
            return; // the child is gone: nothing learnt about /proc
        }
        let mut msg = [0u8; 320];
        if usable {
            self.source = Source::Wchan;
            let text = fmt_into(
                &mut msg,
                format_args!(
                    "/proc/{pid}/syscall is not readable ({}); judging from /proc/{pid}/wchan instead, which cannot tell an endless wait from a timed one (a child is reported after 2 s in the same futex wait)",
                    std::io::Error::from_raw_os_error(errno)
                ),
            );
            say_note(text);
        } else {
            let text = fmt_into(
                &mut msg,
                format_args!(
                    "neither /proc/{pid}/syscall ({}) nor /proc/{pid}/wchan can be read (ptrace restrictions such as Yama ptrace_scope >= 2?)",
                    std::io::Error::from_raw_os_error(errno)
                ),
            );
            say_off(text);
        }
    }

    /// The child has been seen blocked forever: ask it to report
    /// (the signal), or report from outside.
    fn act(&mut self, w: &mut Watch, s: &Sample) {
        // Unreadable memory (`None`) leaves the check to the handler bit
        // below: `exec` resets caught signals to their default.
        if is_fork_of_us(w.pid) == Some(false) {
            w.done = true; // exec'd: someone else's program
            return;
        }
        let sig = SIGNAL.load(Relaxed);
        let usable = child::handler_installed(sig)
            && procfs::mask_has(s.status.caught, sig)
            && !procfs::mask_has(s.status.blocked, sig);
        if !usable {
            self.report_from_outside(w, s, false);
            return;
        }
        let value = libc::sigval {
            sival_ptr: w.futex as usize as *mut libc::c_void,
        };
        // SAFETY: queues a signal with a value to a child we watch and just
        // checked (still a fork of this image, the sentinel's handler
        // caught, not blocked); `sigqueue` reads nothing else.
        let rc = unsafe { libc::sigqueue(w.pid, sig, value) };
        if rc != 0 {
            self.report_from_outside(w, s, false);
            return;
        }
        w.asked = Some(self.tick);
        note_elsewhere(w.pid, w.futex);
        if state::policy() == Policy::Warn {
            w.done = true;
        }
    }

    /// Writes the diagnostic from the parent's side and, under `trap` or
    /// `strict`, sends the child `SIGABRT`.
    #[cold]
    fn report_from_outside(&mut self, w: &mut Watch, s: &Sample, after_signal: bool) {
        let policy = state::policy();
        let fatal = matches!(policy, Policy::Trap | Policy::Strict);
        let mut text = String::with_capacity(1024);
        use core::fmt::Write as _;
        let _ = write!(
            text,
            "fork-guard: {}: fork child {} is deadlocked: its only thread waits on a process-private futex (at {:#x}) without a timeout, and no other thread exists to wake it\n   = note: ",
            if fatal { "error" } else { "warning" },
            w.pid,
            w.futex
        );
        if after_signal {
            text.push_str("the child did not answer the sentinel's signal (its handler was replaced or never ran), so this report is from the parent's side\n");
        } else {
            text.push_str("the sentinel's signal cannot reach the child (the program claimed the signal, or the child blocks it), so this report is from the parent's side\n");
        }
        if s.pc != 0 {
            // Not symbolised here: the unwinder's state is not the watcher's
            // to use while a report elsewhere in this process may use it.
            let _ = writeln!(
                text,
                "   = note: blocked at pc {:#x}, sp {:#x} (addresses in this process's image too: `addr2line -fCe <binary>` after subtracting its load address)",
                s.pc, s.sp
            );
        }
        text.push_str("   = note: most likely a lock that one of the threads alive at fork held: fork() copies only the calling thread, so nobody will ever release it\n");
        parent_threads(&mut text);
        text.push_str("   = help: between fork and exec/_exit, call only async-signal-safe functions (signal-safety(7)): prepare what the child needs before forking, exec a helper program, or fork before starting threads\n");
        if fatal {
            let _ = writeln!(
                text,
                "fork-guard: sending SIGABRT to child {} (policy `{}`)",
                w.pid,
                policy.name()
            );
        }
        sys::write_all(2, text.as_bytes());
        if fatal {
            // SAFETY: a signal to the child we watch, checked just now.
            unsafe { libc::kill(w.pid, libc::SIGABRT) };
            w.killed = Some(self.tick);
        }
        w.done = true;
    }
}

/// The child writes its diagnostic to its own stderr. When that is not ours
/// (a `Command` with `stderr(Stdio::piped())`, a redirected worker), say
/// here too where to look.
#[cold]
fn note_elsewhere(pid: i32, futex: u64) {
    let theirs = std::fs::read_link(format!("/proc/{pid}/fd/2"));
    let ours = std::fs::read_link("/proc/self/fd/2");
    let target = match (&theirs, &ours) {
        (Ok(t), Ok(o)) if t == o => return,
        (Ok(t), _) => t.display().to_string(),
        (Err(_), _) => "closed".to_owned(),
    };
    let text = format!(
        "fork-guard: note: deadlock sentinel: fork child {pid} is blocked forever (private futex wait at {futex:#x}, no other thread); it writes the diagnostic to its own stderr ({target}) and aborts\n"
    );
    sys::write_all(2, text.as_bytes());
}

/// The parent's threads now (the census of the fork is in the child, out
/// of reach): one of them, or one that has exited since, held the lock.
fn parent_threads(text: &mut String) {
    use core::fmt::Write as _;
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    text.push_str("   = note: threads of this process now (the fork's census is in the child):");
    let mut sep = " ";
    for tid in dir
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
        .filter(|t| !child::is_watcher_tid(*t))
    {
        let comm =
            std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).unwrap_or_default();
        let _ = write!(text, "{sep}`{}` (tid {tid})", comm.trim_end());
        sep = ", ";
    }
    text.push('\n');
}

/// Whether `pid` is still a fork of this image (the cookie at the same
/// address in its memory): `Some(false)` after an `exec`, `None` when its
/// memory cannot be read.
fn is_fork_of_us(pid: i32) -> Option<bool> {
    let mut v = 0u64;
    let local = libc::iovec {
        iov_base: (&raw mut v).cast(),
        iov_len: 8,
    };
    let remote = libc::iovec {
        iov_base: COOKIE.as_ptr().cast(),
        iov_len: 8,
    };
    // SAFETY: reads 8 bytes of the child's memory into `v`, which we own;
    // the remote address is only interpreted by the kernel, in the child.
    let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    if n == 8 {
        return Some(v == COOKIE.load(Relaxed));
    }
    let errno = std::io::Error::last_os_error().raw_os_error();
    match errno {
        Some(libc::EFAULT) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(threads: u32, wait: Option<u64>, nvcsw: u64) -> Sample {
        Sample {
            stat: Stat {
                state: b'S',
                threads,
            },
            wait,
            sp: 0,
            pc: 0,
            status: Status {
                nvcsw,
                ..Status::default()
            },
        }
    }

    #[test]
    fn the_same_endless_wait_in_consecutive_looks_is_a_deadlock() {
        let mut w = Watch::new(1);
        for _ in 1..CONFIRM {
            assert!(!w.observe(&sample(1, Some(0x1000), 7), CONFIRM));
        }
        assert!(w.observe(&sample(1, Some(0x1000), 7), CONFIRM));
    }

    #[test]
    fn a_wait_that_ends_and_starts_again_is_not() {
        let mut w = Watch::new(1);
        for i in 0..20 {
            // A context switch between looks: the wait ended (timeout, wake).
            assert!(!w.observe(&sample(1, Some(0x1000), i), CONFIRM));
        }
        for i in 0..20 {
            // Another address each time.
            assert!(!w.observe(&sample(1, Some(0x1000 + i), 7), CONFIRM));
        }
    }

    #[test]
    fn sleeping_polling_or_threaded_children_are_not() {
        let mut w = Watch::new(1);
        for _ in 0..20 {
            assert!(!w.observe(&sample(1, None, 7), CONFIRM));
            assert!(!w.observe(&sample(3, Some(0x1000), 7), CONFIRM));
        }
        // A streak is broken by one look at something else.
        for _ in 1..CONFIRM {
            w.observe(&sample(1, Some(0x1000), 7), CONFIRM);
        }
        assert!(!w.observe(&sample(2, Some(0x1000), 7), CONFIRM));
        assert!(!w.observe(&sample(1, Some(0x1000), 7), CONFIRM));
    }

    #[test]
    fn cookie_tells_this_image_from_others() {
        COOKIE.store(random_cookie(), Relaxed);
        assert_eq!(is_fork_of_us(std::process::id() as i32), Some(true));
        // An exec'd child: `sleep` does not hold our cookie at that address.
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let verdict = is_fork_of_us(child.id() as i32);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_ne!(verdict, Some(true));
    }
}

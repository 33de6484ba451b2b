//! The census taken at fork time: threads alive (tids from
//! `/proc/<pid>/task`; names only when needed), tracked locks held by other
//! threads, and the raw return addresses of the fork call site.
//!
//! Thread names cost one `open`/`read`/`close` each, which with a handful of
//! threads is most of what the guard would add to a fork. So the prepare
//! handler reads them only when the allow-list needs them; a report reads
//! them when it is written ([`Census::load_names`]), from the parent's
//! `/proc/<pid>/task/<tid>/comm` (the parent and its threads outlive the
//! fork). A thread whose name is its process's name (the kernel's default
//! for a thread nobody named) counts as unnamed.
//!
//! It lives in one static, preallocated buffer. Access is exclusive through
//! [`CensusGuard`], a try-lock that never waits: the prepare handler takes it
//! and keeps it across `fork` (so the parent and child handlers see exactly
//! the census of this fork); a child-side diagnostic takes it to read. Reading
//! `/proc` uses `open`/`getdents64`/`read` into fixed buffers: no allocation.

use core::cell::UnsafeCell;
use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicU64, Ordering::Acquire, Ordering::Relaxed, Ordering::Release,
};

use super::held::{self, Hold};
#[cfg(fork_guard_sentinel)]
use super::sentinel_child;
use super::state;
use super::sys;

pub(crate) const MAX_THREADS: usize = 256;
pub(crate) const MAX_HOLDS: usize = 64;
pub(crate) const MAX_IPS: usize = 48;
pub(crate) const NAME_CAP: usize = 16;

#[derive(Clone, Copy, Debug)]
pub(crate) struct ThreadInfo {
    pub(crate) tid: i32,
    name: [u8; NAME_CAP],
    name_len: u8,
    /// The name matches the allow-list.
    pub(crate) allowed: bool,
}

impl ThreadInfo {
    fn same_as(&self, other: &ThreadInfo) -> bool {
        self.tid == other.tid
            && self.name_len == other.name_len
            && self.name == other.name
            && self.allowed == other.allowed
    }

    const EMPTY: ThreadInfo = ThreadInfo {
        tid: 0,
        name: [0; NAME_CAP],
        name_len: 0,
        allowed: false,
    };

    pub(crate) fn name(&self) -> &str {
        let bytes = self.name.get(..usize::from(self.name_len)).unwrap_or(&[]);
        match core::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => bytes
                .get(..e.valid_up_to())
                .and_then(|b| core::str::from_utf8(b).ok())
                .unwrap_or(""),
        }
    }
}

/// Where the census came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// Nothing recorded (no fork seen, or the census was busy).
    None,
    /// The prepare handler, at the instant before `fork`.
    AtFork,
    /// The raw-fork backstop, in the child: the parent's threads *now*.
    Backstop,
}

#[derive(Debug)]
pub(crate) struct Census {
    pub(crate) source: Source,
    /// The process whose threads were listed.
    pub(crate) pid: i32,
    /// The thread that called `fork` (0 when unknown).
    pub(crate) forking_tid: i32,
    threads: [ThreadInfo; MAX_THREADS],
    n_threads: usize,
    /// Threads seen, including those that did not fit the buffer.
    pub(crate) threads_total: usize,
    /// Threads other than the forking one that are not allow-listed.
    pub(crate) others_alive: usize,
    holds: [Option<Hold>; MAX_HOLDS],
    n_holds: usize,
    pub(crate) holds_total: usize,
    ips: [usize; MAX_IPS],
    n_ips: usize,
    /// The thread names have been read (see [`Census::load_names`]).
    names_loaded: bool,
}

impl Census {
    const fn new() -> Census {
        Census {
            source: Source::None,
            pid: 0,
            forking_tid: 0,
            threads: [ThreadInfo::EMPTY; MAX_THREADS],
            n_threads: 0,
            threads_total: 0,
            others_alive: 0,
            holds: [None; MAX_HOLDS],
            n_holds: 0,
            holds_total: 0,
            ips: [0; MAX_IPS],
            n_ips: 0,
            names_loaded: false,
        }
    }

    pub(crate) fn threads(&self) -> &[ThreadInfo] {
        self.threads.get(..self.n_threads).unwrap_or(&[])
    }

    pub(crate) fn holds(&self) -> impl Iterator<Item = &Hold> {
        self.holds.iter().take(self.n_holds).flatten()
    }

    pub(crate) fn ips(&self) -> &[usize] {
        self.ips.get(..self.n_ips).unwrap_or(&[])
    }

    pub(crate) fn thread_name(&self, tid: i32) -> Option<&str> {
        self.threads()
            .iter()
            .find(|t| t.tid == tid)
            .map(ThreadInfo::name)
    }

    /// Whether anything at this fork is a hazard for a child that does more
    /// than async-signal-safe calls: other threads alive or locks held by
    /// other threads.
    pub(crate) fn hazardous(&self) -> bool {
        self.others_alive > 0 || self.holds_total > 0
    }

    pub(crate) fn set_ips(&mut self, ips: impl Iterator<Item = usize>) {
        self.n_ips = 0;
        for (slot, ip) in self.ips.iter_mut().zip(ips) {
            *slot = ip;
            self.n_ips += 1;
        }
    }

    /// Fills the census for process `pid` (`None`: this process), with
    /// `forking_tid` as the calling thread. `single_threaded` skips reading
    /// `/proc` when the caller knows there is no other thread. With
    /// `allowed`, thread names are read and matched against it (the
    /// allow-list); without, names are left for [`Census::load_names`].
    pub(crate) fn take(
        &mut self,
        source: Source,
        pid: Option<i32>,
        forking_tid: i32,
        single_threaded: bool,
        allowed: Option<&dyn Fn(&str) -> bool>,
    ) {
        // Only store what changed: the census lives in static memory that
        // the previous child shares copy-on-write, and every page written
        // here is a page fault on the next fork. A single-threaded program
        // forking in a loop writes nothing at all.
        set(&mut self.source, source);
        let pid_now = match pid {
            Some(p) => p,
            None => match state::MODE_PAGE.owner_pid.load(Relaxed) {
                0 => sys::getpid(),
                known => known,
            },
        };
        set(&mut self.pid, pid_now);
        set(&mut self.forking_tid, forking_tid);
        set(&mut self.n_ips, 0);
        let mut counts = Counts::default();
        if single_threaded {
            self.add_thread(&mut counts, forking_tid, None, None);
        } else {
            self.list_threads(&mut counts, pid, allowed);
        }
        set(
            &mut self.names_loaded,
            allowed.is_some() && !single_threaded,
        );
        set(&mut self.n_threads, counts.n_threads);
        set(&mut self.threads_total, counts.threads_total);
        set(&mut self.others_alive, counts.others_alive);
        let complete = self.threads_total == self.n_threads && self.n_threads > 0;
        // Split borrows: read the thread list while filling the holds, in
        // place (no copies on the stack: the prepare handler runs on every
        // fork, and every page it dirties is a copy-on-write fault later).
        let Census {
            threads,
            n_threads,
            holds,
            ..
        } = self;
        let live_threads = threads.get(..*n_threads).unwrap_or(&[]);
        let (mut n_holds, mut holds_total) = (0, 0);
        held::for_each_hold(forking_tid, |h| {
            // A record whose thread is not in a complete census belongs to a
            // thread that exited or never existed in this process (a fork
            // child keeps its parent's records): not a live holder.
            if complete && !live_threads.iter().any(|t| t.tid == h.tid) {
                return;
            }
            holds_total += 1;
            if let Some(slot) = holds.get_mut(n_holds) {
                *slot = Some(h);
                n_holds += 1;
            }
        });
        set(&mut self.n_holds, n_holds);
        set(&mut self.holds_total, holds_total);
    }

    fn add_thread(
        &mut self,
        counts: &mut Counts,
        tid: i32,
        name: Option<&[u8]>,
        allowed: Option<&dyn Fn(&str) -> bool>,
    ) {
        counts.threads_total += 1;
        let mut info = ThreadInfo::EMPTY;
        info.tid = tid;
        if let Some(name) = name {
            let mut n = 0u8;
            for (dst, src) in info.name.iter_mut().zip(name) {
                *dst = *src;
                n += 1;
            }
            info.name_len = n;
        }
        info.allowed = info.name_len > 0 && allowed.is_some_and(|f| f(info.name()));
        if tid != self.forking_tid && !info.allowed {
            counts.others_alive += 1;
        }
        if let Some(slot) = self.threads.get_mut(counts.n_threads) {
            if !slot.same_as(&info) {
                *slot = info;
            }
            counts.n_threads += 1;
        }
    }

    #[inline(never)]
    fn list_threads(
        &mut self,
        counts: &mut Counts,
        pid: Option<i32>,
        allowed: Option<&dyn Fn(&str) -> bool>,
    ) {
        let task = task_dir(pid);
        if pid.is_none() && allowed.is_none() {
            // The prepare handler's common case: thread ids only, through
            // the kept descriptor.
            for_each_own_tid(|tid| self.add_thread(counts, tid, None, None));
            return;
        }
        let mut main = [0u8; NAME_CAP + 1];
        let main_len = if allowed.is_some() {
            read_comm(&task, main_tid(pid), &mut main)
        } else {
            0
        };
        let main = main.get(..main_len).unwrap_or(&[]);
        for_each_tid(&task, |tid| {
            if allowed.is_some() {
                let mut comm = [0u8; NAME_CAP + 1];
                let len = read_comm(&task, tid, &mut comm);
                let text = shown_name(comm.get(..len).unwrap_or(&[]), main, tid, pid);
                self.add_thread(counts, tid, Some(text), allowed);
            } else {
                self.add_thread(counts, tid, None, None);
            }
        });
    }

    /// Reads the names of the listed threads, once (a report calls it
    /// before it writes). Async-signal-safe: `open`/`read`/`close` into
    /// fixed buffers. A thread that has exited since keeps no name.
    pub(crate) fn load_names(&mut self) {
        if self.names_loaded || self.source == Source::None {
            return;
        }
        self.names_loaded = true;
        let pid = Some(self.pid);
        let task = task_dir(pid);
        let mut main = [0u8; NAME_CAP + 1];
        let main_len = read_comm(&task, self.pid, &mut main);
        let main = main.get(..main_len).unwrap_or(&[]);
        let n = self.n_threads;
        for t in self.threads.iter_mut().take(n) {
            let mut comm = [0u8; NAME_CAP + 1];
            let len = read_comm(&task, t.tid, &mut comm);
            let text = shown_name(comm.get(..len).unwrap_or(&[]), main, t.tid, pid);
            let mut k = 0u8;
            for (dst, src) in t.name.iter_mut().zip(text) {
                *dst = *src;
                k += 1;
            }
            t.name_len = k;
        }
    }
}

/// `/proc/<pid>/task` (`/proc/self/task` for `None`).
fn task_dir(pid: Option<i32>) -> PathBuf {
    let mut path = PathBuf::new();
    path.push(b"/proc/");
    match pid {
        Some(p) => path.push_dec(p),
        None => path.push(b"self"),
    }
    path.push(b"/task");
    path
}

/// The tid of the main thread of `pid` (its pid).
fn main_tid(pid: Option<i32>) -> i32 {
    match pid {
        Some(p) => p,
        None => sys::getpid(),
    }
}

/// The name to show for a thread: its `comm` without the newline, or
/// nothing when it is unnamed (a thread other than the main one whose name
/// is the main thread's: the kernel's default, inherited from the process).
fn shown_name<'a>(comm: &'a [u8], main: &[u8], tid: i32, pid: Option<i32>) -> &'a [u8] {
    let text = comm.strip_suffix(b"\n").unwrap_or(comm);
    let main = main.strip_suffix(b"\n").unwrap_or(main);
    if tid != main_tid(pid) && !main.is_empty() && text == main {
        &[]
    } else {
        text
    }
}

/// `/proc/self/task` kept open across forks by the prepare handler (the
/// only user, serialised by libc's atfork lock): opening it costs about as
/// much as listing it. The descriptor is close-on-exec; it is recognised by
/// its device and inode, so one the program closed and reused for another
/// file is never listed nor closed. A child, whose inherited descriptor
/// lists its parent's threads, opens its own on its first fork.
static SELF_TASK_FD: AtomicI32 = AtomicI32::new(-1);
static SELF_TASK_PID: AtomicI32 = AtomicI32::new(0);
static SELF_TASK_DEV: AtomicU64 = AtomicU64::new(0);
static SELF_TASK_INO: AtomicU64 = AtomicU64::new(0);

/// Calls `f` with each thread id of this process, through the kept
/// descriptor (see [`SELF_TASK_FD`]).
fn for_each_own_tid(f: impl FnMut(i32)) {
    let pid = sys::getpid();
    let fd = SELF_TASK_FD.load(Relaxed);
    let kept = (SELF_TASK_DEV.load(Relaxed), SELF_TASK_INO.load(Relaxed));
    let still_ours = fd >= 0 && sys::dev_ino(fd) == Some(kept);
    if still_ours && SELF_TASK_PID.load(Relaxed) == pid && sys::rewind(fd) {
        return list_dir(|buf| sys::getdents_raw(fd, buf), f);
    }
    if still_ours {
        // Inherited from the parent: its task list, not ours.
        sys::close(fd);
    }
    let Some(dir) = task_dir(None).open(libc::O_DIRECTORY) else {
        return;
    };
    match sys::dev_ino(dir.raw()) {
        Some((dev, ino)) => {
            let fd = dir.into_raw();
            SELF_TASK_FD.store(fd, Relaxed);
            SELF_TASK_PID.store(pid, Relaxed);
            SELF_TASK_DEV.store(dev, Relaxed);
            SELF_TASK_INO.store(ino, Relaxed);
            list_dir(|buf| sys::getdents_raw(fd, buf), f);
        }
        None => list_dir(|buf| dir.getdents(buf), f),
    }
}

/// Calls `f` with each thread id listed in the task directory `task`.
fn for_each_tid(task: &PathBuf, f: impl FnMut(i32)) {
    let mut task = PathBuf::copy_of(task);
    let Some(dir) = task.open(libc::O_DIRECTORY) else {
        return;
    };
    list_dir(|buf| dir.getdents(buf), f);
}

/// Calls `f` with each thread id that `getdents` lists.
fn list_dir(mut getdents: impl FnMut(&mut [u8]) -> usize, mut f: impl FnMut(i32)) {
    let mut buf = [0u8; 4096];
    loop {
        let n = getdents(&mut buf);
        if n == 0 {
            break;
        }
        let mut off = 0usize;
        while off < n {
            // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, name.
            let reclen = match (buf.get(off + 16), buf.get(off + 17)) {
                (Some(a), Some(b)) => usize::from(u16::from_ne_bytes([*a, *b])),
                _ => break,
            };
            if reclen == 0 {
                break;
            }
            let name = buf.get(off + 19..off + reclen).unwrap_or(&[]);
            let name = name.split(|b| *b == 0).next().unwrap_or(&[]);
            // The sentinel's watcher is fork-guard's own thread: it holds
            // no lock and does not count.
            if let Some(tid) = parse_tid(name).filter(|t| !is_sentinel(*t)) {
                f(tid);
            }
            off += reclen;
        }
        // procfs fills the buffer while the next entry fits (an entry is at
        // most 19 + 256 bytes): room left over means the listing is
        // complete, and the closing empty `getdents64` (as costly as the
        // first, on /proc) can be skipped.
        if n + 512 <= buf.len() {
            break;
        }
    }
}

/// How many threads this process has now (0 when `/proc` is unreadable).
pub(crate) fn count_own_threads() -> usize {
    let mut n = 0;
    for_each_tid(&task_dir(None), |_| n += 1);
    n
}

/// The name of thread `tid` of process `pid`, read now into `out`; empty
/// when it is unnamed or gone. For a holder the census does not list.
pub(crate) fn thread_name_now(pid: i32, tid: i32, out: &mut [u8; NAME_CAP + 1]) -> &str {
    let task = task_dir(Some(pid));
    let mut main = [0u8; NAME_CAP + 1];
    let main_len = read_comm(&task, pid, &mut main);
    let mut comm = [0u8; NAME_CAP + 1];
    let len = read_comm(&task, tid, &mut comm);
    let text = shown_name(
        comm.get(..len).unwrap_or(&[]),
        main.get(..main_len).unwrap_or(&[]),
        tid,
        Some(pid),
    );
    let mut k = 0;
    for (dst, src) in out.iter_mut().zip(text) {
        *dst = *src;
        k += 1;
    }
    let bytes = out.get(..k).unwrap_or(&[]);
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => bytes
            .get(..e.valid_up_to())
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or(""),
    }
}

#[derive(Default)]
struct Counts {
    n_threads: usize,
    threads_total: usize,
    others_alive: usize,
}

/// Stores `v` unless `*field` already holds it (see `Census::take`).
fn set<T: PartialEq>(field: &mut T, v: T) {
    if *field != v {
        *field = v;
    }
}

/// Whether `tid` is the deadlock sentinel's watcher thread.
fn is_sentinel(tid: i32) -> bool {
    #[cfg(fork_guard_sentinel)]
    return sentinel_child::is_watcher_tid(tid);
    #[cfg(not(fork_guard_sentinel))]
    {
        let _ = tid;
        false
    }
}

fn parse_tid(name: &[u8]) -> Option<i32> {
    if name.is_empty() {
        return None;
    }
    let mut v: i32 = 0;
    for b in name {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i32::from(*b - b'0'))?;
    }
    Some(v)
}

fn read_comm(task_dir: &PathBuf, tid: i32, out: &mut [u8]) -> usize {
    let mut path = PathBuf::copy_of(task_dir);
    path.push(b"/");
    path.push_dec(tid);
    path.push(b"/comm");
    match path.open(0) {
        Some(fd) => fd.read(out),
        None => 0,
    }
}

/// A NUL-terminated path in a fixed buffer.
struct PathBuf {
    buf: [u8; 96],
    len: usize,
}

impl PathBuf {
    fn new() -> Self {
        PathBuf {
            buf: [0; 96],
            len: 0,
        }
    }

    fn copy_of(other: &PathBuf) -> Self {
        let mut p = PathBuf::new();
        p.push(other.as_bytes());
        p
    }

    fn push(&mut self, bytes: &[u8]) {
        // Keep one byte for the terminating NUL.
        let room = self.buf.len().saturating_sub(1);
        for b in bytes {
            if self.len >= room {
                return;
            }
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = *b;
            }
            self.len += 1;
        }
    }

    fn push_dec(&mut self, n: i32) {
        self.push(super::writer::Decimal::of(u64::from(n.unsigned_abs())).as_bytes());
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    fn open(&mut self, flags: i32) -> Option<sys::Fd> {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = 0;
        }
        let with_nul = self.buf.get(..=self.len)?;
        let path = core::ffi::CStr::from_bytes_with_nul(with_nul).ok()?;
        sys::open_read(path, flags)
    }
}

struct CensusCell(UnsafeCell<Census>);

// SAFETY: the inner `Census` is only ever accessed through a `CensusGuard`,
// and at most one `CensusGuard` exists at a time (the busy flag is taken
// with a compare-exchange before one is created and cleared when it is
// released), so there is never shared mutable access across threads.
unsafe impl Sync for CensusCell {}

static CENSUS: CensusCell = CensusCell(UnsafeCell::new(Census::new()));
/// The census flags live on the mode page (see `state::ModePage`).
fn busy() -> &'static AtomicBool {
    &state::MODE_PAGE.census_busy
}

fn held_across_fork() -> &'static AtomicBool {
    &state::MODE_PAGE.census_held_across_fork
}

/// Exclusive access to the census. Dropping it releases the census.
#[derive(Debug)]
pub(crate) struct CensusGuard {
    _private: (),
}

/// Takes the census if nobody holds it; never waits.
pub(crate) fn try_lock() -> Option<CensusGuard> {
    busy()
        .compare_exchange(false, true, Acquire, Relaxed)
        .ok()
        .map(|_| CensusGuard { _private: () })
}

impl CensusGuard {
    pub(crate) fn get(&mut self) -> &mut Census {
        // SAFETY: holding a `CensusGuard` means we won the busy flag, so
        // no other reference to the census exists; the returned borrow is
        // tied to `&mut self`, so two cannot coexist through this guard.
        unsafe { &mut *CENSUS.0.get() }
    }

    /// Keeps the census held across `fork`: the parent and child handlers
    /// take it back with [`reclaim_after_fork`].
    pub(crate) fn hold_across_fork(self) {
        held_across_fork().store(true, Relaxed);
        core::mem::forget(self);
    }
}

impl Drop for CensusGuard {
    fn drop(&mut self) {
        busy().store(false, Release);
    }
}

/// In the parent or child handler: the guard the prepare handler of this
/// fork left held, if it did.
pub(crate) fn reclaim_after_fork() -> Option<CensusGuard> {
    // In a child the wipe-on-fork page reads all zeroes: nothing is held.
    if held_across_fork().load(Relaxed) {
        held_across_fork().store(false, Relaxed);
        Some(CensusGuard { _private: () })
    } else {
        None
    }
}

/// Matches a thread name against an allow-list pattern: exact, or a prefix
/// when the pattern ends in `*`.
pub(crate) fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_parse_strictly() {
        assert_eq!(parse_tid(b"1234"), Some(1234));
        assert_eq!(parse_tid(b"."), None);
        assert_eq!(parse_tid(b""), None);
        assert_eq!(parse_tid(b"99999999999"), None);
    }

    #[test]
    fn patterns() {
        assert!(name_matches("tokio-*", "tokio-runtime-w"));
        assert!(name_matches("idle", "idle"));
        assert!(!name_matches("idle", "idle-2"));
        assert!(name_matches("*", "anything"));
    }

    #[test]
    fn census_sees_named_threads() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::Builder::new()
            .name("census-probe".into())
            .spawn(move || {
                // std names the thread as it starts running: report after.
                ready_tx.send(()).unwrap();
                let _ = rx.recv();
            })
            .unwrap();
        ready_rx.recv().unwrap();
        let mut c = Box::new(Census::new());
        let me = sys::gettid();
        c.take(Source::AtFork, None, me, false, Some(&|n| n == "never"));
        let names: Vec<_> = c
            .threads()
            .iter()
            .map(|t| (t.tid, t.name().to_owned()))
            .collect();
        assert!(
            c.threads().iter().any(|t| t.name() == "census-probe"),
            "{names:?} total {}",
            c.threads_total
        );
        assert!(c.threads().iter().any(|t| t.tid == me));
        assert!(c.others_alive >= 1);
        // Other tests' threads come and go while this one runs (libtest
        // runs tests in parallel): compare two takes only when the total
        // thread count did not change between them.
        let mut compared = false;
        for _ in 0..1000 {
            c.take(Source::AtFork, None, me, false, Some(&|n| n == "never"));
            let (n, total) = (c.others_alive, c.threads_total);
            c.take(
                Source::AtFork,
                None,
                me,
                false,
                Some(&|n| n == "census-probe"),
            );
            if c.threads_total != total {
                continue;
            }
            assert_eq!(
                c.others_alive,
                n - 1,
                "an allow-listed thread does not count"
            );
            compared = true;
            break;
        }
        assert!(compared, "the thread count never held still for two takes");
        tx.send(()).unwrap();
        t.join().unwrap();
    }
}

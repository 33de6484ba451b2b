//! The lock-free registry of held tracked locks.
//!
//! Each thread that takes a tracked lock owns one [`Record`]: its tid and a
//! small stack of the locks it holds (lock address, name, `&'static
//! Location` of the acquisition, kind). Only the owning thread writes its
//! record; the prepare handler and child-side diagnostics read all records.
//! Records are leaked on creation and recycled when their thread exits, so a
//! pointer from the registry list stays valid forever, which is what lets
//! readers walk the list without a lock.
//!
//! The lock path costs a thread-local load and a few relaxed stores, and never
//! allocates except once per thread (the record itself, in the parent).
//!
//! # Held at fork, exactly
//!
//! An entry is pushed *before* the thread blocks on the lock, in state
//! [`HoldState::Transit`], turns [`HoldState::Held`] once the lock is taken,
//! goes back to `Transit` just before the lock is released and is popped
//! after. So at any instant a lock that is held has an entry for its holder:
//! `Held`, or `Transit` during the few instructions around acquiring and
//! releasing. A fork child reads its own copy of this registry, frozen at
//! the instant of fork, to name the holder (never a census from before the
//! fork).
//!
//! Each record carries the fork generation of the process that claimed it
//! ([`generation`], bumped in every child): in a child, the records of an
//! older generation are the threads that did not survive the fork, and only
//! their entries are holds "at fork". Locks the child's own threads take
//! after the fork are ordinary locks.

use core::cell::Cell;
use core::panic::Location;
use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
};

use super::sys;

/// Locks tracked per thread; deeper nesting is counted but not recorded
/// (the child-side check still works, it just cannot name the holder).
pub(crate) const MAX_HELD_PER_THREAD: usize = 16;

/// What kind of hold an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HoldKind {
    Mutex = 1,
    Read = 2,
    Write = 3,
}

impl HoldKind {
    fn from_u8(v: u8) -> Option<HoldKind> {
        match v {
            1 => Some(HoldKind::Mutex),
            2 => Some(HoldKind::Read),
            3 => Some(HoldKind::Write),
            _ => None,
        }
    }

    pub(crate) const fn describe(self) -> &'static str {
        match self {
            HoldKind::Mutex => "Mutex",
            HoldKind::Read => "RwLock (held for reading)",
            HoldKind::Write => "RwLock (held for writing)",
        }
    }
}

/// Where an entry is in its lock's acquire/release cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HoldState {
    /// Acquiring (maybe still waiting) or releasing: the thread may or may
    /// not hold the lock at this instant.
    Transit = 1,
    /// The thread holds the lock.
    Held = 2,
}

impl HoldState {
    fn from_u8(v: u8) -> Option<HoldState> {
        match v {
            1 => Some(HoldState::Transit),
            2 => Some(HoldState::Held),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Entry {
    lock: AtomicUsize,
    /// Pointer (low 48 bits) and length (high 16 bits) of the lock name, in
    /// one word so that a reader racing with the owner never pairs one name's
    /// pointer with another's length.
    name: AtomicU64,
    location: AtomicPtr<Location<'static>>,
    kind: AtomicU8,
    state: AtomicU8,
}

impl Entry {
    const fn new() -> Self {
        Entry {
            lock: AtomicUsize::new(0),
            name: AtomicU64::new(0),
            location: AtomicPtr::new(core::ptr::null_mut()),
            kind: AtomicU8::new(0),
            state: AtomicU8::new(0),
        }
    }
}

/// One thread's held locks.
#[derive(Debug)]
pub(crate) struct Record {
    next: AtomicPtr<Record>,
    in_use: AtomicBool,
    tid: AtomicI32,
    /// The fork generation of the process whose thread claimed the record.
    generation: AtomicU32,
    len: AtomicUsize,
    entries: [Entry; MAX_HELD_PER_THREAD],
}

/// A copy of one entry, as seen by a reader.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hold {
    pub(crate) lock: usize,
    pub(crate) name: Option<&'static str>,
    pub(crate) location: Option<&'static Location<'static>>,
    pub(crate) kind: HoldKind,
    pub(crate) state: HoldState,
    pub(crate) tid: i32,
}

static HEAD: AtomicPtr<Record> = AtomicPtr::new(core::ptr::null_mut());

/// This process's fork generation: how many forks separate it from the
/// first process that ran the guard (0 there, one more in each child). It
/// lives on the mode page (`state::ModePage::generation`), which a child
/// writes anyway; a child learns its parent's value from [`GENERATION_STASH`].
pub(crate) fn generation() -> u32 {
    super::state::MODE_PAGE.generation.load(Relaxed)
}

/// A copy of the generation in ordinary memory, which a child inherits (the
/// mode page it gets is wiped). Refreshed in the parent by the prepare
/// handler and when a thread claims a record, only when it differs, so a
/// parent that forks in a loop never writes it (no copy-on-write fault).
static GENERATION_STASH: AtomicU32 = AtomicU32::new(0);

/// See [`GENERATION_STASH`].
pub(crate) fn stash_generation() {
    let g = generation();
    if GENERATION_STASH.load(Relaxed) != g {
        GENERATION_STASH.store(g, Relaxed);
    }
}

/// Releases the thread's record when the thread exits. Touched only when
/// the record is claimed (in normal code), because the first access to a
/// thread-local with a destructor registers the destructor, which allocates.
struct Releaser;

impl Drop for Releaser {
    fn drop(&mut self) {
        if let Ok(Some(rec)) = MINE.try_with(|m| m.replace(None)) {
            // A record with entries left is never handed to another thread:
            // a guard that outlives this destructor (one in a thread-local
            // destroyed later) still holds a `Slot` into it, and a lock
            // whose guard was forgotten stays held, which the record keeps
            // saying. Such a record is leaked.
            if rec.len.load(Relaxed) != 0 {
                return;
            }
            rec.tid.store(0, Relaxed);
            rec.in_use.store(false, Release);
        }
    }
}

thread_local! {
    /// The calling thread's record. No destructor: reading it never
    /// registers anything, so the child handler may read it.
    static MINE: Cell<Option<&'static Record>> = const { Cell::new(None) };
    static RELEASER: Releaser = const { Releaser };
}

fn records() -> impl Iterator<Item = &'static Record> {
    let mut p = HEAD.load(Acquire);
    core::iter::from_fn(move || {
        if p.is_null() {
            return None;
        }
        // SAFETY: every pointer in the list comes from `Box::leak` in
        // `claim_record` and records are never freed, so a non-null pointer
        // read from `HEAD` or a `next` field is valid for `'static`.
        let rec: &'static Record = unsafe { &*p };
        p = rec.next.load(Acquire);
        Some(rec)
    })
}

#[cold]
fn claim_record() -> &'static Record {
    stash_generation();
    let tid = sys::gettid();
    for rec in records() {
        if rec
            .in_use
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_ok()
        {
            rec.len.store(0, Relaxed);
            rec.tid.store(tid, Relaxed);
            rec.generation.store(generation(), Relaxed);
            return rec;
        }
    }
    let rec: &'static Record = Box::leak(Box::new(Record {
        next: AtomicPtr::new(core::ptr::null_mut()),
        in_use: AtomicBool::new(true),
        tid: AtomicI32::new(tid),
        generation: AtomicU32::new(generation()),
        len: AtomicUsize::new(0),
        entries: [const { Entry::new() }; MAX_HELD_PER_THREAD],
    }));
    let mut head = HEAD.load(Relaxed);
    loop {
        rec.next.store(head, Relaxed);
        match HEAD.compare_exchange_weak(
            head,
            core::ptr::from_ref(rec).cast_mut(),
            Release,
            Relaxed,
        ) {
            Ok(_) => return rec,
            Err(now) => head = now,
        }
    }
}

/// The calling thread has no record yet: claim one, which allocates, unless
/// allocating is wrong here: in a fork child (or a raw-fork child the
/// backstop has not seen yet), on a thread in child mode, or while a report
/// is written. A thread there goes untracked. (A parent whose mode word is
/// not plain only because some thread entered child mode still tracks its
/// other threads.)
#[cold]
#[inline(never)]
fn claim_if_allowed() -> Option<&'static Record> {
    let mode = super::state::mode();
    let in_child = mode == 0 || mode & super::state::CHILD != 0;
    if in_child
        || super::state::REPORTING.load(Relaxed) != 0
        || (mode & super::state::THREAD_CHILD_MODE != 0 && super::child::thread_in_child_mode())
    {
        return None;
    }
    mine_slow()
}

#[cold]
#[inline(never)]
fn mine_slow() -> Option<&'static Record> {
    // Register the release-on-exit first; if the thread is already being
    // torn down, do not track (the record would never be released).
    RELEASER.try_with(|_| ()).ok()?;
    let r = claim_record();
    MINE.set(Some(r));
    Some(r)
}

/// The calling thread's record if it has one already; never allocates and
/// never registers a thread-local destructor.
#[inline]
fn mine_if_any() -> Option<&'static Record> {
    MINE.get()
}

/// One entry of the calling thread's record, as the lock that pushed it
/// holds it: entries never move while they are in use (a release out of
/// order leaves a hole that the next pushes skip over once the top is
/// free), so updating one is a single store.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    rec: &'static Record,
    index: usize,
}

/// Records that the calling thread is about to take (`Transit`) or holds
/// (`Held`) `lock`. Returns the entry, or `None` when the hold could not be
/// recorded (the per-thread stack is full, the thread is being torn down,
/// or it has no record and may not allocate one here).
#[inline(always)]
pub(crate) fn push(
    lock: usize,
    name: Option<&'static str>,
    location: &'static Location<'static>,
    kind: HoldKind,
    state: HoldState,
) -> Option<Slot> {
    let rec = match MINE.get() {
        Some(r) => r,
        None => claim_if_allowed()?,
    };
    let n = rec.len.load(Relaxed);
    let e = rec.entries.get(n)?;
    e.lock.store(lock, Relaxed);
    e.name.store(pack_name(name), Relaxed);
    e.location
        .store(core::ptr::from_ref(location).cast_mut(), Relaxed);
    e.kind.store(kind as u8, Relaxed);
    e.state.store(state as u8, Relaxed);
    rec.len.store(n + 1, Release);
    Some(Slot { rec, index: n })
}

impl Slot {
    /// Moves the entry to `state` (and, when given, to a new acquisition
    /// site).
    #[inline(always)]
    pub(crate) fn set_state(self, state: HoldState, location: Option<&'static Location<'static>>) {
        if let Some(e) = self.rec.entries.get(self.index) {
            if let Some(at) = location {
                e.location
                    .store(core::ptr::from_ref(at).cast_mut(), Relaxed);
            }
            e.state.store(state as u8, Release);
        }
    }

    /// Forgets the entry.
    #[inline(always)]
    pub(crate) fn pop(self) {
        let rec = self.rec;
        let Some(e) = rec.entries.get(self.index) else {
            return;
        };
        e.state.store(0, Release);
        let n = rec.len.load(Relaxed);
        if self.index + 1 == n {
            // The top: drop it and any holes below it.
            let mut m = self.index;
            while m > 0
                && rec
                    .entries
                    .get(m - 1)
                    .is_some_and(|e| e.state.load(Relaxed) == 0)
            {
                m -= 1;
            }
            rec.len.store(m, Release);
        }
    }
}

/// The calling thread's most recent entry for `lock`, if any (for raw
/// locks, whose unlock has no guard to carry the [`Slot`]).
#[cfg_attr(not(feature = "lock_api"), allow(dead_code))]
pub(crate) fn find_mine(lock: usize) -> Option<Slot> {
    let rec = mine_if_any()?;
    let mut i = rec.len.load(Relaxed).min(MAX_HELD_PER_THREAD);
    while i > 0 {
        i -= 1;
        let e = rec.entries.get(i)?;
        if e.state.load(Relaxed) != 0 && e.lock.load(Relaxed) == lock {
            return Some(Slot { rec, index: i });
        }
    }
    None
}

const NAME_PTR_BITS: u32 = 48;
const NAME_PTR_MASK: u64 = (1 << NAME_PTR_BITS) - 1;

/// Packs a `&'static str` into one word; 0 means no name. Names whose
/// address does not fit 48 bits (never the case for string literals on
/// Linux's default address-space layout) are dropped, and names longer than
/// 65535 bytes are cut (at a character boundary when unpacked).
#[inline]
fn pack_name(name: Option<&'static str>) -> u64 {
    let Some(s) = name else { return 0 };
    let addr = s.as_ptr() as u64;
    if addr == 0 || addr & !NAME_PTR_MASK != 0 {
        return 0;
    }
    let len = s.len().min(0xffff) as u64;
    addr | (len << NAME_PTR_BITS)
}

fn unpack_name(word: u64) -> Option<&'static str> {
    let addr = word & NAME_PTR_MASK;
    if addr == 0 {
        return None;
    }
    let len = usize::try_from(word >> NAME_PTR_BITS).ok()?;
    // SAFETY: a non-zero word was produced by `pack_name` from a
    // `&'static str` (one atomic store, read with one atomic load, so the
    // address and length belong to the same string). The length is at most
    // that string's length, so the bytes are in bounds and live for
    // `'static`.
    let bytes = unsafe { core::slice::from_raw_parts(addr as usize as *const u8, len) };
    match core::str::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => core::str::from_utf8(bytes.get(..e.valid_up_to())?).ok(),
    }
}

fn read_entry(e: &Entry, tid: i32) -> Option<Hold> {
    let kind = HoldKind::from_u8(e.kind.load(Relaxed))?;
    let state = HoldState::from_u8(e.state.load(Acquire))?;
    let name = unpack_name(e.name.load(Relaxed));
    let loc = e.location.load(Relaxed);
    let location = if loc.is_null() {
        None
    } else {
        // SAFETY: `push` stores only `&'static Location<'static>` values
        // (from `#[track_caller]`), which live for the whole process.
        Some(unsafe { &*loc.cast_const() })
    };
    Some(Hold {
        lock: e.lock.load(Relaxed),
        name,
        location,
        kind,
        state,
        tid,
    })
}

/// Calls `f` for every lock held by a thread other than `except_tid`.
pub(crate) fn for_each_hold(except_tid: i32, mut f: impl FnMut(Hold)) {
    for rec in records() {
        if !rec.in_use.load(Acquire) {
            continue;
        }
        let tid = rec.tid.load(Relaxed);
        if tid == except_tid {
            continue;
        }
        let n = rec.len.load(Acquire).min(MAX_HELD_PER_THREAD);
        for e in rec.entries.iter().take(n) {
            if let Some(h) = read_entry(e, tid) {
                f(h);
            }
        }
    }
}

/// The hold of `lock` by some thread (other than `except_tid`) that has
/// taken it (state `Held`), if recorded.
#[cfg(test)]
pub(crate) fn find_holder(lock: usize, except_tid: i32) -> Option<Hold> {
    let mut found = None;
    for_each_hold(except_tid, |h| {
        if h.lock == lock && h.state == HoldState::Held && found.is_none() {
            found = Some(h);
        }
    });
    found
}

/// Whether the calling thread holds `lock` according to its record.
pub(crate) fn held_by_me(lock: usize) -> bool {
    let Some(rec) = mine_if_any() else {
        return false;
    };
    let n = rec.len.load(Relaxed).min(MAX_HELD_PER_THREAD);
    rec.entries
        .iter()
        .take(n)
        .any(|e| e.state.load(Relaxed) != 0 && e.lock.load(Relaxed) == lock)
}

/// Calls `f` for every entry of the threads that did not survive the fork
/// into this process: the records of an older fork generation, other than
/// the calling thread's. In the process that never forked there are none.
/// Never allocates; reads this process's own copy of the registry, which
/// in a child is frozen at the instant of fork.
pub(crate) fn for_each_hold_at_fork(mut f: impl FnMut(Hold)) {
    let now = generation();
    let mine = mine_if_any().map(core::ptr::from_ref);
    for rec in records() {
        if !rec.in_use.load(Acquire)
            || rec.generation.load(Relaxed) >= now
            || Some(core::ptr::from_ref(rec)) == mine
        {
            continue;
        }
        let tid = rec.tid.load(Relaxed);
        let n = rec.len.load(Acquire).min(MAX_HELD_PER_THREAD);
        for e in rec.entries.iter().take(n) {
            if let Some(h) = read_entry(e, tid) {
                f(h);
            }
        }
    }
}

/// Who held `lock` at the instant of fork, from the records of the threads
/// that did not survive it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HolderAtFork {
    /// A thread that held it (state `Held`): certain.
    pub(crate) held: Option<Hold>,
    /// The first thread that was acquiring or releasing it.
    pub(crate) transit: Option<Hold>,
    /// How many threads were acquiring or releasing it.
    pub(crate) transit_count: usize,
}

impl HolderAtFork {
    /// The thread to name: the holder, else the one thread in transit.
    pub(crate) fn best(&self) -> Option<Hold> {
        self.held.or(self.transit)
    }
}

/// See [`HolderAtFork`].
pub(crate) fn holder_at_fork(lock: usize) -> HolderAtFork {
    let mut out = HolderAtFork::default();
    for_each_hold_at_fork(|h| {
        if h.lock != lock {
            return;
        }
        match h.state {
            HoldState::Held => {
                if out.held.is_none() {
                    out.held = Some(h);
                }
            }
            HoldState::Transit => {
                if out.transit.is_none() {
                    out.transit = Some(h);
                }
                out.transit_count += 1;
            }
        }
    });
    out
}

/// In a fork child (called once, by the atfork child handler or the
/// raw-fork backstop): a new fork generation begins, and the forking
/// thread's record now belongs to this generation and to a thread with a
/// new tid (the child's pid). Every other record describes a thread that
/// does not exist here, and its holds are holds that will never be released.
pub(crate) fn adopt_after_fork(child_tid: i32) {
    let now = GENERATION_STASH.load(Relaxed).wrapping_add(1);
    super::state::MODE_PAGE.generation.store(now, Relaxed);
    if let Some(rec) = mine_if_any() {
        rec.tid.store(child_tid, Relaxed);
        rec.generation.store(now, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_one_word() {
        assert_eq!(unpack_name(pack_name(Some("registry"))), Some("registry"));
        assert_eq!(unpack_name(pack_name(None)), None);
        assert_eq!(unpack_name(pack_name(Some(""))), Some(""));
    }

    #[test]
    fn push_pop_and_find() {
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let here = Location::caller();
        let me = sys::gettid();
        let a = push(0x1000, Some("a"), here, HoldKind::Mutex, HoldState::Held).unwrap();
        let b = push(0x2000, None, here, HoldKind::Write, HoldState::Transit).unwrap();
        b.set_state(HoldState::Held, None);
        assert!(held_by_me(0x1000));
        // Other threads see our holds; we are excluded when asking for others.
        assert!(find_holder(0x2000, me).is_none());
        let seen = std::thread::spawn(move || find_holder(0x1000, sys::gettid()))
            .join()
            .unwrap()
            .expect("another thread sees the hold");
        assert_eq!(seen.tid, me);
        assert_eq!(seen.name, Some("a"));
        assert_eq!(seen.kind, HoldKind::Mutex);
        assert_eq!(seen.state, HoldState::Held);
        // This process never forked: nothing is held "at fork".
        assert!(holder_at_fork(0x1000).best().is_none());
        assert_eq!(seen.location.map(|l| l.line()), Some(here.line()));
        // Out-of-order release keeps the remaining hold intact, and its
        // slot keeps working.
        a.pop();
        assert!(!held_by_me(0x1000));
        assert!(held_by_me(0x2000));
        b.set_state(HoldState::Transit, None);
        let seen = std::thread::spawn(move || find_holder(0x2000, sys::gettid()))
            .join()
            .unwrap();
        assert!(seen.is_none(), "a hold in transit is not a certain holder");
        b.pop();
        assert!(!held_by_me(0x2000));
        // Both gone, the stack is empty again.
        assert_eq!(mine_if_any().map(|r| r.len.load(Relaxed)), Some(0));
    }
}

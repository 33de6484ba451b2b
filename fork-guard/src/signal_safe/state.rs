//! Process-wide guard state that the hot paths and the child side read:
//! the policy, and the mode word on the wipe-on-fork page.
//!
//! The mode word is the one value that `GuardAlloc` and the tracked locks
//! load on every operation. It equals [`ARMED`] in a parent and in a child
//! that needs no checks, so the fast path is one load from a fixed address
//! and one compare. Everything else (a child, a thread in child mode, a raw
//! fork that zeroed the page) takes the cold path in `child.rs`.

use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicPtr, AtomicU8, AtomicU32,
    Ordering::{AcqRel, Acquire, Relaxed},
};

pub(crate) use crate::policy::Policy;

static POLICY: AtomicU8 = AtomicU8::new(Policy::Trap.as_u8());

pub(crate) fn policy() -> Policy {
    Policy::from_u8(POLICY.load(Relaxed))
}

pub(crate) fn set_policy(p: Policy) {
    POLICY.store(p.as_u8(), Relaxed);
}

/// The mode word holds this in a parent and in an unrestricted child. A page
/// zeroed by the kernel (`MADV_WIPEONFORK`) reads 0, which is never `ARMED`.
pub(crate) const ARMED: u32 = 1;
/// Set in a child by the atfork child handler (or the raw-fork backstop):
/// tracked locks check whether another thread held them at fork.
pub(crate) const CHILD: u32 = 1 << 1;
/// Set in a child whose parent had other (not allow-listed) threads alive at
/// fork: every `GuardAlloc` operation and tracked lock is a hazard.
pub(crate) const RESTRICTED: u32 = 1 << 2;
/// Some thread called `enter_child_mode`; the cold path checks the calling
/// thread's flag.
pub(crate) const THREAD_CHILD_MODE: u32 = 1 << 3;

/// Set in a child once it is known to have started threads of its own: it
/// has left restricted mode, and contention on a lock that no vanished
/// thread held is ordinary.
pub(crate) const CHILD_THREADED: u32 = 1 << 4;

/// The page that holds the mode word: page-aligned and exactly one 4 KiB
/// page, so that nothing else shares it. `install` replaces it in place with
/// an anonymous `MADV_WIPEONFORK` page (see `wipeonfork.rs`), which keeps its
/// address: the fast path is a single load from a fixed address.
///
/// The other per-process flags live here too, for two reasons: a child
/// needs them zeroed anyway (nothing reported yet, census free), and the
/// parent never shares this page with a child, so writing them at every fork
/// costs the parent no copy-on-write fault, and the child one fault in all.
#[repr(C, align(4096))]
pub(crate) struct ModePage {
    pub(crate) word: AtomicU32,
    /// The process the page state belongs to: a zero mode word in this
    /// process is the moment `install` swaps the page, not a fork child.
    pub(crate) owner_pid: AtomicI32,
    /// Whether this process is a fork child the guard knows about, and how
    /// it learnt it (`CHILD_VIA_*`).
    pub(crate) in_child: AtomicU8,
    /// The census is taken (see `census::try_lock`).
    pub(crate) census_busy: AtomicBool,
    /// The prepare handler left the census taken across `fork`.
    pub(crate) census_held_across_fork: AtomicBool,
    /// Warn-mode reports already made in this process, one bit per kind, so
    /// a child that carries on does not repeat itself on every allocation.
    pub(crate) warned: AtomicU32,
    /// This process's fork generation (see `held::generation`): 0 in a
    /// process that is no fork child, set by the child handler or the
    /// backstop. On this page so that setting it costs a child no extra
    /// page fault.
    pub(crate) generation: AtomicU32,
    _rest: [u8; 4076],
}

/// The size of [`ModePage`].
pub(crate) const MODE_PAGE_SIZE: usize = 4096;
const _: () = assert!(size_of::<ModePage>() == MODE_PAGE_SIZE);

pub(crate) static MODE_PAGE: ModePage = ModePage {
    word: AtomicU32::new(ARMED),
    owner_pid: AtomicI32::new(0),
    in_child: AtomicU8::new(0),
    census_busy: AtomicBool::new(false),
    census_held_across_fork: AtomicBool::new(false),
    warned: AtomicU32::new(0),
    generation: AtomicU32::new(0),
    _rest: [0; 4076],
};

/// The process that called `install` (an ordinary static, written once).
/// While `install` swaps the page in, the word reads 0 in this process; the
/// backstop recognises it by this pid rather than mistaking it for a child.
pub(crate) static INSTALLER_PID: AtomicI32 = AtomicI32::new(0);

/// The fast-path test: `true` when no check is needed.
#[inline(always)]
pub(crate) fn fast_ok() -> bool {
    MODE_PAGE.word.load(Relaxed) == ARMED
}

pub(crate) fn mode() -> u32 {
    MODE_PAGE.word.load(Relaxed)
}

pub(crate) fn set_mode(v: u32) {
    MODE_PAGE.word.store(v, Relaxed);
}

pub(crate) fn add_mode_bits(bits: u32) {
    MODE_PAGE.word.fetch_or(bits, Relaxed);
}

pub(crate) fn clear_mode_bits(bits: u32) {
    MODE_PAGE.word.fetch_and(!bits, Relaxed);
}

/// Whether the wipe-on-fork backstop is in place (the kernel accepted
/// `MADV_WIPEONFORK`).
pub(crate) static BACKSTOP: AtomicBool = AtomicBool::new(false);

/// Set while a diagnostic is being written: `GuardAlloc` and the tracked
/// locks let everything through (and count allocations in the core phase).
pub(crate) static REPORTING: AtomicU8 = AtomicU8::new(0);
pub(crate) const REPORTING_CORE: u8 = 1;
pub(crate) const REPORTING_BEST_EFFORT: u8 = 2;
/// The thread writing the current report (allocations by other threads in
/// the meantime are not the report's).
pub(crate) static REPORTER_TID: AtomicI32 = AtomicI32::new(0);
/// Allocations seen by `GuardAlloc` on the reporting thread while the core
/// diagnostic was written.
/// Must stay 0; the report says so loudly if not.
pub(crate) static CORE_REPORT_ALLOCATIONS: AtomicU32 = AtomicU32::new(0);

/// Values of `ModePage::in_child`.
pub(crate) const CHILD_VIA_ATFORK: u8 = 1;
pub(crate) const CHILD_VIA_BACKSTOP: u8 = 2;

/// The thread-name allow-list: a leaked, immutable `Vec` replaced as a whole
/// on every addition (the old one is leaked too, because a reader in another
/// thread may still be walking it). Additions are rare and happen in normal
/// code; readers (the prepare handler, the backstop) never allocate.
static ALLOW: AtomicPtr<Vec<Box<str>>> = AtomicPtr::new(core::ptr::null_mut());

fn allow_list() -> &'static [Box<str>] {
    allow_list_at(ALLOW.load(Acquire))
}

/// Adds a thread-name pattern (exact, or prefix ending in `*`).
pub(crate) fn allow_thread(pattern: &str) {
    let mut current = ALLOW.load(Acquire);
    loop {
        let mut next: Vec<Box<str>> = allow_list_at(current).to_vec();
        next.push(pattern.into());
        let next = Box::into_raw(Box::new(next));
        match ALLOW.compare_exchange(current, next, AcqRel, Acquire) {
            Ok(_) => return,
            Err(now) => {
                // SAFETY: `next` was created just above by `Box::into_raw`
                // and was never published, so we still own it.
                drop(unsafe { Box::from_raw(next) });
                current = now;
            }
        }
    }
}

fn allow_list_at(p: *mut Vec<Box<str>>) -> &'static [Box<str>] {
    if p.is_null() {
        return &[];
    }
    // SAFETY: a non-null pointer here was published to `ALLOW` by
    // `allow_thread` (from `Box::into_raw`) and published lists are never
    // freed or mutated, so it is valid for `'static`.
    unsafe { (*p).as_slice() }
}

/// The allow-list as the census takes it: `None` when it is empty (then
/// thread names need not be read at fork).
pub(crate) fn allow_filter() -> Option<&'static dyn Fn(&str) -> bool> {
    if allow_list().is_empty() {
        None
    } else {
        Some(&thread_allowed)
    }
}

/// Whether a thread name matches the allow-list.
pub(crate) fn thread_allowed(name: &str) -> bool {
    allow_list()
        .iter()
        .any(|p| super::census::name_matches(p, name))
}

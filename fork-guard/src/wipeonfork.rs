//! The raw-fork backstop: the mode word on a `MADV_WIPEONFORK` page.
//!
//! A child created without libc's `fork` (raw `clone`, `SYS_fork`, `clone3`,
//! rustix's `kernel_fork`) runs no atfork handler. The kernel, however, zeroes
//! a wipe-on-fork page in every child that does not share the address space
//! (threads and `vfork`-style `CLONE_VM` children keep it). The mode word
//! lives on such a page: it reads `ARMED` in the parent and 0 in an
//! unannounced child, so `GuardAlloc` and the tracked locks notice with the
//! load they already do.
//!
//! The page is the static `MODE_PAGE` itself (page-aligned, one page, shared
//! with nothing else): `install` maps a fresh anonymous page over it with
//! `MAP_FIXED` and marks that wipe-on-fork, so the hot paths keep loading
//! from a fixed address. `MADV_WIPEONFORK` only applies to private anonymous
//! memory, which a static in the executable's data segment is not; hence the
//! remap.

use core::sync::atomic::Ordering::Relaxed;

use crate::signal_safe::state::{self, MODE_PAGE, MODE_PAGE_SIZE};
use crate::signal_safe::sys;

/// Swaps in the wipe-on-fork page. Returns whether the backstop is in place
/// (Linux 4.14+, 4 KiB pages); without it the guard works as before, raw
/// forks just go unnoticed.
pub(crate) fn install_page() -> bool {
    if page_size() != MODE_PAGE_SIZE {
        return false;
    }
    let before = state::mode();
    state::INSTALLER_PID.store(sys::getpid(), Relaxed);
    let addr = core::ptr::from_ref(&MODE_PAGE)
        .cast_mut()
        .cast::<libc::c_void>();
    // SAFETY: `MODE_PAGE` is page-aligned and exactly one page long (checked
    // above against the real page size and by a const assertion on its
    // size), so the mapping replaced by `MAP_FIXED` holds nothing but
    // `MODE_PAGE`. Its only field that is ever read is an `AtomicU32`, and a
    // fresh anonymous page reads as zeroes, so to the rest of the program
    // the remap is indistinguishable from an atomic store of 0 (the padding
    // was already zero). Concurrent readers in this process that see that 0
    // take the cold path, which recognises the installer pid and carries on.
    let mapped = unsafe {
        libc::mmap(
            addr,
            MODE_PAGE_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    if mapped != addr {
        // A failed MAP_FIXED leaves the old mapping in place.
        state::set_mode(before | state::ARMED);
        return false;
    }
    // SAFETY: `addr` is the start of the anonymous private mapping just made,
    // of `MODE_PAGE_SIZE` bytes; `madvise` only changes its fork behaviour.
    let wiped = unsafe { libc::madvise(addr, MODE_PAGE_SIZE, libc::MADV_WIPEONFORK) } == 0;
    // Restore the word (and any child-mode bits set before install).
    // Until then, a zero word sends this process's hot paths to the
    // backstop, which recognises the installer's pid and carries on.
    MODE_PAGE.owner_pid.store(sys::getpid(), Relaxed);
    state::add_mode_bits(before | state::ARMED);
    state::BACKSTOP.store(wiped, Relaxed);
    wiped
}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).unwrap_or(0)
}

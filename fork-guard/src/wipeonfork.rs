//! The raw-fork backstop: the mode word on a `MADV_WIPEONFORK` page.
//!
//! A child created without libc's `fork` (raw `clone`, `SYS_fork`, `clone3`,
//! rustix's `kernel_fork`) runs no atfork handler. The kernel, however, zeroes
//! a wipe-on-fork page in every child that does not share the address space
//! (threads and `vfork`-style `CLONE_VM` children keep it). The mode word
//! lives on such a page: it reads `ARMED` in the parent and 0 in an
//! unannounced child, so `GuardAlloc` and the tracked locks notice with the
//! load they already do.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use crate::signal_safe::state;

/// Maps the page and makes it the home of the mode word. Returns whether the
/// kernel accepted `MADV_WIPEONFORK` (Linux 4.14+); without it the page still
/// works as the mode word, there is just no backstop.
pub(crate) fn install_page() -> bool {
    // SAFETY: an anonymous private mapping with no address hint has no
    // preconditions; we check for `MAP_FAILED` before using it.
    let page = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            page_size(),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return false;
    }
    // SAFETY: `page` is the start of the mapping just created, of
    // `page_size()` bytes; `madvise` only changes its fork behaviour.
    let wiped = unsafe { libc::madvise(page, page_size(), libc::MADV_WIPEONFORK) } == 0;
    // SAFETY: the mapping is page-aligned (so aligned for `AtomicU32`),
    // readable and writable, zero-filled (a valid `AtomicU32`), and never
    // unmapped, so the reference is valid for `'static`. Nothing else in the
    // process knows its address yet, so no other reference aliases it.
    let word: &'static AtomicU32 = unsafe { &*page.cast::<AtomicU32>() };
    word.store(0, Relaxed);
    state::use_mode_page(word);
    state::BACKSTOP.store(wiped, Relaxed);
    wiped
}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|n| *n > 0).unwrap_or(4096)
}

//! `GuardAlloc<A>`: a `GlobalAlloc` wrapper that lets the guard see
//! allocations in a child.

use core::alloc::{GlobalAlloc, Layout};

/// A global allocator wrapper: forwards everything to `A`, and in a fork
/// child whose parent had other threads alive (or on a thread in child
/// mode) reports the allocation as a hazard first.
///
/// ```
/// #[global_allocator]
/// static ALLOC: fork_guard::GuardAlloc<std::alloc::System> =
///     fork_guard::GuardAlloc::new(std::alloc::System);
/// # fn main() {}
/// ```
///
/// Cost in a parent: one pointer load, one value load and one compare per
/// call (the mode word on the wipe-on-fork page). Deallocation and
/// reallocation count as allocator operations: `free` takes the same arena
/// locks as `malloc`. In release builds without the `release` feature it
/// forwards and does nothing else.
#[derive(Debug, Default)]
pub struct GuardAlloc<A> {
    inner: A,
}

impl<A> GuardAlloc<A> {
    /// Wraps `inner`.
    pub const fn new(inner: A) -> Self {
        GuardAlloc { inner }
    }

    /// The wrapped allocator.
    pub const fn inner(&self) -> &A {
        &self.inner
    }
}

#[cfg(fork_guard_active)]
mod active {
    use super::*;
    use crate::signal_safe::child;
    use crate::signal_safe::report::AllocOp;
    use crate::signal_safe::state;

    // SAFETY: every method forwards to `A`'s implementation with the same
    // arguments and returns its result unchanged, so `A`'s guarantees hold;
    // the check before it never touches the memory in question, never
    // allocates and either returns or aborts the process.
    unsafe impl<A: GlobalAlloc> GlobalAlloc for GuardAlloc<A> {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if !state::fast_ok() {
                child::on_alloc(AllocOp::Alloc, layout.size());
            }
            // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract,
            // which is the one we forward to.
            unsafe { self.inner.alloc(layout) }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            if !state::fast_ok() {
                child::on_alloc(AllocOp::AllocZeroed, layout.size());
            }
            // SAFETY: as for `alloc`.
            unsafe { self.inner.alloc_zeroed(layout) }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if !state::fast_ok() {
                child::on_alloc(AllocOp::Dealloc, layout.size());
            }
            // SAFETY: the caller upholds `dealloc`'s contract (`ptr` came
            // from this allocator with `layout`), and this allocator's
            // memory is `A`'s.
            unsafe { self.inner.dealloc(ptr, layout) }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if !state::fast_ok() {
                child::on_alloc(AllocOp::Realloc, new_size);
            }
            // SAFETY: as for `dealloc`; `new_size` is forwarded unchanged.
            unsafe { self.inner.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(not(fork_guard_active))]
// SAFETY: every method forwards to `A`'s implementation unchanged.
unsafe impl<A: GlobalAlloc> GlobalAlloc for GuardAlloc<A> {
    #[inline(always)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds the contract we forward to.
        unsafe { self.inner.alloc(layout) }
    }
    #[inline(always)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds the contract we forward to.
        unsafe { self.inner.alloc_zeroed(layout) }
    }
    #[inline(always)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds the contract we forward to.
        unsafe { self.inner.dealloc(ptr, layout) }
    }
    #[inline(always)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds the contract we forward to.
        unsafe { self.inner.realloc(ptr, layout, new_size) }
    }
}

#[cfg(all(test, fork_guard_active))]
mod tests {
    use super::*;
    use crate::signal_safe::state;
    use core::sync::atomic::Ordering::Relaxed;

    /// The counter that proves the core report allocation-free does see
    /// allocations made through `GuardAlloc` while a core report is written.
    #[test]
    fn core_report_phase_counts_allocations() {
        static A: GuardAlloc<std::alloc::System> = GuardAlloc::new(std::alloc::System);
        let _serial = crate::TEST_SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        // Force the cold path: a mode word other than ARMED.
        let before = state::CORE_REPORT_ALLOCATIONS.load(Relaxed);
        state::REPORTER_TID.store(crate::signal_safe::sys::gettid(), Relaxed);
        state::REPORTING.store(state::REPORTING_CORE, Relaxed);
        state::add_mode_bits(state::THREAD_CHILD_MODE);
        let layout = Layout::from_size_align(32, 8).unwrap();
        // SAFETY: a non-zero-size layout; the block is freed just below.
        let p = unsafe { A.alloc(layout) };
        assert!(!p.is_null());
        // SAFETY: `p` came from `A.alloc(layout)`.
        unsafe { A.dealloc(p, layout) };
        state::REPORTING.store(0, Relaxed);
        state::set_mode(state::mode() & !state::THREAD_CHILD_MODE);
        assert_eq!(state::CORE_REPORT_ALLOCATIONS.load(Relaxed), before + 2);
    }
}

//! The child-side zone.
//!
//! **Architecture Invariant:** everything reachable from the atfork child
//! handler, from the cold paths that `GuardAlloc` and the tracked locks take
//! in a child, or from a diagnostic written in a child lives under this
//! module, and none of it allocates, takes a lock, uses `std::io` or
//! `std::fmt`, or panics (no indexing that can panic, no `unwrap`). Output
//! goes through [`writer::Writer`], a fixed buffer over `write(2)`; the end is
//! `abort()`. The one exception is the best-effort tail of a fatal report
//! (symbolisation), which runs after the core message is out and under an
//! `alarm(2)` that aborts if it hangs.
//!
//! The zone may use `unsafe` (raw system calls, the census cell, the leaked
//! registry records); every use carries a `// SAFETY:` argument.

pub(crate) mod census;
pub(crate) mod child;
pub(crate) mod held;
pub(crate) mod report;
#[cfg(fork_guard_sentinel)]
pub(crate) mod sentinel_child;
pub(crate) mod state;
pub(crate) mod sys;
pub(crate) mod trace;
pub(crate) mod writer;

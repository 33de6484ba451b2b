//! The knowledge base: what fork-lint knows about APIs outside the crate
//! being checked. **Architecture Invariant:** this table is the only place
//! that says what is async-signal-safe and what is a hazard; rules and the
//! analysis ask it, they never name an API themselves.
//!
//! Entries are data (`static` slices, one file per API family). Paths are
//! canonical, as written after `use` resolution: `std::env::var`,
//! `libc::malloc`, `nix::unistd::execv`. Re-exports are listed under every
//! public path users write (`std::process::exit` and `std::process::abort`,
//! `nix::unistd::fork`), and `core::`/`alloc::` paths are looked up as
//! `std::` ones (see [`canonical_std`]).

use crate::diagnostic::Level;
use crate::rules::RuleId;

mod posix;
mod table_std;
mod table_libc;
mod table_nix;
mod table_rustix;
mod table_fork_crate;

pub use posix::{POSIX_EDITION, POSIX_SAFE, PosixChange, POSIX_CHANGES};

/// What calling an API in a forked child means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Async-signal-safe (or pure computation): nothing to report.
    Safe,
    /// A hazard of the given rule at the given level.
    Hazard(RuleId, Level),
    /// Safe while the path argument is shorter than `limit` bytes, allocates
    /// above it (std 384, nix 1024, rustix 256 bytes). When the length is not
    /// known statically, reported as `alloc` at warning level, and the
    /// message says so.
    PathArgument { limit: usize },
    /// Replaces the process image; returns only on failure, so the child
    /// region continues after it.
    Exec,
    /// Ends the child region: `_exit`, `abort`, `exit_group`, `kill(self)`.
    /// (`std::process::exit` is a hazard of rule `exit`, and also ends it.)
    Terminates,
    /// Creates a child process: the start of a child region.
    Fork(ForkKind),
    /// Runs its argument (a closure or fn path) in a child: `pre_exec`,
    /// `before_exec`, `clone` callbacks. `arg` is the 0-based argument index.
    RunsInChild { arg: usize },
}

/// How the fork site shares memory with the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForkKind {
    /// `fork`, `_Fork`, `SYS_fork`, `clone` without `CLONE_VM`.
    Fork,
    /// `vfork`: the child borrows the parent's memory until exec/_exit.
    Vfork,
}

/// What shape of call an entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    /// A free function or associated function called by path
    /// (`std::env::var`, `String::from`, `libc::fork`).
    Function,
    /// A method called with `.name()`. `receivers` lists the type names the
    /// receiver may have (last path segment, e.g. `Mutex`); empty means any
    /// receiver (then a match is a name-only guess unless the name is unique).
    Method { receivers: &'static [&'static str] },
    /// A macro invocation `name!(..)`, keyed by its path (`std::println`,
    /// `println`).
    Macro,
}

/// One knowledge entry.
#[derive(Debug, Clone, Copy)]
pub struct ApiEntry {
    /// Canonical path for functions and macros; the bare method name for
    /// methods (`lock`).
    pub path: &'static str,
    pub kind: ApiKind,
    pub verdict: Verdict,
    /// Why, in a clause that completes "this call ...", lowercase, e.g.
    /// "allocates a `String` for the value".
    pub reason: &'static str,
    /// What to do instead, or "" when the verdict is `Safe`.
    pub fix: &'static str,
}

/// How sure a lookup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// The method name alone matched; the receiver type is unknown.
    NameOnly,
    /// The path or the receiver type matched.
    Exact,
}

/// The tables, in lookup order; `extra` (from configuration) comes first so a
/// project can override a built-in verdict.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub extra: Vec<ApiEntry>,
}

/// All built-in tables.
pub fn builtin() -> impl Iterator<Item = &'static ApiEntry> {
    table_std::ENTRIES
        .iter()
        .chain(table_libc::ENTRIES)
        .chain(table_nix::ENTRIES)
        .chain(table_rustix::ENTRIES)
        .chain(table_fork_crate::ENTRIES)
}

/// `core::x` and `alloc::x` are the same items as `std::x`.
pub fn canonical_std(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["core::", "alloc::"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return format!("std::{rest}").into();
        }
    }
    path.into()
}

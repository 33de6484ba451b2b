//! What each fork function returns in the child and in the parent, as data.
//!
//! The flow analysis (`crate::flow`) follows these values through the
//! program: comparisons on the pid, `match` on `ForkResult`, `?`,
//! `is_child()`, wrappers of the crate. Each side is a small pattern
//! language, read by `flow::value::Shape::parse`:
//!
//! - `0`, `+`, `-`: an integer that is zero, positive, negative;
//! - `_`: any value;
//! - `Name` or `Name(a, b)` or `Name{..}`: an enum variant by its last path
//!   segment (`Ok`, `Err`, `Some`, `None`, `Child`, `Parent`), with the
//!   shapes of its fields (`{..}`: fields not tracked);
//! - `a | b`: either.
//!
//! A fork function without a row here returns an integer pid (`0` in the
//! child, positive or negative in the parent), as `libc::fork` does.

/// The values a fork function returns on each side.
#[derive(Debug, Clone, Copy)]
pub struct ForkResultShape {
    /// Canonical path, as in the knowledge tables.
    pub path: &'static str,
    /// What the child sees.
    pub child: &'static str,
    /// What the parent sees (including failure, when the fork failed and
    /// no child exists).
    pub parent: &'static str,
}

/// The integer convention of `fork(2)`.
pub const PID: ForkResultShape = ForkResultShape {
    path: "",
    child: "0",
    parent: "+ | -",
};

pub static FORK_RESULTS: &[ForkResultShape] = &[
    ForkResultShape {
        path: "libc::fork",
        ..PID
    },
    ForkResultShape {
        path: "libc::_Fork",
        ..PID
    },
    ForkResultShape {
        path: "libc::vfork",
        ..PID
    },
    // `daemon(3)`: the parent exits inside; the caller sees 0 in the
    // daemon, -1 when the first fork failed.
    ForkResultShape {
        path: "libc::daemon",
        child: "0",
        parent: "-",
    },
    ForkResultShape {
        path: "nix::unistd::fork",
        child: "Ok(Child)",
        parent: "Ok(Parent{..}) | Err(_)",
    },
    // `forkpty(3)` is `fork` after opening the pseudo-terminal.
    ForkResultShape {
        path: "libc::forkpty",
        ..PID
    },
    // nix 0.29 and later: `ForkptyResult::{Child, Parent { child, master }}`.
    ForkResultShape {
        path: "nix::pty::forkpty",
        child: "Ok(Child)",
        parent: "Ok(Parent{..}) | Err(_)",
    },
    ForkResultShape {
        path: "nix::unistd::daemon",
        child: "Ok(_)",
        parent: "Err(_)",
    },
    ForkResultShape {
        path: "fork::fork",
        child: "Ok(Child)",
        parent: "Ok(Parent(+)) | Err(_)",
    },
    ForkResultShape {
        path: "fork::fork_process",
        child: "Ok(Child)",
        parent: "Ok(Parent(_)) | Err(_)",
    },
    ForkResultShape {
        path: "fork::daemon",
        child: "Ok(Child)",
        parent: "Err(_)",
    },
    ForkResultShape {
        path: "rustix::runtime::kernel_fork",
        child: "Ok(Child(_))",
        parent: "Ok(ParentOf(_)) | Err(_)",
    },
    ForkResultShape {
        path: "rustix::runtime::fork",
        child: "Ok(None)",
        parent: "Ok(Some(_)) | Err(_)",
    },
];

/// A type whose values are fork results, with the value each side holds.
/// A function that receives one as a parameter (or is a method on it) is
/// split like a fork: its child world sees `child`, its parent world
/// `parent` (`fn after_fork(r: ForkResult)`, `impl Shell for pty::Fork`).
#[derive(Debug, Clone, Copy)]
pub struct ForkResultType {
    /// Canonical path, as name resolution gives it.
    pub path: &'static str,
    pub child: &'static str,
    pub parent: &'static str,
}

pub static FORK_RESULT_TYPES: &[ForkResultType] = &[
    ForkResultType {
        path: "nix::unistd::ForkResult",
        child: "Child",
        parent: "Parent{..}",
    },
    ForkResultType {
        path: "nix::pty::ForkptyResult",
        child: "Child",
        parent: "Parent{..}",
    },
    ForkResultType {
        path: "fork::Fork",
        child: "Child",
        parent: "Parent(_)",
    },
    // The `pty` crate: `Fork::from_ptmx()` forks and returns
    // `Child(Slave)` or `Parent(pid, Master)`; `is_child()`/`is_parent()`
    // return a `Result` that is `Ok` on the named side.
    ForkResultType {
        path: "pty::fork::Fork",
        child: "Child(_)",
        parent: "Parent(_, _)",
    },
    ForkResultType {
        path: "pty::prelude::Fork",
        child: "Child(_)",
        parent: "Parent(_, _)",
    },
    ForkResultType {
        path: "rustix::runtime::Fork",
        child: "Child(_)",
        parent: "ParentOf(_)",
    },
];

/// The fork-result type at `path`, if it is one.
pub fn fork_result_type(path: &str) -> Option<&'static ForkResultType> {
    FORK_RESULT_TYPES.iter().find(|t| t.path == path)
}

/// The result shapes of the fork function at `path` ([`PID`] when not
/// listed).
pub fn fork_result(path: &str) -> ForkResultShape {
    FORK_RESULTS
        .iter()
        .find(|r| r.path == path)
        .copied()
        .unwrap_or(PID)
}

/// Macros that never return (they panic); a child region ends there (the
/// `panic` rule reports them).
pub static DIVERGING_MACROS: &[&str] = &["panic", "unreachable", "todo", "unimplemented"];

//! The `fork` crate (checked against fork 0.11.0; the older 0.2 API has the
//! same free functions).
//!
//! `fork::fork` is `libc::fork` mapped to `Ok(Fork::Child)` in the child and
//! `Ok(Fork::Parent(pid))` in the parent. `fork::daemon` forks twice; both
//! parents `_exit`, so its `Ok(Fork::Child)` return is a child region that
//! lasts for the rest of the program. The helpers `setsid`, `chdir` (to
//! `c"/"`), `close_fd`, `redirect_stdio` and the `waitpid` family call libc
//! directly and build errors only with `io::Error::last_os_error`.

use super::ApiEntry;
use super::build::*;

const SYS: &str =
    "calls libc directly and reports errors with `io::Error::last_os_error`, without allocating";
const PURE: &str = "is the libc status macro, re-exported: pure arithmetic";

pub(super) static ENTRIES: &[ApiEntry] = &[
    func(
        "fork::fork",
        FORK,
        "creates a child process; the child sees `Ok(Fork::Child)`",
        "",
    ),
    func(
        "fork::fork_process",
        FORK,
        "creates a child process; the child sees `Ok(ProcessFork::Child)`",
        "",
    ),
    func(
        "fork::daemon",
        FORK,
        "forks twice; only the grandchild returns, with `Ok(Fork::Child)`",
        "",
    ),
    safe("fork::setsid", SYS),
    safe(
        "fork::chdir",
        "changes to `/` with a static C string, without allocating",
    ),
    safe("fork::close_fd", SYS),
    safe("fork::redirect_stdio", SYS),
    safe("fork::getpid", SYS),
    safe("fork::getppid", SYS),
    safe("fork::getpgrp", SYS),
    safe("fork::waitpid", SYS),
    safe("fork::waitpid_nohang", SYS),
    safe("fork::wait_any", SYS),
    safe("fork::wait_any_nohang", SYS),
    safe("fork::signal_process", SYS),
    safe("fork::WIFEXITED", PURE),
    safe("fork::WEXITSTATUS", PURE),
    safe("fork::WIFSIGNALED", PURE),
    safe("fork::WTERMSIG", PURE),
];

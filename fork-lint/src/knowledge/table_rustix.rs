//! `rustix` 0.38 and 1.x (checked against the sources of 0.38.44 and 1.1.6).
//!
//! rustix calls the kernel directly (`linux_raw` backend) and allocates only
//! for paths of 256 bytes or more (`SMALL_PATH_BUFFER_SIZE`: shorter paths
//! are copied to a stack buffer) and for functions that return owned
//! buffers. `rustix::stdio::stdout()` is a `BorrowedFd`, not a locked stream.

use super::ApiEntry;
use super::build::*;

const PATH_256: super::Verdict = super::Verdict::PathArgument { limit: 256 };
const SYS: &str = "is one system call and does not allocate";
const PATH: &str = "is one system call on the path, copied to a 256-byte stack buffer";
const FIX_PATH: &str = "keep the path under 256 bytes, or pass a `&CStr` built before fork";

pub(super) static ENTRIES: &[ApiEntry] = &[
    // ---- runtime ----
    func(
        "rustix::runtime::kernel_fork",
        FORK,
        "forks with the raw system call, without `pthread_atfork` handlers",
        "",
    ),
    func(
        "rustix::runtime::fork",
        FORK,
        "forks with the raw system call, without `pthread_atfork` handlers (rustix 0.38)",
        "",
    ),
    func(
        "rustix::runtime::execve",
        EXEC,
        "replaces the process image and returns only on failure",
        "",
    ),
    func(
        "rustix::runtime::execveat",
        EXEC,
        "replaces the process image and returns only on failure",
        "",
    ),
    func(
        "rustix::runtime::kernel_execve",
        EXEC,
        "replaces the process image and returns only on failure",
        "",
    ),
    func(
        "rustix::runtime::exit_group",
        TERMINATES,
        "ends every thread of the process at once, without atexit handlers",
        "",
    ),
    func(
        "rustix::runtime::exit_thread",
        TERMINATES,
        "ends the calling thread, which is the whole child after fork",
        "",
    ),
    // ---- process ----
    func("rustix::process::chdir", PATH_256, PATH, FIX_PATH),
    func("rustix::process::chroot", PATH_256, PATH, FIX_PATH),
    func("rustix::process::pivot_root", PATH_256, PATH, FIX_PATH),
    func(
        "rustix::process::getcwd",
        ALLOC,
        "grows the given `Vec` until the name fits",
        "read it before fork",
    ),
    func(
        "rustix::process::getgroups",
        ALLOC,
        "returns an allocated `Vec`",
        "read it before fork",
    ),
    safe("rustix::process::fchdir", SYS),
    safe("rustix::process::getpid", SYS),
    safe("rustix::process::getppid", SYS),
    safe("rustix::process::getpgid", SYS),
    safe("rustix::process::getpgrp", SYS),
    safe("rustix::process::setpgid", SYS),
    safe("rustix::process::setsid", SYS),
    safe("rustix::process::getsid", SYS),
    safe("rustix::process::getuid", SYS),
    safe("rustix::process::geteuid", SYS),
    safe("rustix::process::getgid", SYS),
    safe("rustix::process::getegid", SYS),
    safe("rustix::process::kill_process", SYS),
    safe("rustix::process::kill_process_group", SYS),
    safe("rustix::process::kill_current_process_group", SYS),
    safe("rustix::process::umask", SYS),
    safe("rustix::process::wait", SYS),
    safe("rustix::process::waitpid", SYS),
    safe("rustix::process::waitid", SYS),
    safe("rustix::process::waitpgid", SYS),
    safe("rustix::process::setrlimit", SYS),
    safe("rustix::process::getrlimit", SYS),
    safe("rustix::process::prlimit", SYS),
    safe("rustix::process::set_parent_process_death_signal", SYS),
    safe("rustix::process::set_child_subreaper", SYS),
    safe("rustix::process::set_dumpable_behavior", SYS),
    safe("rustix::process::setpriority_process", SYS),
    safe("rustix::process::ioctl_tiocsctty", SYS),
    safe("rustix::process::pidfd_open", SYS),
    safe("rustix::process::pidfd_send_signal", SYS),
    safe("rustix::thread::set_thread_uid", SYS),
    safe("rustix::thread::set_thread_gid", SYS),
    safe("rustix::thread::set_thread_res_uid", SYS),
    safe("rustix::thread::set_thread_res_gid", SYS),
    safe("rustix::thread::set_thread_groups", SYS),
    safe("rustix::thread::set_no_new_privs", SYS),
    safe("rustix::thread::unshare", SYS),
    safe("rustix::thread::nanosleep", SYS),
    // ---- io, pipe, stdio ----
    safe("rustix::io::close", SYS),
    safe("rustix::io::dup", SYS),
    safe("rustix::io::dup2", SYS),
    safe("rustix::io::dup3", SYS),
    safe("rustix::io::read", SYS),
    safe("rustix::io::write", SYS),
    safe("rustix::io::pread", SYS),
    safe("rustix::io::pwrite", SYS),
    safe("rustix::io::readv", SYS),
    safe("rustix::io::writev", SYS),
    safe("rustix::io::fcntl_getfd", SYS),
    safe("rustix::io::fcntl_setfd", SYS),
    safe("rustix::io::fcntl_dupfd_cloexec", SYS),
    safe("rustix::io::ioctl_fioclex", SYS),
    safe(
        "rustix::io::retry_on_intr",
        "retries the closure while it fails with `EINTR`",
    ),
    safe("rustix::pipe::pipe", SYS),
    safe("rustix::pipe::pipe_with", SYS),
    safe(
        "rustix::stdio::stdin",
        "returns a `BorrowedFd` for descriptor 0, with no lock or buffer",
    ),
    safe(
        "rustix::stdio::stdout",
        "returns a `BorrowedFd` for descriptor 1, with no lock or buffer",
    ),
    safe(
        "rustix::stdio::stderr",
        "returns a `BorrowedFd` for descriptor 2, with no lock or buffer",
    ),
    safe("rustix::stdio::dup2_stdin", SYS),
    safe("rustix::stdio::dup2_stdout", SYS),
    safe("rustix::stdio::dup2_stderr", SYS),
    // ---- fs ----
    func("rustix::fs::open", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::openat", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::mkdir", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::mkdirat", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::unlink", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::unlinkat", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::rename", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::stat", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::lstat", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::statat", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::access", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::chmod", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::chown", PATH_256, PATH, FIX_PATH),
    func("rustix::fs::symlink", PATH_256, PATH, FIX_PATH),
    func(
        "rustix::fs::readlink",
        ALLOC,
        "returns the target in an allocated `CString`",
        "read it before fork",
    ),
    safe("rustix::fs::fstat", SYS),
    safe("rustix::fs::fchmod", SYS),
    safe("rustix::fs::fchown", SYS),
    safe("rustix::fs::fsync", SYS),
    safe("rustix::fs::ftruncate", SYS),
    safe("rustix::fs::flock", SYS),
    safe("rustix::fs::fcntl_setfl", SYS),
];

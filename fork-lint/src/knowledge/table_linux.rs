//! Linux process set-up crates called between fork and exec: `prctl`
//! (checked against prctl 1.0.0), `procfs` (0.18.0), `caps` (0.5.6),
//! `seccompiler` (0.5.0), `libseccomp` (0.4.0, and libseccomp's C
//! `sys_filter_load`), `signal-hook` (0.3.18 and 0.4.6, with
//! signal-hook-registry 1.4.8), `close_fds` (0.3.2) and `errno` (0.3.15).
//!
//! - `prctl`: one `prctl(2)` call with integer or stack-buffer arguments and
//!   the `errno` as the error, except `set_name` (copies the name into a
//!   `CString`, and panics on an interior NUL), `get_name` (returns a
//!   `CString`) and the securebits pair (a `Vec`).
//! - `procfs`: every reader builds paths and parses `/proc` files into
//!   owned values, and `Process::new*` reads the kernel version through a
//!   lazily initialised static.
//! - `caps`: errors are `format!`ed `String`s; `read`/`raise`/`drop`/`all`
//!   build a `HashSet` of capabilities.
//! - `seccompiler::apply_filter` is `prctl(PR_SET_NO_NEW_PRIVS)` plus the
//!   `seccomp` system call on a program compiled earlier: the intended
//!   pattern is to compile in the parent and apply in the child. Compiling
//!   allocates (`compile_from_json`; a `SeccompFilter` built by hand is
//!   judged by the `Vec`s and maps it is built from). libseccomp's `load`
//!   generates the BPF program with `malloc` at load time, so even a filter
//!   built in the parent allocates in the child when loaded.
//! - `signal-hook`: the `low_level` helpers documented as
//!   async-signal-safe are (`raise`, `exit`, `abort`, `signal_name`,
//!   `emulate_default_handler`); registering or unregistering a handler
//!   takes the registry's write `Mutex` and allocates.
//! - `close_fds` is `#![no_std]` without `alloc` and documents every
//!   function as async-signal-safe (`close_range`, `getdents`, `fcntl`).
//! - `errno` reads and writes `errno` through `__errno_location`.

use super::ApiEntry;
use super::build::*;

const PRCTL: &str =
    "is one `prctl` system call with integer arguments, returning `errno` on failure";
const PROCFS: &str = "builds paths and reads `/proc` files into owned, allocated values";
const FIX_PROCFS: &str = "read what the child needs from `/proc` before fork";
const CAPS_SET: &str = "builds a `HashSet` of capabilities, and its error messages with `format!`";
const CAPS_ERR: &str = "builds its error message with `format!` when the system call fails";
const FIX_CAPS: &str = "compute the capability masks before fork and call `libc::capset` or `libc::prctl` in the child";
const SECCOMP_BUILD: &str = "builds the filter's rules and BPF program in allocated memory";
const FIX_SECCOMP: &str = "compile the filter into a `BpfProgram` before fork and apply it in the child with `seccompiler::apply_filter`";
const LIBSECCOMP: &str = "calls into libseccomp, which allocates the filter state with `malloc`";
const LIBSECCOMP_LOAD: &str =
    "calls `seccomp_load`, which generates the BPF program with `malloc` before loading it";
const FIX_LIBSECCOMP: &str = "export the program with `export_bpf` before fork, read it into a `Vec<sock_filter>`, and install it in the child with `seccompiler::apply_filter` or the raw `seccomp` system call";
const SIGNAL_REGISTER: &str =
    "takes the signal-hook registry's write `Mutex` and allocates the handler";
const FIX_SIGNAL: &str = "register handlers in the parent; in the child use `libc::sigaction` with a plain `extern \"C\"` handler";
const SIGNAL_SAFE: &str = "is documented async-signal-safe: plain `libc` calls on its arguments";
const CLOSE_FDS: &str = "is async-signal-safe by design: `no_std`, no allocation, `close_range`/`getdents`/`fcntl` system calls";

pub(super) static ENTRIES: &[ApiEntry] = &[
    // ---- prctl ----
    func(
        "prctl::set_name",
        ALLOC,
        "copies the name into a new `CString` (and panics on an interior NUL)",
        "build the name as a NUL-terminated byte array before fork and call `libc::prctl(libc::PR_SET_NAME, ..)`",
    ),
    func(
        "prctl::get_name",
        ALLOC,
        "returns the name in a new `CString`",
        "call `libc::prctl(libc::PR_GET_NAME, ..)` with a 16-byte stack buffer",
    ),
    func(
        "prctl::get_securebits",
        ALLOC,
        "collects the bits into a new `Vec`",
        "call `libc::prctl(libc::PR_GET_SECUREBITS, ..)`",
    ),
    func(
        "prctl::set_securebits",
        ALLOC,
        "takes the bits as a `Vec` and frees it",
        "compute the mask before fork and call `libc::prctl(libc::PR_SET_SECUREBITS, ..)`",
    ),
    safe("prctl::get_death_signal", PRCTL),
    safe("prctl::set_death_signal", PRCTL),
    safe("prctl::get_dumpable", PRCTL),
    safe("prctl::set_dumpable", PRCTL),
    safe("prctl::set_no_new_privileges", PRCTL),
    safe("prctl::get_no_new_privileges", PRCTL),
    safe("prctl::set_unaligned_access", PRCTL),
    safe("prctl::get_unaligned_access", PRCTL),
    safe("prctl::set_keep_capabilities", PRCTL),
    safe("prctl::get_keep_capabilities", PRCTL),
    safe("prctl::get_fpemu", PRCTL),
    safe("prctl::set_fpemu", PRCTL),
    safe("prctl::get_timing", PRCTL),
    safe("prctl::set_timing", PRCTL),
    safe("prctl::get_endian", PRCTL),
    safe("prctl::set_endian", PRCTL),
    safe("prctl::get_seccomp", PRCTL),
    safe("prctl::set_seccomp_strict", PRCTL),
    safe("prctl::get_tsc", PRCTL),
    safe("prctl::set_tsc", PRCTL),
    safe("prctl::disable_perf_events", PRCTL),
    safe("prctl::enable_perf_events", PRCTL),
    safe("prctl::get_child_subreaper", PRCTL),
    safe("prctl::set_child_subreaper", PRCTL),
    safe("prctl::get_thp_disable", PRCTL),
    safe("prctl::set_thp_disable", PRCTL),
    safe("prctl::read_capability", PRCTL),
    safe("prctl::drop_capability", PRCTL),
    safe("prctl::get_timer_slack", PRCTL),
    safe("prctl::set_timer_slack", PRCTL),
    safe("prctl::clear_mce_kill", PRCTL),
    safe("prctl::set_mce_kill", PRCTL),
    safe("prctl::get_mce_kill", PRCTL),
    safe("prctl::set_mm", PRCTL),
    // ---- procfs ----
    func(
        "procfs::process::Process::myself",
        ALLOC,
        PROCFS,
        FIX_PROCFS,
    ),
    func("procfs::process::Process::new", ALLOC, PROCFS, FIX_PROCFS),
    func(
        "procfs::process::Process::new_with_root",
        ALLOC,
        PROCFS,
        FIX_PROCFS,
    ),
    func("procfs::process::all_processes", ALLOC, PROCFS, FIX_PROCFS),
    func(
        "procfs::process::all_processes_with_root",
        ALLOC,
        PROCFS,
        FIX_PROCFS,
    ),
    func("procfs::boot_time", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::boot_time_secs", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::cmdline", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::mounts", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::vmstat", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::modules", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::kernel_config", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::diskstats", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::partitions", ALLOC, PROCFS, FIX_PROCFS),
    func("procfs::locks", ALLOC, PROCFS, FIX_PROCFS),
    // ---- caps ----
    func("caps::read", ALLOC, CAPS_SET, FIX_CAPS),
    func("caps::raise", ALLOC, CAPS_SET, FIX_CAPS),
    func("caps::drop", ALLOC, CAPS_SET, FIX_CAPS),
    func("caps::all", ALLOC, CAPS_SET, FIX_CAPS),
    func("caps::set", ALLOC, CAPS_SET, FIX_CAPS),
    func(
        "caps::clear",
        ALLOC,
        "builds the full capability set to clear the bounding set, and its error messages with `format!`",
        FIX_CAPS,
    ),
    func("caps::has_cap", ALLOC, CAPS_ERR, FIX_CAPS),
    func(
        "caps::to_canonical",
        ALLOC,
        "returns an upper-cased copy of the name",
        FIX_CAPS,
    ),
    func(
        "caps::runtime::ambient_set_supported",
        ALLOC,
        CAPS_ERR,
        FIX_CAPS,
    ),
    func(
        "caps::runtime::procfs_all_supported",
        ALLOC,
        PROCFS,
        FIX_CAPS,
    ),
    func(
        "caps::runtime::thread_all_supported",
        ALLOC,
        CAPS_SET,
        FIX_CAPS,
    ),
    // ---- seccompiler ----
    safe(
        "seccompiler::apply_filter",
        "is `prctl(PR_SET_NO_NEW_PRIVS)` and the `seccomp` system call on the compiled program, without allocating",
    ),
    safe(
        "seccompiler::apply_filter_all_threads",
        "is `prctl(PR_SET_NO_NEW_PRIVS)` and the `seccomp` system call on the compiled program, without allocating",
    ),
    func(
        "seccompiler::compile_from_json",
        ALLOC,
        SECCOMP_BUILD,
        FIX_SECCOMP,
    ),
    // ---- libseccomp ----
    func(
        "libseccomp::ScmpFilterContext::new_filter",
        ALLOC,
        LIBSECCOMP,
        FIX_LIBSECCOMP,
    ),
    func(
        "libseccomp::ScmpFilterContext::new",
        ALLOC,
        LIBSECCOMP,
        FIX_LIBSECCOMP,
    ),
    method(
        "load",
        &["ScmpFilterContext"],
        ALLOC,
        LIBSECCOMP_LOAD,
        FIX_LIBSECCOMP,
    ),
    method(
        "add_rule",
        &["ScmpFilterContext"],
        ALLOC,
        LIBSECCOMP,
        FIX_LIBSECCOMP,
    ),
    method(
        "add_rule_conditional",
        &["ScmpFilterContext"],
        ALLOC,
        LIBSECCOMP,
        FIX_LIBSECCOMP,
    ),
    // ---- signal-hook ----
    safe("signal_hook::low_level::raise", SIGNAL_SAFE),
    safe("signal_hook::low_level::signal_name", SIGNAL_SAFE),
    safe(
        "signal_hook::low_level::emulate_default_handler",
        SIGNAL_SAFE,
    ),
    func(
        "signal_hook::low_level::exit",
        TERMINATES,
        "is `libc::_exit`: no atexit handlers, no flush",
        "",
    ),
    func(
        "signal_hook::low_level::abort",
        TERMINATES,
        "is `libc::abort`",
        "",
    ),
    func(
        "signal_hook::low_level::register",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook::low_level::unregister",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook_registry::register",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook_registry::register_sigaction",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook_registry::register_unchecked",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook_registry::unregister",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook::flag::register",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook::flag::register_usize",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook::flag::register_conditional_shutdown",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    func(
        "signal_hook::flag::register_conditional_default",
        LOCK,
        SIGNAL_REGISTER,
        FIX_SIGNAL,
    ),
    // ---- close_fds ----
    safe("close_fds::close_open_fds", CLOSE_FDS),
    safe("close_fds::set_fds_cloexec", CLOSE_FDS),
    safe("close_fds::set_fds_cloexec_threadsafe", CLOSE_FDS),
    safe("close_fds::iter_open_fds", CLOSE_FDS),
    safe("close_fds::iter_open_fds_threadsafe", CLOSE_FDS),
    safe("close_fds::iter_possible_fds", CLOSE_FDS),
    safe("close_fds::iter_possible_fds_threadsafe", CLOSE_FDS),
    // ---- errno ----
    safe("errno::errno", "reads `errno` through `__errno_location`"),
    safe(
        "errno::set_errno",
        "writes `errno` through `__errno_location`",
    ),
];

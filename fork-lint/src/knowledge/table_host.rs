//! Who and where: users and groups (`users` 0.11.0, `uzers` 0.12.2,
//! `whoami` 2.1.3), host names (`hostname` 0.4.2, `gethostname` 1.1.0),
//! home and temporary directories (`home` 0.5.12, `dirs` 7.0.0 with
//! dirs-sys 0.5.0, `tempfile` 3.27.0). Checked against those sources.
//!
//! User and group lookups go through `getpwuid_r`/`getpwnam_r`/
//! `getgrgid_r`/`getgrouplist`, which are not async-signal-safe: glibc's
//! NSS may `dlopen` modules, `malloc`, take locks and talk to `nscd` or
//! `sssd`. fork-lint has no rule of its own for them; they are reported as
//! `libc-unsafe`, the rule of the libc functions they call (the crates also
//! allocate the buffer and the result).
//!
//! `users`/`uzers` have a default `logging` feature: even
//! `get_current_uid` runs `log::trace!` before `getuid`, which reaches the
//! global logger when trace level is enabled. That is a `lock` warning, not
//! an error: the call is harmless unless trace logging is on.
//!
//! Directory helpers read `HOME`/`XDG_*`/`TMPDIR` with `std::env::var_os`
//! (std's environment lock) and fall back to `getpwuid_r`: `env`.

use super::ApiEntry;
use super::build::*;

const PASSWD: &str = "looks the user up with `getpwuid_r`/`getpwnam_r`, which is not async-signal-safe (NSS may `dlopen` modules, `malloc` and take locks), into an allocated buffer";
const GROUP: &str = "looks groups up with `getgrgid_r`/`getgrnam_r`/`getgrouplist`, which are not async-signal-safe (NSS may `dlopen` modules, `malloc` and take locks), into allocated buffers";
const FIX_PASSWD: &str =
    "look users and groups up in the parent before fork and pass the ids and names into the child";
const TRACE_ID: &str = "runs `log::trace!` (the crate's default `logging` feature) before the id system call, reaching the global logger and its lock when trace level is enabled";
const FIX_TRACE_ID: &str = "call `libc::getuid`/`geteuid`/`getgid`/`getegid` directly";
const SWITCH: &str =
    "is one `set*id` system call, reporting errors with `io::Error::last_os_error`";
const WHO_NAME: &str = "looks the user up with `getpwuid_r`, which is not async-signal-safe (NSS may `dlopen` modules, `malloc` and take locks), and copies the name into a new string";
const HOSTNAME: &str = "returns the host name in a new, allocated string";
const FIX_HOSTNAME: &str =
    "read the host name before fork, or call `libc::gethostname` with a stack buffer";
const DIR_ENV: &str = "reads `HOME` or an `XDG_*` variable with `std::env::var_os`, under std's environment lock, falls back to `getpwuid_r`, and returns an allocated `PathBuf`";
const FIX_DIR: &str = "resolve the directory in the parent before fork";
const TEMP_ENV: &str = "reads `TMPDIR` with `std::env::var_os`, under std's environment lock, and builds a random file name in an allocated path";
const TEMP_IN: &str = "builds a random file name in an allocated path";
const FIX_TEMP: &str =
    "create the temporary file in the parent and pass its descriptor into the child";

pub(super) static ENTRIES: &[ApiEntry] = &[
    // ---- users ----
    func("users::get_user_by_uid", LIBC_UNSAFE, PASSWD, FIX_PASSWD),
    func("users::get_user_by_name", LIBC_UNSAFE, PASSWD, FIX_PASSWD),
    func("users::get_group_by_gid", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("users::get_group_by_name", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func(
        "users::get_current_username",
        LIBC_UNSAFE,
        PASSWD,
        FIX_PASSWD,
    ),
    func(
        "users::get_effective_username",
        LIBC_UNSAFE,
        PASSWD,
        FIX_PASSWD,
    ),
    func(
        "users::get_current_groupname",
        LIBC_UNSAFE,
        GROUP,
        FIX_PASSWD,
    ),
    func(
        "users::get_effective_groupname",
        LIBC_UNSAFE,
        GROUP,
        FIX_PASSWD,
    ),
    func("users::group_access_list", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("users::get_user_groups", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("users::all_users", LIBC_UNSAFE, PASSWD, FIX_PASSWD),
    func("users::get_current_uid", LOCK_WARN, TRACE_ID, FIX_TRACE_ID),
    func(
        "users::get_effective_uid",
        LOCK_WARN,
        TRACE_ID,
        FIX_TRACE_ID,
    ),
    func("users::get_current_gid", LOCK_WARN, TRACE_ID, FIX_TRACE_ID),
    func(
        "users::get_effective_gid",
        LOCK_WARN,
        TRACE_ID,
        FIX_TRACE_ID,
    ),
    func(
        "users::switch::switch_user_group",
        LOCK_WARN,
        TRACE_ID,
        FIX_TRACE_ID,
    ),
    safe("users::switch::set_current_uid", SWITCH),
    safe("users::switch::set_current_gid", SWITCH),
    safe("users::switch::set_effective_uid", SWITCH),
    safe("users::switch::set_effective_gid", SWITCH),
    safe("users::switch::set_both_uid", SWITCH),
    safe("users::switch::set_both_gid", SWITCH),
    // ---- uzers (the maintained fork of users, same API) ----
    func("uzers::get_user_by_uid", LIBC_UNSAFE, PASSWD, FIX_PASSWD),
    func("uzers::get_user_by_name", LIBC_UNSAFE, PASSWD, FIX_PASSWD),
    func("uzers::get_group_by_gid", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("uzers::get_group_by_name", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func(
        "uzers::get_current_username",
        LIBC_UNSAFE,
        PASSWD,
        FIX_PASSWD,
    ),
    func(
        "uzers::get_effective_username",
        LIBC_UNSAFE,
        PASSWD,
        FIX_PASSWD,
    ),
    func(
        "uzers::get_current_groupname",
        LIBC_UNSAFE,
        GROUP,
        FIX_PASSWD,
    ),
    func(
        "uzers::get_effective_groupname",
        LIBC_UNSAFE,
        GROUP,
        FIX_PASSWD,
    ),
    func("uzers::group_access_list", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("uzers::get_user_groups", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("uzers::all_users", LIBC_UNSAFE, PASSWD, FIX_PASSWD),
    func("uzers::all_groups", LIBC_UNSAFE, GROUP, FIX_PASSWD),
    func("uzers::get_current_uid", LOCK_WARN, TRACE_ID, FIX_TRACE_ID),
    func(
        "uzers::get_effective_uid",
        LOCK_WARN,
        TRACE_ID,
        FIX_TRACE_ID,
    ),
    func("uzers::get_current_gid", LOCK_WARN, TRACE_ID, FIX_TRACE_ID),
    func(
        "uzers::get_effective_gid",
        LOCK_WARN,
        TRACE_ID,
        FIX_TRACE_ID,
    ),
    func(
        "uzers::switch::switch_user_group",
        LOCK_WARN,
        TRACE_ID,
        FIX_TRACE_ID,
    ),
    safe("uzers::switch::set_current_uid", SWITCH),
    safe("uzers::switch::set_current_gid", SWITCH),
    safe("uzers::switch::set_effective_uid", SWITCH),
    safe("uzers::switch::set_effective_gid", SWITCH),
    safe("uzers::switch::set_both_uid", SWITCH),
    safe("uzers::switch::set_both_gid", SWITCH),
    // ---- whoami ----
    func("whoami::username", LIBC_UNSAFE, WHO_NAME, FIX_PASSWD),
    func("whoami::username_os", LIBC_UNSAFE, WHO_NAME, FIX_PASSWD),
    func("whoami::realname", LIBC_UNSAFE, WHO_NAME, FIX_PASSWD),
    func("whoami::realname_os", LIBC_UNSAFE, WHO_NAME, FIX_PASSWD),
    func("whoami::account", LIBC_UNSAFE, WHO_NAME, FIX_PASSWD),
    func("whoami::account_os", LIBC_UNSAFE, WHO_NAME, FIX_PASSWD),
    func("whoami::hostname", ALLOC, HOSTNAME, FIX_HOSTNAME),
    func(
        "whoami::devicename",
        ALLOC,
        "reads `/etc/machine-info` into an allocated buffer",
        FIX_HOSTNAME,
    ),
    func(
        "whoami::devicename_os",
        ALLOC,
        "reads `/etc/machine-info` into an allocated buffer",
        FIX_HOSTNAME,
    ),
    func(
        "whoami::distro",
        ALLOC,
        "reads `/etc/os-release` into an allocated string",
        "read it before fork",
    ),
    func(
        "whoami::lang_prefs",
        ENV,
        "reads `LANGUAGE`/`LC_*`/`LANG` with `std::env::var`, under std's environment lock",
        "read it before fork",
    ),
    func(
        "whoami::desktop_env",
        ENV,
        "reads `SSH_*`, `XDG_SESSION_DESKTOP` and `DESKTOP_SESSION` with `std::env::var_os`, under std's environment lock",
        "read it before fork",
    ),
    safe(
        "whoami::platform",
        "returns a constant chosen at compile time",
    ),
    // ---- hostname, gethostname ----
    func("hostname::get", ALLOC, HOSTNAME, FIX_HOSTNAME),
    safe(
        "hostname::set",
        "is one `sethostname` system call on the borrowed bytes",
    ),
    func("gethostname::gethostname", ALLOC, HOSTNAME, FIX_HOSTNAME),
    // ---- home, dirs ----
    func(
        "home::home_dir",
        ENV,
        "reads `HOME` with `std::env::var_os`, under std's environment lock, falls back to `getpwuid_r`, and returns an allocated `PathBuf`",
        FIX_DIR,
    ),
    func(
        "home::cargo_home",
        ENV,
        "reads `CARGO_HOME` and `HOME` with `std::env::var_os`, under std's environment lock, and returns an allocated `PathBuf`",
        FIX_DIR,
    ),
    func(
        "home::rustup_home",
        ENV,
        "reads `RUSTUP_HOME` and `HOME` with `std::env::var_os`, under std's environment lock, and returns an allocated `PathBuf`",
        FIX_DIR,
    ),
    func("dirs::home_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::cache_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::config_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::config_local_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::data_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::data_local_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::executable_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::preference_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::runtime_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::state_dir", ENV, DIR_ENV, FIX_DIR),
    func("dirs::font_dir", ENV, DIR_ENV, FIX_DIR),
    // ---- tempfile ----
    func("tempfile::tempfile", ENV, TEMP_ENV, FIX_TEMP),
    func("tempfile::tempdir", ENV, TEMP_ENV, FIX_TEMP),
    func("tempfile::NamedTempFile::new", ENV, TEMP_ENV, FIX_TEMP),
    func("tempfile::TempDir::new", ENV, TEMP_ENV, FIX_TEMP),
    func("tempfile::tempfile_in", ALLOC, TEMP_IN, FIX_TEMP),
    func("tempfile::tempdir_in", ALLOC, TEMP_IN, FIX_TEMP),
    func("tempfile::NamedTempFile::new_in", ALLOC, TEMP_IN, FIX_TEMP),
    func("tempfile::TempDir::new_in", ALLOC, TEMP_IN, FIX_TEMP),
];

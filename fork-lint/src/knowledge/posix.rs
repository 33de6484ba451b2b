//! The POSIX async-signal-safe function list (XSH 2.4.3 Signal Actions).
//!
//! Source: the table of signal-safety(7) (Linux man-pages), which follows
//! POSIX.1-2008 TC2 (POSIX.1-2017) and records when each function joined the
//! list, updated for POSIX.1-2024: `fork` was removed and `_Fork` added.
//! Functions that POSIX.1-2024 (Issue 8) newly standardised and Linux
//! provides as plain system calls (`dup3`, `pipe2`, `accept4`, `ppoll`,
//! `setresuid`, ...) are not in this list: they are explicit `Safe` entries
//! of `table_libc.rs`, with their own reason, so the verdict does not depend
//! on the exact Issue 8 wording, which this table has not been checked against.
//!
//! Sorted in byte order (`_Exit` < `_Fork` < `_exit` < `abort`) so a binary
//! search works and the unit tests can check it.

/// The edition the list is taken from.
pub const POSIX_EDITION: &str = "POSIX.1-2024 (IEEE Std 1003.1-2024)";

/// Functions POSIX requires to be async-signal-safe, by their C name.
pub static POSIX_SAFE: &[&str] = &[
    "_Exit",
    "_Fork",
    "_exit",
    "abort",
    "accept",
    "access",
    "aio_error",
    "aio_return",
    "aio_suspend",
    "alarm",
    "bind",
    "cfgetispeed",
    "cfgetospeed",
    "cfsetispeed",
    "cfsetospeed",
    "chdir",
    "chmod",
    "chown",
    "clock_gettime",
    "close",
    "connect",
    "creat",
    "dup",
    "dup2",
    "execl",
    "execle",
    "execv",
    "execve",
    "faccessat",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchown",
    "fchownat",
    "fcntl",
    "fdatasync",
    "fexecve",
    "ffs",
    "fstat",
    "fstatat",
    "fsync",
    "ftruncate",
    "futimens",
    "getegid",
    "geteuid",
    "getgid",
    "getgroups",
    "getpeername",
    "getpgrp",
    "getpid",
    "getppid",
    "getsockname",
    "getsockopt",
    "getuid",
    "htonl",
    "htons",
    "kill",
    "link",
    "linkat",
    "listen",
    "longjmp",
    "lseek",
    "lstat",
    "memccpy",
    "memchr",
    "memcmp",
    "memcpy",
    "memmove",
    "memset",
    "mkdir",
    "mkdirat",
    "mkfifo",
    "mkfifoat",
    "mknod",
    "mknodat",
    "ntohl",
    "ntohs",
    "open",
    "openat",
    "pause",
    "pipe",
    "poll",
    "posix_trace_event",
    "pselect",
    "pthread_kill",
    "pthread_self",
    "pthread_sigmask",
    "raise",
    "read",
    "readlink",
    "readlinkat",
    "recv",
    "recvfrom",
    "recvmsg",
    "rename",
    "renameat",
    "rmdir",
    "select",
    "sem_post",
    "send",
    "sendmsg",
    "sendto",
    "setgid",
    "setpgid",
    "setsid",
    "setsockopt",
    "setuid",
    "shutdown",
    "sigaction",
    "sigaddset",
    "sigdelset",
    "sigemptyset",
    "sigfillset",
    "sigismember",
    "siglongjmp",
    "signal",
    "sigpause",
    "sigpending",
    "sigprocmask",
    "sigqueue",
    "sigset",
    "sigsuspend",
    "sleep",
    "sockatmark",
    "socket",
    "socketpair",
    "stat",
    "stpcpy",
    "stpncpy",
    "strcat",
    "strchr",
    "strcmp",
    "strcpy",
    "strcspn",
    "strlen",
    "strncat",
    "strncmp",
    "strncpy",
    "strnlen",
    "strpbrk",
    "strrchr",
    "strspn",
    "strstr",
    "strtok_r",
    "symlink",
    "symlinkat",
    "tcdrain",
    "tcflow",
    "tcflush",
    "tcgetattr",
    "tcgetpgrp",
    "tcsendbreak",
    "tcsetattr",
    "tcsetpgrp",
    "time",
    "timer_getoverrun",
    "timer_gettime",
    "timer_settime",
    "times",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimes",
    "wait",
    "waitpid",
    "wcpcpy",
    "wcpncpy",
    "wcscat",
    "wcschr",
    "wcscmp",
    "wcscpy",
    "wcscspn",
    "wcslen",
    "wcsncat",
    "wcsncmp",
    "wcsncpy",
    "wcsnlen",
    "wcspbrk",
    "wcsrchr",
    "wcsspn",
    "wcsstr",
    "wcstok",
    "wmemchr",
    "wmemcmp",
    "wmemcpy",
    "wmemmove",
    "wmemset",
    "write",
];

/// A function whose status changed between editions, or a known deviation
/// of an implementation.
#[derive(Debug, Clone, Copy)]
pub struct PosixChange {
    pub function: &'static str,
    pub note: &'static str,
}

/// Changes of the list between editions (POSIX.1-2001 and its TCs,
/// POSIX.1-2008 and its TCs, POSIX.1-2024). Functions not named here were on
/// the list in POSIX.1-2001.
pub static POSIX_CHANGES: &[PosixChange] = &[
    PosixChange {
        function: "_Fork",
        note: "added in POSIX.1-2024: a fork that runs no pthread_atfork handlers, async-signal-safe",
    },
    PosixChange {
        function: "abort",
        note: "added in POSIX.1-2001 TC1",
    },
    PosixChange {
        function: "execl",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "execv",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "faccessat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "fchdir",
        note: "added in POSIX.1-2008 TC1",
    },
    PosixChange {
        function: "fchmodat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "fchownat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "fexecve",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "ffs",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "fork",
        note: "removed in POSIX.1-2024: pthread_atfork handlers run in the child, and they need not be async-signal-safe (already undefined from a signal handler since POSIX.1-2001 TC1)",
    },
    PosixChange {
        function: "fpathconf",
        note: "required by POSIX.1-2001 and POSIX.1-2001 TC2, removed in POSIX.1-2008",
    },
    PosixChange {
        function: "fstatat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "futimens",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "htonl",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "htons",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "linkat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "longjmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "memccpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "memchr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "memcmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "memcpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "memmove",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "memset",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "mkdirat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "mkfifoat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "mknod",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "mknodat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "ntohl",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "ntohs",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "openat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "pathconf",
        note: "required by POSIX.1-2001 and POSIX.1-2001 TC2, removed in POSIX.1-2008",
    },
    PosixChange {
        function: "pthread_kill",
        note: "added in POSIX.1-2008 TC1",
    },
    PosixChange {
        function: "pthread_self",
        note: "added in POSIX.1-2008 TC1",
    },
    PosixChange {
        function: "pthread_sigmask",
        note: "added in POSIX.1-2008 TC1",
    },
    PosixChange {
        function: "readlinkat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "renameat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "siglongjmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "sockatmark",
        note: "added in POSIX.1-2001 TC2",
    },
    PosixChange {
        function: "stpcpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "stpncpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strcat",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strchr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strcmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strcpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strcspn",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strlen",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strncat",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strncmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strncpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strnlen",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strpbrk",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strrchr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strspn",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strstr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "strtok_r",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "symlinkat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "sysconf",
        note: "required by POSIX.1-2001 and POSIX.1-2001 TC2, removed in POSIX.1-2008",
    },
    PosixChange {
        function: "unlinkat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "utimensat",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "utimes",
        note: "added in POSIX.1-2008",
    },
    PosixChange {
        function: "wcpcpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcpncpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcscat",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcschr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcscmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcscpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcscspn",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcslen",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsncat",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsncmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsncpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsnlen",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcspbrk",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsrchr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsspn",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcsstr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wcstok",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wmemchr",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wmemcmp",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wmemcpy",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wmemmove",
        note: "added in POSIX.1-2008 TC2",
    },
    PosixChange {
        function: "wmemset",
        note: "added in POSIX.1-2008 TC2",
    },
];

/// Known deviations of glibc from the list (signal-safety(7)).
pub static GLIBC_DEVIATIONS: &[PosixChange] = &[
    PosixChange {
        function: "aio_suspend",
        note: "glibc's implementation takes a pthread mutex, so it is not async-signal-safe (sourceware bug 13172)",
    },
    PosixChange {
        function: "execl",
        note: "before glibc 2.24 it called realloc to build argv (sourceware bug 19534)",
    },
    PosixChange {
        function: "execle",
        note: "before glibc 2.24 it called realloc to build argv (sourceware bug 19534)",
    },
];

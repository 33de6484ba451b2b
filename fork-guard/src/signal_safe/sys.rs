//! Thin wrappers over the raw system calls the child-side zone may use.
//!
//! Every function here maps to a system call that POSIX signal-safety(7)
//! lists as async-signal-safe (`write`, `open`, `read`, `close`, `getpid`,
//! `getppid`, `alarm`, `sigaction`, `abort`) or to a Linux system call without
//! user-space state (`gettid`, `getdents64`). None of them allocates, locks
//! or panics.

use core::ffi::CStr;

/// A system call without arguments, issued inline: no call into libc, so a
/// fresh fork child does not fault in a libc code page just for this (the
/// child handler runs on every fork; every page it touches first is a page
/// fault there).
#[inline(always)]
fn syscall0(nr: libc::c_long) -> libc::c_long {
    #[cfg(target_arch = "x86_64")]
    {
        let ret: libc::c_long;
        // SAFETY: the x86-64 Linux system call convention: number in rax,
        // result in rax, rcx and r11 clobbered, no memory passed. The calls
        // used here (gettid, getpid, getppid) take no arguments, touch no
        // user memory and cannot fail.
        unsafe {
            core::arch::asm!(
                "syscall",
                inlateout("rax") nr => ret,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack, preserves_flags),
            );
        }
        ret
    }
    #[cfg(target_arch = "aarch64")]
    {
        let ret: libc::c_long;
        // SAFETY: the AArch64 Linux system call convention: number in x8,
        // result in x0. The calls used here take no arguments, touch no
        // user memory and cannot fail.
        unsafe {
            core::arch::asm!(
                "svc 0",
                in("x8") nr,
                lateout("x0") ret,
                options(nostack, preserves_flags),
            );
        }
        ret
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        // SAFETY: the calls used here take no arguments and cannot fail.
        unsafe { libc::syscall(nr) }
    }
}

/// The calling thread's kernel thread id.
#[inline]
pub(crate) fn gettid() -> i32 {
    i32::try_from(syscall0(libc::SYS_gettid)).unwrap_or(-1)
}

/// The calling process's id.
#[inline]
pub(crate) fn getpid() -> i32 {
    i32::try_from(syscall0(libc::SYS_getpid)).unwrap_or(-1)
}

/// The parent process's id.
#[inline]
pub(crate) fn getppid() -> i32 {
    i32::try_from(syscall0(libc::SYS_getppid)).unwrap_or(-1)
}

/// Writes all of `bytes` to `fd`, retrying on `EINTR` and short writes.
/// Errors other than `EINTR` end the attempt silently: a diagnostic that
/// cannot be written has nowhere else to go.
pub(crate) fn write_all(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length come from a live slice, so the
        // kernel reads only initialised memory that we own for the duration
        // of the call.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return;
        }
        let n = usize::try_from(n).unwrap_or(0);
        if n == 0 {
            return;
        }
        bytes = bytes.get(n..).unwrap_or(&[]);
    }
}

fn errno() -> i32 {
    // SAFETY: `__errno_location` returns a valid pointer to the calling
    // thread's errno for the whole life of the thread.
    unsafe { *libc::__errno_location() }
}

/// Opens `path` read-only with `O_CLOEXEC` (plus `extra` flags); `None` on error.
pub(crate) fn open_read(path: &CStr, extra: i32) -> Option<Fd> {
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC | extra) };
    if fd < 0 { None } else { Some(Fd(fd)) }
}

/// An owned file descriptor, closed on drop.
#[derive(Debug)]
pub(crate) struct Fd(i32);

impl Fd {
    /// Reads up to `buf.len()` bytes; returns how many (0 on end or error).
    pub(crate) fn read(&self, buf: &mut [u8]) -> usize {
        loop {
            // SAFETY: the pointer and length describe `buf`, which we borrow
            // mutably for the call, so the kernel writes only into our memory.
            let n = unsafe { libc::read(self.0, buf.as_mut_ptr().cast(), buf.len()) };
            if n < 0 && errno() == libc::EINTR {
                continue;
            }
            return usize::try_from(n).unwrap_or(0);
        }
    }

    /// Reads directory entries (`getdents64`); returns the byte count filled.
    pub(crate) fn getdents(&self, buf: &mut [u8]) -> usize {
        // SAFETY: `getdents64` writes at most `buf.len()` bytes into `buf`,
        // which we borrow mutably for the duration of the call.
        let n = unsafe { libc::syscall(libc::SYS_getdents64, self.0, buf.as_mut_ptr(), buf.len()) };
        usize::try_from(n).unwrap_or(0)
    }
}

impl Fd {
    /// The descriptor number.
    pub(crate) fn raw(&self) -> i32 {
        self.0
    }

    /// Gives the descriptor up without closing it.
    pub(crate) fn into_raw(self) -> i32 {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

/// `getdents64` on a descriptor not owned here; returns the bytes filled.
pub(crate) fn getdents_raw(fd: i32, buf: &mut [u8]) -> usize {
    // SAFETY: `getdents64` writes at most `buf.len()` bytes into `buf`,
    // which we borrow mutably for the duration of the call; a bad `fd`
    // makes it fail, which reads as 0.
    let n = unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) };
    usize::try_from(n).unwrap_or(0)
}

/// The device and inode of what `fd` refers to, or `None`.
pub(crate) fn dev_ino(fd: i32) -> Option<(u64, u64)> {
    // SAFETY: `libc::stat` is plain data, for which all zeroes is valid.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    // SAFETY: `st` is a valid out-pointer for the call.
    let rc = unsafe { libc::fstat(fd, &mut st) };
    (rc == 0).then_some((st.st_dev, st.st_ino))
}

/// Moves a directory descriptor back to its first entry.
pub(crate) fn rewind(fd: i32) -> bool {
    // SAFETY: `lseek` has no memory arguments; a bad `fd` fails.
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) == 0 }
}

/// Closes a descriptor not owned by an [`Fd`].
pub(crate) fn close(fd: i32) {
    // SAFETY: the caller established that `fd` is the descriptor it opened
    // and kept (same device and inode), so no one else's file is closed.
    unsafe {
        libc::close(fd);
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: we own this descriptor (it came from a successful `open`)
        // and nobody else closes it.
        unsafe {
            libc::close(self.0);
        }
    }
}

/// `abort(3)`: raises `SIGABRT`; never returns.
pub(crate) fn abort() -> ! {
    // SAFETY: `abort` is async-signal-safe and has no preconditions.
    unsafe { libc::abort() }
}

extern "C" fn abort_on_alarm(_signal: i32) {
    const MSG: &[u8] = b"fork-guard: symbolisation timed out; aborting\n";
    write_all(2, MSG);
    abort();
}

/// Arms a `SIGALRM` that aborts the process after `seconds`, so that
/// best-effort work after the core diagnostic (symbolisation, which may need
/// a lock that a vanished thread held) cannot hang.
pub(crate) fn arm_abort_alarm(seconds: u32) {
    // SAFETY: `sigaction` is zero-initialisable plain data; we then set the
    // handler to a function with the C ABI expected for a `sa_handler`, an
    // empty mask and no flags, and pass valid pointers to `sigaction(2)`.
    // The handler only calls `write` and `abort`, both async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = core::mem::zeroed();
        action.sa_sigaction = abort_on_alarm as extern "C" fn(i32) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGALRM, &action, core::ptr::null_mut());
        libc::alarm(seconds);
    }
}

/// Cancels a pending alarm set by [`arm_abort_alarm`].
pub(crate) fn disarm_alarm() {
    // SAFETY: `alarm(0)` only cancels a pending alarm.
    unsafe {
        libc::alarm(0);
    }
}

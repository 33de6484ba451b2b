use std::ffi::CStr;

#[fork_guard::checked]
#[allow(deprecated)] // libc::vfork
fn spawn(prog: &CStr, argv: &[*const libc::c_char]) {
    // Everything is prepared before vfork: descriptor 3 is close-on-exec and
    // the pointers are computed; the child only execs or exits.
    let (prog, argv) = (prog.as_ptr(), argv.as_ptr());
    // SAFETY: fcntl on a bad descriptor fails harmlessly.
    unsafe { libc::fcntl(3, libc::F_SETFD, libc::FD_CLOEXEC) };
    // SAFETY: the child only calls execv and _exit.
    let pid = unsafe { libc::vfork() };
    if pid == 0 {
        // SAFETY: `prog` and `argv` point to data the caller keeps alive.
        unsafe {
            libc::execv(prog, argv);
            libc::_exit(127);
        }
    }
}

fn main() {
    let _ = spawn;
}

use std::ffi::CStr;

#[fork_guard::checked]
fn spawn(prog: &CStr, argv: &[*const libc::c_char]) {
    // SAFETY: the child only calls execv and _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: `prog` and `argv` were built before the fork.
        unsafe {
            libc::execv(prog.as_ptr(), argv.as_ptr());
            libc::_exit(127);
        }
    }
}

fn main() {
    let _ = spawn;
}

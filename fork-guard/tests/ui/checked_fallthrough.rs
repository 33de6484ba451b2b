use std::ffi::CStr;

#[fork_guard::checked]
fn spawn(prog: &CStr, argv: &[*const libc::c_char]) {
    // SAFETY: the child only calls execv.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: `prog` and `argv` were built before the fork.
        unsafe { libc::execv(prog.as_ptr(), argv.as_ptr()) };
    }
}

fn main() {
    let _ = spawn;
}

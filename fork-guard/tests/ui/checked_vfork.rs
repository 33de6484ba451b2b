use std::ffi::CStr;

#[fork_guard::checked]
#[allow(deprecated)] // libc::vfork
fn spawn(prog: &CStr, argv: &[*const libc::c_char]) {
    let (prog, argv) = (prog.as_ptr(), argv.as_ptr());
    // SAFETY: test of the vfork rule: the child modifies shared state.
    let pid = unsafe { libc::vfork() };
    if pid == 0 {
        // SAFETY: see above.
        unsafe {
            libc::close(3);
            libc::execv(prog, argv);
            libc::_exit(127);
        }
    }
}

fn main() {
    let _ = spawn;
}

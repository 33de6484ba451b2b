// The pointer array is built before the fork; the child calls execv(3)
// directly instead of nix's allocating wrapper.
#[fork_guard::child]
fn child(prog: &std::ffi::CStr, argv: &[*const libc::c_char]) -> ! {
    // SAFETY: `prog` is NUL-terminated and `argv` is a NULL-terminated array
    // built before the fork; execv and _exit are async-signal-safe.
    unsafe {
        libc::execv(prog.as_ptr(), argv.as_ptr());
        libc::_exit(127)
    }
}

fn main() {
    let _ = child;
}

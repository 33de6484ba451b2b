use std::ffi::CStr;

#[fork_guard::child]
fn child(user: &CStr, gid: libc::gid_t) -> libc::c_int {
    // SAFETY: `user` is NUL-terminated (the call is still not async-signal-safe).
    unsafe { libc::initgroups(user.as_ptr(), gid) }
}

fn main() {
    let _ = child;
}

#[fork_guard::child]
fn child(buf: &mut Vec<u8>) {
    #[fork_guard::allow(alloc, reason = "capacity reserved before fork")]
    buf.push(1);
}

#[fork_guard::child(allow(alloc, reason = "capacity reserved before fork"))]
fn child_whole(buf: &mut Vec<u8>) {
    buf.push(1);
    buf.push(2);
}

// A rule id is written with `-` or `_`, as in the lint's comments.
#[fork_guard::child]
fn child_lookup(user: &std::ffi::CStr, gid: libc::gid_t) {
    #[fork_guard::allow(libc-unsafe, reason = "test: the spelling with `-`")]
    // SAFETY: `user` is NUL-terminated.
    unsafe { libc::initgroups(user.as_ptr(), gid) };
    #[fork_guard::allow(libc_unsafe, reason = "test: the spelling with `_`")]
    // SAFETY: `user` is NUL-terminated.
    unsafe { libc::initgroups(user.as_ptr(), gid) };
}

fn main() {
    let _ = (child, child_whole, child_lookup);
}

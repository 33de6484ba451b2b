#[fork_guard::child]
fn child(fd: Option<libc::c_int>) -> libc::c_int {
    // SAFETY: _exit and dup2 are async-signal-safe; bad descriptors make
    // dup2 fail.
    unsafe {
        let Some(fd) = fd else { libc::_exit(126) };
        libc::dup2(fd, 1)
    }
}

fn main() {
    let _ = child;
}

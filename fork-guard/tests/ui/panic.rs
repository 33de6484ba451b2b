#[fork_guard::child]
fn child(fd: Option<libc::c_int>) -> libc::c_int {
    let fd = fd.expect("no log descriptor");
    // SAFETY: dup2 is async-signal-safe; bad descriptors make it fail.
    unsafe { libc::dup2(fd, 1) }
}

fn main() {
    let _ = child;
}

#[fork_guard::child]
fn child() -> ! {
    // SAFETY: _exit is async-signal-safe and skips the parent's atexit
    // handlers.
    unsafe { libc::_exit(127) }
}

fn main() {
    let _ = child;
}

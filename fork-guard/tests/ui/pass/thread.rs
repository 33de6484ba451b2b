// The thread runs in the parent; the child only exits.
#[fork_guard::child]
fn child() -> ! {
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(0) }
}

fn main() {
    let pump = std::thread::spawn(|| ());
    pump.join().unwrap();
    let _ = child;
}

use std::sync::Mutex;

// The lock is taken in the parent; the child gets the value.
#[fork_guard::child]
fn child(uid: u32) -> libc::c_int {
    // SAFETY: setuid is async-signal-safe and has no memory preconditions.
    unsafe { libc::setuid(uid) }
}

fn main() {
    let config = Mutex::new(0u32);
    let uid = *config.lock().unwrap();
    let _ = (child, uid);
}

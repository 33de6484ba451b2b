#![deny(deprecated)]

#[fork_guard::child]
fn child() -> libc::pid_t {
    #[fork_guard::allow(alloc, reason = "stale")]
    // SAFETY: getpid is async-signal-safe.
    let pid = unsafe { libc::getpid() };
    pid
}

fn main() {
    let _ = child;
}

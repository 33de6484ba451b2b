// `fork` imported with `use`, and a child that only makes
// async-signal-safe calls: accepted.
use libc::fork;

#[fork_guard::checked]
fn spawn() {
    // SAFETY: the child only calls setsid and _exit.
    let pid = unsafe { fork() };
    if pid == 0 {
        // SAFETY: both are async-signal-safe; `_exit` ends the child.
        unsafe {
            libc::setsid();
            libc::_exit(0);
        }
    }
}

fn main() {
    let _ = spawn;
}

//! Built by `tests/release_inert.rs` in release mode without the `release`
//! feature: checks that the guard is compiled out and inert. Exits 0 when it
//! is; any fork-guard diagnostic or abort is a failure.
//!
//! (In a debug build, or with `--features release`, it reports that the
//! guard is active and exits 3.)

use std::hint::black_box;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[global_allocator]
static ALLOC: fork_guard::GuardAlloc<std::alloc::System> =
    fork_guard::GuardAlloc::new(std::alloc::System);

fn main() {
    if fork_guard::is_active() {
        println!("guard active");
        std::process::exit(3);
    }
    assert_eq!(
        size_of::<fork_guard::Mutex<u64>>(),
        size_of::<std::sync::Mutex<u64>>(),
        "Mutex is std's at zero cost"
    );
    // SAFETY: setting an environment variable before any other thread exists.
    unsafe { std::env::set_var("FORK_GUARD", "strict") };
    fork_guard::install();
    assert!(!fork_guard::is_installed());
    assert_eq!(fork_guard::policy(), fork_guard::Policy::Off);

    // What strict mode would stop at fork, and trap mode in the child:
    // another thread alive, and the child allocating and taking a lock.
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name("inert-worker".into())
        .spawn(move || {
            tx.send(()).unwrap();
            thread::sleep(Duration::from_secs(30));
        })
        .unwrap();
    rx.recv().unwrap();
    let m = fork_guard::Mutex::with_name("inert", 1u32);
    // SAFETY: the child allocates (which the guard would flag but is fine
    // here: the other thread is asleep, not in malloc) and `_exit`s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        black_box(vec![0u8; 64]);
        let code = if *m.lock().unwrap() == 1 { 0 } else { 1 };
        // SAFETY: ends the child.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: reaping our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child status {status}"
    );
    println!("inert");
}

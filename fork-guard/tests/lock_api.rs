//! The `lock_api` feature: `TrackedMutex` (lock_api's `Mutex` over
//! fork-guard's `RawMutex`) held by another thread at fork is reported in
//! the child, naming the lock and its holder, instead of a hang; a child of
//! a single-threaded parent uses it freely.
//!
//! Each case runs in this binary re-executed (`FG_LOCK_API=<case>`), with a
//! deadline. `cargo test --workspace` enables the feature (the e2e crate
//! asks for it); alone: `cargo test -p fork-guard --features lock_api
//! --test lock_api`.

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use fork_guard::{RawMutex, TrackedMutex};

static QUEUE: TrackedMutex<u32> = TrackedMutex::from_raw(RawMutex::with_name("queue"), 0);

fn fork_and_lock() -> String {
    // SAFETY: the child takes the lock under test and `_exit`s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        *QUEUE.lock() += 1;
        // SAFETY: ends the child.
        unsafe { libc::_exit(0) };
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut status = 0;
        // SAFETY: reaping our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return if libc::WIFSIGNALED(status) {
                format!("child: signal {}", libc::WTERMSIG(status))
            } else {
                format!("child: exited {}", libc::WEXITSTATUS(status))
            };
        }
        if Instant::now() > deadline {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return "child: timeout".into();
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn run_case(case: &str) {
    fork_guard::install();
    match case {
        "held_at_fork" => {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("raw-holder".into())
                .spawn(move || {
                    let _g = QUEUE.lock();
                    tx.send(()).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            rx.recv().unwrap();
            println!("{}", fork_and_lock());
        }
        "single_threaded" => println!("{}", fork_and_lock()),
        other => panic!("unknown case {other}"),
    }
}

fn main() {
    if let Ok(case) = std::env::var("FG_LOCK_API") {
        run_case(&case);
        return;
    }
    let mut failed = 0;
    let held_at_fork: fn(&str, &str) -> bool = |out, err| {
        out.contains("child: signal 6")
            && err.starts_with(
                "fork-guard: error: this child would deadlock: it takes tracked Mutex `queue`",
            )
            && err.contains("by thread `raw-holder` (tid ")
    };
    let single_threaded: fn(&str, &str) -> bool =
        |out, err| out.contains("child: exited 0") && err.is_empty();
    for (case, check) in [
        ("held_at_fork", held_at_fork),
        ("single_threaded", single_threaded),
    ] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("FG_LOCK_API", case)
            .env_remove("FORK_GUARD")
            .env("RUST_BACKTRACE", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let o = child.wait_with_output().unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        if o.status.success() && check(&out, &err) {
            println!("test {case} ... ok");
        } else {
            failed += 1;
            println!("test {case} ... FAILED\n{:?}\n{out}\n{err}", o.status);
        }
    }
    println!("\nlock_api: {} passed, {failed} failed", 2 - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

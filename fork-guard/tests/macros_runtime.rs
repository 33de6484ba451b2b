//! Run-time behaviour of `#[fork_guard::child]` and
//! `fork_guard::child_closure!`: calling marked code arms child-restricted
//! mode, so a hazard the compile-time check could not see aborts with the
//! fork-guard diagnostic, deterministically, in a single-threaded process.
//!
//! `harness = false`: each scenario runs in a fresh process (this binary,
//! re-executed with `FORK_GUARD_MACROS_SCENARIO` set), whose only thread is
//! the main thread; the scenario asserts that before calling into marked
//! code. Every wait has a timeout.

use std::io::Read;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: fork_guard::GuardAlloc<std::alloc::System> =
    fork_guard::GuardAlloc::new(std::alloc::System);

const SCENARIO_VAR: &str = "FORK_GUARD_MACROS_SCENARIO";
const TIMEOUT: Duration = Duration::from_secs(60);

/// Code the macro cannot see into: a method (accepted at compile time, left
/// to the runtime guard) and an unmarked free function.
mod unseen {
    pub struct Labels;

    impl Labels {
        /// Allocates.
        pub fn make(&self, n: usize) -> usize {
            let v = vec![7u8; n];
            v.iter().map(|&b| usize::from(b)).sum()
        }
    }

    /// Allocates; not marked `#[fork_guard::child]`.
    pub fn make_label(n: usize) -> usize {
        let s = "x".repeat(n);
        s.len()
    }
}

/// Writes `msg` to stdout with `write(2)`: async-signal-safe, no allocation.
#[fork_guard::child]
fn say(msg: &[u8]) {
    // SAFETY: `msg` is a valid slice for `msg.len()` bytes; write(2) is
    // async-signal-safe and does not allocate.
    unsafe {
        libc::write(1, msg.as_ptr().cast(), msg.len());
    }
}

/// A clean child function: calls only a marked function and libc's
/// async-signal-safe `getpid`.
#[fork_guard::child]
fn clean_child() -> libc::pid_t {
    say(b"clean child ran\n");
    // SAFETY: getpid has no preconditions and is async-signal-safe.
    unsafe { libc::getpid() }
}

/// Allocates through a method the macro cannot see into.
#[fork_guard::child]
fn child_allocates_through_method(n: usize) -> usize {
    say(b"before method\n");
    unseen::Labels.make(n)
}

/// Allocates through an unmarked function, accepted by a reviewed `allow`.
#[fork_guard::child]
fn child_allocates_through_allowed_callee(n: usize) -> usize {
    say(b"before callee\n");
    #[fork_guard::allow(
        unknown_call,
        reason = "test: the callee is unmarked on purpose, the runtime guard must catch it"
    )]
    unseen::make_label(n)
}

/// Takes a tracked lock; the static check is silenced on purpose.
#[fork_guard::child(allow(lock, reason = "test: the runtime guard must catch the tracked lock"))]
fn child_takes_tracked_lock(m: &fork_guard::Mutex<u32>) -> u32 {
    say(b"before lock\n");
    let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
    *g += 1;
    *g
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .unwrap_or(0)
}

fn exit_now(code: i32) -> ! {
    // SAFETY: _exit is async-signal-safe and has no preconditions; it skips
    // atexit handlers and stdio flushing, which a child must not run.
    unsafe { libc::_exit(code) }
}

/// Runs one scenario in this process. Never returns normally: a scenario
/// either exits with `_exit` (nothing may allocate after marked code ran) or
/// is aborted by the guard.
fn run_scenario(name: &str) -> ! {
    assert_eq!(threads(), 1, "scenario must run single-threaded");
    match name {
        "clean" => {
            let pid = clean_child();
            exit_now(if pid > 0 { 0 } else { 3 });
        }
        "method" => {
            let n = child_allocates_through_method(64);
            say(b"not reached: allocation was not caught\n");
            exit_now(if n > 0 { 4 } else { 5 });
        }
        "allowed_callee" => {
            let n = child_allocates_through_allowed_callee(64);
            say(b"not reached: allocation was not caught\n");
            exit_now(if n > 0 { 4 } else { 5 });
        }
        "closure" => {
            let f = fork_guard::child_closure!(move || -> std::io::Result<usize> {
                say(b"closure ran\n");
                Ok(unseen::Labels.make(32))
            });
            let r = f();
            say(b"not reached: allocation was not caught\n");
            exit_now(if r.is_ok() { 4 } else { 5 });
        }
        "closure_clean" => {
            let f = fork_guard::child_closure!(|| {
                say(b"clean closure ran\n");
                Ok::<(), std::io::Error>(())
            });
            let r = f();
            exit_now(if r.is_ok() { 0 } else { 3 });
        }
        "tracked_lock" => {
            let m = fork_guard::Mutex::new(1);
            let v = child_takes_tracked_lock(&m);
            say(b"not reached: lock was not caught\n");
            exit_now(if v > 0 { 4 } else { 5 });
        }
        "unmarked_code_before_child_code_is_free" => {
            // Marked code arms the guard only when it runs.
            let n = unseen::make_label(16);
            let pid = clean_child();
            exit_now(if n == 16 && pid > 0 { 0 } else { 3 });
        }
        other => {
            eprintln!("unknown scenario {other}");
            exit_now(99);
        }
    }
}

struct Outcome {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

fn spawn(name: &str) -> Outcome {
    let exe = std::env::current_exe().expect("current_exe");
    let mut child = Command::new(exe)
        .env(SCENARIO_VAR, name)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scenario");
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "scenario {name} timed out after {TIMEOUT:?} (a hang is what fork-guard must prevent)"
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Whether fork-guard's runtime guard is compiled in: debug builds, or the
/// `release` feature. Otherwise only the compile-time check remains and
/// marked code runs unguarded.
const GUARD_ACTIVE: bool = cfg!(any(debug_assertions, feature = "release"));

/// A process aborted by the guard: killed by a signal (SIGABRT or SIGTRAP,
/// per policy) with the diagnostic on stderr. With the guard compiled out,
/// the scenario runs to its end instead (exit status 4), silently.
fn expect_guard_abort(name: &str, before: &str) -> Result<(), String> {
    use std::os::unix::process::ExitStatusExt;
    let o = spawn(name);
    if !o.stdout.contains(before) {
        return Err(format!(
            "{name}: marked code did not run up to the hazard; stdout: {:?}",
            o.stdout
        ));
    }
    if !GUARD_ACTIVE {
        if o.status.code() != Some(4) || o.stderr.contains("fork-guard") {
            return Err(format!(
                "{name}: with the guard compiled out the scenario must run to its end quietly, got {:?}\nstderr: {}",
                o.status, o.stderr
            ));
        }
        return Ok(());
    }
    if o.status.signal().is_none() {
        return Err(format!(
            "{name}: expected the guard to abort, got {:?}\nstdout: {}\nstderr: {}",
            o.status, o.stdout, o.stderr
        ));
    }
    if o.stdout.contains("not reached") {
        return Err(format!(
            "{name}: the hazard was not caught; stdout: {:?}",
            o.stdout
        ));
    }
    if !o.stderr.contains("fork-guard: error:") {
        return Err(format!(
            "{name}: no fork-guard diagnostic on stderr: {:?}",
            o.stderr
        ));
    }
    Ok(())
}

fn expect_clean(name: &str, says: &str) -> Result<(), String> {
    let o = spawn(name);
    if !o.status.success() {
        return Err(format!(
            "{name}: expected success, got {:?}\nstdout: {}\nstderr: {}",
            o.status, o.stdout, o.stderr
        ));
    }
    if !o.stdout.contains(says) {
        return Err(format!("{name}: stdout {:?} lacks {says:?}", o.stdout));
    }
    if o.stderr.contains("fork-guard") {
        return Err(format!("{name}: unexpected diagnostic: {:?}", o.stderr));
    }
    Ok(())
}

/// A real fork from this (multithreaded: the reader threads are not running
/// yet, but the check does not depend on it) parent: the child calls a clean
/// marked function and exits; the parent waits with a timeout.
fn forked_clean_child() -> Result<(), String> {
    // SAFETY: the child only calls `clean_child` (checked by the macro to be
    // async-signal-safe) and `_exit`.
    let pid = unsafe { libc::fork() };
    if pid == -1 {
        return Err(format!("fork failed: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        let p = clean_child();
        exit_now(if p > 0 { 0 } else { 3 });
    }
    let start = Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
                Ok(())
            } else {
                Err(format!("forked child ended with status {status:#x}"))
            };
        }
        if r == -1 {
            return Err(format!("waitpid: {}", std::io::Error::last_os_error()));
        }
        if start.elapsed() > TIMEOUT {
            // SAFETY: `pid` is our child, not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Err("forked child timed out".to_string());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

type Check = Box<dyn Fn() -> Result<(), String>>;

fn main() -> ExitCode {
    if let Ok(name) = std::env::var(SCENARIO_VAR) {
        run_scenario(&name);
    }
    let checks: Vec<(&str, Check)> = vec![
        (
            "clean child function runs",
            Box::new(|| expect_clean("clean", "clean child ran")),
        ),
        (
            "clean child closure runs",
            Box::new(|| expect_clean("closure_clean", "clean closure ran")),
        ),
        (
            "unmarked code before marked code is not restricted",
            Box::new(|| expect_clean("unmarked_code_before_child_code_is_free", "clean child ran")),
        ),
        (
            "allocation through a method aborts",
            Box::new(|| expect_guard_abort("method", "before method")),
        ),
        (
            "allocation through an allowed unmarked callee aborts",
            Box::new(|| expect_guard_abort("allowed_callee", "before callee")),
        ),
        (
            "allocation in a child_closure! aborts",
            Box::new(|| expect_guard_abort("closure", "closure ran")),
        ),
        (
            "tracked lock in a child function aborts",
            Box::new(|| expect_guard_abort("tracked_lock", "before lock")),
        ),
        (
            "clean child function in a forked child",
            Box::new(forked_clean_child),
        ),
    ];
    if !GUARD_ACTIVE {
        println!(
            "the runtime guard is compiled out (release build): marked code must run unguarded"
        );
    }
    let mut failed = 0;
    for (name, check) in &checks {
        match check() {
            Ok(()) => println!("test {name} ... ok"),
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED\n{e}");
            }
        }
    }
    println!("\n{} passed; {failed} failed", checks.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

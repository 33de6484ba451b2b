//! End-to-end scenarios for the deadlock sentinel: fork children of a
//! multithreaded parent that block forever on locks fork-guard does not
//! track (std's `Mutex`, parking_lot's, the stdout lock) must be reported
//! and aborted; children that sleep, poll, exec or run threads of their own
//! must be left alone and unharmed.
//!
//! The `trace_*` cases check the traces in any report (issue 11, item 4):
//! they start at the user's function into which the `#[inline(always)]`
//! tracked lock was compiled, and go on through `thread_local!` accessors.
//!
//! Each scenario runs in its own subprocess (this binary re-executed with
//! `FG_SENTINEL=<name>`); every wait has a deadline, after which the process
//! is killed and the case fails. This binary has no `GuardAlloc`: only the
//! sentinel can catch these children.
//!
//! Run one case: `cargo test -p fork-guard --test sentinel -- <name>`.

use std::ffi::CString;
use std::hint::black_box;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const SCENARIO_ENV: &str = "FG_SENTINEL";
/// How long a deadlocked child may take to be reported and aborted.
const CHILD_DEADLINE: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// Scenario side: runs in the re-executed subprocess.

/// Writes a line to stdout with `write(2)`: the stdout lock may be held by
/// a thread on purpose.
fn say(line: &str) {
    let text = format!("{line}\n");
    // SAFETY: writes bytes from a live buffer to fd 1.
    unsafe { libc::write(1, text.as_ptr().cast(), text.len()) };
}

fn describe(status: i32) -> String {
    if libc::WIFEXITED(status) {
        format!("child: exited {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("child: signal {}", libc::WTERMSIG(status))
    } else {
        format!("child: status {status}")
    }
}

/// Forks; the child runs `f` and `_exit`s with its result. Waits for it
/// with a deadline (killing it then) and reports how it ended.
fn fork_child(deadline: Duration, f: impl FnOnce() -> i32) {
    let start = Instant::now();
    // SAFETY: the child runs `f` (the case under test) and `_exit`s; it
    // never returns into the harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = f();
        // SAFETY: `_exit` ends the child without running the parent's code.
        unsafe { libc::_exit(code) }
    }
    let outcome = loop {
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break describe(status);
        }
        if start.elapsed() > deadline {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            break "child: timeout".to_owned();
        }
        thread::sleep(Duration::from_millis(10));
    };
    say(&outcome);
    say(&format!("child-ms={}", start.elapsed().as_millis()));
}

/// Starts a thread that runs `hold` (which takes a lock and keeps it), and
/// returns once it holds it.
fn holder(name: &str, hold: impl FnOnce(&dyn Fn()) + Send + 'static) {
    let (tx, rx) = mpsc::channel::<()>();
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            hold(&|| tx.send(()).unwrap());
        })
        .unwrap();
    rx.recv().unwrap();
}

fn idle_thread() {
    holder("idle", |ready| {
        ready();
        thread::sleep(Duration::from_secs(60));
    });
}

static STD_MUTEX: std::sync::Mutex<u32> = std::sync::Mutex::new(0);
static PL_MUTEX: parking_lot::Mutex<u32> = parking_lot::Mutex::new(0);
static TRACKED: fork_guard::Mutex<u32> = fork_guard::Mutex::with_name("registry", 0);

fn elapsed_at_least(start: Instant, secs: u64) -> i32 {
    if start.elapsed() >= Duration::from_secs(secs) {
        0
    } else {
        3
    }
}

/// A single-threaded wait on a private futex with no timeout, ended after
/// `secs` by `SIGALRM` (installed without `SA_RESTART`): what a deadlocked
/// child looks like from outside, in a program that is not a fork of ours.
fn futex_wait_until_alarm(secs: u32) -> i32 {
    extern "C" fn on_alarm(_: i32) {}
    let word = std::sync::atomic::AtomicU32::new(0);
    // SAFETY: installs a do-nothing handler (no SA_RESTART, so the wait
    // returns EINTR), arms the alarm, and waits on a futex word we own.
    let rc = unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = on_alarm as extern "C" fn(i32) as usize;
        libc::sigaction(libc::SIGALRM, &act, std::ptr::null_mut());
        libc::alarm(secs);
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            0,
            std::ptr::null::<libc::timespec>(),
        )
    };
    let errno = std::io::Error::last_os_error().raw_os_error();
    if rc == -1 && errno == Some(libc::EINTR) {
        0
    } else {
        4
    }
}

/// Takes the tracked lock (held at fork by another thread): the report's
/// trace must start here, in the function the inlined `lock` is part of.
#[inline(never)]
fn child_takes_the_lock() -> i32 {
    let g = TRACKED.lock();
    black_box(&g);
    0
}

/// The line of `child_takes_the_lock` that takes the lock, from this file.
fn lock_line() -> Option<usize> {
    let source = include_str!("sentinel.rs");
    let mut lines = source.lines().enumerate();
    lines.find(|(_, l)| l.starts_with("fn child_takes_the_lock"))?;
    lines
        .find(|(_, l)| l.contains("TRACKED.lock()"))
        .map(|(i, _)| i + 1)
}

thread_local! {
    static SLOT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Reaches `child_takes_the_lock` through `LocalKey::with`: the trace must
/// go on past std's thread-local frames to this function.
#[inline(never)]
fn through_a_thread_local() -> i32 {
    SLOT.with(|s| {
        s.set(1);
        child_takes_the_lock()
    })
}

fn hold_tracked_lock() {
    holder("holder", |ready| {
        let _g = TRACKED.lock().unwrap();
        ready();
        thread::sleep(Duration::from_secs(60));
    });
}

fn run_scenario(name: &str) {
    if name == "futex_wait_until_alarm" {
        std::process::exit(futex_wait_until_alarm(3));
    }
    fork_guard::install();
    match name {
        "std_mutex" => {
            holder("std-holder", |ready| {
                let _g = STD_MUTEX.lock().unwrap();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            fork_child(CHILD_DEADLINE, || {
                let g = STD_MUTEX.lock();
                black_box(&g);
                0
            });
        }
        "pre_exec_stdout_piped" => {
            use std::os::unix::process::CommandExt;
            holder("printer", |ready| {
                let _g = std::io::stdout().lock();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            let mut cmd = Command::new("true");
            cmd.stdout(Stdio::null()).stderr(Stdio::piped());
            // SAFETY: the closure is the hazard under test (it takes the
            // stdout lock another thread holds); it never returns then.
            unsafe {
                cmd.pre_exec(|| {
                    let g = std::io::stdout().lock();
                    black_box(&g);
                    Ok(())
                });
            }
            let start = Instant::now();
            let mut child = cmd.spawn().unwrap();
            let mut err = child.stderr.take().unwrap();
            let reader = thread::spawn(move || {
                let mut s = String::new();
                let _ = err.read_to_string(&mut s);
                s
            });
            let status = loop {
                if let Some(s) = child.try_wait().unwrap() {
                    break format!("{s}");
                }
                if start.elapsed() > CHILD_DEADLINE {
                    let _ = child.kill();
                    let _ = child.wait();
                    break "timeout".to_owned();
                }
                thread::sleep(Duration::from_millis(10));
            };
            say(&format!("child: {status}"));
            say(&format!("child-ms={}", start.elapsed().as_millis()));
            for line in reader.join().unwrap().lines() {
                say(&format!("child-stderr: {line}"));
            }
        }
        "signal_blocked" => {
            holder("std-holder", |ready| {
                let _g = STD_MUTEX.lock().unwrap();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            fork_child(CHILD_DEADLINE, || {
                // The child blocks every real-time signal, the sentinel's
                // included: the watcher must report from outside.
                // SAFETY: plain-data signal set, filled and applied with
                // async-signal-safe calls on this (only) thread.
                unsafe {
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    for sig in libc::SIGRTMIN()..=libc::SIGRTMAX() {
                        libc::sigaddset(&mut set, sig);
                    }
                    libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                }
                let g = STD_MUTEX.lock();
                black_box(&g);
                0
            });
        }
        "std_mutex_wchan" => {
            holder("std-holder", |ready| {
                let _g = STD_MUTEX.lock().unwrap();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            fork_child(Duration::from_secs(10), || {
                let g = STD_MUTEX.lock();
                black_box(&g);
                0
            });
        }
        "std_mutex_sentinel_off" => {
            holder("std-holder", |ready| {
                let _g = STD_MUTEX.lock().unwrap();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            fork_child(Duration::from_secs(3), || {
                let g = STD_MUTEX.lock();
                black_box(&g);
                0
            });
        }
        "parking_lot_mutex" => {
            holder("pl-holder", |ready| {
                let _g = PL_MUTEX.lock();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            fork_child(CHILD_DEADLINE, || {
                let g = PL_MUTEX.lock();
                black_box(&g);
                0
            });
        }
        "stdout_lock" => {
            holder("printer", |ready| {
                let _g = std::io::stdout().lock();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            fork_child(CHILD_DEADLINE, || {
                let g = std::io::stdout().lock();
                black_box(&g);
                0
            });
        }
        "tracked_lock_warn" => {
            holder("holder", |ready| {
                let _g = TRACKED.lock().unwrap();
                ready();
                thread::sleep(Duration::from_secs(60));
            });
            // Under `warn` the child reports and carries on into the
            // deadlock; the sentinel then reports it too, and it hangs.
            fork_child(CHILD_DEADLINE, || {
                let g = TRACKED.lock();
                black_box(&g);
                0
            });
        }
        "trace_inlined_lock" => {
            hold_tracked_lock();
            fork_child(Duration::from_secs(20), child_takes_the_lock);
        }
        "trace_through_thread_local" => {
            hold_tracked_lock();
            fork_child(Duration::from_secs(20), through_a_thread_local);
        }
        "sleeps" => {
            idle_thread();
            fork_child(Duration::from_secs(20), || {
                let start = Instant::now();
                thread::sleep(Duration::from_secs(4));
                elapsed_at_least(start, 4)
            });
        }
        "polls" => {
            idle_thread();
            fork_child(Duration::from_secs(20), || {
                let start = Instant::now();
                // SAFETY: `poll` with no descriptors just waits.
                let rc = unsafe { libc::poll(std::ptr::null_mut(), 0, 3000) };
                if rc != 0 {
                    return 5; // EINTR or an error: the sentinel interfered
                }
                elapsed_at_least(start, 3)
            });
        }
        "reads" => {
            idle_thread();
            let mut fds = [0; 2];
            // SAFETY: `fds` is a valid array for `pipe` to fill.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            let writer = thread::spawn(move || {
                thread::sleep(Duration::from_secs(3));
                // SAFETY: writes one byte from a live buffer to the pipe.
                unsafe { libc::write(fds[1], b"x".as_ptr().cast(), 1) };
            });
            fork_child(Duration::from_secs(20), || {
                let mut b = [0u8; 1];
                // SAFETY: reads into a live one-byte buffer.
                let n = unsafe { libc::read(fds[0], b.as_mut_ptr().cast(), 1) };
                if n == 1 { 0 } else { 5 }
            });
            writer.join().unwrap();
        }
        "execs_sleep" => {
            idle_thread();
            let prog = CString::new("sleep").unwrap();
            let arg = CString::new("3").unwrap();
            let argv = [prog.as_ptr(), arg.as_ptr(), std::ptr::null()];
            fork_child(Duration::from_secs(20), || {
                // SAFETY: NUL-terminated strings and argv prepared before fork.
                unsafe { libc::execvp(prog.as_ptr(), argv.as_ptr()) };
                7
            });
        }
        "execs_futex_waiter" => {
            idle_thread();
            let exe = CString::new(
                std::env::current_exe()
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes(),
            )
            .unwrap();
            let env = CString::new(format!("{SCENARIO_ENV}=futex_wait_until_alarm")).unwrap();
            let argv = [exe.as_ptr(), std::ptr::null()];
            let envp = [env.as_ptr(), std::ptr::null()];
            fork_child(Duration::from_secs(20), || {
                // SAFETY: NUL-terminated strings and arrays prepared before fork.
                unsafe { libc::execve(exe.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
                7
            });
        }
        "worker_with_threads" => {
            idle_thread();
            fork_child(Duration::from_secs(20), || {
                // A prefork worker: its own thread waits 3 s on a private
                // futex (a std Mutex the main thread holds), which another
                // thread of the worker then releases.
                let m = std::sync::Arc::new(std::sync::Mutex::new(0u32));
                let g = m.lock().unwrap();
                let m2 = m.clone();
                let t = thread::spawn(move || {
                    *m2.lock().unwrap() += 1;
                });
                thread::sleep(Duration::from_secs(3));
                drop(g);
                t.join().unwrap();
                let v = *m.lock().unwrap();
                if v == 1 { 0 } else { 6 }
            });
        }
        other => panic!("unknown scenario {other}"),
    }
}

// ---------------------------------------------------------------------------
// Harness side.

struct Outcome {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn exited_ok(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

fn run_case(name: &str, env: &[(&str, &str)], timeout: Duration) -> Outcome {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.env(SCENARIO_ENV, name)
        .env_remove("FORK_GUARD")
        .env_remove("FORK_GUARD_ALLOW_THREADS")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn scenario");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    Outcome {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

type Check = fn(&Outcome) -> Result<(), String>;

fn expect(cond: bool, what: &str) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.to_owned()) }
}

/// A deadlocked child: aborted by the sentinel within the deadline, with
/// the diagnostic naming the blocked call.
fn deadlocked(o: &Outcome, waits_in: &str) -> Result<(), String> {
    expect(o.exited_ok(), "scenario (parent) exits 0")?;
    expect(
        o.stdout.contains("child: signal 6"),
        "the child dies of SIGABRT within the deadline (not a timeout)",
    )?;
    expect(
        o.stderr.starts_with(
            "fork-guard: error: this child is deadlocked: its only thread waits on a process-private futex",
        ),
        "the diagnostic comes first",
    )?;
    expect(
        o.stderr.contains("threads alive at fork in pid"),
        "lists the threads alive at fork",
    )?;
    expect(
        o.stderr.contains("fork-guard: the blocked call"),
        "symbolises the blocked call",
    )?;
    expect(
        o.stderr
            .contains(&format!("= the child waits in `{waits_in}")),
        "names the call the child is blocked in",
    )?;
    expect(
        o.stderr.contains("tests/sentinel.rs:"),
        "points at the user's code",
    )?;
    expect(
        !o.stderr.contains("fork-guard: bug:"),
        "the core report did not allocate",
    )
}

/// A child the sentinel must leave alone: silent, and it did what it meant to.
fn unharmed(o: &Outcome) -> Result<(), String> {
    expect(o.exited_ok(), "scenario exits 0")?;
    expect(
        o.stdout.contains("child: exited 0"),
        "the child exits 0 (it slept, polled, read or exec'd in full)",
    )?;
    expect(o.stderr.is_empty(), "nothing on stderr")
}

type Case = (&'static str, Vec<(&'static str, &'static str)>, Check);

fn cases() -> Vec<Case> {
    vec![
        ("std_mutex", vec![], |o| {
            deadlocked(o, "std::sync::poison::mutex::Mutex<")?;
            expect(
                o.stderr.contains("`std-holder` (tid "),
                "lists the holder thread",
            )
        }),
        ("parking_lot_mutex", vec![], |o| {
            deadlocked(o, "lock_api::mutex::Mutex<")?;
            expect(
                o.stderr.contains("parking_lot"),
                "shows parking_lot's frames",
            )
        }),
        ("stdout_lock", vec![], |o| {
            deadlocked(o, "std::io::stdio::Stdout::lock")?;
            expect(
                o.stderr.contains("`printer` (tid "),
                "lists the printing thread",
            )
        }),
        ("pre_exec_stdout_piped", vec![], |o| {
            expect(o.exited_ok(), "scenario (parent) exits 0")?;
            expect(
                o.stdout.contains("child: signal: 6 (SIGABRT)"),
                "the pre_exec child dies of SIGABRT within the deadline",
            )?;
            expect(
                o.stdout
                    .contains("child-stderr: fork-guard: error: this child is deadlocked"),
                "the diagnostic goes to the child's own stderr (the pipe)",
            )?;
            expect(
                o.stdout
                    .contains("= the child waits in `std::io::stdio::Stdout::lock`"),
                "naming the stdout lock",
            )?;
            expect(
                o.stderr
                    .starts_with("fork-guard: note: deadlock sentinel: fork child ")
                    && o.stderr
                        .contains("it writes the diagnostic to its own stderr (pipe:"),
                "the parent's stderr says where the report went",
            )
        }),
        ("signal_blocked", vec![], |o| {
            expect(o.exited_ok(), "scenario (parent) exits 0")?;
            expect(
                o.stdout.contains("child: signal 6"),
                "the child dies of the watcher's SIGABRT within the deadline",
            )?;
            expect(
                o.stderr.starts_with("fork-guard: error: fork child ")
                    && o.stderr.contains(
                        " is deadlocked: its only thread waits on a process-private futex (at 0x",
                    ),
                "the watcher reports from outside",
            )?;
            expect(
                o.stderr
                    .contains("the sentinel's signal cannot reach the child"),
                "and says why",
            )?;
            expect(
                o.stderr.contains(
                    "= note: threads of this process now (the fork's census is in the child): ",
                ) && o.stderr.contains("`std-holder` (tid "),
                "lists the parent's threads",
            )?;
            expect(
                o.stderr.contains("fork-guard: sending SIGABRT to child "),
                "and what it does",
            )
        }),
        (
            "std_mutex_wchan",
            vec![("FORK_GUARD_SENTINEL", "wchan")],
            |o| {
                expect(o.exited_ok(), "scenario (parent) exits 0")?;
                expect(
                    o.stdout.contains("child: signal 6"),
                    "judged from wchan alone (2 s of the same wait), the child still dies of SIGABRT within 10 s",
                )?;
                expect(
                o.stderr.contains("fork-guard: error: this child is deadlocked: its only thread waits on a process-private futex (seen in /proc/<pid>/wchan"),
                "the diagnostic says where it looked",
            )?;
                expect(
                    o.stderr
                        .contains("= the child waits in `std::sync::poison::mutex::Mutex<"),
                    "names the blocked call",
                )
            },
        ),
        (
            "std_mutex_sentinel_off",
            vec![("FORK_GUARD_SENTINEL", "off")],
            |o| {
                expect(o.exited_ok(), "scenario exits 0")?;
                expect(
                    o.stdout.contains("child: timeout"),
                    "with FORK_GUARD_SENTINEL=off the child hangs as it would without the guard",
                )?;
                expect(o.stderr.is_empty(), "nothing on stderr")
            },
        ),
        ("tracked_lock_warn", vec![("FORK_GUARD", "warn")], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(
                o.stdout.contains("child: timeout"),
                "under warn the child carries on (and hangs until the harness kills it)",
            )?;
            expect(
                o.stderr
                    .contains("fork-guard: warning: this child would deadlock"),
                "the tracked lock's own warning",
            )?;
            expect(
                o.stderr
                    .contains("fork-guard: warning: this child is deadlocked"),
                "the sentinel's warning",
            )?;
            expect(
                o.stderr.contains("the futex is part of tracked Mutex `registry`, held at fork by thread `holder` (tid "),
                "names the tracked lock and its holder",
            )
        }),
        ("trace_inlined_lock", vec![], |o| {
            expect(o.stdout.contains("child: signal 6"), "the child aborts")?;
            let trace = o
                .stderr
                .split("fork-guard: the hazardous call (best-effort symbolisation):\n")
                .nth(1)
                .ok_or("the hazardous call is symbolised")?;
            expect(
                trace.starts_with("     #0 sentinel::child_takes_the_lock\n"),
                "the trace starts at the user's function the inlined lock was compiled into",
            )?;
            let line = lock_line().ok_or("the lock line is found in the source")?;
            expect(
                trace
                    .lines()
                    .nth(1)
                    .is_some_and(|l| l.ends_with(&format!("tests/sentinel.rs:{line}"))),
                "at the line that takes the lock",
            )
        }),
        ("trace_through_thread_local", vec![], |o| {
            expect(o.stdout.contains("child: signal 6"), "the child aborts")?;
            let trace = o
                .stderr
                .split("fork-guard: the hazardous call (best-effort symbolisation):\n")
                .nth(1)
                .ok_or("the hazardous call is symbolised")?;
            expect(
                trace.contains("LocalKey"),
                "the thread-local accessor is in the trace",
            )?;
            expect(
                trace.contains("sentinel::through_a_thread_local\n"),
                "the trace goes on past LocalKey::with to the user's function",
            )?;
            expect(
                trace.contains("sentinel::fork_child"),
                "and on to its caller",
            )
        }),
        ("sleeps", vec![], unharmed),
        ("polls", vec![], unharmed),
        ("reads", vec![], unharmed),
        ("execs_sleep", vec![], unharmed),
        ("execs_futex_waiter", vec![], unharmed),
        ("worker_with_threads", vec![], unharmed),
    ]
}

fn main() {
    if let Ok(name) = std::env::var(SCENARIO_ENV) {
        run_scenario(&name);
        return;
    }
    if !fork_guard::is_active()
        || !cfg!(all(
            target_os = "linux",
            any(target_arch = "x86_64", target_arch = "aarch64")
        ))
    {
        println!("sentinel: skipped (the sentinel is compiled out here)");
        return;
    }
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let list = std::env::args().any(|a| a == "--list");
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, env, check) in cases() {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        if list {
            println!("{name}: test");
            continue;
        }
        ran += 1;
        let started = Instant::now();
        let o = run_case(name, &env, Duration::from_secs(60));
        let result = if o.status.is_none() {
            Err("timed out".to_owned())
        } else {
            check(&o)
        };
        let child_ms = o
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("child-ms="))
            .unwrap_or("?");
        match result {
            Ok(()) => println!(
                "test {name} ... ok ({:.1?}; child ended after {child_ms} ms)",
                started.elapsed()
            ),
            Err(why) => {
                println!("test {name} ... FAILED: {why}");
                println!(
                    "---- status: {:?}\n---- stdout:\n{}---- stderr:\n{}----",
                    o.status, o.stdout, o.stderr
                );
                failed.push(name);
            }
        }
    }
    if list {
        return;
    }
    println!(
        "\nsentinel: {} passed, {} failed",
        ran - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        println!("failed: {failed:?}");
        std::process::exit(1);
    }
}

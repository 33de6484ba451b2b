//! End-to-end scenarios that fork for real.
//!
//! Each scenario runs in its own subprocess (this binary re-executed with
//! `FG_SCENARIO=<name>`), where we control every thread; the harness below
//! observes its exit status and output, so an abort is seen as a signal,
//! never a hang: every wait has a deadline, after which the process is
//! killed and the case fails.
//!
//! Run one case: `cargo test -p fork-guard --test scenarios -- <name>`.

use std::hint::black_box;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use fork_guard::{GuardAlloc, Mutex, RwLock};

#[global_allocator]
static ALLOC: GuardAlloc<std::alloc::System> = GuardAlloc::new(std::alloc::System);

const SCENARIO_ENV: &str = "FG_SCENARIO";

// ---------------------------------------------------------------------------
// Scenario side: runs in the re-executed subprocess.

/// How a forked child ended.
fn describe(status: i32) -> String {
    if libc::WIFEXITED(status) {
        format!("child: exited {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("child: signal {}", libc::WTERMSIG(status))
    } else {
        format!("child: status {status}")
    }
}

/// Waits for `pid` with a deadline; kills it on timeout.
fn wait_child(pid: libc::pid_t, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return describe(status);
        }
        if r < 0 {
            return format!("child: waitpid failed: {}", std::io::Error::last_os_error());
        }
        if Instant::now() > deadline {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return "child: timeout".to_owned();
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Forks with libc's `fork`; the child runs `f` and `_exit`s with its result.
fn fork_child(f: impl FnOnce() -> i32) -> String {
    // SAFETY: the child runs `f` (the hazard under test) and `_exit`s; it
    // never returns into the test's code.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = f();
        // SAFETY: `_exit` is async-signal-safe and ends the child.
        unsafe { libc::_exit(code) }
    }
    wait_child(pid, Duration::from_secs(20))
}

/// Forks with a raw `clone` system call that bypasses libc's `fork` (no
/// atfork handler runs).
fn raw_fork_child(f: impl FnOnce() -> i32) -> String {
    // SAFETY: `clone(SIGCHLD)` with no stack behaves like `fork` without
    // libc's bookkeeping; the child runs `f` and `_exit`s.
    let pid = unsafe { libc::syscall(libc::SYS_clone, libc::SIGCHLD as libc::c_long, 0, 0, 0, 0) };
    assert!(pid >= 0, "clone failed");
    if pid == 0 {
        let code = f();
        // SAFETY: as above.
        unsafe { libc::_exit(code) }
    }
    wait_child(pid as libc::pid_t, Duration::from_secs(20))
}

fn allocate_in_child() -> i32 {
    let v: Vec<u8> = Vec::with_capacity(black_box(64));
    black_box(&v);
    0
}

/// A named thread that just waits until the process ends.
fn idle_thread(name: &str) {
    let (tx, rx) = mpsc::channel::<()>();
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            tx.send(()).unwrap();
            thread::sleep(Duration::from_secs(60));
        })
        .unwrap();
    rx.recv().unwrap();
}

/// A `pthread_create`d thread for a fork child: starting it allocates
/// nothing through Rust's allocator (std's `thread::spawn` would, and in a
/// restricted child that allocation is itself reported).
fn raw_thread(f: extern "C" fn(*mut libc::c_void) -> *mut libc::c_void) -> libc::pthread_t {
    let mut t: libc::pthread_t = 0;
    // SAFETY: `t` is a valid out-pointer, default attributes, and `f` is an
    // `extern "C"` function that ignores its argument.
    let rc = unsafe { libc::pthread_create(&mut t, std::ptr::null(), f, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "pthread_create");
    t
}

fn raw_join(t: libc::pthread_t) {
    // SAFETY: `t` was created by `raw_thread` and is joined once.
    unsafe { libc::pthread_join(t, std::ptr::null_mut()) };
}

fn sleep_ms(ms: u64) {
    let ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: (ms * 1_000_000) as libc::c_long,
    };
    // SAFETY: a valid timespec; no remainder wanted.
    unsafe { libc::nanosleep(&ts, std::ptr::null_mut()) };
}

/// Set by the child's own thread once it holds `WORKER_LOCK` and `CONFIG`.
static WORKER_HOLDS: AtomicBool = AtomicBool::new(false);
/// A lock nobody holds at fork: the child's threads contend on it.
static WORKER_LOCK: Mutex<u64> = Mutex::with_name("worker", 0);

/// The child's own thread: takes two tracked locks that were free at fork
/// and holds them a while, so that the child's first thread contends.
extern "C" fn worker_thread(_: *mut libc::c_void) -> *mut libc::c_void {
    let mut w = WORKER_LOCK.lock().unwrap();
    let c = CONFIG.write().unwrap();
    WORKER_HOLDS.store(true, Ordering::SeqCst);
    sleep_ms(100);
    *w += 1;
    drop(c);
    drop(w);
    std::ptr::null_mut()
}

/// In a fork child: start a thread, contend with it on two tracked locks
/// that were free at fork, then allocate. Returns 0 when all went through.
fn child_with_own_threads() -> i32 {
    let t = raw_thread(worker_thread);
    while !WORKER_HOLDS.load(Ordering::SeqCst) {
        sleep_ms(1);
    }
    // Both are held by the child's own thread: ordinary contention.
    let r = *CONFIG.read().unwrap();
    *WORKER_LOCK.lock().unwrap() += 1;
    raw_join(t);
    allocate_in_child();
    let ok = r == 0 && *WORKER_LOCK.lock().unwrap() == 2;
    i32::from(!ok)
}

/// Forks in `holder_loop` (each child symbolises its report: about a
/// second apiece in a debug build).
const HOLDER_LOOP_FORKS: usize = 8;

static REGISTRY: Mutex<u32> = Mutex::with_name("registry", 0);
static CONFIG: RwLock<u32> = RwLock::with_name("config", 0);

fn run_scenario(name: &str) {
    fork_guard::install();
    match name {
        "lock_held_at_fork" => {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("holder".into())
                .spawn(move || {
                    let line = line!() + 1;
                    let _g = REGISTRY.lock().unwrap();
                    tx.send(line).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            let line = rx.recv().unwrap();
            println!("holder-line={line}");
            println!(
                "{}",
                fork_child(|| {
                    let g = REGISTRY.lock();
                    black_box(&g);
                    0
                })
            );
        }
        "rwlock_writer_at_fork" => {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("writer".into())
                .spawn(move || {
                    let _g = CONFIG.write().unwrap();
                    tx.send(()).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            rx.recv().unwrap();
            println!(
                "{}",
                fork_child(|| {
                    let g = CONFIG.read();
                    black_box(&g);
                    0
                })
            );
        }
        "strict_named_thread" => {
            idle_thread("strict-worker");
            println!("{}", fork_child(|| 0));
            println!("parent survived");
        }
        "strict_allowed_thread_holds_lock" => {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("idle-holder".into())
                .spawn(move || {
                    let _g = REGISTRY.lock().unwrap();
                    tx.send(()).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            rx.recv().unwrap();
            println!("{}", fork_child(|| 0));
            println!("parent survived");
        }
        "allow_listed_strict" => {
            idle_thread("idle-1");
            println!("{}", fork_child(allocate_in_child));
        }
        "alloc_with_threads" => {
            idle_thread("busy-1");
            println!("{}", fork_child(allocate_in_child));
        }
        "free_lock_with_threads" => {
            idle_thread("bystander");
            println!(
                "{}",
                fork_child(|| {
                    let g = REGISTRY.lock();
                    black_box(&g);
                    0
                })
            );
        }
        "child_mode_lock" => {
            thread::spawn(|| {
                fork_guard::__private::enter_child_mode();
                let g = REGISTRY.lock();
                black_box(&g);
            })
            .join()
            .ok();
            println!("child-mode thread returned");
        }
        "single_thread_alloc" => {
            println!(
                "{}",
                fork_child(|| {
                    allocate_in_child();
                    let m = Mutex::with_name("local", 1);
                    *m.lock().unwrap() += 1;
                    *REGISTRY.lock().unwrap() += 1;
                    i32::from(*m.lock().unwrap() != 2)
                })
            );
        }
        "child_execs_while_lock_held" => {
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                let _g = REGISTRY.lock().unwrap();
                tx.send(()).unwrap();
                thread::sleep(Duration::from_secs(60));
            });
            rx.recv().unwrap();
            // Everything the child needs is prepared before fork.
            let path = c"/bin/true";
            let argv = [path.as_ptr(), std::ptr::null()];
            println!(
                "{}",
                fork_child(|| {
                    // SAFETY: `path` and `argv` are NUL-terminated and live;
                    // `execv` is async-signal-safe.
                    unsafe { libc::execv(path.as_ptr(), argv.as_ptr()) };
                    127
                })
            );
        }
        "command_storm" => command_storm(),
        "off_policy" | "warn_policy" => {
            idle_thread("warned-worker");
            println!(
                "{}",
                fork_child(|| {
                    allocate_in_child();
                    *REGISTRY.lock().unwrap() += 1;
                    0
                })
            );
        }
        "worker_owns_threads" => {
            // A prefork worker: forked from a single-threaded parent, it
            // starts threads of its own and uses tracked locks among them.
            println!("{}", fork_child(child_with_own_threads));
        }
        "restricted_worker_owns_threads" => {
            // Same, from a parent with another thread alive (holding
            // `registry`): the child starts out restricted and leaves
            // restricted mode once it has threads of its own.
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("holder-a".into())
                .spawn(move || {
                    let _g = REGISTRY.lock().unwrap();
                    tx.send(()).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            rx.recv().unwrap();
            println!(
                "{}",
                fork_child(|| {
                    let code = child_with_own_threads();
                    // The lock held at fork is still held, without blocking.
                    let held = REGISTRY.try_lock().is_err();
                    if code == 0 && held { 0 } else { 1 }
                })
            );
        }
        "threaded_child_takes_lock_held_at_fork" => {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("holder-a".into())
                .spawn(move || {
                    let _g = REGISTRY.lock().unwrap();
                    tx.send(()).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            rx.recv().unwrap();
            println!(
                "{}",
                fork_child(|| {
                    if child_with_own_threads() != 0 {
                        return 1;
                    }
                    // Having threads does not make a lock held at fork any
                    // less held forever.
                    let g = REGISTRY.lock();
                    black_box(&g);
                    0
                })
            );
        }
        "holder_loop" => {
            // The holder takes and releases the lock in a loop, holding it
            // most of the time: every child that finds it held must name
            // the holder, whatever instant the fork hit.
            let stop = Arc::new(AtomicBool::new(false));
            let s = stop.clone();
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("looper".into())
                .spawn(move || {
                    let mut first = Some(tx);
                    while !s.load(Ordering::Relaxed) {
                        let mut g = REGISTRY.lock().unwrap();
                        if let Some(tx) = first.take() {
                            tx.send(()).unwrap();
                        }
                        for i in 0..20_000u32 {
                            *g = black_box(g.wrapping_add(i));
                        }
                        drop(g);
                    }
                })
                .unwrap();
            rx.recv().unwrap();
            for _ in 0..HOLDER_LOOP_FORKS {
                println!(
                    "{}",
                    fork_child(|| {
                        let g = REGISTRY.lock();
                        black_box(&g);
                        0
                    })
                );
            }
            stop.store(true, Ordering::Relaxed);
        }
        "unnamed_thread" => {
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                tx.send(()).unwrap();
                thread::sleep(Duration::from_secs(60));
            });
            rx.recv().unwrap();
            println!("{}", fork_child(allocate_in_child));
        }
        "invalid_policy" | "empty_policy" => {
            println!("policy={}", fork_guard::policy());
        }
        "raw_fork_backstop" => {
            if !fork_guard::backstop_available() {
                println!("skip: no MADV_WIPEONFORK");
                return;
            }
            idle_thread("raw-worker");
            println!("{}", raw_fork_child(allocate_in_child));
        }
        "malloc_storm_raw_children" => {
            // Threads hammer the allocator while raw-fork children (libc's
            // fork would take malloc's locks around the fork; a raw clone
            // does not) allocate: the core report never allocates, and
            // symbolisation, which may find the allocator locked forever,
            // runs under an alarm. Every child must die of SIGABRT, none
            // may hang.
            let stop = Arc::new(AtomicBool::new(false));
            for i in 0..4 {
                let stop = stop.clone();
                thread::Builder::new()
                    .name(format!("malloc-{i}"))
                    .spawn(move || {
                        while !stop.load(Ordering::Relaxed) {
                            let v: Vec<Vec<u8>> = (0..16).map(|n| vec![0u8; 16 + n * 97]).collect();
                            black_box(v);
                        }
                    })
                    .unwrap();
            }
            thread::sleep(Duration::from_millis(50));
            for _ in 0..6 {
                println!("{}", raw_fork_child(allocate_in_child));
            }
            stop.store(true, Ordering::Relaxed);
        }
        "raw_fork_single" => {
            println!("{}", raw_fork_child(allocate_in_child));
        }
        "raw_fork_lock_held" => {
            let (tx, rx) = mpsc::channel();
            thread::Builder::new()
                .name("raw-holder".into())
                .spawn(move || {
                    let _g = REGISTRY.lock().unwrap();
                    tx.send(()).unwrap();
                    thread::sleep(Duration::from_secs(60));
                })
                .unwrap();
            rx.recv().unwrap();
            println!(
                "{}",
                raw_fork_child(|| {
                    let g = REGISTRY.lock();
                    black_box(&g);
                    0
                })
            );
        }
        "child_mode_thread" => {
            let stop = Arc::new(AtomicBool::new(false));
            let s = stop.clone();
            let other = thread::spawn(move || {
                // Another thread keeps allocating: unaffected by child mode.
                while !s.load(Ordering::Relaxed) {
                    black_box(vec![1u8; 32]);
                }
            });
            thread::Builder::new()
                .name("child-mode".into())
                .spawn(|| {
                    fork_guard::__private::enter_child_mode();
                    allocate_in_child();
                })
                .unwrap()
                .join()
                .ok();
            stop.store(true, Ordering::Relaxed);
            other.join().unwrap();
            println!("child-mode thread returned");
        }
        other => panic!("unknown scenario {other}"),
    }
}

fn command_storm() {
    const THREADS: usize = 8;
    const SPAWNS: usize = 300;
    let stop = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Mutex::with_name("shared", Vec::<u64>::new()));
    let ops = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for i in 0..THREADS {
        let (stop, shared, ops) = (stop.clone(), shared.clone(), ops.clone());
        workers.push(
            thread::Builder::new()
                .name(format!("busy-{i}"))
                .spawn(move || {
                    let own = Mutex::with_name("own", 0u64);
                    while !stop.load(Ordering::Relaxed) {
                        {
                            let mut v = shared.lock().unwrap();
                            v.push(i as u64);
                            if v.len() > 1000 {
                                v.clear();
                            }
                        }
                        *own.lock().unwrap() += 1;
                        *REGISTRY.lock().unwrap() += 1;
                        black_box(format!("work {i}"));
                        ops.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .unwrap(),
        );
    }
    let mut ok = 0;
    for n in 0..SPAWNS {
        let mut cmd = Command::new("true");
        cmd.stdin(Stdio::null());
        let success = match n % 4 {
            0 => {
                use std::os::unix::process::CommandExt;
                // SAFETY: the closure only calls `setsid`, which is
                // async-signal-safe.
                unsafe {
                    cmd.pre_exec(|| {
                        libc::setsid();
                        Ok(())
                    });
                }
                cmd.status().map(|s| s.success())
            }
            1 => cmd.output().map(|o| o.status.success()),
            2 => {
                use std::os::unix::process::CommandExt;
                // SAFETY: as above.
                unsafe {
                    cmd.pre_exec(|| {
                        libc::setsid();
                        Ok(())
                    });
                }
                cmd.output().map(|o| o.status.success())
            }
            _ => cmd.spawn().and_then(|mut c| c.wait()).map(|s| s.success()),
        };
        if success.unwrap_or(false) {
            ok += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    println!(
        "spawned ok={ok}/{SPAWNS} worker-ops={}",
        ops.load(Ordering::Relaxed)
    );
}

// ---------------------------------------------------------------------------
// Harness side.

struct Outcome {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn signal(&self) -> Option<i32> {
        use std::os::unix::process::ExitStatusExt;
        self.status.and_then(|s| s.signal())
    }

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
    // A scenario's grandchildren (forked children, killed on timeout) could
    // keep the pipes open; the scenario reaps them before exiting.
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

fn no_bug(o: &Outcome) -> Result<(), String> {
    expect(
        !o.stderr.contains("fork-guard: bug:"),
        "the core report allocated (\"fork-guard: bug:\" on stderr)",
    )
}

fn clean(o: &Outcome) -> Result<(), String> {
    expect(o.exited_ok(), "scenario exits 0")?;
    expect(o.stdout.contains("child: exited 0"), "child exits 0")?;
    expect(o.stderr.is_empty(), "nothing on stderr")
}

fn check_lock_held(o: &Outcome) -> Result<(), String> {
    expect(o.exited_ok(), "scenario (parent) exits 0")?;
    expect(
        o.stdout.contains("child: signal 6"),
        "child dies of SIGABRT",
    )?;
    let line = o
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("holder-line="))
        .ok_or("holder line printed")?;
    expect(
        o.stderr
            .starts_with("fork-guard: error: this child would deadlock"),
        "diagnostic first",
    )?;
    expect(o.stderr.contains("Mutex `registry`"), "names the lock")?;
    expect(
        o.stderr.contains(&format!(
            "acquired at fork-guard/tests/scenarios.rs:{line}:"
        )) || o
            .stderr
            .contains(&format!("acquired at tests/scenarios.rs:{line}:")),
        "names the acquisition site",
    )?;
    expect(
        o.stderr.contains("by thread `holder` (tid "),
        "names the holder thread and tid",
    )?;
    expect(
        o.stderr.contains("threads alive at fork"),
        "lists threads alive at fork",
    )?;
    expect(o.stderr.contains("= help:"), "says what to do")?;
    no_bug(o)
}

/// A case: scenario name, extra environment, expectations.
type Case = (&'static str, Vec<(&'static str, &'static str)>, Check);

fn cases() -> Vec<Case> {
    vec![
        ("lock_held_at_fork", vec![], check_lock_held),
        ("rwlock_writer_at_fork", vec![], |o| {
            expect(
                o.stdout.contains("child: signal 6"),
                "child dies of SIGABRT",
            )?;
            expect(
                o.stderr.contains("RwLock (held for writing) `config`"),
                "names the lock and mode",
            )?;
            expect(o.stderr.contains("by thread `writer`"), "names the writer")?;
            no_bug(o)
        }),
        ("strict_named_thread", vec![("FORK_GUARD", "strict")], |o| {
            expect(
                o.signal() == Some(libc::SIGABRT),
                "the parent dies of SIGABRT at fork",
            )?;
            expect(
                !o.stdout.contains("parent survived"),
                "fork does not return",
            )?;
            expect(
                o.stderr
                    .contains("fork-guard: error: fork() while 1 other thread(s) are alive"),
                "says why",
            )?;
            expect(
                o.stderr.contains("`strict-worker` (tid "),
                "names the thread",
            )?;
            expect(o.stderr.contains("called fork"), "marks the forking thread")
        }),
        (
            "strict_allowed_thread_holds_lock",
            vec![
                ("FORK_GUARD", "strict"),
                ("FORK_GUARD_ALLOW_THREADS", "idle-*"),
            ],
            |o| {
                expect(
                    o.signal() == Some(libc::SIGABRT),
                    "the parent dies of SIGABRT at fork",
                )?;
                expect(
                    !o.stdout.contains("parent survived"),
                    "fork does not return",
                )?;
                expect(
                    o.stderr.contains(
                        "fork-guard: error: fork() while 1 tracked lock(s) are held by other threads",
                    ),
                    "an allow-listed thread's lock is still a hazard",
                )?;
                expect(
                    o.stderr
                        .contains("Mutex `registry` by thread `idle-holder`"),
                    "names lock and holder",
                )?;
                expect(
                    o.stderr.contains("allow-listed"),
                    "marks the thread allow-listed",
                )
            },
        ),
        (
            "allow_listed_strict",
            vec![
                ("FORK_GUARD", "strict"),
                ("FORK_GUARD_ALLOW_THREADS", "other, idle-*"),
            ],
            clean,
        ),
        ("alloc_with_threads", vec![], |o| {
            expect(
                o.stdout.contains("child: signal 6"),
                "child dies of SIGABRT",
            )?;
            expect(
                o.stderr.starts_with("fork-guard: error: allocation (64 bytes, through GuardAlloc) in the child of a multithreaded process"),
                "says allocation",
            )?;
            expect(
                o.stderr.contains("`busy-1` (tid "),
                "lists the other thread",
            )?;
            expect(
                o.stderr.contains("fork-guard: the hazardous call")
                    && o.stderr.contains("scenarios::allocate_in_child"),
                "shows the hazardous call in the user's code",
            )?;
            no_bug(o)
        }),
        ("free_lock_with_threads", vec![], |o| {
            expect(
                o.stdout.contains("child: signal 6"),
                "child dies of SIGABRT",
            )?;
            expect(
                o.stderr.starts_with(
                    "fork-guard: error: tracked lock taken in the child of a multithreaded process: Mutex `registry`",
                ),
                "says a lock in a restricted child",
            )?;
            expect(
                o.stderr.contains("`bystander` (tid "),
                "lists the other thread",
            )?;
            no_bug(o)
        }),
        ("child_mode_lock", vec![], |o| {
            expect(o.signal() == Some(libc::SIGABRT), "the process aborts")?;
            expect(
                o.stderr.starts_with(
                    "fork-guard: error: tracked lock taken in child-restricted code: Mutex `registry`",
                ),
                "says child mode and names the lock",
            )?;
            expect(
                o.stderr.contains("tests/scenarios.rs:"),
                "points at the acquisition",
            )?;
            no_bug(o)
        }),
        ("single_thread_alloc", vec![], clean),
        ("child_execs_while_lock_held", vec![], clean),
        ("command_storm", vec![], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(
                o.stdout.contains("spawned ok=300/300"),
                "all spawns succeed",
            )?;
            expect(!o.stdout.contains("worker-ops=0"), "workers ran")?;
            expect(o.stderr.is_empty(), "nothing on stderr")
        }),
        ("off_policy", vec![("FORK_GUARD", "off")], clean),
        ("warn_policy", vec![("FORK_GUARD", "warn")], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(
                o.stdout.contains("child: exited 0"),
                "child carries on and exits 0",
            )?;
            expect(
                o.stderr
                    .contains("fork-guard: warning: fork() while 1 other thread(s) are alive"),
                "parent-side warning",
            )?;
            expect(
                o.stderr.contains("fork-guard: warning: allocation"),
                "child-side warning",
            )?;
            expect(
                o.stderr
                    .contains("fork-guard: warning: tracked lock taken in the child"),
                "lock warning",
            )?;
            expect(!o.stderr.contains("error"), "no error")?;
            expect(
                o.stderr.matches("warning: allocation").count() == 1,
                "warned once per kind",
            )
        }),
        ("worker_owns_threads", vec![], clean),
        ("restricted_worker_owns_threads", vec![], clean),
        ("threaded_child_takes_lock_held_at_fork", vec![], |o| {
            expect(
                o.stdout.contains("child: signal 6"),
                "child dies of SIGABRT",
            )?;
            expect(
                o.stderr
                    .starts_with("fork-guard: error: this child would deadlock: it takes tracked Mutex `registry`"),
                "the lock held at fork is still reported",
            )?;
            expect(
                o.stderr.contains("by thread `holder-a` (tid "),
                "names the holder",
            )?;
            expect(
                !o.stderr.contains("`worker`") && !o.stderr.contains("`config`"),
                "the child's own locks are not mentioned",
            )?;
            no_bug(o)
        }),
        ("holder_loop", vec![], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(
                o.stdout.matches("child: signal 6").count() == HOLDER_LOOP_FORKS,
                "every child aborts",
            )?;
            let deadlocks = o.stderr.matches("this child would deadlock").count();
            let notes: Vec<&str> = o
                .stderr
                .lines()
                .filter(|l| {
                    l.starts_with("   = note: the lock was")
                        || l.starts_with("   = note: its holder")
                })
                .collect();
            expect(deadlocks >= 1, "at least one child found the lock held")?;
            expect(notes.len() == deadlocks, "one holder note per deadlock")?;
            expect(
                notes.iter().all(|l| l.contains("by thread `looper` (tid ")),
                "every diagnostic names the holder",
            )?;
            expect(!o.stderr.contains("not recorded"), "never \"not recorded\"")?;
            println!(
                "  holder_loop: {deadlocks} of {HOLDER_LOOP_FORKS} children found the lock held"
            );
            no_bug(o)
        }),
        ("unnamed_thread", vec![], |o| {
            expect(
                o.stdout.contains("child: signal 6"),
                "child dies of SIGABRT",
            )?;
            let threads = o
                .stderr
                .lines()
                .find(|l| l.contains("threads alive at fork"))
                .ok_or("lists the threads")?;
            expect(
                threads.contains("<unnamed> (tid "),
                "the unnamed thread is <unnamed>",
            )?;
            expect(
                threads.matches("`scenarios").count() == 1,
                "only the main thread shows under the process name",
            )?;
            no_bug(o)
        }),
        ("empty_policy", vec![("FORK_GUARD", "")], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(o.stderr.is_empty(), "FORK_GUARD= is not an error")?;
            expect(o.stdout.contains("policy=trap"), "the default applies")
        }),
        ("invalid_policy", vec![("FORK_GUARD", "bogus")], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(
                o.stderr.contains(
                    "fork-guard: error: FORK_GUARD: invalid policy `bogus`: expected one of",
                ),
                "clear error naming the value",
            )?;
            expect(
                o.stdout.contains("policy=trap"),
                "falls back to trap, loudly",
            )
        }),
        ("raw_fork_backstop", vec![], |o| {
            if o.stdout.contains("skip:") {
                return Ok(());
            }
            expect(
                o.stdout.contains("child: signal 6"),
                "raw-fork child dies of SIGABRT",
            )?;
            expect(o.stderr.contains("allocation"), "says allocation")?;
            expect(
                o.stderr.contains("without libc's fork"),
                "explains the backstop",
            )?;
            expect(
                o.stderr.contains("`raw-worker`"),
                "names the parent's thread",
            )?;
            no_bug(o)
        }),
        ("malloc_storm_raw_children", vec![], |o| {
            expect(o.exited_ok(), "scenario exits 0")?;
            expect(
                o.stdout.matches("child: signal 6").count() == 6,
                "every child dies of SIGABRT",
            )?;
            expect(
                o.stderr.matches("fork-guard: error: allocation").count() == 6,
                "every child writes the core report",
            )?;
            no_bug(o)
        }),
        ("raw_fork_single", vec![], clean),
        ("raw_fork_lock_held", vec![], |o| {
            expect(
                o.stdout.contains("child: signal 6"),
                "child dies of SIGABRT, not a hang",
            )?;
            expect(o.stderr.contains("Mutex `registry`"), "names the lock")?;
            expect(o.stderr.contains("`raw-holder`"), "names the holder")?;
            no_bug(o)
        }),
        ("child_mode_thread", vec![], |o| {
            expect(o.signal() == Some(libc::SIGABRT), "the process aborts")?;
            expect(
                o.stderr.starts_with("fork-guard: error: allocation (64 bytes, through GuardAlloc) in child-restricted code"),
                "says child mode",
            )?;
            no_bug(o)
        }),
    ]
}

fn main() {
    if let Ok(name) = std::env::var(SCENARIO_ENV) {
        run_scenario(&name);
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
        match result {
            Ok(()) => println!("test {name} ... ok ({:.1?})", started.elapsed()),
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
        "\nscenarios: {} passed, {} failed",
        ran - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        println!("failed: {failed:?}");
        std::process::exit(1);
    }
}

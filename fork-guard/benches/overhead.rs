//! Overhead of the guard, measured side by side in one run.
//!
//! ```text
//! cargo bench -p fork-guard --features release
//! ```
//!
//! (`--features release` keeps the guard compiled in under the bench
//! profile; without it the guard is compiled out and every ratio is ~1.)
//!
//! Three comparisons, each as alternating rounds (A, B, A, B, ...) so that
//! drift on a shared machine hits both sides; the figure is the median of
//! the per-round ratios:
//!
//! 1. `fork` + `_exit` + `waitpid`, guard installed vs not. Each side runs in
//!    its own re-executed copy of this binary (atfork handlers cannot be
//!    unregistered), with the same memory footprint; once with no other
//!    thread, once with 4 idle threads alive. Target <= 1.10. And, with 4
//!    idle threads, the deadlock sentinel's share: installed with the
//!    sentinel vs installed with `FORK_GUARD_SENTINEL=off`, over 8 fresh
//!    pairs of processes (two processes in the same mode differ by a few
//!    percent with threads alive). Target <= 1.03.
//! 2. Uncontended lock/unlock, `fork_guard::Mutex` vs `std::sync::Mutex`, with
//!    the guard installed. Target <= 1.3.
//! 3. An allocation-heavy loop through `GuardAlloc<System>` vs `System`,
//!    with the guard installed. Target <= 1.05.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fork_guard::GuardAlloc;

static GUARDED: GuardAlloc<System> = GuardAlloc::new(System);

const FORK_ENV: &str = "FG_BENCH_FORK";
const THREADS_ENV: &str = "FG_BENCH_THREADS";

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Medians of both sides, and the median of the per-round ratios (each
/// round's two sides ran back to back, so their ratio is the least
/// disturbed by load drifting on a shared machine).
fn summarise(mut a: Vec<f64>, mut b: Vec<f64>) -> (f64, f64, f64) {
    let mut ratios: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x / y).collect();
    (median(&mut a), median(&mut b), median(&mut ratios))
}

/// One fork + `_exit` + `waitpid`, timed.
fn one_fork() -> Duration {
    let start = Instant::now();
    // SAFETY: the child only calls `_exit`, which is async-signal-safe.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        // SAFETY: ends the child immediately.
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    // SAFETY: reaping our own child.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid);
    start.elapsed()
}

/// The re-executed side of the fork benchmark: for each line `n` on stdin,
/// runs `n` forks and prints the median ns per fork; stops at EOF.
fn fork_side(mode: &str) {
    // Idle threads alive at every fork (`FG_BENCH_THREADS`), started before
    // the guard so that both sides have the same threads.
    let threads: usize = std::env::var(THREADS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for i in 0..threads {
        std::thread::Builder::new()
            .name(format!("idle-{i}"))
            .spawn(|| {
                loop {
                    std::thread::park();
                }
            })
            .expect("spawn idle thread");
    }
    if mode.starts_with("installed") {
        fork_guard::install();
        assert!(fork_guard::is_installed());
    }
    for _ in 0..20 {
        one_fork();
    }
    let mut line = String::new();
    let mut out = std::io::stdout().lock();
    while {
        line.clear();
        std::io::stdin().read_line(&mut line).unwrap_or(0) > 0
    } {
        let n: usize = line.trim().parse().unwrap_or(0);
        let mut times: Vec<f64> = (0..n).map(|_| one_fork().as_nanos() as f64).collect();
        writeln!(out, "{}", median(&mut times)).unwrap();
        out.flush().unwrap();
    }
}

struct Side {
    child: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
}

impl Side {
    fn spawn(mode: &str, threads: usize) -> Side {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(FORK_ENV, mode)
            .env(THREADS_ENV, threads.to_string())
            .env(
                "FORK_GUARD_SENTINEL",
                if mode == "installed-no-sentinel" {
                    "off"
                } else {
                    "on"
                },
            )
            .env_remove("FORK_GUARD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("re-exec bench");
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        Side { child, out }
    }

    fn round(&mut self, n: usize) -> f64 {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{n}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        line.trim().parse().expect("median ns per fork")
    }

    fn finish(mut self) {
        drop(self.child.stdin.take());
        self.child.wait().unwrap();
    }
}

/// Two long-lived processes, one with the guard installed and one without,
/// take turns: many short rounds, so load changes on a shared machine hit
/// both alike. Each round reports the median of its forks.
fn bench_fork(rounds: usize, per_round: usize, threads: usize) -> (f64, f64, f64) {
    bench_fork_sides(rounds, per_round, threads, "installed", "plain")
}

/// Like `bench_fork`, for any two modes of `fork_side`.
fn bench_fork_sides(
    rounds: usize,
    per_round: usize,
    threads: usize,
    mode_a: &str,
    mode_b: &str,
) -> (f64, f64, f64) {
    let (a, b) = fork_rounds(rounds, per_round, threads, mode_a, mode_b);
    summarise(a, b)
}

/// Like `bench_fork_sides`, over `pairs` fresh pairs of processes (spawned
/// in alternating order): with threads alive, two processes in the same
/// mode differ by a few percent between them (layout, placement), which
/// a single pair would report as a difference between the modes.
fn bench_fork_pairs(
    pairs: usize,
    rounds: usize,
    per_round: usize,
    threads: usize,
    mode_a: &str,
    mode_b: &str,
) -> (f64, f64, f64) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for p in 0..pairs {
        let (x, y) = if p % 2 == 0 {
            fork_rounds(rounds, per_round, threads, mode_a, mode_b)
        } else {
            let (y, x) = fork_rounds(rounds, per_round, threads, mode_b, mode_a);
            (x, y)
        };
        a.extend(x);
        b.extend(y);
    }
    summarise(a, b)
}

/// Alternating rounds between two processes; each side's per-round medians.
fn fork_rounds(
    rounds: usize,
    per_round: usize,
    threads: usize,
    mode_a: &str,
    mode_b: &str,
) -> (Vec<f64>, Vec<f64>) {
    let mut installed = Side::spawn(mode_a, threads);
    let mut plain = Side::spawn(mode_b, threads);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        if r % 2 == 0 {
            a.push(installed.round(per_round));
            b.push(plain.round(per_round));
        } else {
            b.push(plain.round(per_round));
            a.push(installed.round(per_round));
        }
    }
    installed.finish();
    plain.finish();
    (a, b)
}

fn bench_mutex(rounds: usize, iterations: u32) -> (f64, f64, f64) {
    let tracked = fork_guard::Mutex::new(0u64);
    let plain = std::sync::Mutex::new(0u64);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..iterations {
            let m = black_box(&tracked);
            *m.lock().unwrap() += 1;
        }
        a.push(t.elapsed().as_nanos() as f64 / f64::from(iterations));
        let t = Instant::now();
        for _ in 0..iterations {
            let m = black_box(&plain);
            *m.lock().unwrap() += 1;
        }
        b.push(t.elapsed().as_nanos() as f64 / f64::from(iterations));
    }
    assert_eq!(*tracked.lock().unwrap(), *plain.lock().unwrap());
    summarise(a, b)
}

/// A ring of live blocks of varying sizes: each step frees one block and
/// allocates another, so malloc does real work (bins, splitting, reuse).
fn alloc_loop<A: GlobalAlloc>(alloc: &A, steps: u32) -> Duration {
    const RING: usize = 64;
    let mut ring: [(*mut u8, Layout); RING] = [(std::ptr::null_mut(), Layout::new::<u8>()); RING];
    let start = Instant::now();
    for i in 0..steps as usize {
        let slot = &mut ring[i % RING];
        if !slot.0.is_null() {
            // SAFETY: the block came from `alloc.alloc(slot.1)`.
            unsafe { alloc.dealloc(slot.0, slot.1) };
        }
        let size = 16 + (i * 37) % 1000;
        let layout = Layout::from_size_align(size, 8).unwrap();
        // SAFETY: `layout` has non-zero size.
        let p = unsafe { alloc.alloc(layout) };
        assert!(!p.is_null());
        // SAFETY: `p` points to at least one writable byte.
        unsafe { p.write(i as u8) };
        *slot = (black_box(p), layout);
    }
    let elapsed = start.elapsed();
    for (p, layout) in ring {
        if !p.is_null() {
            // SAFETY: as above.
            unsafe { alloc.dealloc(p, layout) };
        }
    }
    elapsed
}

fn bench_alloc(rounds: usize, steps: u32) -> (f64, f64, f64) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        if r % 2 == 0 {
            a.push(alloc_loop(&GUARDED, steps).as_nanos() as f64 / f64::from(steps));
            b.push(alloc_loop(&System, steps).as_nanos() as f64 / f64::from(steps));
        } else {
            b.push(alloc_loop(&System, steps).as_nanos() as f64 / f64::from(steps));
            a.push(alloc_loop(&GUARDED, steps).as_nanos() as f64 / f64::from(steps));
        }
    }
    summarise(a, b)
}

fn verdict(ratio: f64, target: f64) -> &'static str {
    if ratio.is_nan() {
        "not run (filtered out)"
    } else if ratio <= target {
        "within target"
    } else {
        "OVER TARGET"
    }
}

fn main() {
    if let Ok(mode) = std::env::var(FORK_ENV) {
        fork_side(&mode);
        return;
    }
    // `cargo bench` passes `--bench`; ignore arguments.
    if !fork_guard::is_active() {
        println!("note: the guard is compiled out; run with `--features release` to measure it");
    }
    fork_guard::install();

    // `cargo bench -p fork-guard --features release -- fork` runs the rows
    // whose name contains `fork` only (likewise `sentinel`, `lock`, `alloc`).
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |what: &str| filter.is_empty() || filter.iter().any(|f| what.contains(f.as_str()));
    let none = (f64::NAN, f64::NAN, f64::NAN);
    let fork = if want("fork") {
        bench_fork(80, 25, 0)
    } else {
        none
    };
    // With threads alive, one pair of processes is biased by a few percent
    // either way (layout, placement: an A/A control of one pair gives 1.03
    // to 1.07), so this row, like the sentinel's, runs fresh pairs.
    let fork4 = if want("fork") {
        bench_fork_pairs(8, 10, 25, 4, "installed", "plain")
    } else {
        none
    };
    let sentinel4 = if want("sentinel") {
        bench_fork_pairs(8, 10, 25, 4, "installed", "installed-no-sentinel")
    } else {
        none
    };
    let mutex = if want("lock") {
        bench_mutex(41, 2_000_000)
    } else {
        none
    };
    let alloc = if want("alloc") {
        bench_alloc(41, 1_000_000)
    } else {
        none
    };

    let rows = [
        (
            "fork + _exit + waitpid",
            "guard installed",
            "not installed",
            fork,
            1.10,
        ),
        (
            "fork, 4 idle threads",
            "guard installed",
            "not installed",
            fork4,
            1.10,
        ),
        (
            "fork, 4 threads, sentinel",
            "sentinel on",
            "FORK_GUARD_SENTINEL=off",
            sentinel4,
            1.03,
        ),
        (
            "uncontended lock/unlock",
            "fork_guard::Mutex",
            "std::sync::Mutex",
            mutex,
            1.3,
        ),
        (
            "alloc/free ring",
            "GuardAlloc<System>",
            "System",
            alloc,
            1.05,
        ),
    ];
    println!(
        "fork-guard overhead (medians of alternating rounds; ratio = median of per-round ratios; guard active: {})",
        fork_guard::is_active()
    );
    for (what, a_name, b_name, (a, b, ratio), target) in rows {
        println!(
            "  {what:<24} {a_name:>20} {a:>10.1} ns  vs {b_name:<18} {b:>10.1} ns  ratio {ratio:.3} (target <= {target}: {})",
            verdict(ratio, target)
        );
    }
}

//! The corpus benchmark (issue 5): fork-lint against its floors on ~320 real
//! crates. Not a timed test: it prints a report.
//!
//! ```text
//! scripts/bench-corpus.sh                 # fetches the corpus, runs everything
//! cargo bench -p fork-lint --bench corpus -- [--corpus DIR] [--runs N] [--cargo-check] [--robustness]
//! ```
//!
//! Measured in one run, median of `--runs` (default 5) each, all on every core:
//!
//! - (a) read every `.rs` file;
//! - (b) read and `syn::parse_file` every file (rayon), the floor of any
//!   linter that parses everything;
//! - fork-lint, `fork-lint DIR` path: discovery (`discover::discover`) plus
//!   `check_crate` per crate (rayon), as the CLI does;
//! - fork-lint, `cargo fork-lint` path: module trees from each crate's
//!   targets (`cargo_project::module_tree`) plus `check_crate`;
//! - scaling: the discovery path on the crates that make up 1/4, 1/2 and all
//!   of the bytes (crates in name order);
//! - peak RSS and wall time of the `fork-lint` binary on the corpus, as a
//!   child process (`wait4` → `ru_maxrss`);
//! - (c) with `--cargo-check`: one cold `cargo check` of the corpus manifest,
//!   offline against the vendored sources, in a scratch copy.
//!
//! `--robustness` also checks every file one by one with `check_source`
//! (panics counted, slowest file reported) and walks every crate's module
//! tree, reporting `mod` declarations whose file is missing.
//!
//! `--deps-closure MANIFEST` measures something else, the floor for
//! following calls into dependencies (issue 10): the dependency graph of
//! MANIFEST (`cargo metadata` with the resolve, `--offline`; run `cargo
//! fetch` first), the module tree of every library in the closure of the
//! workspace members through normal dependencies, and `syn::parse_file` of
//! all those files (rayon, median of `--runs`). Also printed: the closure
//! without entering proc-macro crates (the code a child can reach), and the
//! targets a `cargo fork-lint` that follows dependencies must meet, cold
//! (0.2x) and warm (0.05x) against that parse, and fork-lint's own side:
//! `cargo fork-lint` on a scratch copy of MANIFEST whose child calls six
//! dependencies, cold (empty target folder), then warm (its caches of
//! dependency results and of `cargo metadata`'s answer), each with its
//! `--stats` line, and the metadata cache's lookup time in process (what a
//! warm run spends on the graph instead of `cargo metadata`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fork_lint::cargo_project::module_tree;
use fork_lint::discover::{self, Excludes};
use fork_lint::{CrateSources, Options, RealFs, check_crate, check_source};
use rayon::prelude::*;

struct Args {
    corpus: PathBuf,
    runs: usize,
    cargo_check: bool,
    robustness: bool,
    deps_closure: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        corpus: std::env::var_os("FORK_LINT_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp/fork-lint-corpus/vendor")),
        runs: 5,
        cargo_check: false,
        robustness: false,
        deps_closure: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--corpus" => a.corpus = it.next().expect("--corpus DIR").into(),
            "--runs" => a.runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--cargo-check" => a.cargo_check = true,
            "--robustness" => a.robustness = true,
            "--deps-closure" => {
                a.deps_closure = Some(it.next().expect("--deps-closure MANIFEST").into());
            }
            "--bench" => {} // added by `cargo bench`
            other => panic!("unknown argument `{other}`"),
        }
    }
    a
}

/// Wall-clock and CPU time (user + system, all threads) of one measurement.
/// On a shared machine the wall time depends on the other load; the CPU
/// time is the work done, and the ratios of CPU times are the stable ones.
#[derive(Debug, Clone, Copy, Default)]
struct Time {
    wall: Duration,
    cpu: Duration,
}

impl std::ops::Add for Time {
    type Output = Time;
    fn add(self, o: Time) -> Time {
        Time {
            wall: self.wall + o.wall,
            cpu: self.cpu + o.cpu,
        }
    }
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:7.3} s wall {:7.3} s cpu",
            secs(self.wall),
            secs(self.cpu)
        )
    }
}

impl Time {
    /// `self / base`, for wall and CPU time.
    fn ratio(&self, base: &Time) -> String {
        format!(
            "{:.2}x wall, {:.2}x cpu",
            secs(self.wall) / secs(base.wall),
            secs(self.cpu) / secs(base.cpu)
        )
    }
}

/// CPU time used so far by this process (`who` = `RUSAGE_SELF`) or by its
/// waited-for children (`RUSAGE_CHILDREN`).
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a live, writable `rusage` for the duration of the call,
    // and `who` is one of the two values getrusage accepts here.
    if unsafe { libc::getrusage(who, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Times `f` once.
fn timed<T>(f: impl FnOnce() -> T) -> (Time, T) {
    let cpu = cpu_time(libc::RUSAGE_SELF);
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    (
        Time {
            wall,
            cpu: cpu_time(libc::RUSAGE_SELF).saturating_sub(cpu),
        },
        out,
    )
}

/// The medians (wall and CPU separately) of `times`.
fn median_of(times: &[Time]) -> Time {
    let mut wall: Vec<Duration> = times.iter().map(|t| t.wall).collect();
    let mut cpu: Vec<Duration> = times.iter().map(|t| t.cpu).collect();
    wall.sort();
    cpu.sort();
    Time {
        wall: wall[wall.len() / 2],
        cpu: cpu[cpu.len() / 2],
    }
}

/// Runs `f` `runs` times; returns the median times and the last result.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Time, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let (t, out) = timed(&mut f);
        times.push(t);
        last = Some(out);
    }
    (median_of(&times), last.expect("at least one run"))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn files_of(crates: &[CrateSources]) -> Vec<PathBuf> {
    crates
        .iter()
        .flat_map(|c| c.files.iter().map(|f| f.path.clone()))
        .collect()
}

fn read_all(files: &[PathBuf]) -> u64 {
    files
        .par_iter()
        .map(|f| std::fs::read(f).map_or(0, |b| b.len() as u64))
        .sum()
}

/// (bytes, files that failed to parse)
fn parse_all(files: &[PathBuf]) -> (u64, usize) {
    files
        .par_iter()
        .map(|f| match std::fs::read_to_string(f) {
            Ok(text) => (
                text.len() as u64,
                usize::from(syn::parse_file(&text).is_err()),
            ),
            Err(_) => (0, 1),
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[derive(Default, Clone, Copy)]
struct Outcome {
    findings: usize,
    errors: usize,
    panics: usize,
}

fn lint(crates: &[CrateSources], options: &Options) -> Outcome {
    crates
        .par_iter()
        .map(
            |c| match catch_unwind(AssertUnwindSafe(|| check_crate(c, &RealFs, options))) {
                Ok(r) => Outcome {
                    findings: r.findings.len(),
                    errors: r.errors.len(),
                    panics: 0,
                },
                Err(_) => Outcome {
                    panics: 1,
                    ..Outcome::default()
                },
            },
        )
        .reduce(Outcome::default, |a, b| Outcome {
            findings: a.findings + b.findings,
            errors: a.errors + b.errors,
            panics: a.panics + b.panics,
        })
}

/// The targets of a vendored crate, from its (normalised) `Cargo.toml`:
/// `[lib] path` or `src/lib.rs`, each `[[bin]] path`, or `src/main.rs`.
fn target_roots(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
        return Vec::new();
    };
    let Ok(manifest) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let name = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or("unknown")
        .replace('-', "_");
    let mut roots = Vec::new();
    let lib = manifest
        .get("lib")
        .and_then(|l| l.get("path"))
        .and_then(|p| p.as_str())
        .map(PathBuf::from);
    let lib = lib.unwrap_or_else(|| PathBuf::from("src/lib.rs"));
    if dir.join(&lib).is_file() {
        roots.push((name.clone(), dir.join(lib)));
    }
    let bins = manifest
        .get("bin")
        .and_then(|b| b.as_array())
        .cloned()
        .unwrap_or_default();
    for b in bins {
        if let Some(p) = b.get("path").and_then(|p| p.as_str()) {
            let bin = b
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or(&name)
                .replace('-', "_");
            roots.push((bin, dir.join(p)));
        }
    }
    if roots.is_empty() && dir.join("src/main.rs").is_file() {
        roots.push((name, dir.join("src/main.rs")));
    }
    roots
}

/// The module-tree crates of every vendored crate (the `cargo fork-lint`
/// view), and the unconditional `mod` declarations with no file.
fn module_tree_crates(corpus: &Path) -> (Vec<CrateSources>, Vec<String>) {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let per: Vec<(Vec<CrateSources>, Vec<String>)> = dirs
        .par_iter()
        .map(|d| {
            let mut crates = Vec::new();
            let mut missing = Vec::new();
            for (name, root) in target_roots(d) {
                let tree = module_tree(&root, &RealFs);
                missing.extend(tree.missing.iter().map(ToString::to_string));
                crates.push(CrateSources {
                    name,
                    files: tree.files,
                });
            }
            (crates, missing)
        })
        .collect();
    let mut crates = Vec::new();
    let mut missing = Vec::new();
    for (c, m) in per {
        crates.extend(c);
        missing.extend(m);
    }
    (crates, missing)
}

/// Peak RSS (MB) and wall time of `bin args..`, run as a child.
fn child_peak_rss(bin: &Path, args: &[&std::ffi::OsStr]) -> Option<(f64, Duration, i32)> {
    child_peak_rss_to(bin, args, Stdio::null())
}

/// [`child_peak_rss`] with the child's stderr going to `stderr`.
fn child_peak_rss_to(
    bin: &Path,
    args: &[&std::ffi::OsStr],
    stderr: Stdio,
) -> Option<(f64, Duration, i32)> {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .ok()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct
    // (integers and `timeval`s only).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (we never call
    // `Child::wait`), and both out-pointers point to live, writable locals
    // of the right types for the duration of the call.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if rc != pid {
        return None;
    }
    // Linux reports ru_maxrss in KiB.
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Some((usage.ru_maxrss as f64 * 1024.0 / 1e6, wall, code))
}

/// A cold `cargo check` of the corpus manifest in a scratch copy. The
/// sources come from cargo's registry cache, fetched before the clock starts
/// (`fetch-corpus` leaves Windows-only crates out of its vendor folder, and
/// cargo needs every locked package to resolve); the timed build is
/// `cargo check --offline --locked` into an empty target folder.
fn cargo_check(corpus: &Path) -> Result<Time, String> {
    let manifest = corpus
        .parent()
        .map(|p| p.join("manifest"))
        .ok_or("corpus has no parent")?;
    let scratch = std::env::temp_dir().join("fork-lint-bench-cargo-check");
    let _ = std::fs::remove_dir_all(&scratch);
    let project = scratch.join("project");
    std::fs::create_dir_all(project.join("src")).map_err(|e| e.to_string())?;
    for f in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(manifest.join(f), project.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    for e in std::fs::read_dir(manifest.join("src"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        std::fs::copy(e.path(), project.join("src").join(e.file_name()))
            .map_err(|e| e.to_string())?;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |args: &[&str]| -> Result<Time, String> {
        let cpu = cpu_time(libc::RUSAGE_CHILDREN);
        let start = Instant::now();
        let out = Command::new(&cargo)
            .args(args)
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr)
                .lines()
                .take(15)
                .collect::<Vec<_>>()
                .join("\n"));
        }
        Ok(Time {
            wall: start.elapsed(),
            cpu: cpu_time(libc::RUSAGE_CHILDREN).saturating_sub(cpu),
        })
    };
    eprintln!("cargo check: fetching sources (not timed)...");
    run(&["fetch", "--locked", "--quiet"])?;
    eprintln!("cargo check: compiling (cold)...");
    let took = run(&["check", "--offline", "--locked", "--quiet"])?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(took)
}

/// `--deps-closure MANIFEST`: the syn-parse floor of the dependency closure.
fn deps_closure(manifest: &Path, runs: usize) {
    use fork_lint::cargo_project::CargoFlags;
    use fork_lint::deps::{DepGraph, DepKind};
    println!("# dependency closure of {}", manifest.display());
    // First, while this process is small (a child's peak RSS includes what
    // it shared with its parent until `exec`): the fork-lint side.
    let lint = deps_closure_lint(manifest, runs);
    let flags = CargoFlags {
        offline: true,
        ..CargoFlags::default()
    };
    let (t_graph, graph) = median(runs, || DepGraph::load(Some(manifest), &flags));
    let graph = match graph {
        Ok(g) => g,
        Err(e) => {
            eprintln!(
                "{e}\n(fetch the dependencies first: cargo fetch --manifest-path {})",
                manifest.display()
            );
            std::process::exit(2);
        }
    };
    let members: Vec<usize> = graph.members().collect();
    let closure = graph.closure(&members, &[DepKind::Normal]);
    // The code a child can reach: not into proc-macro crates (they run in
    // the compiler) nor what only they depend on.
    let mut runtime = vec![false; graph.packages.len()];
    let mut stack: Vec<usize> = members.clone();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut runtime[i], true) {
            continue;
        }
        for e in &graph.packages[i].deps {
            if e.is(DepKind::Normal) && !graph.packages[e.package].proc_macro {
                stack.push(e.package);
            }
        }
    }
    let deps: Vec<usize> = closure
        .iter()
        .copied()
        .filter(|&i| !graph.packages[i].is_member)
        .collect();
    let (t_trees, trees) = median(runs, || {
        deps.par_iter()
            .filter_map(|&i| {
                let root = graph.packages[i].lib_root.as_ref()?;
                root.is_file().then(|| (i, module_tree(root, &RealFs)))
            })
            .collect::<Vec<_>>()
    });
    let files: Vec<PathBuf> = trees
        .iter()
        .flat_map(|(_, t)| t.files.iter().map(|f| f.path.clone()))
        .collect();
    let runtime_files: Vec<PathBuf> = trees
        .iter()
        .filter(|(i, _)| runtime[*i])
        .flat_map(|(_, t)| t.files.iter().map(|f| f.path.clone()))
        .collect();
    let (t_parse, (bytes, failures)) = median(runs, || parse_all(&files));
    let (t_parse_rt, (rt_bytes, _)) = median(runs, || parse_all(&runtime_files));
    println!(
        "graph: {} packages in the resolve, {} members, {} dependencies in the normal closure ({} reachable at run time), {} without sources; cargo metadata {t_graph}",
        graph.packages.len(),
        members.len(),
        deps.len(),
        deps.iter().filter(|&&i| runtime[i]).count(),
        graph.missing.len()
    );
    println!(
        "module trees of the closure:   {t_trees}  ({} files, {:.1} MB)",
        files.len(),
        mb(bytes)
    );
    println!(
        "(floor) syn-parse the closure: {t_parse}  ({:.1} MB/s wall; {failures} files do not parse)",
        mb(bytes) / secs(t_parse.wall)
    );
    println!(
        "        run-time part only:    {t_parse_rt}  ({} files, {:.1} MB)",
        runtime_files.len(),
        mb(rt_bytes)
    );
    println!(
        "targets for `cargo fork-lint` following dependencies: cold <= {:.3} s wall, warm (cache) <= {:.3} s wall, peak RSS < 500 MB",
        secs(t_parse.wall) * 0.2,
        secs(t_parse.wall) * 0.05
    );
    let floor = secs(t_parse.wall);
    match lint {
        Some((cold, warm, warm_rss, cold_rss, code)) => println!(
            "cargo fork-lint, child calling 6 dependencies: cold {:.3} s wall ({:.3}x of the floor), warm {:.3} s wall ({:.3}x), peak RSS cold {cold_rss:.0} MB, warm {warm_rss:.0} MB, exit code {code}",
            secs(cold),
            secs(cold) / floor,
            secs(warm),
            secs(warm) / floor
        ),
        None => println!("cargo fork-lint: not measured (see above)"),
    }
}

/// The fork-lint side: `cargo fork-lint` on a scratch copy of the manifest
/// whose `main` forks and calls into several of its dependencies from the
/// child, so that the run follows calls into their sources. The first run
/// is cold (nothing parsed yet), the median of the next ones warm.
fn deps_closure_lint(manifest: &Path, runs: usize) -> Option<(Duration, Duration, f64, f64, i32)> {
    let dir = manifest.parent()?;
    let scratch = std::env::temp_dir().join(format!("fork-lint-deps-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let copy = |name: &str| std::fs::copy(dir.join(name), scratch.join(name));
    if std::fs::create_dir_all(scratch.join("src")).is_err()
        || copy("Cargo.toml").is_err()
        || copy("Cargo.lock").is_err()
    {
        println!(
            "cargo fork-lint: cannot make a scratch copy of {}",
            dir.display()
        );
        return None;
    }
    let main = r#"fn main() {
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let _ = serde_json::to_vec(&1u8);
        let _ = regex::escape("a+b");
        let _ = rayon::current_num_threads();
        let _ = syn::parse_str::<syn::Expr>("1 + 2");
        let _ = tokio::runtime::Handle::try_current();
        let _ = nix::unistd::getpid();
        unsafe { libc::_exit(0) };
    }
}
"#;
    std::fs::write(scratch.join("src/main.rs"), main).ok()?;
    // A project's manifests are older than the metadata cache's freshness
    // margin (files that changed just before cargo ran are not trusted to
    // be what cargo read; see `deps::metadata_cache`): let the copies age
    // past it (untimed), so the cold run stores cargo's answer as it would
    // in a real project.
    std::thread::sleep(Duration::from_millis(2100));
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cargo-fork-lint"));
    let manifest_arg = scratch.join("Cargo.toml");
    let args: Vec<&std::ffi::OsStr> = vec![
        "fork-lint".as_ref(),
        "--manifest-path".as_ref(),
        manifest_arg.as_os_str(),
        "--offline".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--stats".as_ref(),
    ];
    // Each run's `--stats` line (what it read, analysed and recalled), so
    // that a warm run that misses the cache shows up.
    let stats_file = scratch.join("stats.txt");
    let mut results = Vec::new();
    let mut stats = Vec::new();
    for _ in 0..runs.max(1) + 1 {
        let sink = std::fs::File::create(&stats_file).map_or_else(|_| Stdio::null(), Stdio::from);
        match child_peak_rss_to(&bin, &args, sink) {
            Some(r) => results.push(r),
            None => {
                println!("cargo fork-lint: could not run {}", bin.display());
                return None;
            }
        }
        let text = std::fs::read_to_string(&stats_file).unwrap_or_default();
        stats.push(
            text.lines()
                .find(|l| l.starts_with("stats: "))
                .unwrap_or("stats: (none)")
                .to_string(),
        );
    }
    println!("cargo fork-lint, cold run:  {}", stats[0]);
    if let Some(last) = stats.last().filter(|_| stats.len() > 1) {
        println!("cargo fork-lint, last warm: {last}");
    }
    // What a warm run spends on the graph instead of `cargo metadata`: the
    // cache lookup, in this process (same environment and request as the
    // runs above, so the same entry).
    let flags = fork_lint::cargo_project::CargoFlags {
        offline: true,
        ..Default::default()
    };
    let request = fork_lint::deps::metadata_cache::MetadataRequest {
        manifest_path: Some(&manifest_arg),
        with_deps: true,
        flags: &flags,
        current_dir: None,
    };
    let (t_lookup, (_, used)) = median(runs, || {
        fork_lint::deps::metadata_cache::cargo_metadata(&request, true)
    });
    println!("metadata cache lookup ({used}): {t_lookup}");
    let (cold_rss, cold, code) = results[0];
    let mut warm: Vec<Duration> = results[1..].iter().map(|r| r.1).collect();
    warm.sort();
    let warm = warm[warm.len() / 2];
    let warm_rss = results[1..].iter().map(|r| r.0).fold(0.0, f64::max);
    let _ = std::fs::remove_dir_all(&scratch);
    Some((cold, warm, warm_rss, cold_rss, code))
}

fn main() {
    let args = args();
    if let Some(manifest) = &args.deps_closure {
        deps_closure(manifest, args.runs);
        return;
    }
    if !args.corpus.is_dir() {
        eprintln!(
            "corpus not found at {} (run /work/shared/bench/fetch-corpus, or scripts/bench-corpus.sh)",
            args.corpus.display()
        );
        std::process::exit(2);
    }
    let threads = rayon::current_num_threads();
    let options = Options::default();
    println!("# fork-lint corpus benchmark");
    println!(
        "corpus: {}   threads: {threads}   runs: {} (median)",
        args.corpus.display(),
        args.runs
    );

    // First, while this process is small: a child's `ru_maxrss` includes the
    // peak of the memory it shared with its parent until `exec`.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_fork-lint"));
    match child_peak_rss(
        &bin,
        &[
            "--format".as_ref(),
            "json".as_ref(),
            args.corpus.as_os_str(),
        ],
    ) {
        Some((rss, wall, code)) => println!(
            "fork-lint binary on the corpus: {:.3} s wall, peak RSS {rss:.0} MB (target < 300 MB), exit code {code}",
            secs(wall)
        ),
        None => println!("fork-lint binary: could not run {}", bin.display()),
    }

    let (t_discover, found) = median(args.runs, || {
        discover::discover(std::slice::from_ref(&args.corpus), &Excludes::none())
    });
    let crates = found.crates;
    let files = files_of(&crates);
    let (t_read, bytes) = median(args.runs, || read_all(&files));
    println!(
        "corpus: {} crates (by Cargo.toml), {} files, {:.1} MB; discovery {t_discover}",
        crates.len(),
        files.len(),
        mb(bytes),
    );
    println!(
        "(a) read every file:                {t_read}  ({:.0} MB/s wall)",
        mb(bytes) / secs(t_read.wall)
    );
    let (t_parse, (_, parse_failures)) = median(args.runs, || parse_all(&files));
    println!(
        "(b) syn::parse_file every file:     {t_parse}  ({:.1} MB/s wall, {:.1} MB/s per cpu; {parse_failures} files do not parse)",
        mb(bytes) / secs(t_parse.wall),
        mb(bytes) / secs(t_parse.cpu)
    );

    let (t_lint, outcome) = median(args.runs, || lint(&crates, &options));
    let t_total = t_lint + t_discover;
    println!(
        "fork-lint, `fork-lint DIR` path:    {t_total}  ({} of (b); {} findings, {} file errors, {} crates panicked)",
        t_total.ratio(&t_parse),
        outcome.findings,
        outcome.errors,
        outcome.panics
    );

    let (t_trees, (tree_crates, missing)) = median(args.runs, || module_tree_crates(&args.corpus));
    let tree_files: usize = tree_crates.iter().map(|c| c.files.len()).sum();
    let (t_tree_lint, tree_outcome) = median(args.runs, || lint(&tree_crates, &options));
    let t_tree_total = t_trees + t_tree_lint;
    println!(
        "fork-lint, `cargo fork-lint` path: {t_tree_total}  ({} of (b); module trees {:.3} s wall: {} targets, {} files reached; {} findings)",
        t_tree_total.ratio(&t_parse),
        secs(t_trees.wall),
        tree_crates.len(),
        tree_files,
        tree_outcome.findings
    );

    // Scaling: crates in name order until 1/4, 1/2, all of the bytes.
    let sizes: Vec<u64> = crates
        .iter()
        .map(|c| {
            c.files
                .iter()
                .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
                .sum()
        })
        .collect();
    let total: u64 = sizes.iter().sum();
    println!("scaling (`fork-lint DIR` path, check only; sizes interleaved in each run):");
    let parts: Vec<(&str, usize, u64)> = [("1/4", 0.25), ("1/2", 0.5), ("all", 1.0)]
        .into_iter()
        .map(|(label, frac)| {
            let mut acc = 0;
            let n = sizes
                .iter()
                .position(|&s| {
                    acc += s;
                    acc as f64 >= total as f64 * frac
                })
                .map_or(crates.len(), |i| i + 1);
            (label, n, sizes[..n].iter().sum())
        })
        .collect();
    let mut times: Vec<Vec<Time>> = vec![Vec::new(); parts.len()];
    for _ in 0..args.runs.max(1) {
        for (k, &(_, n, _)) in parts.iter().enumerate() {
            times[k].push(timed(|| lint(&crates[..n], &options)).0);
        }
    }
    for (k, &(label, n, part_bytes)) in parts.iter().enumerate() {
        let t = median_of(&times[k]);
        println!(
            "  {label:>3}: {n:4} crates, {:6.1} MB: {t}  ({:.1} ms/MB wall, {:.1} ms/MB cpu)",
            mb(part_bytes),
            secs(t.wall) * 1e3 / mb(part_bytes),
            secs(t.cpu) * 1e3 / mb(part_bytes)
        );
    }

    if args.robustness {
        println!("robustness:");
        let start = Instant::now();
        let results: Vec<(Duration, bool, PathBuf)> = files
            .par_iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                let t = Instant::now();
                let ok =
                    catch_unwind(AssertUnwindSafe(|| check_source(f, &text, &options))).is_ok();
                (t.elapsed(), ok, f.clone())
            })
            .collect();
        let panics: Vec<_> = results
            .iter()
            .filter(|r| !r.1)
            .map(|r| r.2.display().to_string())
            .collect();
        let slowest = results.iter().max_by_key(|r| r.0);
        println!(
            "  every file one by one: {} files in {:.1} s, {} panics{}",
            results.len(),
            secs(start.elapsed()),
            panics.len(),
            slowest.map_or(String::new(), |s| format!(
                ", slowest {:.3} s ({})",
                secs(s.0),
                s.2.display()
            ))
        );
        for p in panics.iter().take(20) {
            println!("    panic: {p}");
        }
        println!(
            "  as trees: {} crates, {} panicked (see above)",
            crates.len(),
            outcome.panics
        );
        println!(
            "  module trees: {} unconditional `mod` declarations without a file",
            missing.len()
        );
        for m in missing.iter().take(20) {
            println!("    {m}");
        }
    }

    if args.cargo_check {
        match cargo_check(&args.corpus) {
            Ok(t) => println!(
                "(c) cold `cargo check` of the corpus manifest: {t}; fork-lint (`fork-lint DIR` path) is {:.0}x faster wall, {:.0}x cpu",
                secs(t.wall) / secs(t_total.wall),
                secs(t.cpu) / secs(t_total.cpu)
            ),
            Err(e) => println!("(c) cargo check failed:\n{e}"),
        }
    }
}

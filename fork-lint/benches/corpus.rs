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
}

fn args() -> Args {
    let mut a = Args {
        corpus: std::env::var_os("FORK_LINT_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp/fork-lint-corpus/vendor")),
        runs: 5,
        cargo_check: false,
        robustness: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--corpus" => a.corpus = it.next().expect("--corpus DIR").into(),
            "--runs" => a.runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--cargo-check" => a.cargo_check = true,
            "--robustness" => a.robustness = true,
            "--bench" => {} // added by `cargo bench`
            other => panic!("unknown argument `{other}`"),
        }
    }
    a
}

/// Runs `f` `runs` times; returns the median time and the last result.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    (times[times.len() / 2], last.expect("at least one run"))
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
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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
fn cargo_check(corpus: &Path) -> Result<Duration, String> {
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
    let run = |args: &[&str]| -> Result<Duration, String> {
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
        Ok(start.elapsed())
    };
    eprintln!("cargo check: fetching sources (not timed)...");
    run(&["fetch", "--locked", "--quiet"])?;
    eprintln!("cargo check: compiling (cold)...");
    let took = run(&["check", "--offline", "--locked", "--quiet"])?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(took)
}

fn main() {
    let args = args();
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
        "corpus: {} crates (by Cargo.toml), {} files, {:.1} MB; discovery {:.3} s",
        crates.len(),
        files.len(),
        mb(bytes),
        secs(t_discover)
    );
    println!(
        "(a) read every file:            {:7.3} s  ({:.0} MB/s)",
        secs(t_read),
        mb(bytes) / secs(t_read)
    );
    let (t_parse, (_, parse_failures)) = median(args.runs, || parse_all(&files));
    println!(
        "(b) syn::parse_file every file:  {:7.3} s  ({:.1} MB/s, {parse_failures} files do not parse)",
        secs(t_parse),
        mb(bytes) / secs(t_parse)
    );

    let (t_lint, outcome) = median(args.runs, || lint(&crates, &options));
    let t_total = t_lint + t_discover;
    println!(
        "fork-lint, `fork-lint DIR` path: {:7.3} s  (check {:.3} s + discovery {:.3} s; {:.2}x of (b); {} findings, {} file errors, {} crates panicked)",
        secs(t_total),
        secs(t_lint),
        secs(t_discover),
        secs(t_total) / secs(t_parse),
        outcome.findings,
        outcome.errors,
        outcome.panics
    );

    let (t_trees, (tree_crates, missing)) = median(args.runs, || module_tree_crates(&args.corpus));
    let tree_files: usize = tree_crates.iter().map(|c| c.files.len()).sum();
    let (t_tree_lint, tree_outcome) = median(args.runs, || lint(&tree_crates, &options));
    println!(
        "fork-lint, `cargo fork-lint` path: {:7.3} s  (module trees {:.3} s: {} targets, {} files reached; check {:.3} s; {:.2}x of (b); {} findings)",
        secs(t_trees + t_tree_lint),
        secs(t_trees),
        tree_crates.len(),
        tree_files,
        secs(t_tree_lint),
        secs(t_trees + t_tree_lint) / secs(t_parse),
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
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); parts.len()];
    for _ in 0..args.runs.max(1) {
        for (k, &(_, n, _)) in parts.iter().enumerate() {
            let start = Instant::now();
            lint(&crates[..n], &options);
            times[k].push(start.elapsed());
        }
    }
    for (k, &(label, n, part_bytes)) in parts.iter().enumerate() {
        times[k].sort();
        let t = times[k][times[k].len() / 2];
        println!(
            "  {label:>3}: {:4} crates, {:6.1} MB: {:7.3} s  ({:.1} ms/MB)",
            n,
            mb(part_bytes),
            secs(t),
            secs(t) * 1e3 / mb(part_bytes)
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
                "(c) cold `cargo check` of the corpus manifest: {:.1} s; fork-lint is {:.0}x faster (`fork-lint DIR` path)",
                secs(t),
                secs(t) / secs(t_total)
            ),
            Err(e) => println!("(c) cargo check failed:\n{e}"),
        }
    }
}

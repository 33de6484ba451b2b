//! The cache of `cargo metadata`'s answer (issue 10): a warm run does not
//! run cargo at all and reports exactly what a cold run reports; every
//! change cargo's answer depends on (a member's or a path dependency's
//! `Cargo.toml`, `Cargo.lock`, `.cargo/config.toml`, a new target file)
//! makes the next run ask cargo again, and the result is what a run without
//! any cache reports; a damaged entry is a miss.
//!
//! Work is counted, not timed: `CARGO` points to a wrapper script that logs
//! each cargo invocation, and `--stats` says what the cache did. Offline
//! (path dependencies and `libc`, which this repository's build put in
//! cargo's cache).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

mod support;
use support::deps_fixture::deps_workspace;
use support::{TempDir, stderr, stdout};

const FORK_LINT: &str = env!("CARGO_BIN_EXE_fork-lint");
const CARGO_FORK_LINT: &str = env!("CARGO_BIN_EXE_cargo-fork-lint");

fn real_cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A scratch workspace (the `deps_fixture` one) and a cargo that logs its
/// invocations.
struct Setup {
    _tmp: TempDir,
    ws: PathBuf,
    dep_dir: PathBuf,
    cargo: PathBuf,
    log: PathBuf,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let tmp = TempDir::new("metacache", name);
        let fx = deps_workspace(tmp.path());
        let log = tmp.path().join("cargo-calls");
        let cargo = tmp.write(
            "logging-cargo.sh",
            format!(
                "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                real_cargo()
            ),
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Setup {
            ws: fx.workspace.clone(),
            dep_dir: fx.dep_dir.clone(),
            _tmp: tmp,
            cargo,
            log,
        }
    }

    /// How many times cargo ran so far.
    fn cargo_runs(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    fn run(&self, bin: &str, args: &[&str]) -> Output {
        let mut cmd = Command::new(bin);
        if bin == CARGO_FORK_LINT {
            cmd.arg("fork-lint");
        }
        cmd.args(args)
            .current_dir(&self.ws)
            .env("CARGO", &self.cargo)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .expect("the binary runs")
    }

    fn lint(&self) -> Output {
        self.run(CARGO_FORK_LINT, ARGS)
    }

    /// The same run without any cache: the truth a cached run must match.
    fn fresh(&self) -> Output {
        let mut args = ARGS.to_vec();
        args.push("--no-cache");
        self.run(CARGO_FORK_LINT, &args)
    }

    /// Runs until the metadata cache holds cargo's answer. Right after the
    /// files were written, cargo's answer is not stored (cargo may have
    /// read them before the last change: see `probe::Watch`), so this
    /// waits a little between runs; a deadline, not a timing assertion.
    fn settle(&self) -> Output {
        let mut last = String::new();
        for _ in 0..40 {
            let out = self.lint();
            last = metadata_cache(&out);
            if last == "hit" || last.ends_with(", stored") {
                return out;
            }
            std::thread::sleep(Duration::from_millis(150));
        }
        panic!("the metadata cache never stored an answer: {last}");
    }
}

const ARGS: &[&str] = &["--offline", "--stats", "--format", "json"];

/// What `--stats` says the metadata cache did (the first call's).
fn metadata_cache(o: &Output) -> String {
    let err = stderr(o);
    let line = err
        .lines()
        .find(|l| l.starts_with("stats: "))
        .unwrap_or_else(|| panic!("no stats line: {err}"));
    let at = line
        .find("; metadata cache: ")
        .unwrap_or_else(|| panic!("no metadata cache in {line}"));
    let rest = &line[at + "; metadata cache: ".len()..];
    rest.split("; metadata cache: ")
        .next()
        .unwrap_or(rest)
        .to_string()
}

fn findings(o: &Output) -> usize {
    stdout(o)
        .lines()
        .filter(|l| l.contains("\"type\":\"finding\""))
        .count()
}

fn entries(ws: &Path) -> Vec<PathBuf> {
    let dir = ws.join("target/fork-lint/cache/cargo-metadata-v1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The warm run answers from the cache: cargo does not run, the output
/// (every format) is the cold run's, and nothing is written.
#[test]
fn a_warm_run_does_not_run_cargo() {
    let s = Setup::new("warm");
    let cold = s.lint();
    assert_eq!(s.cargo_runs(), 1);
    assert!(metadata_cache(&cold).starts_with("miss (no entry)"));
    assert!(findings(&cold) > 0, "{}", stdout(&cold));
    s.settle();
    let entry = entries(&s.ws);
    assert_eq!(entry.len(), 1, "{entry:?}");
    let written = std::fs::read(&entry[0]).unwrap();

    let before = s.cargo_runs();
    let warm = s.lint();
    assert_eq!(metadata_cache(&warm), "hit");
    assert_eq!(s.cargo_runs(), before, "the warm run ran cargo");
    assert_eq!(stdout(&warm), stdout(&cold));
    assert_eq!(warm.status.code(), cold.status.code());
    assert_eq!(std::fs::read(&entry[0]).unwrap(), written);

    for format in [
        &["--format", "human", "--color", "never"][..],
        &["--format", "sarif"],
        &["--message-format", "json"],
    ] {
        let mut args = vec!["--offline"];
        args.extend(format);
        let warm = s.run(CARGO_FORK_LINT, &args);
        let runs = s.cargo_runs();
        args.push("--no-cache");
        let fresh = s.run(CARGO_FORK_LINT, &args);
        assert_eq!(s.cargo_runs(), runs + 1, "--no-cache runs cargo");
        assert_eq!(stdout(&warm), stdout(&fresh), "{format:?}");
        assert_eq!(stderr(&warm), stderr(&fresh), "{format:?}");
    }
    assert_eq!(s.cargo_runs(), before + 3);
    // `--no-cache` neither read nor wrote the entry.
    assert_eq!(std::fs::read(&entry[0]).unwrap(), written);
    let off = s.run(CARGO_FORK_LINT, &["--offline", "--stats", "--no-cache"]);
    assert_eq!(metadata_cache(&off), "off");

    // `fork-lint PATH` asks cargo in the manifest's folder: an entry of its
    // own, used the same way.
    let path_args = ["--offline", "--stats", "--format", "json", "."];
    let mut last = String::new();
    for _ in 0..40 {
        last = metadata_cache(&s.run(FORK_LINT, &path_args));
        if last.ends_with(", stored") || last == "hit" {
            break;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(last.ends_with(", stored") || last == "hit", "{last}");
    let runs = s.cargo_runs();
    let path_warm = s.run(FORK_LINT, &path_args);
    assert_eq!(metadata_cache(&path_warm), "hit");
    assert_eq!(s.cargo_runs(), runs);
    assert_eq!(stdout(&path_warm), stdout(&cold));
    assert_eq!(entries(&s.ws).len(), 2);
}

/// Asserts that the run after an edit asks cargo again (naming what
/// changed), reports what a run without any cache reports, and that the
/// cache then serves the new state.
fn rerun_after(s: &Setup, what: &str) -> Output {
    let runs = s.cargo_runs();
    let after = s.lint();
    assert_eq!(s.cargo_runs(), runs + 1, "{what}: cargo did not run again");
    let used = metadata_cache(&after);
    assert!(used.starts_with("miss ("), "{what}: {used}");
    let fresh = s.fresh();
    assert_eq!(stdout(&after), stdout(&fresh), "{what}");
    s.settle();
    let runs = s.cargo_runs();
    let warm = s.lint();
    assert_eq!(metadata_cache(&warm), "hit", "{what}");
    assert_eq!(s.cargo_runs(), runs, "{what}");
    assert_eq!(stdout(&warm), stdout(&fresh), "{what}");
    after
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: {text}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// A member's manifest, a path dependency's manifest and a new target
/// file change the graph: with a stale graph the findings would be
/// wrong. Each is noticed.
#[test]
fn edits_that_change_the_graph_make_cargo_run_again() {
    let s = Setup::new("graph");
    let cold = s.settle();
    let before = findings(&cold);
    assert!(before > 0);

    // The member renames the dependency: `outside_dep::` no longer names it.
    let app = s.ws.join("app/Cargo.toml");
    edit(
        &app,
        "outside-dep = { path",
        "renamed = { package = \"outside-dep\", path",
    );
    let after = rerun_after(&s, "member manifest");
    assert!(metadata_cache(&after).contains("app/Cargo.toml changed"));
    assert!(findings(&after) < before, "{}", stdout(&after));
    edit(
        &app,
        "renamed = { package = \"outside-dep\", path",
        "outside-dep = { path",
    );
    let after = rerun_after(&s, "member manifest restored");
    assert_eq!(findings(&after), before);

    // The path dependency renames its library.
    let dep = s.dep_dir.join("Cargo.toml");
    edit(
        &dep,
        "publish = false\n",
        "publish = false\n\n[lib]\nname = \"other_name\"\n",
    );
    let after = rerun_after(&s, "path dependency manifest");
    assert!(
        metadata_cache(&after).contains("outside-dep/Cargo.toml changed"),
        "{}",
        metadata_cache(&after)
    );
    assert!(findings(&after) < before, "{}", stdout(&after));
    edit(&dep, "\n[lib]\nname = \"other_name\"\n", "");
    rerun_after(&s, "path dependency manifest restored");

    // A new binary target, found by cargo's auto-discovery: its child code
    // is checked.
    let bin = s.ws.join("app/src/bin/extra.rs");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::write(
        &bin,
        "fn main() {\n    if unsafe { libc::fork() } == 0 {\n        let v = vec![1];\n        unsafe { libc::_exit(v.len() as i32) };\n    }\n}\n",
    )
    .unwrap();
    let after = rerun_after(&s, "new binary");
    assert!(
        metadata_cache(&after).contains("the targets in"),
        "{}",
        metadata_cache(&after)
    );
    assert!(stdout(&after).contains("extra.rs"), "{}", stdout(&after));
}

/// `Cargo.lock` and `.cargo/config.toml` are inputs too; a configuration
/// the cache cannot account for (another target folder) makes it step
/// aside: cargo runs every time.
#[test]
fn lock_and_configuration_edits_make_cargo_run_again() {
    let s = Setup::new("lockconfig");
    s.settle();
    let lock = s.ws.join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("{text}\n# edited\n")).unwrap();
    let runs = s.cargo_runs();
    let after = s.lint();
    assert_eq!(s.cargo_runs(), runs + 1, "Cargo.lock");
    assert!(
        metadata_cache(&after).contains("Cargo.lock changed"),
        "{}",
        metadata_cache(&after)
    );
    s.settle();

    let config = s.ws.join(".cargo/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "[net]\nretry = 3\n").unwrap();
    let after = rerun_after(&s, "new .cargo/config.toml");
    assert!(
        metadata_cache(&after).contains(".cargo/config.toml changed"),
        "{}",
        metadata_cache(&after)
    );
    std::fs::write(&config, "[net]\nretry = 4\n").unwrap();
    rerun_after(&s, "edited .cargo/config.toml");

    std::fs::write(&config, "[build]\ntarget-dir = \"elsewhere\"\n").unwrap();
    for _ in 0..2 {
        let runs = s.cargo_runs();
        let out = s.lint();
        assert_eq!(s.cargo_runs(), runs + 1);
        assert!(
            metadata_cache(&out).starts_with("unusable (")
                && metadata_cache(&out).contains("build.target-dir"),
            "{}",
            metadata_cache(&out)
        );
        assert_eq!(stdout(&out), stdout(&s.fresh()));
    }
    // Back to the default target folder: the entry there is stale (the
    // configuration changed), cargo runs once more.
    std::fs::remove_file(&config).unwrap();
    let after = rerun_after(&s, "removed .cargo/config.toml");
    assert!(
        metadata_cache(&after).contains(".cargo/config.toml changed"),
        "{}",
        metadata_cache(&after)
    );
}

/// A damaged entry (junk, truncated, a changed byte that keeps it valid
/// JSON) is a miss: cargo runs, the output is the same, the entry is
/// written again.
#[test]
fn a_damaged_entry_is_a_miss() {
    let s = Setup::new("damaged");
    let cold = s.settle();
    let entry = entries(&s.ws).pop().expect("an entry");
    let good = std::fs::read_to_string(&entry).unwrap();
    let flipped = good.replacen("\"app\"", "\"apq\"", 1);
    assert_ne!(flipped, good);
    for junk in [
        "not an entry".to_string(),
        good[..good.len() / 2].to_string(),
        good.trim_end().to_string(),
        flipped,
        String::new(),
    ] {
        std::fs::write(&entry, &junk).unwrap();
        let runs = s.cargo_runs();
        let out = s.lint();
        assert_eq!(s.cargo_runs(), runs + 1);
        let used = metadata_cache(&out);
        assert!(used.starts_with("miss (damaged entry)"), "{used}");
        assert_eq!(stdout(&out), stdout(&cold));
        let warm = s.settle();
        assert_eq!(stdout(&warm), stdout(&cold));
    }
    assert_eq!(std::fs::read_to_string(&entry).unwrap(), good);
}

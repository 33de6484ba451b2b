//! The on-disk cache of what calls into dependencies reach (issue 10):
//! a warm run repeats the cold run's findings, in every format, without
//! reading a dependency's file; an edit in a path dependency (or in one it
//! depends on) invalidates; a damaged cache is a miss, never an error.
//!
//! The work is counted, not timed: `--stats` prints how many dependency
//! files were read and how many calls were recalled or analysed.
//! Everything runs offline (path dependencies and `libc`, which this
//! repository's own build put in cargo's cache).

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::deps_fixture::deps_workspace;
use support::{TempDir, run_cli as run, stderr, stdout};

const FORK_LINT: &str = env!("CARGO_BIN_EXE_fork-lint");
const CARGO_FORK_LINT: &str = env!("CARGO_BIN_EXE_cargo-fork-lint");

/// The counters of `--stats`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Stats {
    trees_walked: u64,
    files_read: u64,
    recalled: u64,
    analysed: u64,
    hit: u64,
    missed: u64,
    stale: u64,
    corrupt: u64,
    written: u64,
}

fn stats(o: &Output) -> Stats {
    let err = stderr(o);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("stats: "))
        .unwrap_or_else(|| panic!("no stats line: {err}"));
    let number = |name: &str| -> u64 {
        let at = line
            .find(&format!("{name} "))
            .unwrap_or_else(|| panic!("`{name}` in `{line}`"));
        line[at + name.len() + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    Stats {
        trees_walked: number("module trees walked"),
        files_read: number("files read"),
        recalled: number("calls recalled"),
        analysed: number("analysed"),
        hit: number("hit"),
        missed: number("missed"),
        stale: number("stale"),
        corrupt: number("corrupt"),
        written: number("written"),
    }
}

/// stderr without the stats line: what the user would see.
fn other_stderr(o: &Output) -> String {
    stderr(o)
        .lines()
        .filter(|l| !l.starts_with("stats: "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn cache_files(target: &Path) -> Vec<PathBuf> {
    let dir = target.join("fork-lint/cache/dep-calls-v1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

const JSON: &[&str] = &["--offline", "--stats", "--format", "json"];

/// Cold, then warm: the same findings (JSON, human, SARIF), and the warm
/// run reads no file of any dependency. `--no-cache` analyses afresh and
/// leaves the cache alone; `fork-lint PATH` uses the same cache.
#[test]
fn warm_run_repeats_the_cold_findings_without_reading_dependencies() {
    let tmp = TempDir::new("depcache", "warm");
    let fx = deps_workspace(tmp.path());
    let ws = &fx.workspace;

    let cold = run(CARGO_FORK_LINT, ws, JSON);
    let s = stats(&cold);
    assert!(s.files_read >= 2 && s.analysed > 0, "{s:?}");
    assert_eq!(s.trees_walked, 1, "outside-dep's: {s:?}");
    assert_eq!((s.recalled, s.hit, s.written), (0, 0, 1), "{s:?}");
    assert_eq!(other_stderr(&cold), "");
    assert_eq!(cold.status.code(), Some(1));
    // The findings cross into the dependency.
    assert!(
        stdout(&cold).contains("outside-dep") && stdout(&cold).contains("\"rule\":\"lock\""),
        "{}",
        stdout(&cold)
    );
    let files = cache_files(&ws.join("target"));
    assert_eq!(files.len(), 1, "one entry, for outside-dep: {files:?}");

    let warm = run(CARGO_FORK_LINT, ws, JSON);
    let w = stats(&warm);
    assert_eq!(
        w,
        Stats {
            recalled: s.analysed,
            hit: 1,
            ..Stats::default()
        },
        "the warm run reads no dependency file and writes nothing"
    );
    assert_eq!(stdout(&warm), stdout(&cold));
    assert_eq!(warm.status.code(), cold.status.code());

    for format in [
        &["--format", "human", "--color", "never"][..],
        &["--format", "sarif"],
        &["--message-format", "json"],
    ] {
        let mut fresh_args = vec!["--offline", "--stats", "--no-cache"];
        fresh_args.extend(format);
        let fresh = run(CARGO_FORK_LINT, ws, &fresh_args);
        let f = stats(&fresh);
        assert!(
            f.files_read > 0 && f.analysed == 0 && f.written == 0,
            "{f:?}"
        );
        let mut warm_args = vec!["--offline", "--stats"];
        warm_args.extend(format);
        let warm = run(CARGO_FORK_LINT, ws, &warm_args);
        assert_eq!(stats(&warm).files_read, 0);
        assert_eq!(stdout(&warm), stdout(&fresh), "{format:?}");
        assert_eq!(other_stderr(&warm), other_stderr(&fresh), "{format:?}");
    }
    assert_eq!(cache_files(&ws.join("target")), files);

    // `fork-lint PATH` finds the same graph and so the same cache.
    let path_args = ["--offline", "--stats", "--format", "json", "."];
    let path_warm = run(FORK_LINT, ws, &path_args);
    assert_eq!(stats(&path_warm).files_read, 0, "{}", stderr(&path_warm));
    let mut fresh = path_args.to_vec();
    fresh.insert(0, "--no-cache");
    assert_eq!(stdout(&path_warm), stdout(&run(FORK_LINT, ws, &fresh)));
}

/// Editing a path dependency's file invalidates its entry: the next run
/// reads it again and reports what the edit introduced.
#[test]
fn editing_a_path_dependency_invalidates_its_entry() {
    let tmp = TempDir::new("depcache", "edit");
    let fx = deps_workspace(tmp.path());
    let ws = &fx.workspace;
    let find_byte = fx
        .calls
        .iter()
        .find(|c| c.callee == "outside_dep::find_byte")
        .unwrap()
        .line;
    let rules_at = |o: &Output, line: u32| -> Vec<String> {
        stdout(o)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "finding" && v["line"] == line)
            .map(|v| v["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let cold = run(CARGO_FORK_LINT, ws, JSON);
    assert!(rules_at(&cold, find_byte).is_empty());
    assert_eq!(stats(&run(CARGO_FORK_LINT, ws, JSON)).files_read, 0);

    let lib = std::fs::read_to_string(&fx.dep_lib).unwrap();
    let edited = lib.replace(
        "pub fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {\n",
        "pub fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {\n    let _copy = hay.to_vec();\n",
    );
    assert_ne!(edited, lib);
    std::fs::write(&fx.dep_lib, edited).unwrap();
    let after = run(CARGO_FORK_LINT, ws, JSON);
    let a = stats(&after);
    assert_eq!((a.stale, a.hit, a.written), (1, 0, 1), "{a:?}");
    assert!(a.files_read > 0 && a.analysed > 0, "{a:?}");
    assert_eq!(rules_at(&after, find_byte), ["alloc"], "{}", stdout(&after));
    // And the new entry serves the next run.
    let again = run(CARGO_FORK_LINT, ws, JSON);
    assert_eq!(stats(&again).files_read, 0);
    assert_eq!(stdout(&again), stdout(&after));
}

/// A result includes what calls into the dependency's own dependencies
/// reach: an edit two hops away (app -> mid -> leaf, all path packages)
/// invalidates the entry of `mid` too.
#[test]
fn an_edit_in_a_dependency_of_a_dependency_invalidates() {
    let tmp = TempDir::new("depcache", "leaf");
    tmp.write(
        "ws/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nmid = { path = \"../mid\" }\nlibc = \"0.2\"\n",
    );
    tmp.write(
        "ws/src/main.rs",
        "fn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        let n = mid::step(3);\n        unsafe { libc::_exit(n as i32) };\n    }\n}\n",
    );
    tmp.write(
        "mid/Cargo.toml",
        "[package]\nname = \"mid\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nleaf = { path = \"../leaf\" }\n",
    );
    tmp.write(
        "mid/src/lib.rs",
        "pub fn step(n: u32) -> u32 {\n    leaf::double(n) + 1\n}\n",
    );
    tmp.write(
        "leaf/Cargo.toml",
        "[package]\nname = \"leaf\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    let leaf = tmp.write(
        "leaf/src/lib.rs",
        "pub fn double(n: u32) -> u32 {\n    n * 2\n}\n",
    );
    let ws = tmp.path().join("ws");
    let cold = run(CARGO_FORK_LINT, &ws, JSON);
    assert_eq!(cold.status.code(), Some(0), "{}", stdout(&cold));
    assert_eq!(stats(&cold).written, 2, "mid and leaf");
    assert_eq!(stats(&run(CARGO_FORK_LINT, &ws, JSON)).files_read, 0);

    std::fs::write(
        &leaf,
        "pub fn double(n: u32) -> u32 {\n    let s = format!(\"{n}\");\n    s.len() as u32 * 2\n}\n",
    )
    .unwrap();
    let after = run(CARGO_FORK_LINT, &ws, JSON);
    let a = stats(&after);
    assert_eq!((a.hit, a.stale), (0, 2), "both entries: {a:?}");
    assert_eq!(after.status.code(), Some(1), "{}", stdout(&after));
    let out = stdout(&after);
    assert!(
        out.contains("call to `mid::step` (mid-0.1.0) reaches `leaf::double`")
            && out.contains("`format!` in leaf-0.1.0")
            && out.contains("leaf/src/lib.rs"),
        "{out}"
    );
}

/// A damaged entry (junk, truncated, not UTF-8) is a miss: the run
/// analyses the dependency again, reports the same, says nothing about
/// it, and replaces the entry.
#[test]
fn a_damaged_cache_is_a_miss_not_an_error() {
    let tmp = TempDir::new("depcache", "corrupt");
    let fx = deps_workspace(tmp.path());
    let ws = &fx.workspace;
    let cold = run(CARGO_FORK_LINT, ws, JSON);
    let files = cache_files(&ws.join("target"));
    assert_eq!(files.len(), 1);
    let good = std::fs::read(&files[0]).unwrap();
    for junk in [
        b"not json at all".to_vec(),
        good[..good.len() / 2].to_vec(),
        b"\xff\xfe\x00garbage\n\xff".to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&files[0], &junk).unwrap();
        let out = run(CARGO_FORK_LINT, ws, JSON);
        let s = stats(&out);
        assert_eq!((s.corrupt, s.hit, s.written), (1, 0, 1), "{s:?}");
        assert!(s.files_read > 0);
        assert_eq!(stdout(&out), stdout(&cold));
        assert_eq!(out.status.code(), cold.status.code());
        assert_eq!(other_stderr(&out), "");
        // Rewritten: the next run is warm again.
        let next = run(CARGO_FORK_LINT, ws, JSON);
        assert_eq!((stats(&next).files_read, stats(&next).hit), (0, 1));
    }
    // A cache folder that cannot be written (a file in its place): the run
    // goes on without it.
    let dir = ws.join("target/fork-lint/cache/dep-calls-v1");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::write(&dir, "in the way").unwrap();
    let out = run(CARGO_FORK_LINT, ws, JSON);
    assert_eq!(stdout(&out), stdout(&cold));
    assert_eq!(other_stderr(&out), "");
    assert_eq!(stats(&out).written, 0);
}

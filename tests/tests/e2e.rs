//! Workspace-level end-to-end tests: the shipped binaries on the shipped
//! example, the cargo subcommand, the lint on our own sources, and the
//! runtime guard's example.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
}

/// Builds the workspace's binaries and examples once per test run (a no-op
/// when `cargo test --workspace` already built them) and returns the target
/// folder that holds them.
fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(&cargo)
            .current_dir(root())
            .args(["build", "--quiet", "-p", "fork-lint", "--bins"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p fork-lint failed");
        let status = Command::new(&cargo)
            .current_dir(root())
            .args([
                "build",
                "--quiet",
                "-p",
                "fork-guard",
                "--example",
                "pre_exec_child",
            ])
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build -p fork-guard --example pre_exec_child failed"
        );
        // This test binary is target/<profile>/deps/e2e-<hash>.
        let exe = std::env::current_exe().expect("current exe");
        exe.parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .to_path_buf()
    })
}

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin_dir().join(bin))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("run {bin}: {e}"))
}

/// `(file, line, rule, level)` of every finding in JSON Lines output.
fn findings(stdout: &[u8]) -> Vec<(String, u64, String, String)> {
    let text = std::str::from_utf8(stdout).expect("utf-8 output");
    let mut out = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON line {line:?}: {e}"));
        if v["type"] == "finding" {
            out.push((
                v["file"].as_str().expect("file").to_string(),
                v["line"].as_u64().expect("line"),
                v["rule"].as_str().expect("rule").to_string(),
                v["level"].as_str().expect("level").to_string(),
            ));
        }
    }
    out
}

/// The bugs that `examples/prefork-server/README.md` documents, by file and
/// rule; the correct hook (`hooks::run_start_hook`) must stay silent.
const EXAMPLE_BUGS: &[(&str, &str)] = &[
    ("daemon.rs", "allocating-wrapper"),
    ("daemon.rs", "exit"),
    ("daemon.rs", "fallthrough"),
    ("daemon.rs", "panic"),
    ("hooks.rs", "alloc"),
    // Hazards reached through calls are reported where they are: the
    // logging and metrics helpers the children call.
    ("log.rs", "alloc"),
    ("log.rs", "lock"),
    ("log.rs", "stdio"),
    ("metrics.rs", "alloc"),
    ("metrics.rs", "lock"),
    ("metrics.rs", "panic"),
    ("worker.rs", "alloc"),
    ("worker.rs", "env"),
    ("worker.rs", "exit"),
];

fn assert_example_findings(found: &[(String, u64, String, String)]) {
    let mut pairs: Vec<(String, String)> = found
        .iter()
        .map(|(file, _, rule, _)| {
            let name = Path::new(file)
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            (name, rule.clone())
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    let expected: Vec<(String, String)> = EXAMPLE_BUGS
        .iter()
        .map(|(f, r)| (f.to_string(), r.to_string()))
        .collect();
    assert_eq!(
        pairs, expected,
        "findings on examples/prefork-server differ from its README"
    );
    // The correct hook in hooks.rs (run_start_hook) is silent: every hooks.rs
    // finding is inside run_reload_hook, which comes first in the file.
    let hooks = std::fs::read_to_string(root().join("examples/prefork-server/src/hooks.rs"))
        .expect("read hooks.rs");
    let good_start = hooks
        .lines()
        .position(|l| l.contains("fn run_start_hook"))
        .expect("hooks.rs has run_start_hook") as u64
        + 1;
    // Its body runs to the next function (`set_process_title`, where the
    // reload hook's hazards are, comes after it).
    let next_fn = hooks
        .lines()
        .enumerate()
        .skip(good_start as usize)
        .find(|(_, l)| l.starts_with("fn ") || l.starts_with("pub fn "))
        .map(|(i, _)| i as u64 + 1)
        .unwrap_or(u64::MAX);
    let (lo, hi) = (good_start, next_fn);
    for (file, line, rule, _) in found {
        if file.ends_with("hooks.rs") {
            assert!(
                !(lo..hi).contains(line),
                "run_start_hook must stay silent, got {rule} at line {line}"
            );
        }
    }
}

/// Runs `bin` with `args` (JSON output) and checks the findings against
/// the example's README.
fn expect_example_findings(bin: &str, args: &[&str]) {
    let out = run(bin, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_example_findings(&findings(&out.stdout));
}

#[test]
fn fork_lint_finds_the_example_bugs() {
    expect_example_findings(
        "fork-lint",
        &["--format", "json", "examples/prefork-server"],
    );
}

#[test]
fn fork_lint_human_output_is_rustc_style() {
    let out = run("fork-lint", &["examples/prefork-server"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error[stdio]:"), "{text}");
    assert!(
        text.contains("--> examples/prefork-server/src/worker.rs:"),
        "{text}"
    );
    assert!(
        text.contains("= note: child calls child_started()"),
        "{text}"
    );
    assert!(text.contains("= help:"), "{text}");
}

#[test]
fn cargo_subcommand_agrees_with_the_path_mode() {
    // cargo runs `cargo-fork-lint fork-lint ARGS`. Both outputs are
    // compared directly, finding by finding (file, line, column, rule,
    // message, chain), and against the example's README.
    let cargo = run(
        "cargo-fork-lint",
        &[
            "fork-lint",
            "--manifest-path",
            "examples/prefork-server/Cargo.toml",
            "--format",
            "json",
        ],
    );
    let path = run(
        "fork-lint",
        &["--format", "json", "examples/prefork-server"],
    );
    assert_eq!(cargo.status.code(), Some(1));
    assert_eq!(cargo.status.code(), path.status.code());
    let comparable = |stdout: &[u8]| -> Vec<serde_json::Value> {
        std::str::from_utf8(stdout)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
            .filter(|v| v["type"] == "finding")
            .collect()
    };
    let (a, b) = (comparable(&cargo.stdout), comparable(&path.stdout));
    assert!(!a.is_empty());
    assert_eq!(a, b, "cargo fork-lint and fork-lint PATH differ");
    assert_example_findings(&findings(&cargo.stdout));
}

#[test]
fn sarif_output_names_every_rule_and_result() {
    let out = run(
        "fork-lint",
        &["--format", "sarif", "examples/prefork-server"],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    for (_, rule) in EXAMPLE_BUGS {
        assert!(ids.contains(rule), "rule {rule} missing from SARIF rules");
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), findings(&run_json_stdout()).len());
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startColumn"]
                .as_u64()
                .expect("column")
                >= 1
        );
    }
}

fn run_json_stdout() -> Vec<u8> {
    run(
        "fork-lint",
        &["--format", "json", "examples/prefork-server"],
    )
    .stdout
}

/// Dogfood: the lint passes its own checks on the workspace's library code.
/// That includes fork-guard's `pthread_atfork` child handler and everything
/// it calls (the child-side zone), which the lint treats as child code;
/// `dogfood_sees_the_guard_child_handler` shows that it does.
#[test]
fn our_own_sources_pass_the_lint() {
    let out = run(
        "fork-lint",
        &[
            "--format",
            "json",
            "fork-lint/src",
            "fork-guard/src",
            "fork-guard-macros/src",
        ],
    );
    let found = findings(&out.stdout);
    let errors: Vec<_> = found.iter().filter(|f| f.3 == "error").collect();
    assert!(
        errors.is_empty(),
        "fork-lint reports errors in our own sources: {errors:#?}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explain_prints_every_rule() {
    let list = run("fork-lint", &["--list-rules"]);
    assert!(list.status.success());
    let text = String::from_utf8_lossy(&list.stdout);
    for (_, rule) in EXAMPLE_BUGS {
        assert!(text.contains(rule), "--list-rules lacks {rule}");
        let out = run("fork-lint", &["--explain", rule]);
        assert!(out.status.success());
        let doc = String::from_utf8_lossy(&out.stdout);
        assert!(
            doc.contains("What it does") && doc.contains("Use instead"),
            "--explain {rule}: {doc}"
        );
    }
}

#[test]
fn guarded_pre_exec_example_runs() {
    let out = Command::new(bin_dir().join("examples/pre_exec_child"))
        .current_dir(root())
        .output()
        .expect("run the pre_exec_child example");
    assert!(
        out.status.success(),
        "status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("fork-guard: error"),
        "the guard must not fire on a clean child"
    );
}

/// The dogfood test is not vacuous: a `println!` planted in a copy of
/// fork-guard's atfork child handler is reported.
#[test]
fn dogfood_sees_the_guard_child_handler() {
    let copy = std::env::temp_dir().join(format!("fork-guard-dogfood-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).expect("create scratch dir");
    let src = root().join("fork-guard/src");
    let mut planted = false;
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).expect("under src");
        let dest = copy.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        let mut text = std::fs::read_to_string(&entry).expect("read source");
        if let Some(at) = text.find("extern \"C\" fn child_handler()")
            && let Some(open) = text[at..].find('{')
        {
            text.insert_str(at + open + 1, "\n    println!(\"planted\");\n");
            planted = true;
        }
        std::fs::write(&dest, text).expect("write copy");
    }
    assert!(
        planted,
        "fork-guard has no `extern \"C\" fn child_handler()` any more"
    );
    let out = run(
        "fork-lint",
        &["--format", "json", copy.to_str().expect("utf-8 temp path")],
    );
    let found = findings(&out.stdout);
    let _ = std::fs::remove_dir_all(&copy);
    assert!(
        found
            .iter()
            .any(|(_, _, rule, level)| rule == "stdio" && level == "error"),
        "the planted println! in the atfork child handler was not reported: {found:#?}"
    );
    assert_eq!(out.status.code(), Some(1));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

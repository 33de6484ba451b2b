//! The `fork-lint` binary end to end: exit codes, errors, formats, rule
//! documentation, robustness on weird input. Each test builds its own input
//! in a temporary folder.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_fork-lint");

/// A temporary folder, removed on drop.
mod support;
use support::TempDir;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the fork-lint binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

/// A child process that allocates: a definite `alloc` error.
const ALLOC_IN_CHILD: &str = r#"
fn main() {
    match unsafe { libc::fork() } {
        0 => {
            let s = format!("child {}", 1);
            unsafe { libc::write(2, s.as_ptr().cast(), s.len()) };
            unsafe { libc::_exit(0) };
        }
        _ => {}
    }
}
"#;

/// A child process that only calls async-signal-safe functions.
const CLEAN_CHILD: &str = r#"
fn main() {
    let msg = b"child\n";
    match unsafe { libc::fork() } {
        0 => {
            unsafe { libc::write(2, msg.as_ptr().cast(), msg.len()) };
            unsafe { libc::_exit(0) };
        }
        _ => {}
    }
}
"#;

#[test]
fn nonexistent_path_is_a_usage_error_naming_it() {
    let dir = TempDir::new("cli", "nonexistent");
    let o = run_in(dir.path(), &["no/such/dir"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error: no/such/dir: no such file or directory"),
        "{err}"
    );
    assert_eq!(
        err.matches("no/such/dir").count(),
        1,
        "the error prints once: {err}"
    );
}

#[test]
fn nonexistent_path_does_not_stop_the_others() {
    let dir = TempDir::new("cli", "partial");
    dir.write("ok/main.rs", CLEAN_CHILD);
    let o = run_in(dir.path(), &["missing.rs", "ok", "--format", "json"]);
    assert_eq!(code(&o), 2);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        summary["files_checked"], 1,
        "the existing folder was still checked"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "error" && l["file"] == "missing.rs")
    );
}

#[test]
fn a_file_that_is_not_rust_is_an_error_naming_it() {
    let dir = TempDir::new("cli", "not-rust");
    dir.write("Cargo.toml", "[package]\nname = \"x\"\n");
    let o = run_in(dir.path(), &["Cargo.toml"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("error: Cargo.toml: not a Rust source file"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_special_file_is_an_error_naming_it() {
    let dir = TempDir::new("cli", "fifo");
    let fifo = dir.path().join("pipe.rs");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    let o = run_in(dir.path(), &["pipe.rs"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("error: pipe.rs: not a file or folder"),
        "{}",
        stderr(&o)
    );
    // Inside a folder, it is skipped: it is not a source file.
    let o = run_in(dir.path(), &["."]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn clean_and_empty_inputs_exit_zero() {
    let dir = TempDir::new("cli", "clean");
    let o = run_in(dir.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("fork-lint: no findings in 0 files"),
        "{}",
        stderr(&o)
    );
    dir.write("src/main.rs", CLEAN_CHILD);
    let o = run_in(dir.path(), &["."]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("no findings in 1 file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn gitignored_hidden_and_target_files_are_skipped() {
    let dir = TempDir::new("cli", "ignore");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
    );
    dir.write(".gitignore", "generated/\n");
    dir.write("src/main.rs", CLEAN_CHILD);
    dir.write("generated/bad.rs", ALLOC_IN_CHILD);
    dir.write(".hidden/bad.rs", ALLOC_IN_CHILD);
    dir.write("target/debug/build/out.rs", ALLOC_IN_CHILD);
    let o = run_in(dir.path(), &["--format", "json"]);
    let summary: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().last().unwrap()).unwrap();
    assert_eq!(summary["files_checked"], 1, "{}", stdout(&o));
    // Named explicitly, an ignored file is checked.
    let o = run_in(dir.path(), &["--format", "json", "generated/bad.rs"]);
    let summary: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().last().unwrap()).unwrap();
    assert_eq!(summary["files_checked"], 1);
}

#[test]
fn explain_prints_the_docs_of_every_rule() {
    let dir = TempDir::new("cli", "explain");
    let list = run_in(dir.path(), &["--list-rules"]);
    assert_eq!(code(&list), 0);
    let ids: Vec<String> = stdout(&list)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 10, "{ids:?}");
    assert!(ids.contains(&"alloc".to_string()) && ids.contains(&"libc-unsafe".to_string()));
    let known: Vec<&str> = fork_lint::rules::ALL.iter().map(|r| r.name).collect();
    assert_eq!(ids, known, "--list-rules lists every rule, sorted");
    for meta in fork_lint::rules::ALL {
        let id = meta.name;
        let o = run_in(dir.path(), &["--explain", id]);
        assert_eq!(code(&o), 0, "--explain {id}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.starts_with(&format!("# {id} ({}, ", meta.summary)),
            "--explain {id}: {text}"
        );
        assert!(
            text.contains(fork_lint::report::rule_docs(meta).trim_end()),
            "--explain {id}: {text}"
        );
        assert!(text.contains("## What it does"), "--explain {id}: {text}");
        assert!(
            !text.contains("\n///") && !text.contains("\n ##"),
            "doc comment markers leaked: {text}"
        );
    }
    let o = run_in(dir.path(), &["--explain", "no-alloc"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown rule `no-alloc`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("alloc"),
        "lists the known rules: {}",
        stderr(&o)
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = TempDir::new("cli", "usage");
    let o = run_in(dir.path(), &["--format", "xml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("xml"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("--format"));
}

#[test]
fn bad_baseline_is_an_error_naming_it() {
    let dir = TempDir::new("cli", "baseline");
    dir.write("main.rs", CLEAN_CHILD);
    let o = run_in(dir.path(), &["--baseline", "nope.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nope.json"), "{}", stderr(&o));
    dir.write("garbage.json", "{ not json");
    let o = run_in(dir.path(), &["--baseline", "garbage.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("garbage.json"), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "",
        "nothing is printed when the baseline is bad"
    );
}

#[test]
fn configuration_excludes_paths_and_bad_configuration_is_an_error() {
    let dir = TempDir::new("cli", "config");
    dir.write("src/main.rs", CLEAN_CHILD);
    dir.write("vendor/dep/src/lib.rs", ALLOC_IN_CHILD);
    dir.write("src/generated/out.rs", ALLOC_IN_CHILD);
    let files_checked = |o: &Output| -> u64 {
        let last = stdout(o).lines().last().unwrap().to_string();
        let v: serde_json::Value = serde_json::from_str(&last).unwrap();
        v["files_checked"].as_u64().unwrap()
    };
    let o = run_in(dir.path(), &["--format", "json"]);
    assert_eq!(files_checked(&o), 3);
    dir.write(
        "fork-lint.toml",
        "exclude = [\"vendor/**\", \"src/generated/\"]\n",
    );
    let o = run_in(dir.path(), &["--format", "json"]);
    assert_eq!(files_checked(&o), 1, "{}", stderr(&o));
    // Excluded files stay excluded when named explicitly.
    let o = run_in(
        dir.path(),
        &["--format", "json", "src/main.rs", "vendor/dep/src/lib.rs"],
    );
    assert_eq!(files_checked(&o), 1, "{}", stderr(&o));
    // The single folder given is the run root whose configuration applies.
    let o = run_in(
        dir.path().parent().unwrap(),
        &["--format", "json", dir.path().to_str().unwrap()],
    );
    assert_eq!(files_checked(&o), 1, "{}", stderr(&o));
    dir.write("fork-lint.toml", "[rules]\nno-such-rule = \"allow\"\n");
    let o = run_in(dir.path(), &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("fork-lint.toml:2:"),
        "names file and line: {}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("no-such-rule"), "{}", stderr(&o));
}

#[test]
fn weird_input_never_panics() {
    let dir = TempDir::new("cli", "weird");
    dir.write("empty.rs", "");
    dir.write("junk.rs", [0u8, 159, 146, 150, 0xff, 0xfe, 7, 0, 0, 13, 10]);
    dir.write("latin1.rs", b"fn main() { let s = \"caf\xe9\"; }\n");
    dir.write(
        "unclosed.rs",
        "fn main() { match unsafe { libc::fork() } { 0 => {",
    );
    dir.write(
        "deep.rs",
        format!("fn main() {{ {} }}", "(".repeat(5000) + &")".repeat(5000)),
    );
    dir.write("crlf.rs", "fn main() {\r\n    let x = 1;\r\n}\r\n");
    for format in ["human", "json", "sarif", "github"] {
        let o = run_in(dir.path(), &["--format", format]);
        let c = code(&o);
        assert!(
            (0..=2).contains(&c),
            "--format {format}: exit {c}\n{}",
            stderr(&o)
        );
        assert!(
            !stderr(&o).contains("panicked"),
            "--format {format}: {}",
            stderr(&o)
        );
    }
    // Files that are not UTF-8 are named in an error; the rest is checked.
    let o = run_in(dir.path(), &["--format", "json"]);
    assert_eq!(code(&o), 2);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for name in ["junk.rs", "latin1.rs"] {
        assert!(
            lines
                .iter()
                .any(|l| l["type"] == "error" && l["file"] == name),
            "{name} is reported: {}",
            stdout(&o)
        );
    }
    assert_eq!(lines.last().unwrap()["files_checked"], 6);
}

#[test]
fn json_lines_have_a_type_and_a_summary() {
    let dir = TempDir::new("cli", "json");
    dir.write("main.rs", CLEAN_CHILD);
    let o = run_in(dir.path(), &["--format", "json"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(lines.iter().all(|l| l["type"].is_string()));
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    for key in [
        "errors",
        "warnings",
        "notes",
        "files_checked",
        "files_with_findings",
        "file_errors",
    ] {
        assert!(summary[key].is_u64(), "summary.{key}: {summary}");
    }
    assert_eq!(stderr(&o), "", "no human summary in machine output");
}

#[test]
fn sarif_has_the_shape_code_scanning_needs() {
    let dir = TempDir::new("cli", "sarif");
    dir.write("main.rs", CLEAN_CHILD);
    let o = run_in(dir.path(), &["--format", "sarif"]);
    assert_eq!(code(&o), 0);
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "fork-lint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "alloc"));
    for r in rules {
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(
            r["help"]["markdown"]
                .as_str()
                .is_some_and(|t| t.contains("## What it does"))
        );
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .ends_with('/')
    );
    assert!(run["results"].as_array().unwrap().is_empty());
}

#[test]
fn sarif_reports_unreadable_paths_as_notifications() {
    let dir = TempDir::new("cli", "sarif-errors");
    let o = run_in(dir.path(), &["--format", "sarif", "gone"]);
    assert_eq!(code(&o), 2);
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = &inv["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "gone"
    );
}

#[test]
fn github_annotations_escape_properties() {
    let dir = TempDir::new("cli", "github");
    let o = run_in(dir.path(), &["--format", "github", "a,b:c%d"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stdout(&o).trim_end(),
        "::error file=a%2Cb%3Ac%25d,title=fork-lint::no such file or directory"
    );
}

#[test]
fn color_follows_the_flag() {
    let dir = TempDir::new("cli", "color");
    let o = run_in(dir.path(), &["--color", "always", "--explain", "alloc"]);
    assert_eq!(code(&o), 0);
    let o = run_in(dir.path(), &["--color", "rainbow"]);
    assert_eq!(code(&o), 2);
}

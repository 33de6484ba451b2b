//! The `fork-lint` binary on inputs with real findings: exit code 1, the
//! fields of every format, parse errors that do not stop the run, baselines
//! and suppressions through the command line.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_fork-lint");

mod support;
use support::TempDir;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the fork-lint binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// `main` forks; the child calls a helper in another module that prints.
fn write_chain_crate(dir: &TempDir) {
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"chain-demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    dir.write(
        "src/main.rs",
        "mod log;\n\nfn main() {\n    if unsafe { libc::fork() } == 0 {\n        log::hello();\n        unsafe { libc::_exit(0) };\n    }\n}\n",
    );
    dir.write(
        "src/log.rs",
        "pub fn hello() {\n    println!(\"hello from the child\");\n}\n",
    );
}

#[test]
fn a_hazard_in_a_child_exits_one_with_a_rustc_style_report() {
    let dir = TempDir::new("findings", "human");
    write_chain_crate(&dir);
    let o = run_in(dir.path(), &[]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("error[stdio]"), "{out}");
    assert!(
        out.contains("--> src/log.rs:2:5"),
        "primary span is the hazard itself: {out}"
    );
    assert!(out.contains("2 |     println!"), "{out}");
    assert!(out.contains("^^^^"), "{out}");
    assert!(
        out.contains("= note: ") && out.contains("(src/main.rs:5)"),
        "the chain starts at the call in the child: {out}"
    );
    assert!(out.contains("= help: "), "{out}");
    assert!(stderr(&o).contains("fork-lint: 1 error"), "{}", stderr(&o));
}

#[test]
fn json_findings_carry_every_documented_field() {
    let dir = TempDir::new("findings", "json");
    write_chain_crate(&dir);
    let o = run_in(dir.path(), &["--format", "json"]);
    assert_eq!(code(&o), 1);
    let lines = json_lines(&o);
    let f = lines
        .iter()
        .find(|l| l["type"] == "finding" && l["rule"] == "stdio")
        .expect("a stdio finding");
    assert_eq!(f["level"], "error");
    assert_eq!(f["file"], "src/log.rs");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 5);
    assert_eq!(f["end_line"], 2);
    assert!(f["end_column"].as_u64().unwrap() > 5);
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty() && !m.ends_with('.'))
    );
    let chain = f["chain"].as_array().unwrap();
    let first = chain.first().expect("a chain through log::hello");
    assert_eq!(
        (first["file"].as_str(), first["line"].as_u64()),
        (Some("src/main.rs"), Some(5))
    );
    assert!(first["column"].as_u64().unwrap() >= 1 && first["label"].is_string());
    assert_eq!(f["related"], serde_json::json!([]));
    assert_eq!(f["region"]["file"], "src/main.rs");
    assert_eq!(f["region"]["line"], 4);
    assert!(f["help"].is_string());
}

#[test]
fn sarif_results_point_at_rules_and_carry_the_chain() {
    let dir = TempDir::new("findings", "sarif");
    write_chain_crate(&dir);
    let o = run_in(dir.path(), &["--format", "sarif"]);
    assert_eq!(code(&o), 1);
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let run = &log["runs"][0];
    let r = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "stdio")
        .unwrap();
    let index = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "stdio");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/log.rs"
    );
    let related = r["relatedLocations"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|l| l["physicalLocation"]["artifactLocation"]["uri"] == "src/main.rs")
    );
    let flow = r["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .unwrap();
    assert!(flow.len() >= 2);
    assert!(
        r["partialFingerprints"]["forkLint/v1"]
            .as_str()
            .is_some_and(|h| h.len() == 16)
    );
}

#[test]
fn github_annotations_for_findings() {
    let dir = TempDir::new("findings", "github");
    write_chain_crate(&dir);
    let o = run_in(dir.path(), &["--format", "github"]);
    assert_eq!(code(&o), 1);
    let line = stdout(&o)
        .lines()
        .find(|l| l.contains("title=fork-lint(stdio)"))
        .unwrap()
        .to_string();
    assert!(
        line.starts_with("::error file=src/log.rs,line=2,col=5,endLine=2,endColumn="),
        "{line}"
    );
    assert!(line.contains("%0A= note: "), "{line}");
}

#[test]
fn an_unparsable_file_is_reported_and_the_rest_still_checked() {
    let dir = TempDir::new("findings", "parse");
    write_chain_crate(&dir);
    // Unparsable, and worth parsing: it forks.
    dir.write(
        "src/broken.rs",
        "pub fn spawn() {\n    if unsafe { libc::fork() } == 0 {\n        let x = ;\n    }\n}\n",
    );
    let o = run_in(dir.path(), &[]);
    assert_eq!(code(&o), 2, "a file could not be checked: {}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("--> src/broken.rs:3:17"),
        "names file:line:col: {out}"
    );
    assert!(
        out.contains("error[stdio]"),
        "the other files were still checked: {out}"
    );
    let o = run_in(dir.path(), &["--format", "json"]);
    let lines = json_lines(&o);
    let e = lines.iter().find(|l| l["type"] == "error").unwrap();
    assert_eq!(
        (e["file"].as_str(), e["line"].as_u64()),
        (Some("src/broken.rs"), Some(3))
    );
    assert!(lines.iter().any(|l| l["type"] == "finding"));
}

#[test]
fn baseline_round_trip_hides_known_findings_only() {
    let dir = TempDir::new("findings", "baseline");
    write_chain_crate(&dir);
    let o = run_in(dir.path(), &["--write-baseline", "fork-lint-baseline.json"]);
    assert_eq!(code(&o), 1);
    assert!(dir.path().join("fork-lint-baseline.json").is_file());
    let o = run_in(dir.path(), &["--baseline", "fork-lint-baseline.json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    // A new hazard is still reported.
    dir.write("src/log.rs", "pub fn hello() {\n    println!(\"hello from the child\");\n    let _v = vec![1u8; 8];\n}\n");
    let o = run_in(
        dir.path(),
        &["--baseline", "fork-lint-baseline.json", "--format", "json"],
    );
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let findings: Vec<_> = json_lines(&o)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .collect();
    assert!(
        findings.iter().all(|f| f["rule"] != "stdio"),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f["rule"] == "alloc"),
        "{findings:?}"
    );
}

#[test]
fn suppressions_apply_unless_no_suppress() {
    let dir = TempDir::new("findings", "suppress");
    write_chain_crate(&dir);
    dir.write(
        "src/main.rs",
        "mod log;\n\nfn main() {\n    if unsafe { libc::fork() } == 0 {\n        // fork-lint: allow(stdio) reason=\"demo\"\n        log::hello();\n        unsafe { libc::_exit(0) };\n    }\n}\n",
    );
    let o = run_in(dir.path(), &["--format", "json"]);
    assert!(
        json_lines(&o).iter().all(|l| l["rule"] != "stdio"),
        "{}",
        stdout(&o)
    );
    let o = run_in(dir.path(), &["--format", "json", "--no-suppress"]);
    assert!(
        json_lines(&o).iter().any(|l| l["rule"] == "stdio"),
        "{}",
        stdout(&o)
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn workspace_folders_split_into_crates_that_resolve_their_own_calls() {
    let dir = TempDir::new("findings", "workspace");
    dir.write("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n");
    // Both crates define `helper`; only `a`'s allocates.
    dir.write(
        "a/Cargo.toml",
        "[package]\nname = \"crate-a\"\nversion = \"0.1.0\"\n",
    );
    dir.write(
        "a/src/lib.rs",
        "pub fn run() {\n    if unsafe { libc::fork() } == 0 {\n        helper();\n        unsafe { libc::_exit(0) };\n    }\n}\n\nfn helper() {\n    let _b = Box::new(1);\n}\n",
    );
    dir.write(
        "b/Cargo.toml",
        "[package]\nname = \"crate-b\"\nversion = \"0.1.0\"\n",
    );
    dir.write(
        "b/src/lib.rs",
        "pub fn run() {\n    if unsafe { libc::fork() } == 0 {\n        helper();\n        unsafe { libc::_exit(0) };\n    }\n}\n\nfn helper() {\n    unsafe { libc::getpid() };\n}\n",
    );
    let o = run_in(dir.path(), &["--format", "json"]);
    let findings: Vec<_> = json_lines(&o)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == "a/src/lib.rs" && f["rule"] == "alloc"),
        "{findings:?}"
    );
    assert!(
        findings.iter().all(|f| f["file"] != "b/src/lib.rs"),
        "b's helper is b's own: {findings:?}"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = TempDir::new("findings", "color");
    write_chain_crate(&dir);
    let piped = run_in(dir.path(), &[]);
    assert!(!stdout(&piped).contains('\u{1b}'), "piped output is plain");
    let always = run_in(dir.path(), &["--color", "always"]);
    assert!(stdout(&always).contains("\u{1b}["), "{}", stdout(&always));
    let never = run_in(dir.path(), &["--color", "never"]);
    assert_eq!(stdout(&never), stdout(&piped));
    // The findings are the same, whatever the colour.
    assert_eq!(code(&always), 1);
}

#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    let dir = TempDir::new("findings", "pipe");
    // Enough findings for the output to overflow any pipe buffer.
    let mut body = String::from("fn main() {\n    if unsafe { libc::fork() } == 0 {\n");
    for i in 0..3000 {
        body.push_str(&format!("        let _s{i} = format!(\"{{}}\", {i});\n"));
    }
    body.push_str("        unsafe { libc::_exit(0) };\n    }\n}\n");
    dir.write("main.rs", &body);
    for format in ["human", "json", "github"] {
        let mut child = Command::new(BIN)
            .args(["--format", format])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "--format {format}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("error:"),
            "--format {format}: {err}"
        );
    }
}

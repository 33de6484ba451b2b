//! Snapshot tests of the human output: the binary runs on each case under
//! `tests/snapshots/<case>/` (and on the shipped `examples/prefork-server`,
//! exactly as the README's first command does), and its stdout, stderr and
//! exit code must equal `tests/snapshots/<case>.golden`.
//!
//! The machine formats are pinned too, on one case: the JSON Lines as
//! printed, and the SARIF log with the rule metadata reduced to the rule ids
//! (the rule documentation has its own tests) and the source root replaced
//! by `$CASE`.
//!
//! Regenerate the golden files after an intended change with
//! `UPDATE_SNAPSHOTS=1 cargo test -p fork-lint --test cli_snapshots`, then
//! review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs fork-lint in `cwd` with `args`; returns the normalised transcript.
fn transcript(cwd: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_fork-lint"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the fork-lint binary runs");
    let code = out
        .status
        .code()
        .map_or("signal".to_string(), |c| c.to_string());
    let text = format!(
        "$ fork-lint {}\n--- exit: {code}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Paths print relative to the current folder; normalise what could
    // still differ between machines.
    text.replace('\\', "/")
        .replace(&manifest_dir().display().to_string(), "$CRATE")
}

fn check(name: &str, cwd: &Path, args: &[&str]) -> Result<(), String> {
    compare(name, transcript(cwd, args))
}

/// The SARIF log of `cwd`, normalised as described above.
fn sarif_transcript(cwd: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_fork-lint"))
        .args(["--format", "sarif"])
        .current_dir(cwd)
        .output()
        .expect("the fork-lint binary runs");
    let mut log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let driver = &mut log["runs"][0]["tool"]["driver"];
    let ids: Vec<serde_json::Value> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    driver["rules"] = serde_json::Value::Array(ids);
    driver["version"] = "$VERSION".into();
    driver["semanticVersion"] = "$VERSION".into();
    log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "$CASE".into();
    format!(
        "exit: {}\n{}\n",
        out.status.code().unwrap_or(-1),
        serde_json::to_string_pretty(&log).unwrap()
    )
}

fn compare(name: &str, actual: String) -> Result<(), String> {
    let golden: PathBuf = manifest_dir()
        .join("tests/snapshots")
        .join(format!("{name}.golden"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&golden, &actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(&golden).map_err(|e| {
        format!(
            "{}: {e}; create it with UPDATE_SNAPSHOTS=1\nactual output:\n{actual}",
            golden.display()
        )
    })?;
    if expected == actual {
        return Ok(());
    }
    let mut diff = String::new();
    let (exp, act): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..exp.len().max(act.len()) {
        let (e, a) = (exp.get(i).copied(), act.get(i).copied());
        if e != a {
            diff.push_str(&format!(
                "line {}:\n  expected: {:?}\n  actual:   {:?}\n",
                i + 1,
                e,
                a
            ));
        }
    }
    Err(format!(
        "{name}: output differs from {} (UPDATE_SNAPSHOTS=1 to accept)\n{diff}\nfull actual output:\n{actual}",
        golden.display()
    ))
}

#[test]
fn human_output_matches_snapshots() {
    let snapshots = manifest_dir().join("tests/snapshots");
    let mut failures = Vec::new();
    for case in [
        "chain-across-modules",
        "pre-exec",
        "parse-error",
        "many-hazards",
    ] {
        if let Err(e) = check(case, &snapshots.join(case), &[]) {
            failures.push(e);
        }
    }
    let case = snapshots.join("chain-across-modules");
    if let Err(e) = check("chain-across-modules.json", &case, &["--format", "json"]) {
        failures.push(e);
    }
    if let Err(e) = compare("chain-across-modules.sarif", sarif_transcript(&case)) {
        failures.push(e);
    }
    // The README's first command, from the repository root.
    let root = manifest_dir().parent().unwrap();
    if let Err(e) = check("prefork-server", root, &["examples/prefork-server"]) {
        failures.push(e);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

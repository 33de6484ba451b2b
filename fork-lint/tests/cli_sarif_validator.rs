//! Validates fork-lint's SARIF with Microsoft's SARIF Multitool
//! (`validate --rule-kind "Gh;Sarif"`: the SARIF 2.1.0 schema, the SARIF
//! rules and GitHub code scanning's ingestion rules), and requires zero
//! errors.
//!
//! The validator comes from the npm package `@microsoft/sarif-multitool-linux`,
//! installed once into `target/tmp/sarif-multitool`. Without npm, without
//! network or on another platform the test prints why and passes: CI must not
//! fail for lack of the tool, but it does fail on validator errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fork_lint::report::sarif::SarifPrinter;
use fork_lint::report::{Output, Printer};
use fork_lint::{ChainStep, FileError, Finding, Level, Location, RuleId};

const PACKAGE: &str = "@microsoft/sarif-multitool-linux@5.7.0";

fn skip(why: &str) {
    eprintln!("SKIPPED sarif validator test: {why}");
}

/// Runs `cmd`, killing it after `limit`. `None` when it could not start or
/// timed out.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Option<std::process::Output> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().ok(),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// The validator's executable, installing it if needed.
fn validator() -> Result<PathBuf, String> {
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        return Err("the npm package ships the validator for linux x86_64 only".into());
    }
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif-multitool");
    let exe = prefix.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !exe.is_file() {
        std::fs::create_dir_all(&prefix)
            .map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
        let out = run_with_timeout(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&prefix)
                .arg(PACKAGE),
            Duration::from_secs(300),
        )
        .ok_or("npm is not available or `npm install` timed out")?;
        if !out.status.success() || !exe.is_file() {
            return Err(format!(
                "`npm install {PACKAGE}` failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
    }
    // The package's postinstall `chmod` may not have run (npm's install-script policy).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut perms = std::fs::metadata(&exe)
            .map_err(|e| e.to_string())?
            .permissions();
        perms.set_mode(perms.mode() | 0o755);
        std::fs::set_permissions(&exe, perms).map_err(|e| e.to_string())?;
    }
    Ok(exe)
}

/// Validates `sarif` (written to `dir/name`); returns the error messages.
fn validate(exe: &Path, dir: &Path, name: &str, sarif: &[u8]) -> Option<Vec<String>> {
    let input = dir.join(name);
    std::fs::write(&input, sarif).unwrap();
    let report = dir.join(format!("{name}.validation.sarif"));
    let out = run_with_timeout(
        Command::new(exe)
            .args([
                "validate",
                "--rule-kind",
                "Gh;Sarif",
                "--log",
                "ForceOverwrite",
                "--output",
            ])
            .arg(&report)
            .arg(&input),
        Duration::from_secs(300),
    );
    let Some(out) = out else {
        skip("the validator could not run (missing .NET runtime dependencies?)");
        return None;
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !report.is_file() {
        if text.contains("Analysis completed") {
            panic!("validator wrote no report:\n{text}");
        }
        skip(&format!(
            "the validator did not run: {}",
            text.lines().last().unwrap_or("")
        ));
        return None;
    }
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut errors = Vec::new();
    let mut warnings = 0;
    for result in log["runs"][0]["results"].as_array().into_iter().flatten() {
        let level = result["level"].as_str().unwrap_or("warning");
        let message = format!(
            "{}: {}",
            result["ruleId"].as_str().unwrap_or("?"),
            result["message"]["text"]
                .as_str()
                .unwrap_or_else(|| result["message"]["arguments"][0].as_str().unwrap_or(""))
        );
        match level {
            "error" => errors.push(message),
            _ => warnings += 1,
        }
    }
    eprintln!(
        "{name}: {} validator errors, {warnings} warnings/notes",
        errors.len()
    );
    if !out.status.success() && errors.is_empty() {
        panic!("validator failed without reporting an error result:\n{text}");
    }
    Some(errors)
}

fn loc(file: &Path, line: u32, column: u32, end_column: u32) -> Location {
    Location {
        file: file.to_path_buf(),
        line,
        column,
        end_line: line,
        end_column,
    }
}

/// A log with every feature of the format: chains, regions, every level,
/// a file error, a file outside the base folder.
fn synthetic_log(dir: &Path) -> Vec<u8> {
    let main = dir.join("src/main.rs");
    let log = dir.join("src/log.rs");
    std::fs::create_dir_all(main.parent().unwrap()).unwrap();
    std::fs::write(&main, "fn main() {\n    match unsafe { libc::fork() } {\n        0 => log::hello(),\n        _ => {}\n    }\n}\n").unwrap();
    std::fs::write(&log, "pub fn hello() {\n    println!(\"hi\");\n}\n").unwrap();
    let findings = vec![
        Finding {
            related: Vec::new(),
            rule: RuleId::Stdio,
            level: Level::Error,
            location: loc(&main, 3, 14, 26),
            message: "`println!` locks stdout and allocates in a forked child".into(),
            chain: vec![
                ChainStep {
                    label: "child calls log::hello()".into(),
                    location: loc(&main, 3, 14, 26),
                },
                ChainStep {
                    label: "println!".into(),
                    location: loc(&log, 2, 5, 20),
                },
            ],
            region: Some(ChainStep {
                label: "libc::fork()".into(),
                location: loc(&main, 2, 20, 32),
            }),
            help: Some("write with `libc::write` on a buffer prepared before fork".into()),
        },
        Finding {
            related: Vec::new(),
            rule: RuleId::Fallthrough,
            level: Level::Warning,
            location: Location {
                file: main.clone(),
                line: 3,
                column: 9,
                end_line: 5,
                end_column: 6,
            },
            message: "the child branch can return into the parent's code".into(),
            chain: Vec::new(),
            region: None,
            help: None,
        },
        Finding {
            related: Vec::new(),
            rule: RuleId::UnknownCall,
            level: Level::Note,
            location: loc(Path::new("/elsewhere/outside.rs"), 1, 1, 2),
            message: "call to `helper` that fork-lint cannot see into".into(),
            chain: Vec::new(),
            region: None,
            help: None,
        },
    ];
    let errors = vec![FileError {
        location: loc(&dir.join("src/bad.rs"), 4, 9, 10),
        message: "expected `;`".into(),
    }];
    let output = Output {
        findings: &findings,
        file_errors: &errors,
        files_checked: 3,
        base: dir,
        success: true,
    };
    let mut buf = Vec::new();
    SarifPrinter::default().print(&mut buf, &output).unwrap();
    buf
}

#[test]
fn sarif_output_passes_the_sarif_multitool_validator() {
    let exe = match validator() {
        Ok(exe) => exe,
        Err(why) => return skip(&why),
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sarif-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let mut all_errors = Vec::new();
    let Some(errors) = validate(&exe, &dir, "synthetic.sarif", &synthetic_log(&dir)) else {
        return;
    };
    all_errors.extend(errors);

    // The real output on the fixture corpus and the shipped example.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().unwrap();
    let mut inputs: Vec<PathBuf> = vec![workspace.join("examples")];
    if manifest.join("tests/fixtures").is_dir() {
        inputs.push(manifest.join("tests/fixtures"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fork-lint"))
        .arg("--format")
        .arg("sarif")
        .args(&inputs)
        .current_dir(workspace)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("fork-lint prints one JSON document");
    eprintln!(
        "corpus: {} results",
        log["runs"][0]["results"].as_array().map_or(0, Vec::len)
    );
    let Some(errors) = validate(&exe, &dir, "corpus.sarif", &out.stdout) else {
        return;
    };
    all_errors.extend(errors);

    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        all_errors.is_empty(),
        "SARIF validator errors:\n{}",
        all_errors.join("\n")
    );
}

//! Baselines: round trip, matching that survives unrelated edits, counts,
//! and errors.

use std::path::{Path, PathBuf};

use fork_lint::baseline;
use fork_lint::{Finding, Level, Location, RuleId};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("baseline-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    dir
}

fn finding(file: &Path, line: u32, rule: RuleId, message: &str) -> Finding {
    Finding {
        related: Vec::new(),
        rule,
        level: Level::Error,
        location: Location {
            file: file.to_path_buf(),
            line,
            column: 5,
            end_line: line,
            end_column: 9,
        },
        message: message.to_string(),
        chain: Vec::new(),
        region: None,
        help: None,
    }
}

const SRC: &str = "fn child() {\n    let s = format!(\"x\");\n    let v = vec![1];\n}\n";

#[test]
fn round_trip_and_new_findings() {
    let root = scratch("round-trip");
    let file = root.join("src/lib.rs");
    std::fs::write(&file, SRC).unwrap();
    let old = vec![
        finding(&file, 2, RuleId::Alloc, "`format!` allocates"),
        finding(&file, 3, RuleId::Alloc, "`vec!` allocates"),
    ];
    let path = root.join("fork-lint-baseline.json");
    baseline::write(&path, &old, &root).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["entries"][0]["file"], "src/lib.rs",
        "paths are relative to the root"
    );
    assert_eq!(json["entries"].as_array().unwrap().len(), 2);

    let b = baseline::load(&path).unwrap();
    assert_eq!(b.len(), 2);
    assert!(b.filter(old.clone(), &root).is_empty());

    // A new finding survives the filter.
    let mut now = old.clone();
    now.push(finding(&file, 3, RuleId::Lock, "`lock` may deadlock"));
    let left = b.filter(now, &root);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].rule, RuleId::Lock);

    // Writing is deterministic.
    baseline::write(&path, &old, &root).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn unrelated_edits_do_not_invalidate_but_editing_the_line_does() {
    let root = scratch("edits");
    let file = root.join("src/lib.rs");
    std::fs::write(&file, SRC).unwrap();
    let path = root.join("b.json");
    baseline::write(
        &path,
        &[finding(
            &file,
            2,
            RuleId::Alloc,
            "`format!` allocates (see line 2)",
        )],
        &root,
    )
    .unwrap();
    let b = baseline::load(&path).unwrap();

    // Three lines inserted above: the finding moves to line 5 (and its
    // message quotes the new line number).
    std::fs::write(&file, format!("// a\n// b\n// c\n{SRC}")).unwrap();
    let moved = vec![finding(
        &file,
        5,
        RuleId::Alloc,
        "`format!` allocates (see line 5)",
    )];
    assert!(b.filter(moved, &root).is_empty());

    // The offending line itself changed: the finding is new.
    std::fs::write(&file, SRC.replace("format!(\"x\")", "format!(\"y\")")).unwrap();
    let edited = vec![finding(
        &file,
        2,
        RuleId::Alloc,
        "`format!` allocates (see line 2)",
    )];
    assert_eq!(b.filter(edited, &root).len(), 1);
}

#[test]
fn duplicates_are_counted() {
    let root = scratch("counts");
    let file = root.join("src/lib.rs");
    std::fs::write(&file, "a(); a();\n").unwrap();
    let f = finding(&file, 1, RuleId::Alloc, "`a` allocates");
    let path = root.join("b.json");
    baseline::write(&path, &[f.clone(), f.clone()], &root).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["entries"][0]["count"], 2);
    let b = baseline::load(&path).unwrap();
    assert!(b.filter(vec![f.clone(), f.clone()], &root).is_empty());
    assert_eq!(
        b.filter(vec![f.clone(), f.clone(), f.clone()], &root).len(),
        1
    );
}

#[test]
fn other_file_with_the_same_line_is_new() {
    let root = scratch("files");
    let a = root.join("src/a.rs");
    let b_file = root.join("src/b.rs");
    std::fs::write(&a, SRC).unwrap();
    std::fs::write(&b_file, SRC).unwrap();
    let path = root.join("b.json");
    baseline::write(&path, &[finding(&a, 2, RuleId::Alloc, "m")], &root).unwrap();
    let b = baseline::load(&path).unwrap();
    assert_eq!(
        b.filter(vec![finding(&b_file, 2, RuleId::Alloc, "m")], &root)
            .len(),
        1
    );
    assert!(
        b.filter(vec![finding(&a, 2, RuleId::Alloc, "m")], &root)
            .is_empty()
    );
}

#[test]
fn load_errors() {
    let root = scratch("errors");
    let missing = baseline::load(&root.join("nope.json")).unwrap_err();
    assert!(
        missing.to_string().contains("cannot read the baseline"),
        "{missing}"
    );

    let cases = [
        ("garbage", "not json", "not a fork-lint baseline"),
        (
            "version",
            r#"{"version": 7, "entries": []}"#,
            "unsupported baseline version 7",
        ),
        (
            "rule",
            r#"{"version": 1, "entries": [{"rule": "allocs", "file": "a.rs", "fingerprint": "0"}]}"#,
            "unknown rule `allocs`",
        ),
        (
            "field",
            r#"{"version": 1, "entries": [], "extra": 1}"#,
            "unknown field `extra`",
        ),
    ];
    for (name, text, message) in cases {
        let path = root.join(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        let e = baseline::load(&path).unwrap_err();
        assert_eq!(e.file, path);
        assert!(e.to_string().contains(message), "{name}: {e}");
    }
}

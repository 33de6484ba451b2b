//! Inline suppressions: syntax, scope, unused and unknown ones, `--no-suppress`.
//!
//! These tests feed findings to `suppress::apply` directly, so they pin the
//! suppression logic independently of what the engine finds.

use std::path::Path;

use fork_lint::suppress::{self, Suppression};
use fork_lint::{ChainStep, Finding, Level, Location, Options, RuleId, RuleSetting};

const FILE: &str = "src/child.rs";

fn at(line: u32) -> Location {
    Location {
        file: FILE.into(),
        line,
        column: 9,
        end_line: line,
        end_column: 12,
    }
}

fn finding(rule: RuleId, line: u32) -> Finding {
    Finding {
        related: Vec::new(),
        rule,
        level: Level::Error,
        location: at(line),
        message: format!("{rule} hazard"),
        chain: Vec::new(),
        region: None,
        help: None,
    }
}

fn collect(text: &str) -> Vec<Suppression> {
    suppress::collect(Path::new(FILE), text)
}

/// Applies the suppressions of `text` to `findings`; returns what is left
/// as (rule, line, message).
fn run(text: &str, findings: Vec<Finding>, options: &Options) -> Vec<(RuleId, u32, String)> {
    let mut f = findings;
    suppress::apply(&mut f, &collect(text), options);
    f.into_iter()
        .map(|f| (f.rule, f.location.line, f.message))
        .collect()
}

fn lines(text: &str) -> Vec<(u32, u32, u32)> {
    collect(text)
        .iter()
        .map(|s| (s.line, s.first_line, s.last_line))
        .collect()
}

#[test]
fn trailing_comment_covers_its_line_only() {
    let text = "fn f() {\n    let s = format!(\"x\"); // fork-lint: allow(alloc) reason=\"measured\"\n    let t = format!(\"y\");\n}\n";
    let s = collect(text);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].line, s[0].first_line, s[0].last_line), (2, 2, 2));
    assert_eq!(s[0].column, 27);
    assert_eq!(s[0].rules, [RuleId::Alloc]);
    assert_eq!(s[0].reason.as_deref(), Some("measured"));
    let left = run(
        text,
        vec![finding(RuleId::Alloc, 2), finding(RuleId::Alloc, 3)],
        &Options::default(),
    );
    assert_eq!(left, [(RuleId::Alloc, 3, "alloc hazard".to_string())]);
}

#[test]
fn comment_above_covers_the_next_statement() {
    let text = "\
fn f() {
    // fork-lint: allow(alloc)
    let s = format!(
        \"{}\",
        x,
    );
    let t = 1;
}
";
    assert_eq!(lines(text), [(2, 3, 6)]);
    let left = run(
        text,
        vec![
            finding(RuleId::Alloc, 3),
            finding(RuleId::Alloc, 5),
            finding(RuleId::Alloc, 7),
        ],
        &Options::default(),
    );
    assert_eq!(left.iter().map(|l| l.1).collect::<Vec<_>>(), [7]);
}

#[test]
fn statement_scopes() {
    // A closure passed to `pre_exec`, up to `});`.
    let closure = "\
unsafe {
    // fork-lint: allow(alloc, lock) reason=\"reviewed\"
    cmd.pre_exec(|| {
        let v = vec![1];
        Ok(())
    });
    other();
}
";
    assert_eq!(lines(closure), [(2, 3, 6)]);
    // An `if`/`else` chain: `} else {` does not end it.
    let if_else = "// fork-lint: allow(alloc)\nif a {\n    b();\n} else {\n    c();\n}\nd();\n";
    assert_eq!(lines(if_else), [(1, 2, 6)]);
    // A whole `fn` item, attributes included.
    let item = "// fork-lint: allow(panic)\n#[inline]\nfn g() {\n    x.unwrap();\n}\nfn h() {}\n";
    assert_eq!(lines(item), [(1, 2, 5)]);
    // A multi-line argument, ended by `,`.
    let arg =
        "call(\n    // fork-lint: allow(alloc)\n    format!(\n        \"x\"\n    ),\n    y,\n)\n";
    assert_eq!(lines(arg), [(2, 3, 5)]);
    // The last expression of a block: ends where the block closes.
    let tail =
        "fn f() -> S {\n    // fork-lint: allow(alloc)\n    S::new(\n        1)\n}\nfn g() {}\n";
    assert_eq!(lines(tail), [(2, 3, 4)]);
    // Blank lines and other comments between the suppression and the statement.
    let gap = "// fork-lint: allow(alloc)\n\n// why\nlet x = y;\nlet z = w;\n";
    assert_eq!(lines(gap), [(1, 4, 4)]);
    // Stacked suppressions cover the same statement.
    let stacked = "// fork-lint: allow(alloc)\n// fork-lint: allow(lock)\nlet x = y;\n";
    assert_eq!(lines(stacked), [(1, 3, 3), (2, 3, 3)]);
    // At the end of the file: covers nothing but its own line.
    assert_eq!(
        lines("let x = 1;\n// fork-lint: allow(alloc)\n"),
        [(2, 2, 2)]
    );
}

#[test]
fn not_suppressions() {
    let text = "\
/// fork-lint: allow(alloc) in a doc comment
//! fork-lint: allow(alloc) in an inner doc comment
/* fork-lint: allow(alloc) in a block comment */
let s = \"// fork-lint: allow(alloc)\";
let r = r#\"
// fork-lint: allow(alloc)
\"#;
// TODO fork-lint: allow(alloc) does not start the comment
";
    assert!(collect(text).is_empty(), "{:?}", collect(text));
}

#[test]
fn unused_suppression_is_reported_at_the_comment() {
    let text =
        "fn f() {\n    // fork-lint: allow(alloc) reason=\"stale\"\n    libc::_exit(0);\n}\n";
    let mut f = Vec::new();
    suppress::apply(&mut f, &collect(text), &Options::default());
    assert_eq!(f.len(), 1);
    let u = &f[0];
    assert_eq!(u.rule, RuleId::UnusedSuppression);
    assert_eq!(u.level, Level::Warning);
    assert_eq!(
        u.location,
        Location {
            file: FILE.into(),
            line: 2,
            column: 5,
            end_line: 2,
            end_column: 46
        }
    );
    assert_eq!(
        u.message,
        "unused suppression: no `alloc` finding on line 3"
    );
    assert_eq!(u.help.as_deref(), Some("remove the comment"));
}

#[test]
fn partly_used_suppression_names_the_unused_rules() {
    let text = "// fork-lint: allow(alloc, lock, panic)\nlet g = m.lock().unwrap();\n";
    let left = run(text, vec![finding(RuleId::Lock, 2)], &Options::default());
    assert_eq!(
        left,
        [(
            RuleId::UnusedSuppression,
            1,
            "unused suppression: no `alloc` or `panic` finding on line 2".to_string()
        )]
    );
}

#[test]
fn rule_ids_are_read_with_dash_or_underscore() {
    // The grammar of rule names is `RuleId`'s, shared with
    // `#[fork_guard::allow(..)]` in the lint and in the macros.
    for comment in [
        "// fork-lint: allow(libc-unsafe)",
        "// fork-lint: allow(libc_unsafe)",
    ] {
        let text = format!("unsafe {{ libc::getpwuid(0) }}; {comment}\n");
        let left = run(
            &text,
            vec![finding(RuleId::LibcUnsafe, 1)],
            &Options::default(),
        );
        assert!(left.is_empty(), "{comment}: {left:?}");
        assert_eq!(collect(&text)[0].rules, [RuleId::LibcUnsafe], "{comment}");
    }
}

#[test]
fn unknown_rule_is_reported_and_the_rest_applies() {
    let text = "let v = vec![1]; // fork-lint: allow(alloc, allocs)\n";
    let left = run(text, vec![finding(RuleId::Alloc, 1)], &Options::default());
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, RuleId::UnusedSuppression);
    assert!(
        left[0]
            .2
            .starts_with("unknown rule `allocs` (known rules: alloc,"),
        "{}",
        left[0].2
    );
    assert!(left[0].2.ends_with(") in suppression"), "{}", left[0].2);
}

#[test]
fn malformed_suppressions_are_reported_and_suppress_nothing() {
    for (comment, message) in [
        ("// fork-lint: alow(alloc)", "expected `allow(<rule>, ..)`"),
        ("// fork-lint: allow(alloc", "missing `)`"),
        ("// fork-lint: allow()", "empty rule id"),
        (
            "// fork-lint: allow(alloc) reson=\"x\"",
            "expected `reason=\"...\"`",
        ),
        (
            "// fork-lint: allow(alloc) because",
            "expected `reason=\"...\"`",
        ),
    ] {
        let text = format!("let v = vec![1]; {comment}\n");
        let left = run(&text, vec![finding(RuleId::Alloc, 1)], &Options::default());
        assert_eq!(left.len(), 2, "{comment}: {left:?}");
        // Sorted by column: the finding (column 9) before the comment.
        assert_eq!(left[1].0, RuleId::UnusedSuppression, "{comment}");
        assert!(
            left[1].2.starts_with("malformed suppression: ") && left[1].2.contains(message),
            "{comment}: {}",
            left[1].2
        );
        assert_eq!(left[0].0, RuleId::Alloc, "{comment}: the finding stays");
    }
}

#[test]
fn hazard_at_the_end_of_the_chain_is_covered() {
    // The finding is reported at the call site (line 10, another file); the
    // allocation itself is on line 2 of this file, under the suppression.
    let text = "fn helper() {\n    let v = Vec::with_capacity(8); // fork-lint: allow(alloc) reason=\"called once\"\n}\n";
    let mut f = finding(RuleId::Alloc, 10);
    f.location.file = "src/main.rs".into();
    f.chain = vec![
        ChainStep {
            label: "child calls helper()".into(),
            location: f.location.clone(),
        },
        ChainStep {
            label: "Vec::with_capacity".into(),
            location: at(2),
        },
    ];
    assert!(run(text, vec![f.clone()], &Options::default()).is_empty());
    // A suppression in another file at the same line does not cover it.
    let mut other = f;
    other.chain[1].location.file = "src/other.rs".into();
    assert_eq!(run(text, vec![other], &Options::default()).len(), 2);
}

#[test]
fn suppressions_apply_per_file() {
    let text = "let v = vec![1]; // fork-lint: allow(alloc)\n";
    let mut f = finding(RuleId::Alloc, 1);
    f.location.file = "src/other.rs".into();
    let left = run(text, vec![f], &Options::default());
    assert_eq!(
        left.iter().map(|l| l.0).collect::<Vec<_>>(),
        [RuleId::UnusedSuppression, RuleId::Alloc],
        "sorted by file: src/child.rs, then src/other.rs"
    );
}

#[test]
fn no_suppress_keeps_everything() {
    let text = "let v = vec![1]; // fork-lint: allow(alloc)\n// fork-lint: allow(lock)\nx();\n";
    let options = Options {
        suppressions: false,
        ..Options::default()
    };
    let left = run(text, vec![finding(RuleId::Alloc, 1)], &options);
    assert_eq!(left, [(RuleId::Alloc, 1, "alloc hazard".to_string())]);
}

#[test]
fn rule_settings() {
    let text = "// fork-lint: allow(unknown-call)\nx();\n";
    // `unknown-call` is `allow` by default: nothing could be found, so the
    // suppression is not reported as unused.
    assert!(run(text, Vec::new(), &Options::default()).is_empty());
    let mut options = Options::default();
    options.rules.insert(RuleId::UnknownCall, RuleSetting::Warn);
    assert_eq!(run(text, Vec::new(), &options).len(), 1);
    // `unused-suppression` itself can be allowed or capped.
    options
        .rules
        .insert(RuleId::UnusedSuppression, RuleSetting::Allow);
    assert!(run(text, Vec::new(), &options).is_empty());
}

#[test]
fn output_stays_sorted() {
    let text = "// fork-lint: allow(lock)\nlet a = 1;\nlet b = vec![1];\n";
    let left = run(text, vec![finding(RuleId::Alloc, 3)], &Options::default());
    assert_eq!(left.iter().map(|l| l.1).collect::<Vec<_>>(), [1, 3]);
}

#[test]
fn crlf_sources() {
    let text = "let v = vec![1]; // fork-lint: allow(alloc) reason=\"x\"\r\nlet w = 2;\r\n";
    let s = collect(text);
    assert_eq!(s[0].reason.as_deref(), Some("x"));
    assert!(run(text, vec![finding(RuleId::Alloc, 1)], &Options::default()).is_empty());
}

// ---- through the engine ----

const CHILD: &str = r#"use nix::unistd::{fork, ForkResult};
fn main() {
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            // fork-lint: allow(alloc) reason="sized before fork in real code"
            let s = format!("x");
            let v = vec![1];
            // fork-lint: allow(lock)
            unsafe { libc::_exit(0) };
        }
        _ => {}
    }
}
"#;

fn engine(options: &Options) -> Vec<(RuleId, u32)> {
    let report = fork_lint::check_source(Path::new("src/main.rs"), CHILD, options);
    report
        .findings
        .iter()
        .map(|f| (f.rule, f.location.line))
        .collect()
}

#[test]
fn engine_applies_suppressions() {
    let all = engine(&Options {
        suppressions: false,
        ..Options::default()
    });
    assert!(
        all.contains(&(RuleId::Alloc, 6)) && all.contains(&(RuleId::Alloc, 7)),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|f| f.0 == RuleId::UnusedSuppression),
        "--no-suppress reports no suppression: {all:?}"
    );

    let left = engine(&Options::default());
    assert!(!left.contains(&(RuleId::Alloc, 6)), "suppressed: {left:?}");
    assert!(
        left.contains(&(RuleId::Alloc, 7)),
        "the next statement is not covered: {left:?}"
    );
    assert!(
        left.contains(&(RuleId::UnusedSuppression, 8)),
        "stale suppression reported: {left:?}"
    );
    assert_eq!(
        left.len(),
        all.len(),
        "one finding suppressed, one unused suppression added"
    );
}

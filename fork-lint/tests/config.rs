//! Configuration: the schema, every error with its file:line:col, and where
//! the configuration is found.

use std::path::{Path, PathBuf};

use fork_lint::config::{self, ConfigError};
use fork_lint::knowledge::{ApiKind, Verdict};
use fork_lint::{Level, RuleId, RuleSetting};

fn parse(text: &str) -> Result<config::Config, ConfigError> {
    config::parse(Path::new("fork-lint.toml"), text)
}

fn err(text: &str) -> ConfigError {
    parse(text).expect_err("the configuration should be rejected")
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("config-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn full_configuration() {
    let c = parse(
        r#"
exclude = ["vendor/**", "src/generated/"]

[rules]
unknown-call = "warn"
panic = "allow"
alloc = "deny"

[[knowledge]]
path = "mycrate::log::raw_write"
verdict = "safe"
reason = "writes with write(2) from a fixed buffer"

[[knowledge]]
method = "push_fixed"
receivers = ["FixedBuf"]
verdict = "alloc"
level = "warning"
reason = "grows the buffer past its capacity"
fix = "reserve before fork"

[[knowledge]]
macro = "mycrate::die"
verdict = "terminates"
reason = "calls _exit"
"#,
    )
    .unwrap();
    let o = &c.options;
    assert_eq!(o.setting(RuleId::UnknownCall), RuleSetting::Warn);
    assert_eq!(o.setting(RuleId::Panic), RuleSetting::Allow);
    assert_eq!(o.setting(RuleId::Alloc), RuleSetting::Deny);
    assert_eq!(
        o.setting(RuleId::Lock),
        RuleSetting::Deny,
        "unlisted rules keep their default"
    );
    assert!(o.suppressions);
    let k = &o.knowledge.extra;
    assert_eq!(k.len(), 3);
    assert_eq!(k[0].path, "mycrate::log::raw_write");
    assert_eq!(k[0].kind, ApiKind::Function);
    assert_eq!(k[0].verdict, Verdict::Safe);
    assert_eq!(k[0].reason, "writes with write(2) from a fixed buffer");
    assert_eq!(k[1].path, "push_fixed");
    assert_eq!(
        k[1].kind,
        ApiKind::Method {
            receivers: &["FixedBuf"]
        }
    );
    assert_eq!(k[1].verdict, Verdict::Hazard(RuleId::Alloc, Level::Warning));
    assert_eq!(k[1].fix, "reserve before fork");
    assert_eq!(k[2].kind, ApiKind::Macro);
    assert_eq!(k[2].verdict, Verdict::Terminates);
    assert_eq!(c.exclude, ["vendor/**", "src/generated/"]);
    assert_eq!(c.source.as_deref(), Some(Path::new("fork-lint.toml")));
}

#[test]
fn hazard_without_level_takes_the_rules_default() {
    let c = parse("[[knowledge]]\npath = \"a::b\"\nverdict = \"unknown-call\"\nreason = \"r\"\n")
        .unwrap();
    assert_eq!(
        c.options.knowledge.extra[0].verdict,
        Verdict::Hazard(
            RuleId::UnknownCall,
            RuleId::UnknownCall.meta().default_level
        )
    );
}

#[test]
fn empty_configuration_is_the_default() {
    let c = parse("").unwrap();
    assert!(
        c.options.rules.is_empty() && c.options.knowledge.extra.is_empty() && c.exclude.is_empty()
    );
}

#[test]
fn unknown_top_level_key() {
    let e = err("[rules]\nalloc = \"warn\"\n\n[rulez]\nx = 1\n");
    assert_eq!((e.line, e.column), (4, 2), "{e}");
    assert!(e.message.contains("unknown field `rulez`"), "{e}");
    assert_eq!(e.to_string(), format!("fork-lint.toml:4:2: {}", e.message));
}

#[test]
fn unknown_key_in_knowledge_entry() {
    let e = err(
        "[[knowledge]]\npath = \"a::b\"\nverdict = \"safe\"\nreason = \"r\"\nreasn = \"typo\"\n",
    );
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("unknown field `reasn`"), "{e}");
}

#[test]
fn unknown_rule_names_the_rule_and_lists_the_known_ones() {
    let e = err("[rules]\nalloc = \"warn\"\nallocs = \"allow\"\n");
    assert_eq!((e.line, e.column), (3, 1), "{e}");
    assert!(
        e.message
            .starts_with("unknown rule `allocs` (known rules: alloc, allocating-wrapper,"),
        "{e}"
    );
}

#[test]
fn invalid_rule_level() {
    let e = err("[rules]\nalloc = \"error\"\n");
    assert_eq!((e.line, e.column), (2, 9), "{e}");
    assert!(
        e.message.contains("invalid level `error` for rule `alloc`"),
        "{e}"
    );
}

#[test]
fn rule_level_of_the_wrong_type() {
    let e = err("[rules]\nalloc = 1\n");
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn knowledge_entry_needs_exactly_one_name() {
    let e = err("[[knowledge]]\nverdict = \"safe\"\nreason = \"r\"\n");
    assert_eq!(e.line, 1, "{e}");
    assert!(
        e.message
            .contains("needs one of `path`, `method` or `macro`"),
        "{e}"
    );
    let e =
        err("[[knowledge]]\npath = \"a::b\"\nmethod = \"b\"\nverdict = \"safe\"\nreason = \"r\"\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("both `path` and `method`"), "{e}");
}

#[test]
fn knowledge_entry_field_errors() {
    let cases: &[(&str, u32, &str)] = &[
        (
            "[[knowledge]]\npath = \"a::b\"\nverdict = \"allocs\"\nreason = \"r\"\n",
            3,
            "unknown rule `allocs`",
        ),
        (
            "[[knowledge]]\npath = \"a::b\"\nverdict = \"safe\"\n",
            1,
            "missing field `reason`",
        ),
        (
            "[[knowledge]]\npath = \"a::b\"\nverdict = \"safe\"\nreason = \"  \"\n",
            4,
            "empty `reason`",
        ),
        (
            "[[knowledge]]\npath = \"a::b\"\nverdict = \"safe\"\nlevel = \"error\"\nreason = \"r\"\n",
            4,
            "`level` only applies to a hazard",
        ),
        (
            "[[knowledge]]\npath = \"a::b\"\nverdict = \"alloc\"\nlevel = \"fatal\"\nreason = \"r\"\n",
            4,
            "invalid level `fatal`",
        ),
        (
            "[[knowledge]]\npath = \"a::b\"\nreceivers = [\"X\"]\nverdict = \"safe\"\nreason = \"r\"\n",
            3,
            "`receivers` only applies to a `method`",
        ),
        (
            "[[knowledge]]\nmethod = \"X::push\"\nverdict = \"safe\"\nreason = \"r\"\n",
            2,
            "invalid method `X::push`",
        ),
        (
            "[[knowledge]]\npath = \"a::b()\"\nverdict = \"safe\"\nreason = \"r\"\n",
            2,
            "invalid path `a::b()`",
        ),
    ];
    for (text, line, message) in cases {
        let e = err(text);
        assert_eq!(e.line, *line, "{e}\nfor:\n{text}");
        assert!(e.message.contains(message), "{e}\nfor:\n{text}");
    }
}

#[test]
fn invalid_exclude_glob() {
    let e = err("exclude = [\"ok/**\",\n  \"bad/[z\"]\n");
    assert_eq!((e.line, e.column), (2, 3), "{e}");
    assert!(e.message.contains("invalid exclude glob `bad/[z`"), "{e}");
    let e = err("exclude = [\"{a,b\"]\n");
    assert_eq!((e.line, e.column), (1, 12), "{e}");
}

#[test]
fn toml_syntax_error_has_a_position() {
    let e = err("[rules]\nalloc = \"warn\n");
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn cargo_metadata_tables() {
    let ws = r#"
[workspace]
members = ["a"]

[workspace.metadata.fork-lint]
rules = { panic = "warn" }
exclude = ["gen/**"]
"#;
    let c = config::parse_cargo_toml(Path::new("Cargo.toml"), ws).unwrap();
    assert_eq!(c.options.setting(RuleId::Panic), RuleSetting::Warn);
    assert_eq!(c.exclude, ["gen/**"]);

    let pkg = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.fork-lint.rules]\nlock = \"allow\"\n\n[dependencies]\nlibc = \"0.2\"\n";
    let c = config::parse_cargo_toml(Path::new("Cargo.toml"), pkg).unwrap();
    assert_eq!(c.options.setting(RuleId::Lock), RuleSetting::Allow);

    let none = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[package.metadata.docs.rs]\nall-features = true\n";
    let c = config::parse_cargo_toml(Path::new("Cargo.toml"), none).unwrap();
    assert!(c.options.rules.is_empty() && c.source.is_none());

    // Errors point into Cargo.toml.
    let bad = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.fork-lint]\nrules = { lok = \"allow\" }\n";
    let e = config::parse_cargo_toml(Path::new("Cargo.toml"), bad).unwrap_err();
    assert_eq!(
        (e.file.as_path(), e.line, e.column),
        (Path::new("Cargo.toml"), 6, 11),
        "{e}"
    );
    assert!(e.message.contains("unknown rule `lok`"), "{e}");
    let bad = "[workspace]\n[workspace.metadata.fork-lint]\nrule = {}\n";
    let e = config::parse_cargo_toml(Path::new("Cargo.toml"), bad).unwrap_err();
    assert_eq!(e.line, 3, "{e}");
}

#[test]
fn load_prefers_fork_lint_toml_then_cargo_toml() {
    let dir = scratch("load");
    assert!(
        config::load(&dir).unwrap().source.is_none(),
        "no configuration is not an error"
    );

    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\n[workspace.metadata.fork-lint.rules]\npanic = \"warn\"\n",
    )
    .unwrap();
    let c = config::load(&dir).unwrap();
    assert_eq!(c.options.setting(RuleId::Panic), RuleSetting::Warn);
    assert_eq!(c.source, Some(dir.join("Cargo.toml")));

    std::fs::write(dir.join("fork-lint.toml"), "[rules]\npanic = \"allow\"\n").unwrap();
    let c = config::load(&dir).unwrap();
    assert_eq!(c.options.setting(RuleId::Panic), RuleSetting::Allow);
    assert_eq!(c.source, Some(dir.join("fork-lint.toml")));

    std::fs::write(dir.join("fork-lint.toml"), "[rules]\npanik = \"allow\"\n").unwrap();
    let e = config::load(&dir).unwrap_err();
    assert_eq!(e.file, dir.join("fork-lint.toml"));
    assert_eq!(e.line, 2);
}

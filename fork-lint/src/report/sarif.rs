//! The SARIF format (`--format sarif`): SARIF 2.1.0, one run, for GitHub
//! code scanning and other SARIF viewers.
//!
//! **API Boundary.** What is in it:
//!
//! - `tool.driver`: `name`, `version`, `informationUri`, and every rule
//!   (sorted by id) with `id`, `name` (the id in PascalCase, omitted when
//!   that differs from the id only in case, as SARIF 3.49.7 requires),
//!   `shortDescription` (the rule's summary), `fullDescription` (its
//!   "What it does"), `help` (`text` and `markdown`: the whole rule
//!   documentation, as `fork-lint --explain` prints it), `helpUri` when the
//!   documentation links to one, `defaultConfiguration.level`.
//! - `results`: `ruleId` (the rule id), `ruleIndex`, `level`, `message`,
//!   one `locations` entry (the primary span; 1-based columns, exclusive
//!   `endColumn`; `uri` relative to `%SRCROOT%`, the current directory, when
//!   the file is below it, else an absolute `file://` URI), `relatedLocations`
//!   for each chain step and the child region start, `codeFlows` with one
//!   `threadFlow` from the region start through the chain to the hazard, and
//!   `partialFingerprints."forkLint/v1"`: a hash of the rule, the file, the
//!   message, the chain labels and the text of the primary line (not its
//!   number), so code scanning keeps tracking a result when lines move.
//! - `invocations[0]`: `executionSuccessful` (false when the tool had errors
//!   of its own or files could not be checked) and the files that could not
//!   be read or parsed as `toolExecutionNotifications`.
//!
//! Output is deterministic: rules sorted by id, results in the findings'
//! order (file, line, column, rule).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Output, Printer, display_path, rule_docs, rule_help_uri, stable_hash};
use crate::diagnostic::{ChainStep, Finding, Level, Location};
use crate::rules::{ALL, RuleMeta};

/// The SARIF schema the output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id relative URIs are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// Prints one SARIF log.
#[derive(Debug, Default)]
pub struct SarifPrinter {
    /// Source lines for fingerprints, by file.
    sources: HashMap<PathBuf, Option<String>>,
}

impl SarifPrinter {
    /// Builds the SARIF log as a JSON value.
    pub fn log(&mut self, output: &Output<'_>) -> Value {
        let base = output.base;
        let rules: Vec<Value> = ALL.iter().map(|meta| rule(meta)).collect();
        let results: Vec<Value> = output
            .findings
            .iter()
            .map(|f| self.result(f, base))
            .collect();
        let notifications: Vec<Value> = output
            .file_errors
            .iter()
            .map(|e| {
                json!({
                    "level": "error",
                    "message": { "text": e.message },
                    "locations": [ { "physicalLocation": physical(&e.location, base) } ],
                })
            })
            .collect();
        let mut invocation =
            json!({ "executionSuccessful": output.success && output.file_errors.is_empty() });
        if !notifications.is_empty() {
            invocation["toolExecutionNotifications"] = Value::Array(notifications);
        }
        json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [ {
                "tool": { "driver": {
                    "name": "fork-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                } },
                "originalUriBaseIds": { SRCROOT: { "uri": dir_uri(base) } },
                "invocations": [ invocation ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            } ],
        })
    }

    fn result(&mut self, f: &Finding, base: &Path) -> Value {
        let rule_index = ALL.iter().position(|m| m.id == f.rule).unwrap_or(0);
        let mut related = Vec::new();
        let mut id = 1;
        let mut flow = Vec::new();
        if let Some(region) = &f.region {
            related.push(related_location(id, region, base));
            flow.push(flow_location(region, base));
            id += 1;
        }
        for step in &f.chain {
            related.push(related_location(id, step, base));
            flow.push(flow_location(step, base));
            id += 1;
        }
        for step in &f.related {
            related.push(related_location(id, step, base));
            id += 1;
        }
        // The flow ends at the hazard itself.
        flow.push(json!({ "location": {
            "physicalLocation": physical(&f.location, base),
            "message": { "text": f.message },
        } }));
        let line_text = self.line_text(&f.location).unwrap_or_default();
        let path = display_path(&f.location.file, base);
        let mut parts: Vec<&str> = vec![f.rule.as_str(), &path, &f.message, line_text.trim()];
        parts.extend(f.chain.iter().map(|s| s.label.as_str()));
        let fingerprint = format!("{:016x}", stable_hash(&parts));
        let mut text = f.message.clone();
        if let Some(help) = &f.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        let mut result = json!({
            "ruleId": f.rule.as_str(),
            "ruleIndex": rule_index,
            "level": sarif_level(f.level),
            "message": { "text": text },
            "locations": [ { "physicalLocation": physical(&f.location, base) } ],
            "partialFingerprints": { "forkLint/v1": fingerprint },
        });
        if !related.is_empty() {
            result["relatedLocations"] = Value::Array(related);
        }
        if flow.len() > 1 || !f.chain.is_empty() {
            result["codeFlows"] = json!([ { "threadFlows": [ { "locations": flow } ] } ]);
        }
        result
    }

    fn line_text(&mut self, loc: &Location) -> Option<String> {
        let text = self
            .sources
            .entry(loc.file.clone())
            .or_insert_with(|| std::fs::read_to_string(&loc.file).ok())
            .as_deref()?;
        let line = text.lines().nth((loc.line as usize).checked_sub(1)?)?;
        Some(line.to_string())
    }
}

impl Printer for SarifPrinter {
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()> {
        let log = self.log(output);
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn rule(meta: &RuleMeta) -> Value {
    let docs = rule_docs(meta);
    let full = meta
        .section("What it does")
        .map(unwrap_lines)
        .unwrap_or_else(|| meta.summary.to_string());
    let mut rule = json!({
        "id": meta.name,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": full },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": sarif_level(meta.default_level) },
        "properties": { "tags": ["fork-safety", "async-signal-safety"] },
    });
    // SARIF 3.49.7: `name` must differ from `id`, else be omitted (the
    // validator's SARIF1001 treats `alloc`/`Alloc` as identical).
    let name = pascal_case(meta.name);
    if !name.eq_ignore_ascii_case(meta.name) {
        rule["name"] = json!(name);
    }
    if let Some(uri) = rule_help_uri(meta) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

/// Joins a doc paragraph's lines (the doc comment wraps at 80 columns).
fn unwrap_lines(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

fn related_location(id: usize, step: &ChainStep, base: &Path) -> Value {
    json!({
        "id": id,
        "physicalLocation": physical(&step.location, base),
        "message": { "text": step.label },
    })
}

fn flow_location(step: &ChainStep, base: &Path) -> Value {
    json!({ "location": {
        "physicalLocation": physical(&step.location, base),
        "message": { "text": step.label },
    } })
}

fn physical(loc: &Location, base: &Path) -> Value {
    let mut physical = json!({ "artifactLocation": artifact(&loc.file, base) });
    if loc.line > 0 {
        let mut region = json!({ "startLine": loc.line, "startColumn": loc.column.max(1) });
        if loc.end_line > loc.line || (loc.end_line == loc.line && loc.end_column > loc.column) {
            region["endLine"] = json!(loc.end_line);
            region["endColumn"] = json!(loc.end_column.max(1));
        }
        physical["region"] = region;
    }
    physical
}

fn artifact(file: &Path, base: &Path) -> Value {
    let shown = display_path(file, base);
    if Path::new(&shown).is_absolute() {
        json!({ "uri": format!("file://{}", encode_path(&shown)) })
    } else {
        json!({ "uri": encode_path(&shown), "uriBaseId": SRCROOT })
    }
}

/// `file:///abs/dir/` (with the trailing slash SARIF requires).
fn dir_uri(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{}", encode_path(&s))
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{chained, direct};

    fn log(findings: &[Finding]) -> Value {
        let out = Output {
            findings,
            file_errors: &[],
            files_checked: 2,
            base: Path::new("/w"),
            success: true,
        };
        SarifPrinter::default().log(&out)
    }

    #[test]
    fn rules_are_complete_and_sorted() {
        let log = log(&[]);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), ALL.len());
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for r in rules {
            for key in [
                "shortDescription",
                "fullDescription",
                "help",
                "defaultConfiguration",
            ] {
                assert!(!r[key].is_null(), "rule {} lacks {key}", r["id"]);
            }
            let meta = ALL.iter().find(|m| m.name == r["id"]).unwrap();
            assert_eq!(r["help"]["markdown"], rule_docs(meta).as_str());
            assert_eq!(r["shortDescription"]["text"], meta.summary);
        }
        let alloc = rules.iter().find(|r| r["id"] == "alloc").unwrap();
        assert!(alloc["name"].is_null());
        let libc = rules.iter().find(|r| r["id"] == "libc-unsafe").unwrap();
        assert_eq!(libc["name"], "LibcUnsafe");
        assert!(
            alloc["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Why is this bad?")
        );
        assert!(
            alloc["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .starts_with("Reports heap allocation")
        );
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn results_carry_chain_as_related_locations_and_code_flow() {
        let log = log(&[chained(), direct()]);
        let results = log["runs"][0]["results"].as_array().unwrap();
        let r = &results[0];
        assert_eq!(r["ruleId"], "stdio");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            "stdio"
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/main.rs"
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            SRCROOT
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            9
        );
        assert_eq!(r["relatedLocations"].as_array().unwrap().len(), 3);
        let flow = r["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap();
        // Region, the two chain steps, then the hazard itself.
        assert_eq!(flow.len(), 4);
        assert_eq!(
            flow[2]["location"]["physicalLocation"]["artifactLocation"]["uri"],
            "src/log.rs"
        );
        assert!(results[1]["codeFlows"].is_null());
        assert_eq!(results[1]["level"], "warning");
        assert_ne!(
            r["partialFingerprints"]["forkLint/v1"],
            results[1]["partialFingerprints"]["forkLint/v1"]
        );
    }

    #[test]
    fn fingerprints_survive_moved_lines_but_not_edited_ones() {
        let dir = std::env::temp_dir().join(format!("fork-lint-sarif-fp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("main.rs");
        let fingerprint = |text: &str, line: u32| {
            std::fs::write(&file, text).unwrap();
            let mut f = direct();
            f.location = Location {
                file: file.clone(),
                line,
                column: 5,
                end_line: line,
                end_column: 10,
            };
            let findings = [f];
            let out = Output {
                findings: &findings,
                file_errors: &[],
                files_checked: 1,
                base: &dir,
                success: true,
            };
            let log = SarifPrinter::default().log(&out);
            log["runs"][0]["results"][0]["partialFingerprints"]["forkLint/v1"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let before = fingerprint("fn f() {\n    let s = format!(\"x\");\n}\n", 2);
        let moved = fingerprint(
            "// a new comment\nfn f() {\n    let s = format!(\"x\");\n}\n",
            3,
        );
        let edited = fingerprint("fn f() {\n    let t = format!(\"y\");\n}\n", 2);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(before, moved);
        assert_ne!(before, edited);
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode_path("src/a b#.rs"), "src/a%20b%23.rs");
        assert_eq!(dir_uri(Path::new("/w x")), "file:///w%20x/");
        assert_eq!(pascal_case("libc-unsafe"), "LibcUnsafe");
    }
}

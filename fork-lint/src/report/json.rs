//! The JSON format (`--format json`): JSON Lines, one object per line.
//!
//! **API Boundary.** This documentation is the wire-format specification.
//! Fields are only ever added, never renamed or removed; consumers must
//! ignore unknown fields and unknown `type`s.
//!
//! Every line is an object with a `type`:
//!
//! - `"finding"`: one finding.
//!   - `rule` (string): the rule id, e.g. `"alloc"` (`fork-lint --list-rules`).
//!   - `level` (string): `"error"`, `"warning"` or `"note"`.
//!   - `file` (string): the path, relative to the current directory when the
//!     file is below it, `/`-separated.
//!   - `line`, `column`, `end_line`, `end_column` (integers): the primary
//!     span, 1-based; columns count characters; `end_column` is exclusive.
//!   - `message` (string): lowercase, no trailing period.
//!   - `related` (array): other calls in child code that reach the same
//!     hazard, as chain steps (empty when there is one).
//!   - `chain` (array): the call chain from the child region to the hazard,
//!     empty when the hazard is directly in the child region; each step is
//!     `{"label", "file", "line", "column"}`. The first step is the call in
//!     the child region, the last the hazard itself.
//!   - `region` (object or null): where the child region starts (the fork
//!     call, the `pre_exec` call, the annotated function), same shape as a
//!     chain step.
//!   - `help` (string or null): what to do about it.
//! - `"error"`: a path that could not be read or a file that could not be
//!   parsed; the other files were still checked. Fields `file`, `line`,
//!   `column` (both 0 when the error has no position, e.g. a missing path),
//!   `message`. Error lines come first.
//! - `"summary"`: the last line. `errors`, `warnings`, `notes` (finding
//!   counts), `files_checked`, `files_with_findings`, `file_errors`.
//!
//! Findings come sorted by file, line, column, rule.
//!
//! A complete example: `fork-lint --format json` on a crate whose
//! `src/main.rs` forks and calls `util::announce()`, which reaches a
//! `println!`, next to an unparsable file (one object per line in the real
//! output; wrapped here):
//!
//! ```json
//! {"type":"error","file":"src/broken.rs","line":3,"column":22,
//!  "message":"cannot parse src/broken.rs: expected an expression"}
//! {"type":"finding","rule":"stdio","level":"error","file":"src/util.rs",
//!  "line":6,"column":5,"end_line":6,"end_column":20,
//!  "message":"`println!` takes stdout's lock and writes through its heap-allocated buffer",
//!  "chain":[{"label":"child calls announce()","file":"src/main.rs","line":8,"column":13},
//!           {"label":"calls say()","file":"src/util.rs","line":2,"column":5}],
//!  "related":[],
//!  "region":{"label":"child process starts here (nix::unistd::fork)","file":"src/main.rs","line":6,"column":20},
//!  "help":"write the bytes with `libc::write(2, ..)` from a buffer prepared before fork"}
//! {"type":"summary","errors":1,"warnings":0,"notes":0,"files_checked":3,
//!  "files_with_findings":1,"file_errors":1}
//! ```

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{Counts, Output, Printer, display_path};
use crate::diagnostic::{ChainStep, FileError, Finding};

/// One line of output.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JsonLine<'a> {
    Finding(JsonFinding<'a>),
    Error(JsonFileError<'a>),
    Summary(JsonSummary),
}

/// A `"type": "finding"` line.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'static str,
    pub level: &'static str,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: &'a str,
    pub chain: Vec<JsonStep<'a>>,
    /// Other calls in child code that reach the same hazard.
    pub related: Vec<JsonStep<'a>>,
    pub region: Option<JsonStep<'a>>,
    pub help: Option<&'a str>,
}

/// A chain step or the region start.
#[derive(Debug, Serialize)]
pub struct JsonStep<'a> {
    pub label: &'a str,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// A `"type": "error"` line.
#[derive(Debug, Serialize)]
pub struct JsonFileError<'a> {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: &'a str,
}

/// The `"type": "summary"` line.
#[derive(Debug, Serialize)]
pub struct JsonSummary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub files_checked: usize,
    pub files_with_findings: usize,
    pub file_errors: usize,
}

impl<'a> JsonStep<'a> {
    fn new(step: &'a ChainStep, base: &Path) -> JsonStep<'a> {
        JsonStep {
            label: &step.label,
            file: display_path(&step.location.file, base),
            line: step.location.line,
            column: step.location.column,
        }
    }
}

impl<'a> JsonFinding<'a> {
    pub fn new(f: &'a Finding, base: &Path) -> JsonFinding<'a> {
        JsonFinding {
            rule: f.rule.as_str(),
            level: f.level.as_str(),
            file: display_path(&f.location.file, base),
            line: f.location.line,
            column: f.location.column,
            end_line: f.location.end_line,
            end_column: f.location.end_column,
            message: &f.message,
            chain: f.chain.iter().map(|s| JsonStep::new(s, base)).collect(),
            related: f.related.iter().map(|s| JsonStep::new(s, base)).collect(),
            region: f.region.as_ref().map(|s| JsonStep::new(s, base)),
            help: f.help.as_deref(),
        }
    }
}

impl<'a> JsonFileError<'a> {
    pub fn new(e: &'a FileError, base: &Path) -> JsonFileError<'a> {
        JsonFileError {
            file: display_path(&e.location.file, base),
            line: e.location.line,
            column: e.location.column,
            message: &e.message,
        }
    }
}

/// Prints JSON Lines.
#[derive(Debug, Default)]
pub struct JsonPrinter;

impl Printer for JsonPrinter {
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()> {
        let mut line = |value: &JsonLine<'_>| -> io::Result<()> {
            serde_json::to_writer(&mut *out, value)?;
            out.write_all(b"\n")
        };
        for e in output.file_errors {
            line(&JsonLine::Error(JsonFileError::new(e, output.base)))?;
        }
        for f in output.findings {
            line(&JsonLine::Finding(JsonFinding::new(f, output.base)))?;
        }
        let c = Counts::of(output.findings);
        line(&JsonLine::Summary(JsonSummary {
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
            files_checked: output.files_checked,
            files_with_findings: c.files,
            file_errors: output.file_errors.len(),
        }))?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{chained, direct};

    /// The example in this module's documentation (the wire-format spec)
    /// has exactly the fields the printer writes.
    #[test]
    fn documented_example_matches_the_printer() {
        let source = include_str!("json.rs");
        let start = source.find("//! ```json\n").unwrap() + "//! ```json\n".len();
        let end = start + source[start..].find("//! ```").unwrap();
        let example: String = source[start..end]
            .lines()
            .map(|l| l.trim_start_matches("//!"))
            .collect();
        let documented: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&example)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(documented.len(), 3);

        let findings = vec![chained()];
        let errors = vec![FileError {
            location: crate::report::test_support::loc("src/bad.rs", 3, 9, 10),
            message: "expected `;`".to_string(),
        }];
        let out = Output {
            findings: &findings,
            file_errors: &errors,
            files_checked: 3,
            base: Path::new("/"),
            success: true,
        };
        let mut buf = Vec::new();
        JsonPrinter.print(&mut buf, &out).unwrap();
        let printed: Vec<serde_json::Value> = String::from_utf8(buf)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();

        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        for (doc, real) in documented.iter().zip(&printed) {
            assert_eq!(doc["type"], real["type"]);
            assert_eq!(keys(doc), keys(real), "fields of a `{}` line", doc["type"]);
        }
        let doc_step = &documented[1]["chain"][0];
        assert_eq!(keys(doc_step), keys(&printed[1]["chain"][0]));
        assert_eq!(keys(&documented[1]["region"]), keys(&printed[1]["region"]));
    }

    #[test]
    fn one_object_per_line_with_documented_fields() {
        let findings = vec![chained(), direct()];
        let errors = vec![FileError {
            location: crate::report::test_support::loc("/base/src/bad.rs", 3, 9, 10),
            message: "expected `;`".to_string(),
        }];
        let out = Output {
            findings: &findings,
            file_errors: &errors,
            files_checked: 3,
            base: Path::new("/base"),
            success: true,
        };
        let mut buf = Vec::new();
        JsonPrinter.print(&mut buf, &out).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["type"], "error");
        assert_eq!(lines[0]["file"], "src/bad.rs");
        assert_eq!(lines[0]["line"], 3);
        let f = &lines[1];
        assert_eq!(f["type"], "finding");
        assert_eq!(f["rule"], "stdio");
        assert_eq!(f["level"], "error");
        assert_eq!(f["file"], "src/main.rs");
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(3), Some(9))
        );
        assert_eq!(
            (f["end_line"].as_u64(), f["end_column"].as_u64()),
            (Some(3), Some(24))
        );
        assert_eq!(f["chain"][1]["label"], "println!");
        assert_eq!(f["chain"][1]["file"], "src/log.rs");
        assert_eq!(
            f["region"]["label"],
            "child process starts here (libc::fork)"
        );
        assert!(f["help"].as_str().unwrap().starts_with("write to stderr"));
        assert_eq!(lines[2]["region"], serde_json::Value::Null);
        assert_eq!(lines[2]["help"], serde_json::Value::Null);
        assert_eq!(lines[2]["chain"], serde_json::json!([]));
        assert_eq!(lines[3]["type"], "summary");
        assert_eq!(
            (lines[3]["errors"].as_u64(), lines[3]["warnings"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(lines[3]["file_errors"], 1);
    }
}

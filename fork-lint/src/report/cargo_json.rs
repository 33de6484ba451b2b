//! Cargo's JSON messages (`--message-format json`): what `cargo clippy
//! --message-format=json` prints, so editors that run a cargo check command
//! (rust-analyzer's `check.overrideCommand`) show fork-lint's findings
//! inline.
//!
//! **API Boundary**, defined by cargo and rustc, not by fork-lint: one JSON
//! object per line, each a cargo message with a `reason`:
//!
//! - `"compiler-message"`, one per finding and per file that could not be
//!   read or parsed: `package_id`, `manifest_path` and `target` (`kind`,
//!   `crate_types`, `name`, `src_path`, `edition`, `required-features`,
//!   `doc`, `doctest`, `test`) of the crate the file belongs to, and
//!   `message`, a rustc diagnostic:
//!   - `$message_type`: `"diagnostic"`; `message`; `level` (`error`,
//!     `warning`, `note`); `code`: `{"code": "fork-lint::RULE",
//!     "explanation": null}` (`null` for a file error);
//!   - `spans`: the primary span, with `file_name` (relative to the
//!     workspace root when below it, as cargo prints it, else absolute),
//!     `byte_start`/`byte_end` (0-based byte offsets in the file),
//!     `line_start`/`line_end`/`column_start`/`column_end` (1-based;
//!     columns count characters, the end is exclusive), `is_primary`,
//!     `text` (each line of the span with `highlight_start`/`highlight_end`),
//!     `label`, `suggested_replacement`, `suggestion_applicability`,
//!     `expansion` (all `null`);
//!   - `children`: the call chain as `note`s with spans (`child calls
//!     setup()`, then `-> println!`), where the child region starts as a
//!     `note` with a span, and the fix as a `help` without spans;
//!   - `rendered`: the finding exactly as the human format prints it
//!     (`json-diagnostic-rendered-ansi`: with colours;
//!     `json-diagnostic-short`: the one-line short form).
//! - `"build-finished"`, last: `success` is `true` when the run would exit
//!   0 (no error-level finding, no tool error).
//!
//! ```json
//! {"reason":"compiler-message","package_id":"path+file:///w/app#0.1.0",
//!  "manifest_path":"/w/app/Cargo.toml",
//!  "target":{"kind":["bin"],"crate_types":["bin"],"name":"app","src_path":"/w/app/src/main.rs",
//!            "edition":"2021","required-features":[],"doc":true,"doctest":false,"test":true},
//!  "message":{"$message_type":"diagnostic","message":"`format!` allocates",
//!   "code":{"code":"fork-lint::alloc","explanation":null},"level":"error",
//!   "spans":[{"file_name":"app/src/main.rs","byte_start":120,"byte_end":137,
//!             "line_start":6,"line_end":6,"column_start":17,"column_end":34,"is_primary":true,
//!             "text":[{"text":"        let s = format!(\"{}\", 1);","highlight_start":17,"highlight_end":34}],
//!             "label":null,"suggested_replacement":null,"suggestion_applicability":null,"expansion":null}],
//!   "children":[{"message":"child process starts here (libc::fork)","code":null,"level":"note",
//!                "spans":[...],"children":[],"rendered":null},
//!               {"message":"allocate in the parent before fork","code":null,"level":"help",
//!                "spans":[],"children":[],"rendered":null}],
//!   "rendered":"error[alloc]: `format!` allocates\n --> app/src/main.rs:6:17\n..."}}
//! {"reason":"build-finished","success":false}
//! ```

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::human::HumanPrinter;
use super::{Output, Printer, display_path};
use crate::cargo_project::{CrateOrigin, TargetInfo};
use crate::diagnostic::{FileError, Finding, Level, Location};
use crate::input::CrateSources;

/// What `rendered` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rendered {
    /// The human format, plain (`--message-format json`).
    #[default]
    Human,
    /// The human format with ANSI colours (`json-diagnostic-rendered-ansi`).
    Ansi,
    /// The short one-line form (`json-diagnostic-short`).
    Short,
}

/// Which crate a file belongs to, for `package_id` and `target`.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    by_file: HashMap<PathBuf, usize>,
    origins: Vec<CrateOrigin>,
}

impl Origins {
    /// `origins[i]` describes `crates[i]`; with fewer origins than crates
    /// (`fork-lint PATH` without cargo), the rest are made up from the crate:
    /// `path+file://<folder of its root file>`, a `lib` target named after
    /// the crate.
    pub fn new(crates: &[CrateSources], origins: &[CrateOrigin]) -> Origins {
        let mut out = Origins::default();
        for (i, krate) in crates.iter().enumerate() {
            let origin = origins
                .get(i)
                .cloned()
                .unwrap_or_else(|| made_up_origin(krate));
            out.origins.push(origin);
            for f in &krate.files {
                out.by_file.entry(f.path.clone()).or_insert(i);
            }
        }
        out
    }

    fn of(&self, file: &Path) -> CrateOrigin {
        match self.by_file.get(file) {
            Some(&i) => self.origins[i].clone(),
            None => made_up_origin(&CrateSources {
                name: file
                    .file_stem()
                    .map_or("unknown".into(), |s| s.to_string_lossy().replace('-', "_")),
                files: vec![crate::input::SourceFile {
                    path: file.to_path_buf(),
                    module: Vec::new(),
                }],
            }),
        }
    }
}

/// An origin for a crate that cargo did not describe: `path+file://` of
/// the folder of its `Cargo.toml` (else of its root file), a `lib` target
/// named after the crate.
pub fn made_up_origin(krate: &CrateSources) -> CrateOrigin {
    let root = krate
        .files
        .first()
        .map(|f| f.path.clone())
        .unwrap_or_default();
    let root = std::path::absolute(&root).unwrap_or(root);
    let dir = root
        .ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
        .or_else(|| root.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    CrateOrigin {
        package_id: format!("path+file://{}#{}@0.0.0", dir.display(), krate.name),
        manifest_path: dir.join("Cargo.toml"),
        target: TargetInfo {
            kind: vec!["lib".into()],
            crate_types: vec!["lib".into()],
            name: krate.name.clone(),
            src_path: root,
            edition: "2021".into(),
            required_features: Vec::new(),
            doc: true,
            doctest: true,
            test: true,
        },
    }
}

/// Prints cargo's JSON messages.
#[derive(Debug)]
pub struct CargoJsonPrinter {
    /// `file_name`s and `rendered` paths are relative to this folder (the
    /// workspace root, where cargo runs rustc).
    pub root: PathBuf,
    pub origins: Origins,
    pub rendered: Rendered,
    human: HumanPrinter,
    sources: HashMap<PathBuf, Option<String>>,
}

impl CargoJsonPrinter {
    pub fn new(root: PathBuf, origins: Origins, rendered: Rendered) -> CargoJsonPrinter {
        CargoJsonPrinter {
            root,
            origins,
            rendered,
            human: HumanPrinter::new(rendered == Rendered::Ansi),
            sources: HashMap::new(),
        }
    }

    fn source(&mut self, path: &Path) -> Option<&str> {
        self.sources
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok())
            .as_deref()
    }

    fn span(&mut self, loc: &Location, primary: bool) -> Option<Span> {
        if loc.line == 0 {
            return None;
        }
        let file_name = display_path(loc.file.as_path(), &self.root);
        let text = self.source(&loc.file);
        Some(span_in(text, loc, file_name, primary))
    }

    /// The `message` of a finding.
    pub fn diagnostic(&mut self, f: &Finding) -> Diagnostic {
        let mut children = Vec::new();
        for (i, step) in f.chain.iter().enumerate() {
            let message = if i == 0 {
                step.label.clone()
            } else {
                format!("-> {}", step.label)
            };
            children.push(Diagnostic::child(
                "note",
                message,
                self.span(&step.location, true).into_iter().collect(),
            ));
        }
        if let Some(region) = &f.region {
            children.push(Diagnostic::child(
                "note",
                region.label.clone(),
                self.span(&region.location, true).into_iter().collect(),
            ));
        }
        if let Some(help) = &f.help {
            children.push(Diagnostic::child("help", help.clone(), Vec::new()));
        }
        let rendered = match self.rendered {
            Rendered::Short => short_line(
                &display_path(&f.location.file, &self.root),
                &f.location,
                f.level.as_str(),
                Some(f.rule.as_str()),
                &f.message,
            ),
            _ => format!("{}\n\n", self.human.render_finding(f, &self.root)),
        };
        Diagnostic {
            message_type: "diagnostic",
            message: f.message.clone(),
            code: Some(Code {
                code: format!("fork-lint::{}", f.rule.as_str()),
                explanation: None,
            }),
            level: level_str(f.level),
            spans: self.span(&f.location, true).into_iter().collect(),
            children,
            rendered: Some(rendered),
        }
    }

    /// The `message` of a file that could not be read or parsed.
    pub fn file_error_diagnostic(&mut self, e: &FileError) -> Diagnostic {
        let rendered = match self.rendered {
            Rendered::Short => short_line(
                &display_path(&e.location.file, &self.root),
                &e.location,
                "error",
                None,
                &e.message,
            ),
            _ => format!("{}\n\n", self.human.render_file_error(e, &self.root)),
        };
        Diagnostic {
            message_type: "diagnostic",
            message: e.message.clone(),
            code: None,
            level: "error",
            spans: self.span(&e.location, true).into_iter().collect(),
            children: Vec::new(),
            rendered: Some(rendered),
        }
    }

    fn message(&self, file: &Path, message: Diagnostic) -> CompilerMessage {
        let origin = self.origins.of(file);
        CompilerMessage {
            reason: "compiler-message",
            package_id: origin.package_id,
            manifest_path: origin.manifest_path.to_string_lossy().into_owned(),
            target: Target::of(&origin.target),
            message,
        }
    }
}

/// `src/main.rs:3:9: error[alloc]: message` (rustc's `--error-format short`).
pub fn short_line(
    path: &str,
    loc: &Location,
    level: &str,
    code: Option<&str>,
    message: &str,
) -> String {
    let code = code.map_or(String::new(), |c| format!("[{c}]"));
    if loc.line == 0 {
        format!("{path}: {level}{code}: {message}\n")
    } else {
        format!(
            "{path}:{}:{}: {level}{code}: {message}\n",
            loc.line, loc.column
        )
    }
}

fn level_str(level: Level) -> &'static str {
    level.as_str()
}

impl Printer for CargoJsonPrinter {
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()> {
        let mut line = |value: &dyn erased::Json| -> io::Result<()> {
            value.write(&mut *out)?;
            out.write_all(b"\n")
        };
        for e in output.file_errors {
            let d = self.file_error_diagnostic(e);
            line(&self.message(&e.location.file, d))?;
        }
        for f in output.findings {
            let d = self.diagnostic(f);
            line(&self.message(&f.location.file, d))?;
        }
        let failed = !output.success
            || !output.file_errors.is_empty()
            || output.findings.iter().any(|f| f.level == Level::Error);
        line(&BuildFinished {
            reason: "build-finished",
            success: !failed,
        })?;
        out.flush()
    }
}

/// Serialises any message through one `dyn` call.
mod erased {
    pub trait Json {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    }
    impl<T: serde::Serialize> Json for T {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(out, self).map_err(std::io::Error::from)
        }
    }
}

/// Prints rustc's short format: one line per file error and finding.
#[derive(Debug)]
pub struct ShortPrinter;

impl Printer for ShortPrinter {
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()> {
        for e in output.file_errors {
            let path = display_path(&e.location.file, output.base);
            out.write_all(short_line(&path, &e.location, "error", None, &e.message).as_bytes())?;
        }
        for f in output.findings {
            let path = display_path(&f.location.file, output.base);
            out.write_all(
                short_line(
                    &path,
                    &f.location,
                    f.level.as_str(),
                    Some(f.rule.as_str()),
                    &f.message,
                )
                .as_bytes(),
            )?;
        }
        out.flush()
    }
}

// ---- serialisation types (cargo's and rustc's field names) ----

#[derive(Debug, Serialize)]
struct CompilerMessage {
    reason: &'static str,
    package_id: String,
    manifest_path: String,
    target: Target,
    message: Diagnostic,
}

#[derive(Debug, Serialize)]
struct BuildFinished {
    reason: &'static str,
    success: bool,
}

#[derive(Debug, Serialize)]
struct Target {
    kind: Vec<String>,
    crate_types: Vec<String>,
    name: String,
    src_path: String,
    edition: String,
    #[serde(rename = "required-features")]
    required_features: Vec<String>,
    doc: bool,
    doctest: bool,
    test: bool,
}

impl Target {
    fn of(t: &TargetInfo) -> Target {
        Target {
            kind: t.kind.clone(),
            crate_types: t.crate_types.clone(),
            name: t.name.clone(),
            src_path: t.src_path.to_string_lossy().into_owned(),
            edition: t.edition.clone(),
            required_features: t.required_features.clone(),
            doc: t.doc,
            doctest: t.doctest,
            test: t.test,
        }
    }
}

/// A rustc diagnostic (`message` of a `compiler-message`).
#[derive(Debug, Serialize)]
pub struct Diagnostic {
    #[serde(rename = "$message_type")]
    message_type: &'static str,
    pub message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<Span>,
    children: Vec<Diagnostic>,
    /// The whole diagnostic as text.
    pub rendered: Option<String>,
}

impl Diagnostic {
    fn child(level: &'static str, message: String, spans: Vec<Span>) -> Diagnostic {
        Diagnostic {
            message_type: "diagnostic",
            message,
            code: None,
            level,
            spans,
            children: Vec::new(),
            rendered: None,
        }
    }
}

#[derive(Debug, Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Debug, Serialize)]
struct Span {
    file_name: String,
    byte_start: usize,
    byte_end: usize,
    line_start: u32,
    line_end: u32,
    column_start: u32,
    column_end: u32,
    is_primary: bool,
    text: Vec<SpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<String>,
    expansion: Option<()>,
}

#[derive(Debug, Serialize)]
struct SpanLine {
    text: String,
    highlight_start: u32,
    highlight_end: u32,
}

/// The span of `loc` in `text` (the file's contents; `None` when it could
/// not be read: offsets are then 0 and the span has no text lines).
fn span_in(text: Option<&str>, loc: &Location, file_name: String, primary: bool) -> Span {
    let text = text.unwrap_or("");
    // Byte offset where each line starts (`\n`-separated; a `\r` stays at
    // the end of its line, as rustc counts it).
    let mut starts = if text.is_empty() {
        Vec::new()
    } else {
        vec![0usize]
    };
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    let line_text = |n: u32| -> Option<&str> {
        let i = (n as usize).checked_sub(1)?;
        let start = *starts.get(i)?;
        let end = starts.get(i + 1).map_or(text.len(), |e| e - 1);
        let line = text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    };
    let offset = |line: u32, column: u32| -> usize {
        match line_text(line) {
            Some(l) => {
                let skip = column.saturating_sub(1) as usize;
                starts[line as usize - 1] + l.char_indices().nth(skip).map_or(l.len(), |(i, _)| i)
            }
            None => 0,
        }
    };
    let mut lines = Vec::new();
    for n in loc.line..=loc.end_line.max(loc.line) {
        let Some(l) = line_text(n) else { break };
        let width = l.chars().count() as u32 + 1;
        let start = if n == loc.line { loc.column } else { 1 };
        let end = if n == loc.end_line {
            loc.end_column
        } else {
            width
        };
        lines.push(SpanLine {
            text: l.to_string(),
            highlight_start: start,
            highlight_end: end,
        });
    }
    Span {
        file_name,
        byte_start: offset(loc.line, loc.column),
        byte_end: offset(loc.end_line, loc.end_column),
        line_start: loc.line,
        line_end: loc.end_line,
        column_start: loc.column,
        column_end: loc.end_column,
        is_primary: primary,
        text: lines,
        label: None,
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::ChainStep;
    use crate::rules::RuleId;
    use cargo_metadata::Message;

    struct Scratch(PathBuf);
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const MAIN: &str = "fn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        let é = format!(\"{}\", 1);\n        setup();\n    }\n}\n";
    const UTIL: &str = "pub fn setup() {\r\n    println!(\"hi\");\r\n}\r\n";

    fn loc(file: &Path, line: u32, column: u32, end_line: u32, end_column: u32) -> Location {
        Location {
            file: file.to_path_buf(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    fn scratch(name: &str) -> (Scratch, Vec<Finding>, Vec<FileError>, Vec<CrateSources>) {
        let dir = std::env::temp_dir().join(format!(
            "fork-lint-cargo-json-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
        std::fs::write(dir.join("src/util.rs"), UTIL).unwrap();
        let main = dir.join("src/main.rs");
        let util = dir.join("src/util.rs");
        let direct = Finding {
            rule: RuleId::Alloc,
            level: Level::Error,
            // `format!("{}", 1)` after a two-byte `é`.
            location: loc(&main, 4, 17, 4, 33),
            message: "`format!` allocates".into(),
            chain: Vec::new(),
            region: Some(ChainStep {
                label: "child process starts here (libc::fork)".into(),
                location: loc(&main, 2, 24, 2, 36),
            }),
            help: Some("allocate in the parent before fork".into()),
        };
        let chained = Finding {
            rule: RuleId::Stdio,
            level: Level::Warning,
            location: loc(&main, 5, 9, 5, 16),
            message: "call to `setup()` reaches `println!`".into(),
            chain: vec![
                ChainStep {
                    label: "child calls setup()".into(),
                    location: loc(&main, 5, 9, 5, 16),
                },
                ChainStep {
                    label: "println!".into(),
                    location: loc(&util, 2, 5, 2, 19),
                },
            ],
            region: None,
            help: None,
        };
        let multi = Finding {
            rule: RuleId::Fallthrough,
            level: Level::Note,
            location: loc(&main, 3, 17, 6, 6),
            message: "spans lines".into(),
            chain: Vec::new(),
            region: None,
            help: None,
        };
        let err = FileError {
            location: loc(&dir.join("src/broken.rs"), 1, 1, 1, 1),
            message: "cannot read src/broken.rs: not found".into(),
        };
        let crates = vec![CrateSources {
            name: "app".into(),
            files: vec![
                crate::input::SourceFile {
                    path: main,
                    module: Vec::new(),
                },
                crate::input::SourceFile {
                    path: util,
                    module: vec!["util".into()],
                },
            ],
        }];
        (
            Scratch(dir),
            vec![direct, chained, multi],
            vec![err],
            crates,
        )
    }

    fn print(rendered: Rendered) -> (Scratch, Vec<Finding>, String) {
        let (s, findings, errors, crates) = scratch(&format!("{rendered:?}"));
        let origin = CrateOrigin {
            package_id: format!("path+file://{}#app@0.1.0", s.0.display()),
            manifest_path: s.0.join("Cargo.toml"),
            target: TargetInfo {
                kind: vec!["bin".into()],
                crate_types: vec!["bin".into()],
                name: "app".into(),
                src_path: s.0.join("src/main.rs"),
                edition: "2024".into(),
                required_features: Vec::new(),
                doc: true,
                doctest: false,
                test: true,
            },
        };
        let mut p = CargoJsonPrinter::new(s.0.clone(), Origins::new(&crates, &[origin]), rendered);
        let out = Output {
            findings: &findings,
            file_errors: &errors,
            files_checked: 2,
            base: Path::new("/"),
            success: true,
        };
        let mut buf = Vec::new();
        p.print(&mut buf, &out).unwrap();
        (s, findings, String::from_utf8(buf).unwrap())
    }

    /// The output parses as cargo messages with the types rust-analyzer and
    /// cargo-metadata consumers use; spans point at the right bytes.
    #[test]
    fn parses_back_as_cargo_messages_with_exact_spans() {
        let (s, findings, text) = print(Rendered::Human);
        let messages: Vec<Message> = Message::parse_stream(text.as_bytes())
            .map(Result::unwrap)
            .collect();
        assert_eq!(messages.len(), 5, "{text}");
        let Message::BuildFinished(done) = &messages[4] else {
            panic!("last is build-finished: {text}")
        };
        assert!(!done.success, "an error-level finding fails the build");
        let compiler: Vec<&cargo_metadata::CompilerMessage> = messages
            .iter()
            .filter_map(|m| match m {
                Message::CompilerMessage(c) => Some(c),
                _ => None,
            })
            .collect();
        // The file error first, without a code; its file is missing, so the
        // span has no text.
        assert_eq!(compiler[0].message.code, None);
        assert_eq!(compiler[0].message.spans[0].file_name, "src/broken.rs");
        assert!(compiler[0].message.spans[0].text.is_empty());

        let m = &compiler[1];
        assert_eq!(
            m.package_id.repr,
            format!("path+file://{}#app@0.1.0", s.0.display())
        );
        assert_eq!(m.target.name, "app");
        assert_eq!(m.target.edition.as_str(), "2024");
        let d = &m.message;
        assert_eq!(d.message, "`format!` allocates");
        assert_eq!(d.code.as_ref().unwrap().code, "fork-lint::alloc");
        assert_eq!(d.level, cargo_metadata::diagnostic::DiagnosticLevel::Error);
        let span = &d.spans[0];
        assert_eq!(span.file_name, "src/main.rs");
        assert!(span.is_primary);
        assert_eq!(
            &MAIN[span.byte_start as usize..span.byte_end as usize],
            "format!(\"{}\", 1)"
        );
        assert_eq!(
            (span.line_start, span.column_start, span.column_end),
            (4, 17, 33)
        );
        assert_eq!(span.text[0].text, "        let é = format!(\"{}\", 1);");
        assert_eq!(
            (span.text[0].highlight_start, span.text[0].highlight_end),
            (17, 33)
        );
        // Children: the region (a note with a span), then the help.
        assert_eq!(d.children.len(), 2);
        assert_eq!(
            d.children[0].message,
            "child process starts here (libc::fork)"
        );
        let region = &d.children[0].spans[0];
        assert_eq!(
            &MAIN[region.byte_start as usize..region.byte_end as usize],
            "libc::fork()"
        );
        assert_eq!(
            d.children[1].level,
            cargo_metadata::diagnostic::DiagnosticLevel::Help
        );
        assert!(d.children[1].spans.is_empty());

        // The chain: one note per step, the step into another file with its
        // own bytes (CRLF line ends count as bytes).
        let d = &compiler[2].message;
        assert_eq!(
            d.level,
            cargo_metadata::diagnostic::DiagnosticLevel::Warning
        );
        assert_eq!(d.children[0].message, "child calls setup()");
        assert_eq!(d.children[1].message, "-> println!");
        let step = &d.children[1].spans[0];
        assert_eq!(step.file_name, "src/util.rs");
        assert_eq!(
            &UTIL[step.byte_start as usize..step.byte_end as usize],
            "println!(\"hi\")"
        );

        // A span over several lines: every line, highlighted to its end.
        let span = &compiler[3].message.spans[0];
        assert_eq!(
            &MAIN[span.byte_start as usize..span.byte_end as usize],
            &MAIN[MAIN.find("{\n        let é").unwrap()..MAIN.rfind("}\n}").unwrap() + 1]
        );
        let hl: Vec<(usize, usize)> = span
            .text
            .iter()
            .map(|l| (l.highlight_start, l.highlight_end))
            .collect();
        assert_eq!(hl, [(17, 18), (1, 34), (1, 17), (1, 6)]);

        // `rendered` is what the human format prints for that finding.
        let mut human = HumanPrinter::new(false);
        for (m, f) in compiler[1..].iter().zip(&findings) {
            let mut expected = Vec::new();
            human
                .print(
                    &mut expected,
                    &Output {
                        findings: std::slice::from_ref(f),
                        file_errors: &[],
                        files_checked: 1,
                        base: &s.0,
                        success: true,
                    },
                )
                .unwrap();
            assert_eq!(
                m.message.rendered.as_deref(),
                Some(String::from_utf8(expected).unwrap().as_str())
            );
        }
    }

    #[test]
    fn rendered_variants() {
        let (_s, _, text) = print(Rendered::Short);
        let messages: Vec<Message> = Message::parse_stream(text.as_bytes())
            .map(Result::unwrap)
            .collect();
        let Message::CompilerMessage(m) = &messages[1] else {
            panic!()
        };
        assert_eq!(
            m.message.rendered.as_deref(),
            Some("src/main.rs:4:17: error[alloc]: `format!` allocates\n")
        );
        let (_s, _, text) = print(Rendered::Ansi);
        assert!(
            text.contains("\\u001b["),
            "ANSI escapes in rendered: {text}"
        );
    }

    #[test]
    fn made_up_origins_for_plain_paths() {
        let (s, _, _, crates) = scratch("origins");
        let o = Origins::new(&crates, &[]);
        let origin = o.of(&s.0.join("src/util.rs"));
        assert_eq!(origin.target.name, "app");
        assert!(
            origin.package_id.starts_with("path+file://"),
            "{}",
            origin.package_id
        );
        let stray = o.of(Path::new("/nowhere/other-file.rs"));
        assert_eq!(stray.target.name, "other_file");
    }
}

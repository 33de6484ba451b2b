//! The human format: rustc-style diagnostics rendered by `annotate-snippets`.
//!
//! ```text
//! error[stdio]: call to `announce()` reaches `println!`, which takes stdout's lock and [...]
//!  --> src/main.rs:8:13
//!   |
//! 8 |             util::announce(7);
//!   |             ^^^^^^^^^^^^^^^^^
//!   |
//!   = note: child calls announce() (src/main.rs:8)
//!   = note: -> calls say() (src/util.rs:2)
//!   = note: -> println! (src/util.rs:6)
//!   = note: child process starts here (nix::unistd::fork) at src/main.rs:6
//!   = help: write the bytes with `libc::write(2, ..)` from a buffer prepared before fork
//! ```
//!
//! Not an API: the layout may change between releases (the golden files in
//! `tests/snapshots/` pin it). Programs should read the JSON or SARIF output.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Origin, Renderer, Snippet};

use super::{Output, Printer, display_path};
use crate::diagnostic::{Finding, Level, Location};

/// Prints rustc-style diagnostics. Reads the source lines it shows.
#[derive(Debug, Default)]
pub struct HumanPrinter {
    /// Emit ANSI colour codes.
    pub color: bool,
    /// File contents by path, `None` when unreadable or not UTF-8.
    sources: HashMap<PathBuf, Option<String>>,
}

impl HumanPrinter {
    pub fn new(color: bool) -> HumanPrinter {
        HumanPrinter {
            color,
            sources: HashMap::new(),
        }
    }

    fn source(&mut self, path: &Path) -> Option<&str> {
        self.sources
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok())
            .as_deref()
    }

    fn renderer(&self) -> Renderer {
        if self.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        }
    }

    /// Renders one finding (without a trailing newline).
    pub fn render_finding(&mut self, finding: &Finding, base: &Path) -> String {
        let level = snippet_level(finding.level);
        let path = display_path(&finding.location.file, base);
        let mut notes: Vec<String> = Vec::new();
        for (i, step) in finding.chain.iter().enumerate() {
            let at = short_location(&step.location, base);
            if i == 0 {
                notes.push(format!("{} ({at})", step.label));
            } else {
                notes.push(format!("-> {} ({at})", step.label));
            }
        }
        if let Some(region) = &finding.region {
            notes.push(format!(
                "{} at {}",
                region.label,
                short_location(&region.location, base)
            ));
        }
        let help = finding.help.clone();
        let source_snippet = self
            .source(&finding.location.file)
            .and_then(|text| excerpt(text, &finding.location));
        let title = level
            .primary_title(finding.message.as_str())
            .id(finding.rule.as_str());
        let mut group = match &source_snippet {
            Some(ex) => title.element(
                Snippet::source(ex.text.as_str())
                    .line_start(finding.location.line as usize)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(ex.span.clone())),
            ),
            None => title.element(origin(&path, &finding.location)),
        };
        for note in &notes {
            group = group.element(SnippetLevel::NOTE.message(note.as_str()));
        }
        if let Some(help) = &help {
            group = group.element(SnippetLevel::HELP.message(help.as_str()));
        }
        self.renderer().render(&[group])
    }

    /// Renders a file that could not be read or parsed.
    pub fn render_file_error(
        &mut self,
        error: &crate::diagnostic::FileError,
        base: &Path,
    ) -> String {
        let path = display_path(&error.location.file, base);
        let snippet = self
            .source(&error.location.file)
            .and_then(|text| excerpt(text, &error.location));
        let title = SnippetLevel::ERROR.primary_title(error.message.as_str());
        let group: Group<'_> = match &snippet {
            Some(ex) => title.element(
                Snippet::source(ex.text.as_str())
                    .line_start(error.location.line as usize)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(ex.span.clone())),
            ),
            None => title.element(origin(&path, &error.location)),
        };
        self.renderer().render(&[group])
    }
}

/// Findings shown in full per call in child code (see `print`).
const MAX_PER_CALL: usize = 5;

impl Printer for HumanPrinter {
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()> {
        for error in output.file_errors {
            let text = self.render_file_error(error, output.base);
            writeln!(out, "{text}\n")?;
        }
        // Findings reached through one call in child code are grouped under
        // it: the first few are shown in full, the rest counted (one call can
        // reach hundreds of hazards; `--format json` lists them all).
        let mut shown: HashMap<&Location, usize> = HashMap::new();
        let mut hidden: Vec<(&Location, usize)> = Vec::new();
        for finding in output.findings {
            if let Some(entry) = finding.chain.first() {
                let n = shown.entry(&entry.location).or_default();
                *n += 1;
                if *n > MAX_PER_CALL {
                    match hidden.iter_mut().find(|(l, _)| *l == &entry.location) {
                        Some((_, c)) => *c += 1,
                        None => hidden.push((&entry.location, 1)),
                    }
                    continue;
                }
            }
            let text = self.render_finding(finding, output.base);
            writeln!(out, "{text}\n")?;
        }
        for (loc, n) in hidden {
            writeln!(
                out,
                "note: ... {n} more hazard{} reached through the call at {}; `--format json` lists all\n",
                if n == 1 { "" } else { "s" },
                short_location(loc, output.base)
            )?;
        }
        out.flush()
    }
}

fn snippet_level(level: Level) -> SnippetLevel<'static> {
    match level {
        Level::Error => SnippetLevel::ERROR,
        Level::Warning => SnippetLevel::WARNING,
        Level::Note => SnippetLevel::NOTE,
    }
}

fn origin<'a>(path: &'a str, loc: &Location) -> Origin<'a> {
    let mut origin = Origin::path(path);
    if loc.line > 0 {
        origin = origin
            .line(loc.line as usize)
            .char_column(loc.column.max(1) as usize);
    }
    origin
}

/// `src/log.rs:12`.
fn short_location(loc: &Location, base: &Path) -> String {
    format!("{}:{}", display_path(&loc.file, base), loc.line)
}

/// The lines a location covers and the byte span of the location in them.
struct Excerpt {
    text: String,
    span: std::ops::Range<usize>,
}

/// At most this many lines of a multi-line span are shown.
const MAX_LINES: u32 = 6;

fn excerpt(text: &str, loc: &Location) -> Option<Excerpt> {
    if loc.line == 0 {
        return None;
    }
    let first = loc.line;
    let last = loc.end_line.clamp(first, first + MAX_LINES - 1);
    let lines: Vec<&str> = text
        .split('\n')
        .skip(first as usize - 1)
        .take((last - first + 1) as usize)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let shown = lines.join("\n");
    let start = char_offset(lines[0], loc.column);
    let end = if loc.end_line == first {
        char_offset(lines[0], loc.end_column).max(start)
    } else if loc.end_line <= last {
        let before: usize = lines[..lines.len() - 1].iter().map(|l| l.len() + 1).sum();
        before + char_offset(lines[lines.len() - 1], loc.end_column)
    } else {
        shown.len()
    };
    // An empty span (a position) is shown as one character, as rustc does.
    let end = if end == start {
        (start + shown[start..].chars().next().map_or(0, char::len_utf8)).min(shown.len())
    } else {
        end
    };
    Some(Excerpt {
        text: shown,
        span: start..end,
    })
}

/// Byte offset of the 1-based character `column` in `line`, clamped to it.
fn char_offset(line: &str, column: u32) -> usize {
    let skip = column.saturating_sub(1) as usize;
    line.char_indices().nth(skip).map_or(line.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{chained, direct};

    #[test]
    fn excerpt_maps_character_columns_to_bytes() {
        let text = "fn main() {\n    let é = format!(\"x\");\n}\n";
        let loc = Location {
            file: "a.rs".into(),
            line: 2,
            column: 13,
            end_line: 2,
            end_column: 25,
        };
        let ex = excerpt(text, &loc).unwrap();
        assert_eq!(&ex.text[ex.span.clone()], "format!(\"x\")");
        let past_end = Location {
            line: 9,
            end_line: 9,
            ..loc.clone()
        };
        assert!(excerpt(text, &past_end).is_none());
        let multi = Location {
            line: 1,
            column: 11,
            end_line: 3,
            end_column: 2,
            ..loc
        };
        let ex = excerpt(text, &multi).unwrap();
        assert_eq!(
            &ex.text[ex.span.clone()],
            "{\n    let é = format!(\"x\");\n}"
        );
    }

    #[test]
    fn renders_without_source_as_origin_and_notes() {
        let mut p = HumanPrinter::new(false);
        let out = p.render_finding(&chained(), Path::new("/nonexistent"));
        assert!(
            out.starts_with("error[stdio]: `println!` locks stdout"),
            "{out}"
        );
        assert!(out.contains("--> src/main.rs:3:9"), "{out}");
        assert!(
            out.contains("= note: child calls setup_logging() (src/main.rs:3)"),
            "{out}"
        );
        assert!(out.contains("= note: -> println! (src/log.rs:2)"), "{out}");
        assert!(
            out.contains("= note: child process starts here (libc::fork) at src/main.rs:1"),
            "{out}"
        );
        assert!(out.contains("= help: write to stderr"), "{out}");
        let out = p.render_finding(&direct(), Path::new("/nonexistent"));
        assert!(out.starts_with("warning[alloc]:"), "{out}");
        assert!(!out.contains("= note"), "{out}");
    }

    #[test]
    fn renders_carets_under_the_span() {
        let dir = std::env::temp_dir().join(format!("fork-lint-human-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("main.rs");
        std::fs::write(&file, "fn f() {\n    let s = format!(\"{}\", 1);\n}\n").unwrap();
        let mut finding = direct();
        finding.location = Location {
            file: file.clone(),
            line: 2,
            column: 13,
            end_line: 2,
            end_column: 30,
        };
        let out = HumanPrinter::new(false).render_finding(&finding, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(out.contains("--> main.rs:2:13"), "{out}");
        assert!(out.contains("2 |     let s = format!(\"{}\", 1);"), "{out}");
        assert!(out.contains("  |             ^^^^^^^^^^^^^^^^^"), "{out}");
        assert!(
            !out.contains('\u{1b}'),
            "plain output has no escape codes: {out}"
        );
        let colored = HumanPrinter::new(true).render_finding(&direct(), &dir);
        assert!(colored.contains('\u{1b}'), "{colored}");
    }
}

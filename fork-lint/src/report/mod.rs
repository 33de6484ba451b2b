//! Output formats: sibling printers behind one small trait, all fed from the
//! same [`Output`]. Each printer writes the whole run at once (SARIF needs
//! everything; the findings are sorted before printing anyway).
//!
//! **API Boundary:** the JSON Lines format ([`json`]), the SARIF format
//! ([`sarif`]) and the GitHub annotations ([`github`]) are read by programs.
//! Their serialisation types live in their modules, apart from the engine's
//! [`Finding`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{FileError, Finding, Level};

pub mod cargo_json;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// Everything a printer prints about one run.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    /// Sorted by file, line, column, rule.
    pub findings: &'a [Finding],
    /// Files that could not be read or parsed, sorted by location.
    pub file_errors: &'a [FileError],
    /// Number of files checked.
    pub files_checked: usize,
    /// Folder that relative paths are printed against (the current one).
    pub base: &'a Path,
    /// Whether the tool ran to completion without errors of its own
    /// (SARIF `executionSuccessful`).
    pub success: bool,
}

/// One output format.
pub trait Printer {
    /// Writes the run to `out`.
    fn print(&mut self, out: &mut dyn Write, output: &Output<'_>) -> io::Result<()>;
}

/// `path` as printed: relative to `base` (the current directory) when it is
/// below it, without a leading `./`, with `/` separators.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel: PathBuf = if path.is_absolute() {
        match path.strip_prefix(base) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        }
    } else {
        path.strip_prefix(".").unwrap_or(path).to_path_buf()
    };
    let s = rel.to_string_lossy().into_owned();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s
    }
}

/// Counts of findings by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Distinct files with at least one finding.
    pub files: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut counts = Counts::default();
        let mut files: Vec<&Path> = Vec::new();
        for f in findings {
            match f.level {
                Level::Error => counts.errors += 1,
                Level::Warning => counts.warnings += 1,
                Level::Note => counts.notes += 1,
            }
            files.push(&f.location.file);
        }
        files.sort();
        files.dedup();
        counts.files = files.len();
        counts
    }
}

/// `3 errors, 1 warning in 2 files`, or `no findings in 12 files`.
pub fn summary_line(output: &Output<'_>) -> String {
    let c = Counts::of(output.findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = if output.findings.is_empty() {
        format!("no findings in {}", plural(output.files_checked, "file"))
    } else {
        let mut parts = vec![plural(c.errors, "error"), plural(c.warnings, "warning")];
        if c.notes > 0 {
            parts.push(plural(c.notes, "note"));
        }
        format!("{} in {}", parts.join(", "), plural(c.files, "file"))
    };
    if !output.file_errors.is_empty() {
        let n = output.file_errors.len();
        line.push_str(&format!(
            "; {} could not be checked",
            if n == 1 {
                "1 file".to_string()
            } else {
                format!("{n} files")
            }
        ));
    }
    format!("fork-lint: {line}")
}

/// FNV-1a, 64 bits: a hash that is the same on every platform and release
/// (for SARIF `partialFingerprints`).
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The documentation of a rule as printed: the doc comment without the one
/// leading space `///` leaves on each line.
pub fn rule_docs(meta: &crate::rules::RuleMeta) -> String {
    let mut out = String::new();
    for line in meta.docs.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim().to_string() + "\n"
}

/// The first `http(s)://` link in the rule's `## References`, if any.
pub fn rule_help_uri(meta: &crate::rules::RuleMeta) -> Option<&'static str> {
    let refs = meta.section("References")?;
    let start = refs.find("https://").or_else(|| refs.find("http://"))?;
    let rest = &refs[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | ']' | '`' | '"' | '\''))
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches(['.', ',']))
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::diagnostic::{ChainStep, Finding, Level, Location};
    use crate::rules::RuleId;
    use std::path::PathBuf;

    pub fn loc(file: &str, line: u32, column: u32, end_column: u32) -> Location {
        Location {
            file: PathBuf::from(file),
            line,
            column,
            end_line: line,
            end_column,
        }
    }

    /// A finding reached through a call chain, as the engine reports them.
    pub fn chained() -> Finding {
        Finding {
            rule: RuleId::Stdio,
            level: Level::Error,
            location: loc("src/main.rs", 3, 9, 24),
            message: "`println!` locks stdout and allocates in a forked child".to_string(),
            chain: vec![
                ChainStep {
                    label: "child calls setup_logging()".to_string(),
                    location: loc("src/main.rs", 3, 9, 24),
                },
                ChainStep {
                    label: "println!".to_string(),
                    location: loc("src/log.rs", 2, 5, 19),
                },
            ],
            region: Some(ChainStep {
                label: "child process starts here (libc::fork)".to_string(),
                location: loc("src/main.rs", 1, 13, 19),
            }),
            help: Some(
                "write to stderr with `libc::write` on a buffer prepared before fork".to_string(),
            ),
        }
    }

    /// A finding directly in the child region.
    pub fn direct() -> Finding {
        Finding {
            rule: RuleId::Alloc,
            level: Level::Warning,
            location: loc("src/main.rs", 4, 17, 30),
            message: "`format!` allocates, a, b: 100% \"quoted\"".to_string(),
            chain: Vec::new(),
            region: None,
            help: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_base() {
        let base = Path::new("/w/proj");
        assert_eq!(
            display_path(Path::new("/w/proj/src/a.rs"), base),
            "src/a.rs"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.rs"), base),
            "/elsewhere/a.rs"
        );
        assert_eq!(display_path(Path::new("./src/a.rs"), base), "src/a.rs");
        assert_eq!(display_path(Path::new("src/a.rs"), base), "src/a.rs");
    }

    #[test]
    fn hash_is_stable_and_separates_parts() {
        assert_eq!(stable_hash(&["a", "bc"]), stable_hash(&["a", "bc"]));
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
        // Pinned: the value must never change between releases.
        assert_eq!(stable_hash(&[""]), 0xaf63_bd4c_8601_b7df);
    }

    #[test]
    fn summary_counts_levels_and_files() {
        let findings = vec![test_support::chained(), test_support::direct()];
        let out = Output {
            findings: &findings,
            file_errors: &[],
            files_checked: 4,
            base: Path::new("/"),
            success: true,
        };
        assert_eq!(
            summary_line(&out),
            "fork-lint: 1 error, 1 warning in 1 file"
        );
        let none = Output {
            findings: &[],
            ..out
        };
        assert_eq!(summary_line(&none), "fork-lint: no findings in 4 files");
    }
}

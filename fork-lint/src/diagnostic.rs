//! What the engine produces: findings with positions, chains and fixes.
//!
//! These are the engine's internal types. The wire formats (JSON, SARIF) are
//! built from them in `report/`, with their own serialisation types.

use std::fmt;
use std::path::PathBuf;

use crate::rules::RuleId;

/// Severity of a finding. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Something the engine could not judge (an unknown callee).
    Note,
    /// A hazard that may happen (may panic) or a name-only guess.
    Warning,
    /// A definite hazard.
    Error,
}

impl Level {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A range in a source file. Lines and columns are 1-based; columns count
/// characters (not bytes), as rustc prints them. `end_column` is exclusive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    /// The location of `span` in `file`. Needs proc-macro2's `span-locations`
    /// feature, and must run on the thread that parsed the file.
    pub fn from_span(file: &std::path::Path, span: proc_macro2::Span) -> Location {
        let start = span.start();
        let end = span.end();
        Location {
            file: file.to_path_buf(),
            line: start.line as u32,
            column: start.column as u32 + 1,
            end_line: end.line as u32,
            end_column: end.column as u32 + 1,
        }
    }
}

impl Location {
    /// Line 1, column 1 of `file`: where a whole-file problem (unreadable,
    /// not parsed, not analysed) is reported.
    pub fn file_start(file: PathBuf) -> Location {
        Location {
            file,
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One step of the call chain from the child region down to the hazard.
/// The first step is the call in the child region, the last is the hazard.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChainStep {
    /// e.g. `child calls setup_logging()` or `println!`.
    pub label: String,
    pub location: Location,
}

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    pub rule: RuleId,
    pub level: Level,
    /// Primary span: the line the user must change (the call site in the
    /// child region when the hazard is reached through calls).
    pub location: Location,
    /// Lowercase, no trailing period; names the operation.
    pub message: String,
    /// Empty when the hazard is directly in the child region.
    pub chain: Vec<ChainStep>,
    /// Where the child region starts (the fork call, the `pre_exec` call, the
    /// annotated function). `None` when not applicable.
    pub region: Option<ChainStep>,
    /// What to do about it.
    pub help: Option<String>,
    /// Other calls in child code that reach the same hazard (its first
    /// entry is `chain[0]`).
    pub related: Vec<ChainStep>,
}

/// A file that could not be read or parsed. It never stops the run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileError {
    pub location: Location,
    pub message: String,
}

//! What the engine takes in: one crate's files, how to read them, options.
//!
//! The engine never walks directories or reads `Cargo.toml`; the caller
//! (the CLI's `discover`, the proc macro, a test) says which files form a
//! crate and which module each file is.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::{ChainStep, FileError, Finding, Level};
use crate::knowledge::Knowledge;
use crate::rules::RuleId;

/// One source file of a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Module path within the crate, without the crate name:
    /// `[]` for `src/lib.rs`/`src/main.rs`, `["net", "tcp"]` for
    /// `src/net/tcp.rs` or `src/net/tcp/mod.rs`.
    pub module: Vec<String>,
}

/// The files of one crate. Calls resolve only within their own crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateSources {
    /// The crate's name with `-` replaced by `_` (what `use` paths name).
    pub name: String,
    pub files: Vec<SourceFile>,
}

/// Where the engine finds the crates that the checked crate depends on,
/// to follow child code into them (see `external`). The caller answers from
/// its own knowledge of the build (the CLI: `cargo metadata`, without
/// building anything) and reads their files: the engine does no IO.
pub trait Dependencies: Sync {
    /// The crate that `name::` names in code of package `from` (`None`:
    /// the crate being checked), or `None` when it has no sources to follow
    /// (not a dependency, a proc macro, sources missing).
    fn resolve(&self, from: Option<&str>, name: &str) -> Option<DepCrate>;
    /// The files of the package `key` (as [`DepCrate::key`]).
    fn sources(&self, key: &str) -> Option<CrateSources>;
    /// The text of a dependency's file.
    fn read(&self, path: &Path) -> io::Result<String>;
    /// What an earlier run found calling `path` (a path from the root
    /// module of package `key`: `fmt::format_u64`, `FixedVec::push`), when
    /// the caller kept it and nothing it depends on changed since. A hit
    /// spares parsing the package. The default remembers nothing.
    fn recall(&self, key: &str, path: &str) -> Option<DepCall> {
        let _ = (key, path);
        None
    }
    /// What calling `path` in package `key` was found to reach in this run,
    /// for [`Dependencies::recall`] in later runs (the CLI keeps it on disk
    /// under the target directory). The default forgets it.
    fn remember(&self, key: &str, path: &str, call: &DepCall) {
        let _ = (key, path, call);
    }
}

/// What calling one function of a dependency reaches in a child, as the
/// engine found it in the dependency's sources (its own dependencies
/// included). Plain data, so that the caller can keep it between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DepCall {
    /// The path named something the engine could follow (a function, a
    /// method, a re-export); `false`: it stays an unknown call.
    pub resolved: bool,
    /// Every hazard it reaches.
    pub hazards: Vec<DepHazard>,
}

/// One hazard a function of a dependency reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepHazard {
    pub rule: RuleId,
    pub level: Level,
    /// The operation, e.g. `` `String::from` ``.
    pub op: String,
    /// What the operation does, completing "`op` ...".
    pub reason: String,
    pub help: Option<String>,
    /// The verdict came from the method name alone.
    pub guessed: bool,
    /// From the called function down to the hazard (the hazard last), in
    /// the dependency's files.
    pub steps: Vec<ChainStep>,
}

/// A dependency, as [`Dependencies::resolve`] names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepCrate {
    /// Stable key of the package (cargo's package id).
    pub key: String,
    /// For messages: `name-version`.
    pub label: String,
}

/// How the engine gets file contents. The CLI reads the disk; tests and
/// the proc macro serve text from memory.
pub trait FileSystem {
    fn read(&self, path: &Path) -> io::Result<String>;
}

/// Reads from the real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Serves files from memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryFs(pub HashMap<PathBuf, String>);

impl FileSystem for MemoryFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.0.get(path).cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: not in memory", path.display()),
            )
        })
    }
}

/// What a rule's findings become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    /// Not reported.
    Allow,
    /// Reported at warning level at most.
    Warn,
    /// Reported at the finding's own level (error for definite hazards).
    Deny,
}

/// Engine options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Per-rule settings; a rule missing here uses its default
    /// (`unknown-call` is `Allow` by default, every other rule `Deny`).
    pub rules: HashMap<RuleId, RuleSetting>,
    /// Knowledge on top of the built-in table (from configuration).
    pub knowledge: Knowledge,
    /// Honour `// fork-lint: allow(..)` comments (`false` with `--no-suppress`).
    pub suppressions: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rules: HashMap::new(),
            knowledge: Knowledge::default(),
            suppressions: true,
        }
    }
}

impl Options {
    /// The setting in force for `rule`.
    pub fn setting(&self, rule: RuleId) -> RuleSetting {
        self.rules.get(&rule).copied().unwrap_or(match rule {
            RuleId::UnknownCall => RuleSetting::Allow,
            _ => RuleSetting::Deny,
        })
    }

    /// Applies the rule settings to a finding's level: `None` when the rule is
    /// allowed, the level capped at warning when it is `Warn`.
    pub fn effective_level(&self, rule: RuleId, level: Level) -> Option<Level> {
        match self.setting(rule) {
            RuleSetting::Allow => None,
            RuleSetting::Warn => Some(level.min(Level::Warning)),
            RuleSetting::Deny => Some(level),
        }
    }
}

/// Everything the engine found in one crate, sorted by file, line, column,
/// rule (deterministic output).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Files that could not be read or parsed; the rest was still checked.
    pub errors: Vec<FileError>,
}

//! Baselines: record today's findings, fail CI only on new ones.
//!
//! `--write-baseline FILE` writes every finding of the run; `--baseline FILE`
//! drops the findings that the file records. A team adopts the lint on an
//! existing code base by committing a baseline and shrinking it over time.
//!
//! # Matching
//!
//! An entry is keyed by the rule, the file (relative to the run's root, `/`
//! separated) and a fingerprint of the trimmed source line of the finding
//! plus its message (with digit runs collapsed, so a message that quotes a
//! line number survives edits). The line number itself is not part of the
//! key: adding or removing lines elsewhere in the file does not invalidate
//! the baseline, while editing the offending line does (the finding is new
//! again, and deserves a new look). Identical keys are counted: a baseline
//! that records two identical findings absorbs two, a third one is new.
//!
//! # Format (**API Boundary**)
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": "fork-lint",
//!   "entries": [
//!     {
//!       "rule": "alloc",
//!       "file": "src/spawn.rs",
//!       "fingerprint": "9f0c1d2e3a4b5c6d",
//!       "count": 1,
//!       "line": 42,
//!       "message": "`format!` allocates"
//!     }
//!   ]
//! }
//! ```
//!
//! `line` and `message` are for the reader; matching uses `rule`, `file` and
//! `fingerprint`. The fingerprint is FNV-1a (64 bit) of
//! `rule NUL trimmed-line NUL normalised-message`, in lowercase hex: it is
//! stable across fork-lint versions and platforms.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Finding;

const VERSION: u32 = 1;

/// A loaded baseline.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// (rule, file, fingerprint) → how many findings it absorbs.
    entries: HashMap<Key, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    rule: String,
    file: String,
    fingerprint: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    tool: Option<String>,
    entries: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    file: String,
    fingerprint: String,
    #[serde(default = "one")]
    count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

fn one() -> u32 {
    1
}

/// A baseline file that cannot be read or parsed.
#[derive(Debug)]
pub struct BaselineError {
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for BaselineError {}

/// Reads source lines of the findings' files, once per file.
#[derive(Default)]
struct Lines {
    files: HashMap<PathBuf, Option<Vec<String>>>,
}

impl Lines {
    fn get(&mut self, file: &Path, root: &Path, line: u32) -> String {
        let path = if file.is_absolute() {
            file.to_path_buf()
        } else {
            root.join(file)
        };
        let lines = self.files.entry(path.clone()).or_insert_with(|| {
            std::fs::read_to_string(&path)
                .ok()
                .map(|t| t.lines().map(str::to_string).collect())
        });
        lines
            .as_ref()
            .and_then(|l| l.get((line as usize).wrapping_sub(1)))
            .map_or_else(String::new, |l| l.trim().to_string())
    }
}

/// `file` relative to `root`, `/`-separated; unchanged (but `/`-separated)
/// when it is not under `root`.
fn relative(file: &Path, root: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::CurDir => {}
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// Collapses each run of ASCII digits to `0`.
fn normalise(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_digits = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        let sep: &[u8] = if i > 0 { b"\0" } else { b"" };
        for &b in sep.iter().chain(p.as_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn key(finding: &Finding, root: &Path, lines: &mut Lines) -> Key {
    let rule = finding.rule.as_str();
    let text = lines.get(&finding.location.file, root, finding.location.line);
    let fingerprint = format!(
        "{:016x}",
        fnv1a(&[rule, &text, &normalise(&finding.message)])
    );
    Key {
        rule: rule.to_string(),
        file: relative(&finding.location.file, root),
        fingerprint,
    }
}

/// Writes `findings` as a baseline; paths are stored relative to `root`.
/// The output is deterministic (entries sorted by file, rule, fingerprint).
pub fn write(path: &Path, findings: &[Finding], root: &Path) -> std::io::Result<()> {
    let mut lines = Lines::default();
    let mut entries: BTreeMap<(String, String, String), Entry> = BTreeMap::new();
    for f in findings {
        let k = key(f, root, &mut lines);
        entries
            .entry((k.file.clone(), k.rule.clone(), k.fingerprint.clone()))
            .and_modify(|e| {
                e.count += 1;
                e.line = e.line.min(Some(f.location.line));
            })
            .or_insert(Entry {
                rule: k.rule,
                file: k.file,
                fingerprint: k.fingerprint,
                count: 1,
                line: Some(f.location.line),
                message: Some(f.message.clone()),
            });
    }
    let file = File {
        version: VERSION,
        tool: Some("fork-lint".to_string()),
        entries: entries.into_values().collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}

/// Loads a baseline written by [`write`].
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let err = |message: String| BaselineError {
        file: path.to_path_buf(),
        message,
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| err(format!("cannot read the baseline: {e}")))?;
    let file: File =
        serde_json::from_str(&text).map_err(|e| err(format!("not a fork-lint baseline: {e}")))?;
    if file.version != VERSION {
        return Err(err(format!(
            "unsupported baseline version {} (this fork-lint writes version {VERSION})",
            file.version
        )));
    }
    let mut entries = HashMap::new();
    for e in file.entries {
        if e.rule.parse::<crate::rules::RuleId>().is_err() {
            return Err(err(format!("unknown rule `{}` in the baseline", e.rule)));
        }
        *entries
            .entry(Key {
                rule: e.rule,
                file: e.file,
                fingerprint: e.fingerprint,
            })
            .or_insert(0) += e.count;
    }
    Ok(Baseline { entries })
}

impl Baseline {
    /// Keeps only the findings that are not in the baseline. Reads the source
    /// line of each finding (relative paths are taken relative to `root`).
    pub fn filter(&self, findings: Vec<Finding>, root: &Path) -> Vec<Finding> {
        if self.entries.is_empty() {
            return findings;
        }
        let mut left = self.entries.clone();
        let mut lines = Lines::default();
        findings
            .into_iter()
            .filter(|f| match left.get_mut(&key(f, root, &mut lines)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect()
    }

    /// Number of findings the baseline absorbs in total.
    pub fn len(&self) -> usize {
        self.entries.values().map(|&n| n as usize).sum()
    }

    /// Whether the baseline absorbs nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

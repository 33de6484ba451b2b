//! Baselines: record today's findings, fail CI only on new ones.
//! (Placeholder signatures; issue 5.)

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::Finding;

/// A loaded baseline.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    _entries: Vec<()>,
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

/// Writes `findings` as a baseline; paths are stored relative to `root`.
pub fn write(path: &Path, findings: &[Finding], root: &Path) -> std::io::Result<()> {
    let _ = (path, findings, root);
    Ok(())
}

/// Loads a baseline written by [`write`].
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let _ = path;
    Ok(Baseline::default())
}

impl Baseline {
    /// Keeps only the findings that are not in the baseline.
    pub fn filter(&self, findings: Vec<Finding>, root: &Path) -> Vec<Finding> {
        let _ = root;
        findings
    }
}

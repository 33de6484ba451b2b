//! Inline suppressions: `// fork-lint: allow(alloc) reason="..."`.
//! (Placeholder signatures; implemented with issue 5.)

use std::path::Path;

use crate::diagnostic::Finding;
use crate::input::Options;

/// One `fork-lint: allow(..)` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub file: std::path::PathBuf,
    pub line: u32,
}

/// Finds the suppression comments in one file's text.
pub fn collect(path: &Path, text: &str) -> Vec<Suppression> {
    let _ = (path, text);
    Vec::new()
}

/// Removes suppressed findings and appends an `unused-suppression` finding for
/// each suppression that matched nothing.
pub fn apply(findings: &mut Vec<Finding>, suppressions: &[Suppression], options: &Options) {
    let _ = (findings, suppressions, options);
}

//! Configuration: `fork-lint.toml`, `[workspace.metadata.fork-lint]`,
//! `[package.metadata.fork-lint]`. (Placeholder signatures; issue 5.)

use std::fmt;
use std::path::{Path, PathBuf};

use crate::input::Options;

/// The configuration in force for a run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Rule settings and extra knowledge, ready for the engine.
    pub options: Options,
    /// Globs (relative to the configuration's folder) of paths not to lint.
    pub exclude: Vec<String>,
    /// The file the configuration came from, if any.
    pub source: Option<PathBuf>,
}

/// A mistake in a configuration file, with the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Finds and loads the configuration for a run rooted at `root` (a folder):
/// `root/fork-lint.toml`, else the `fork-lint` metadata table of
/// `root/Cargo.toml`. No configuration is not an error.
pub fn load(root: &Path) -> Result<Config, ConfigError> {
    let _ = root;
    Ok(Config::default())
}

//! The command-line pipeline shared by `fork-lint` and `cargo fork-lint`:
//! arguments, configuration, the engine run (one crate per rayon task),
//! baseline, printing and the exit code.
//!
//! Exit codes (**API Boundary**): 0 no error-level finding, 1 at least one,
//! 2 the tool's own error (usage, configuration, unreadable path, bad
//! baseline).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::input::CrateSources;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// rustc-style diagnostics with source lines and carets.
    #[default]
    Human,
    /// JSON Lines, one object per finding (see `report::json`).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
}

/// When to colour the human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when the output is a terminal.
    #[default]
    Auto,
    Always,
    Never,
}

/// Options shared by `fork-lint` and `cargo fork-lint`.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to a baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Ignore `// fork-lint: allow(..)` comments.
    #[arg(long)]
    pub no_suppress: bool,
    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
    /// List every rule with its default level and summary, and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Runs the pipeline on already discovered crates: loads the configuration
/// of `root`, drops files its `exclude` globs match, checks every crate in
/// parallel, applies the baseline, prints, and returns the exit code.
pub fn run(common: &CommonArgs, crates: Vec<CrateSources>, root: &Path) -> ExitCode {
    let _ = (common, crates, root);
    ExitCode::from(2)
}

//! fork-lint: finds code that runs in a forked child before `exec`/`_exit`
//! and reports every operation in it that is not async-signal-safe.
//!
//! The library is the engine: sources in, findings out. It reads files only
//! through the caller's [`FileSystem`] (see `ARCHITECTURE.md`).

#[cfg(feature = "cli")]
pub mod baseline;
#[cfg(feature = "cli")]
pub mod cargo_project;
mod child_sites;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod config;
#[cfg(feature = "cli")]
pub mod deps;
pub mod diagnostic;
#[cfg(feature = "cli")]
pub mod discover;
pub mod embedded;
pub mod engine;
mod expansion;
mod external;
mod flow;
mod frees;
mod index;
mod infallible;
pub mod input;
pub mod knowledge;
pub mod macro_rules;
mod prescan;
mod recover;
mod regions;
#[cfg(feature = "cli")]
pub mod report;
mod resolve;
pub mod rules;
pub mod scan;
mod summaries;
pub mod suppress;
#[doc(hidden)]
pub mod syntax;
mod types;

pub use diagnostic::{ChainStep, FileError, Finding, Level, Location};
pub use engine::{check_crate, check_crate_with_deps, check_source};
pub use input::{
    CrateSources, DepCall, DepCrate, DepHazard, Dependencies, FileSystem, MemoryFs, Options,
    RealFs, Report, RuleSetting, SourceFile,
};
pub use rules::{RuleId, RuleMeta};

//! Dependencies, for following child code into their sources (issue 10):
//! the resolved dependency graph from `cargo metadata` ([`graph`]), the
//! on-disk cache of per-package results under the target directory
//! ([`cache`]), and what is kept there: what calling each function of a
//! dependency reaches ([`calls`]); also `cargo metadata`'s answer itself
//! ([`metadata_cache`]), so that a warm run does not resolve again.
//!
//! **Architecture Invariant:** nothing here builds or runs code of the
//! checked project or of its dependencies. The graph comes from `cargo
//! metadata` (no build scripts, no proc macros, no `cargo check`; the
//! project's configured `rustc` and wrappers are overridden, see
//! [`crate::cargo_project::metadata_command`]); sources are only read.

pub mod cache;
pub mod calls;
pub mod graph;
pub mod metadata_cache;

pub use cache::{Cache, CacheKey, CacheStats};
pub use calls::{CallStats, CallStore};
pub use graph::{DepEdge, DepGraph, DepKind, DepPackage, MissingSources, SourceKind};

//! `--deps auto|off`, `--offline`/`--locked`/`--frozen` and
//! `--message-format`: loading the dependency graph for the pipeline, and
//! cargo's output formats.
//!
//! `--deps auto` (the default) resolves the dependency graph with `cargo
//! metadata` when there is a `Cargo.toml` (for `fork-lint PATH`: in the
//! folder checked or a folder above it) and cargo runs. When cargo cannot
//! resolve it (no cargo, no network, a broken manifest), one note says so and
//! the run goes on as with `--deps off`, except under `--locked`/`--frozen`,
//! whose point is to fail: then cargo's error is a tool error (exit 2).
//! `--deps off` checks one crate at a time and never runs cargo for `fork-lint
//! PATH` (`cargo fork-lint` still reads the workspace with `cargo metadata
//! --no-deps`).

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use cargo_metadata::Metadata;

use crate::cargo_project::{self, CargoFlags, Project, ProjectError, Selection, nearest_manifest};
use crate::deps::DepGraph;
use crate::deps::metadata_cache::{self, CacheUse, MetadataRequest};
use crate::input::FileSystem;
use crate::report::cargo_json::Rendered;

/// Whether dependencies are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DepsMode {
    /// Resolve them with `cargo metadata` when a `Cargo.toml` is found and
    /// cargo runs.
    #[default]
    Auto,
    /// One crate at a time; `fork-lint PATH` never runs cargo.
    Off,
}

/// `--message-format`, as cargo spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    /// The human format (`--format human`).
    Human,
    /// One line per finding: `file:line:col: level[rule]: message`.
    Short,
    /// Cargo's JSON messages ([`crate::report::cargo_json`]).
    Json(Rendered),
}

/// Parses cargo's `--message-format` values: `human`, `short`, `json`,
/// `json-diagnostic-short`, `json-diagnostic-rendered-ansi`, comma-separated
/// as cargo allows (`json,json-diagnostic-rendered-ansi`).
pub fn parse_message_format(s: &str) -> Result<MessageFormat, String> {
    let mut json = false;
    let mut plain: Option<MessageFormat> = None;
    let mut rendered = Rendered::Human;
    for part in s.split(',').map(str::trim) {
        match part {
            "human" => plain = Some(MessageFormat::Human),
            "short" => plain = Some(MessageFormat::Short),
            "json" => json = true,
            "json-diagnostic-short" => {
                json = true;
                rendered = Rendered::Short;
            }
            "json-diagnostic-rendered-ansi" => {
                json = true;
                rendered = Rendered::Ansi;
            }
            "json-render-diagnostics" => {
                return Err("`json-render-diagnostics` is not supported (use `json`)".to_string());
            }
            other => {
                return Err(format!(
                    "unknown message format `{other}` (expected human, short, json, json-diagnostic-short or json-diagnostic-rendered-ansi)"
                ));
            }
        }
    }
    match (json, plain) {
        (true, Some(_)) => Err(format!(
            "`{s}`: `human`/`short` cannot be combined with a JSON format"
        )),
        (true, None) => Ok(MessageFormat::Json(rendered)),
        (false, Some(p)) => Ok(p),
        (false, None) => Err("empty message format".to_string()),
    }
}

/// What loading the graph came to.
#[derive(Debug)]
pub enum GraphOutcome {
    /// Loaded (its missing sources are to be reported as notes).
    Loaded(DepGraph),
    /// Not attempted (`--deps off`, no `Cargo.toml`).
    Skipped,
    /// Cargo failed; the run goes on without dependencies. The note to print.
    Unavailable(String),
}

/// Whether a failure of cargo must stop the run: `--locked`/`--frozen` ask
/// for exactly that.
fn strict(flags: &CargoFlags) -> bool {
    flags.locked || flags.frozen
}

/// The graph for `fork-lint PATH`: the nearest `Cargo.toml` at or above
/// `dir`, resolved in its folder (as [`DepGraph::load`] does), through the
/// metadata cache unless `!cache`. `Err` is cargo's error under
/// `--locked`/`--frozen` (exit 2). Also what the cache did, when cargo was
/// asked.
pub fn graph_for_dir(
    mode: DepsMode,
    dir: &Path,
    flags: &CargoFlags,
    cache: bool,
) -> Result<(GraphOutcome, Vec<CacheUse>), ProjectError> {
    if mode == DepsMode::Off {
        return Ok((GraphOutcome::Skipped, Vec::new()));
    }
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let Some(manifest) = nearest_manifest(&dir) else {
        return Ok((GraphOutcome::Skipped, Vec::new()));
    };
    let request = MetadataRequest {
        manifest_path: Some(&manifest),
        with_deps: true,
        flags,
        current_dir: manifest.parent(),
    };
    let (metadata, used) = metadata_cache::cargo_metadata(&request, cache);
    let outcome = match metadata {
        Ok(m) => GraphOutcome::Loaded(DepGraph::from_metadata(&m)),
        Err(e) if strict(flags) => return Err(e),
        Err(e) => GraphOutcome::Unavailable(unavailable_note(&manifest, &e)),
    };
    Ok((outcome, vec![used]))
}

fn unavailable_note(manifest: &Path, e: &ProjectError) -> String {
    format!(
        "dependencies of {} are not followed: {}",
        manifest.display(),
        e.0.trim_end()
    )
}

/// What [`load_cargo`] found.
#[derive(Debug)]
pub struct CargoLoad {
    pub project: Project,
    pub graph: GraphOutcome,
    /// What the metadata cache did for each `cargo metadata` call.
    pub metadata_cache: Vec<CacheUse>,
}

/// `cargo fork-lint`: the selected crates and, with `--deps auto`, the graph,
/// from one `cargo metadata` run (with the resolve; `--no-deps` when that
/// fails without `--locked`/`--frozen`, or with `--deps off`), answered by
/// the metadata cache when it can (unless `!cache`). The note, if any, says
/// why the graph is missing.
pub fn load_cargo(
    selection: &Selection,
    mode: DepsMode,
    flags: &CargoFlags,
    cache: bool,
    fs: &dyn FileSystem,
) -> Result<CargoLoad, ProjectError> {
    cargo_project::check_selection(selection)?;
    let manifest = selection.manifest_path.as_deref();
    let mut used = Vec::new();
    let mut run_metadata = |with_deps: bool| -> Result<Metadata, ProjectError> {
        let request = MetadataRequest {
            manifest_path: manifest,
            with_deps,
            flags,
            current_dir: None,
        };
        let (metadata, cache_use) = metadata_cache::cargo_metadata(&request, cache);
        used.push(cache_use);
        metadata
    };
    let (metadata, outcome) = match mode {
        DepsMode::Off => (run_metadata(false)?, None),
        DepsMode::Auto => match run_metadata(true) {
            Ok(m) => (m, Some(Ok(()))),
            Err(e) if strict(flags) => return Err(e),
            Err(e) => {
                let no_deps = run_metadata(false)?;
                let shown = manifest
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
                (no_deps, Some(Err(unavailable_note(&shown, &e))))
            }
        },
    };
    let project = cargo_project::select(&metadata, selection, fs)?;
    let graph = match outcome {
        None => GraphOutcome::Skipped,
        Some(Ok(())) => GraphOutcome::Loaded(DepGraph::from_metadata(&metadata)),
        Some(Err(note)) => GraphOutcome::Unavailable(note),
    };
    Ok(CargoLoad {
        project,
        graph,
        metadata_cache: used,
    })
}

/// The notes to print for an outcome: why there is no graph, or one per
/// package whose sources are missing. Then the graph, if any.
pub fn notes_and_graph(outcome: GraphOutcome) -> (Vec<String>, Option<DepGraph>) {
    match outcome {
        GraphOutcome::Loaded(g) => (g.missing.iter().map(ToString::to_string).collect(), Some(g)),
        GraphOutcome::Skipped => (Vec::new(), None),
        GraphOutcome::Unavailable(note) => (vec![note], None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_formats() {
        assert_eq!(
            parse_message_format("json"),
            Ok(MessageFormat::Json(Rendered::Human))
        );
        assert_eq!(
            parse_message_format("json-diagnostic-rendered-ansi"),
            Ok(MessageFormat::Json(Rendered::Ansi))
        );
        assert_eq!(
            parse_message_format("json,json-diagnostic-short"),
            Ok(MessageFormat::Json(Rendered::Short))
        );
        assert_eq!(parse_message_format("short"), Ok(MessageFormat::Short));
        assert_eq!(parse_message_format("human"), Ok(MessageFormat::Human));
        assert!(parse_message_format("xml").unwrap_err().contains("`xml`"));
        assert!(parse_message_format("json,short").is_err());
        assert!(parse_message_format("json-render-diagnostics").is_err());
    }

    #[test]
    fn off_and_no_manifest_skip_without_running_cargo() {
        let flags = CargoFlags {
            frozen: true,
            ..CargoFlags::default()
        };
        assert!(matches!(
            graph_for_dir(DepsMode::Off, Path::new("."), &flags, true),
            Ok((GraphOutcome::Skipped, _))
        ));
        // The root of the file system has no Cargo.toml above it.
        let dir = std::env::temp_dir().join(format!("fork-lint-nomanifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        if nearest_manifest(&dir).is_none() {
            assert!(matches!(
                graph_for_dir(DepsMode::Auto, &dir, &flags, true),
                Ok((GraphOutcome::Skipped, _))
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The command-line pipeline shared by `fork-lint` and `cargo fork-lint`:
//! arguments, configuration, the engine run (one crate per rayon task),
//! baseline, printing and the exit code.
//!
//! Exit codes (**API Boundary**): 0 no error-level finding, 1 at least one,
//! 2 the tool's own error (usage, configuration, an unreadable or missing
//! path, a bad baseline, a file that could not be read or parsed, since the
//! check is then incomplete). 2 wins over 1.
//!
//! Tool errors go to stderr, once each, lowercase, naming the offending
//! value; results go to stdout. A closed stdout (`fork-lint | head`) ends the
//! output quietly.

use std::io::{self, IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, ValueEnum};
use rayon::prelude::*;

pub mod dep_sources;
pub mod deps;

use self::deps::{DepsMode, GraphOutcome, MessageFormat};
use crate::cargo_project::{CargoFlags, CrateOrigin};
use crate::config::Config;
use crate::deps::DepGraph;
use crate::deps::metadata_cache::CacheUse;
use crate::diagnostic::{FileError, Finding, Level, Location};
use crate::discover::{self, DiscoverError, Excludes};
use crate::input::{CrateSources, Options, RealFs};
use crate::report::{self, Output, Printer};
use crate::rules::{ALL, RuleId};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// rustc-style diagnostics with source lines and carets.
    #[default]
    Human,
    /// JSON Lines: one object per finding, then a summary line.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
}

/// When to colour the human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when the output is a terminal (and `NO_COLOR` is not set).
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
    /// Cargo's output formats: `json` (cargo's `compiler-message` lines, for
    /// editors: rust-analyzer's `check.overrideCommand`),
    /// `json-diagnostic-short`, `json-diagnostic-rendered-ansi`, `short`
    /// (one line per finding) or `human`. Replaces `--format`.
    #[arg(long, value_name = "FMT", value_parser = deps::parse_message_format, conflicts_with = "format")]
    pub message_format: Option<MessageFormat>,
    /// Resolve dependencies with `cargo metadata` (`auto`: when a
    /// `Cargo.toml` is found and cargo runs) or not (`off`).
    #[arg(long, value_enum, default_value_t = DepsMode::Auto, value_name = "MODE")]
    pub deps: DepsMode,
    /// Neither read nor write the cache (`<target>/fork-lint/cache/`): run
    /// `cargo metadata` and analyse every dependency afresh.
    #[arg(long)]
    pub no_cache: bool,
    /// Print counters of the dependency analysis on stderr (files read,
    /// calls recalled from the cache or analysed, what the metadata cache
    /// did); for tests and benchmarks.
    #[arg(long, hide = true)]
    pub stats: bool,
    /// Passed to cargo: resolve dependencies without network access.
    #[arg(long)]
    pub offline: bool,
    /// Passed to cargo: fail if `Cargo.lock` needs an update.
    #[arg(long)]
    pub locked: bool,
    /// Passed to cargo: `--locked` and `--offline`.
    #[arg(long)]
    pub frozen: bool,
}

impl CommonArgs {
    /// `--offline`, `--locked`, `--frozen`.
    pub fn cargo_flags(&self) -> CargoFlags {
        CargoFlags {
            offline: self.offline,
            locked: self.locked,
            frozen: self.frozen,
        }
    }
}

/// What the pipeline checks, as the binaries found it.
#[derive(Debug, Default)]
pub struct Workspace {
    pub crates: Vec<CrateSources>,
    /// Configuration and relative paths start here.
    pub root: PathBuf,
    /// Where each crate comes from (same order as `crates`), for cargo's JSON
    /// messages; when empty, made up from the crates
    /// ([`report::cargo_json::made_up_origin`]).
    pub origins: Vec<CrateOrigin>,
    /// The dependency graph (`--deps auto`), handed to the engine.
    pub deps: Option<DepGraph>,
    /// What the metadata cache did for each `cargo metadata` call
    /// (`--stats`).
    pub metadata_cache: Vec<CacheUse>,
}

/// `fork-lint [OPTIONS] [PATH...]`.
#[derive(Debug, Parser)]
#[command(
    name = "fork-lint",
    version,
    about = "Finds code that runs in a forked child before exec and is not async-signal-safe",
    after_help = "Exit status: 0 no error-level finding, 1 at least one, 2 usage or I/O error."
)]
pub struct Cli {
    /// Files or folders to check (folders are walked for `*.rs`, honouring
    /// `.gitignore`). Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The `fork-lint` binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    run_paths(&cli.common, &cli.paths)
}

/// Runs the pipeline on command-line paths: loads the configuration of the
/// run root (the single folder given, else the current folder), discovers
/// the crates (honouring the configuration's `exclude`), and checks them.
pub fn run_paths(common: &CommonArgs, paths: &[PathBuf]) -> ExitCode {
    if let Some(code) = info_request(common) {
        return code;
    }
    let root = match paths {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    };
    let config = match crate::config::load(&root) {
        Ok(c) => c,
        Err(e) => return tool_error(&e.to_string()),
    };
    let excludes = match excludes_of(&config, &root) {
        Ok(ex) => ex,
        Err(e) => return tool_error(&e.to_string()),
    };
    let found = discover::discover(paths, &excludes);
    let deps_dir = match paths {
        [one] if one.is_file() => one.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => root.clone(),
    };
    let deps_dir = if deps_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        deps_dir
    };
    let (outcome, metadata_cache) = match deps::graph_for_dir(
        common.deps,
        &deps_dir,
        &common.cargo_flags(),
        !common.no_cache,
    ) {
        Ok(o) => o,
        Err(e) => return tool_error(&e.to_string()),
    };
    let deps = report_graph_notes(outcome);
    // Cargo's JSON messages name each crate's package and target: from the
    // graph when it describes the crate's folder.
    let origins = match &deps {
        Some(graph) if matches!(common.message_format, Some(MessageFormat::Json(_))) => found
            .crates
            .iter()
            .map(|c| {
                let files: Vec<&Path> = c.files.iter().map(|f| f.path.as_path()).collect();
                graph
                    .origin_of(&files)
                    .unwrap_or_else(|| report::cargo_json::made_up_origin(c))
            })
            .collect(),
        _ => Vec::new(),
    };
    let workspace = Workspace {
        crates: found.crates,
        root,
        origins,
        deps,
        metadata_cache,
    };
    pipeline(common, workspace, config, found.errors)
}

/// Prints the graph's notes on stderr (why there is none, or one per package
/// whose sources are missing) and returns the graph.
pub fn report_graph_notes(outcome: GraphOutcome) -> Option<DepGraph> {
    let (notes, graph) = deps::notes_and_graph(outcome);
    for note in notes {
        let _ = writeln!(io::stderr(), "note: {note}");
    }
    graph
}

/// Runs the pipeline on already discovered crates: loads the configuration
/// of `root`, drops files its `exclude` globs match, checks every crate in
/// parallel, applies the baseline, prints, and returns the exit code.
pub fn run(common: &CommonArgs, crates: Vec<CrateSources>, root: &Path) -> ExitCode {
    run_workspace(
        common,
        Workspace {
            crates,
            root: root.to_path_buf(),
            ..Workspace::default()
        },
    )
}

/// [`run`] with crate origins and the dependency graph (`cargo fork-lint`).
pub fn run_workspace(common: &CommonArgs, mut workspace: Workspace) -> ExitCode {
    if let Some(code) = info_request(common) {
        return code;
    }
    let root = workspace.root.clone();
    let config = match crate::config::load(&root) {
        Ok(c) => c,
        Err(e) => return tool_error(&e.to_string()),
    };
    let excludes = match excludes_of(&config, &root) {
        Ok(ex) => ex,
        Err(e) => return tool_error(&e.to_string()),
    };
    // Keep each origin with its crate while the excludes drop files (and
    // crates left without any).
    let origins = std::mem::take(&mut workspace.origins);
    let named: Vec<(CrateSources, Option<CrateOrigin>)> = std::mem::take(&mut workspace.crates)
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c, origins.get(i).cloned()))
        .collect();
    for (krate, origin) in named {
        let kept = excludes.filter_crates(vec![krate]);
        for k in kept {
            workspace.crates.push(k);
            if let Some(o) = &origin {
                workspace.origins.push(o.clone());
            }
        }
    }
    if workspace.origins.len() != workspace.crates.len() {
        workspace.origins.clear();
    }
    pipeline(common, workspace, config, Vec::new())
}

/// `--explain` and `--list-rules`: print and return the exit code.
fn info_request(common: &CommonArgs) -> Option<ExitCode> {
    if let Some(name) = &common.explain {
        return Some(match name.parse::<RuleId>() {
            Ok(id) => {
                let meta = id.meta();
                let text = format!(
                    "# {} ({}, {})\n\n{}\n\n{}",
                    meta.name,
                    meta.summary,
                    match default_level(id) {
                        Some(level) => format!("{level} by default"),
                        None => format!(
                            "off by default: enable it with `{} = \"warn\"` under `[rules]` in fork-lint.toml",
                            meta.name
                        ),
                    },
                    report::rule_docs(meta).trim_end(),
                    "Suppress one finding with `// fork-lint: allow(RULE)` on the line above it."
                        .replace("RULE", meta.name)
                );
                write_stdout(|out| writeln!(out, "{text}"), ExitCode::SUCCESS)
            }
            Err(e) => tool_error(&e.to_string()),
        });
    }
    if common.list_rules {
        let width = ALL.iter().map(|r| r.name.len()).max().unwrap_or(0);
        return Some(write_stdout(
            |out| {
                for r in ALL {
                    let level = default_level(r.id).map_or("allow", Level::as_str);
                    writeln!(out, "{:width$}  {:7}  {}", r.name, level, r.summary)?;
                }
                Ok(())
            },
            ExitCode::SUCCESS,
        ));
    }
    None
}

/// The level a rule reports at without configuration; `None` when it is off.
fn default_level(id: RuleId) -> Option<Level> {
    Options::default().effective_level(id, id.meta().default_level)
}

fn excludes_of(config: &Config, root: &Path) -> Result<Excludes, DiscoverError> {
    // Globs are relative to the configuration's folder.
    let base = config
        .source
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.to_path_buf());
    let base = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    Excludes::new(&base, &config.exclude)
}

/// What the engine found in all crates.
struct Checked {
    findings: Vec<Finding>,
    file_errors: Vec<FileError>,
    files: usize,
    /// Crates the engine could not finish (it panicked).
    internal_errors: Vec<String>,
    /// The dependency analysis's counters (with a graph).
    deps: Option<dep_sources::DepStats>,
}

/// Checks every crate. With the dependency graph (`--deps auto`), a crate
/// the graph knows (its package found by its files) is checked following
/// calls from child code into its dependencies' sources, recalling what
/// earlier runs found there (unless `--no-cache`) and keeping what this run
/// finds.
fn check_all(
    crates: &[CrateSources],
    options: &Options,
    deps: Option<&DepGraph>,
    cache: bool,
) -> Checked {
    let run = deps.map(|graph| dep_sources::DepRun::new(graph, options, cache));
    let package_of = |krate: &CrateSources| -> Option<usize> {
        let graph = deps?;
        let files: Vec<&Path> = krate.files.iter().map(|f| f.path.as_path()).collect();
        let origin = graph.origin_of(&files)?;
        graph.find(&origin.package_id)
    };
    let files: usize = crates.iter().map(|c| c.files.len()).sum();
    // A progress bar only for long scans, and only on a terminal: never in
    // piped or captured output.
    let bar = (files >= 500 && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(crates.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} checking crates {pos}/{len} {wide_bar} {elapsed}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let results: Vec<Result<crate::input::Report, String>> = crates
        .par_iter()
        .map(|krate| {
            let report = catch_unwind(AssertUnwindSafe(|| match (&run, package_of(krate)) {
                (Some(run), Some(pkg)) => {
                    crate::engine::check_crate_with_deps(krate, &RealFs, options, &run.sources(pkg))
                }
                _ => crate::engine::check_crate(krate, &RealFs, options),
            }))
                .map_err(|_| format!("internal error: the engine panicked while checking crate `{}` (please report this bug)", krate.name));
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            report
        })
        .collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut checked = Checked {
        findings: Vec::new(),
        file_errors: Vec::new(),
        files,
        internal_errors: Vec::new(),
        deps: run.as_ref().map(dep_sources::DepRun::finish),
    };
    for r in results {
        match r {
            Ok(report) => {
                checked.findings.extend(report.findings);
                checked.file_errors.extend(report.errors);
            }
            Err(e) => checked.internal_errors.push(e),
        }
    }
    checked.findings.sort_by(finding_order);
    checked.findings.dedup();
    checked.file_errors.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then_with(|| a.message.cmp(&b.message))
    });
    checked.file_errors.dedup();
    checked
}

/// `--stats`: one line on stderr, ending with what the metadata cache did
/// for each `cargo metadata` call.
fn print_stats(deps: Option<dep_sources::DepStats>, metadata_cache: &[CacheUse]) {
    let mut line = match deps {
        None => "stats: dependencies not followed".to_string(),
        Some(d) => format!(
            "stats: dependency module trees walked {}, files read {}; calls recalled {}, analysed {}; cache entries hit {}, missed {}, stale {}, corrupt {}, written {}",
            d.trees_walked,
            d.files_read,
            d.calls.recalled,
            d.calls.analysed,
            d.calls.cache.hits,
            d.calls.cache.misses,
            d.calls.cache.stale,
            d.calls.cache.corrupt,
            d.calls.cache.writes
        ),
    };
    for used in metadata_cache {
        line.push_str(&format!("; metadata cache: {used}"));
    }
    let _ = writeln!(io::stderr(), "{line}");
}

/// File, line, column, rule; then the rest so the order is total.
fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (
        &a.location.file,
        a.location.line,
        a.location.column,
        a.rule,
        &a.message,
        a.location.end_line,
        a.location.end_column,
    )
        .cmp(&(
            &b.location.file,
            b.location.line,
            b.location.column,
            b.rule,
            &b.message,
            b.location.end_line,
            b.location.end_column,
        ))
        .then_with(|| {
            let key = |f: &Finding| {
                (
                    f.chain
                        .iter()
                        .map(|s| (s.label.clone(), s.location.clone()))
                        .collect::<Vec<_>>(),
                    f.help.clone(),
                )
            };
            key(a).cmp(&key(b))
        })
}

fn pipeline(
    common: &CommonArgs,
    workspace: Workspace,
    config: Config,
    discover_errors: Vec<DiscoverError>,
) -> ExitCode {
    let root = workspace.root.as_path();
    let crates = &workspace.crates;
    let output_kind = match common.message_format {
        None | Some(MessageFormat::Human) => OutputKind::Format(common.format),
        Some(MessageFormat::Short) => OutputKind::Short,
        Some(MessageFormat::Json(rendered)) => OutputKind::CargoJson(rendered),
    };
    let base = std::env::current_dir().unwrap_or_default();
    let mut tool_failed = false;
    for e in &discover_errors {
        report_error(&format!(
            "{}: {}",
            report::display_path(&e.path, &base),
            e.message
        ));
        tool_failed = true;
    }
    // Load the baseline before the long part, so a bad one fails fast.
    let baseline = match &common.baseline {
        Some(path) => match crate::baseline::load(path) {
            Ok(b) => Some(b),
            Err(e) => return tool_error(&format!("cannot load baseline: {e}")),
        },
        None => None,
    };
    let mut options = config.options;
    options.suppressions = !common.no_suppress;

    let checked = check_all(crates, &options, workspace.deps.as_ref(), !common.no_cache);
    if common.stats {
        print_stats(checked.deps, &workspace.metadata_cache);
    }
    for e in &checked.internal_errors {
        report_error(e);
        tool_failed = true;
    }
    let mut findings = checked.findings;
    if let Some(path) = &common.write_baseline
        && let Err(e) = crate::baseline::write(path, &findings, root)
    {
        report_error(&format!(
            "cannot write baseline {}: {}",
            path.display(),
            discover::io_message(&e)
        ));
        tool_failed = true;
    }
    if let Some(baseline) = &baseline {
        findings = baseline.filter(findings, root);
        findings.sort_by(finding_order);
    }

    let mut file_errors = checked.file_errors;
    if output_kind.is_machine() {
        // Machine formats carry the discovery errors too (they were also
        // printed on stderr above).
        file_errors.extend(discover_errors.iter().map(|e| FileError {
            location: Location {
                file: e.path.clone(),
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            },
            message: e.message.clone(),
        }));
    }
    let output = Output {
        findings: &findings,
        file_errors: &file_errors,
        files_checked: checked.files,
        base: &base,
        success: !tool_failed,
    };
    let has_errors = findings.iter().any(|f| f.level == Level::Error);
    let code = if tool_failed || !file_errors.is_empty() {
        ExitCode::from(2)
    } else if has_errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };

    let mut printer: Box<dyn Printer> = match output_kind {
        OutputKind::Format(Format::Human) => {
            Box::new(report::human::HumanPrinter::new(stdout_color(common.color)))
        }
        OutputKind::Format(Format::Json) => Box::new(report::json::JsonPrinter),
        OutputKind::Format(Format::Sarif) => Box::new(report::sarif::SarifPrinter::default()),
        OutputKind::Format(Format::Github) => Box::new(report::github::GithubPrinter),
        OutputKind::Short => Box::new(report::cargo_json::ShortPrinter),
        OutputKind::CargoJson(rendered) => {
            let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
            Box::new(report::cargo_json::CargoJsonPrinter::new(
                root,
                report::cargo_json::Origins::new(crates, &workspace.origins),
                rendered,
            ))
        }
    };
    let printed = write_stdout(|out| printer.print(out, &output), code);
    if !output_kind.is_machine() {
        let _ = writeln!(io::stderr(), "{}", report::summary_line(&output));
    }
    printed
}

/// What the run prints: `--format`, or `--message-format` when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputKind {
    Format(Format),
    Short,
    CargoJson(report::cargo_json::Rendered),
}

impl OutputKind {
    /// Formats read by programs (everything but human and short): they carry
    /// discovery errors, and no summary line goes to stderr.
    fn is_machine(self) -> bool {
        !matches!(self, OutputKind::Format(Format::Human) | OutputKind::Short)
    }
}

/// Whether the human output gets colour codes.
fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

/// Writes to a buffered stdout. A broken pipe ends quietly with `code`;
/// any other write error is a tool error.
fn write_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>, code: ExitCode) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Ok(()) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            drop(out);
            tool_error(&format!(
                "cannot write output: {}",
                discover::io_message(&e)
            ))
        }
    }
}

fn report_error(message: &str) {
    let _ = writeln!(io::stderr(), "error: {message}");
}

fn tool_error(message: &str) -> ExitCode {
    report_error(message);
    ExitCode::from(2)
}

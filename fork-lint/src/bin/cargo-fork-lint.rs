//! `cargo fork-lint`: checks the packages of a cargo workspace.
//!
//! Glue only: parses cargo's package-selection flags, asks
//! [`fork_lint::cli::deps::load_cargo`] for the crates and the dependency
//! graph (one `cargo metadata` run, with the resolve unless `--deps off`,
//! or its answer from the metadata cache; it builds and runs nothing), and
//! hands them to the same pipeline as `fork-lint`
//! ([`fork_lint::cli::run_workspace`]): same `--format`, same exit codes (0
//! clean, 1 error-level findings, 2 the tool's own error).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fork_lint::RealFs;
use fork_lint::cargo_project::Selection;
use fork_lint::cli::{self, CommonArgs, Workspace};

/// Checks that code running in a forked child (before exec) is async-signal-safe.
#[derive(Debug, Parser)]
#[command(name = "cargo-fork-lint", bin_name = "cargo fork-lint", version, about)]
struct Args {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package to check (repeatable).
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    package: Vec<String>,
    /// Check every package of the workspace.
    #[arg(long, alias = "all")]
    workspace: bool,
    /// Exclude packages from the check (with --workspace).
    #[arg(long, value_name = "SPEC")]
    exclude: Vec<String>,
    /// Check tests, examples, benches and build scripts too (default: libraries and binaries).
    #[arg(long)]
    all_targets: bool,
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Cargo runs `cargo-fork-lint fork-lint <args>`.
    if argv.get(1).is_some_and(|a| a == "fork-lint") {
        argv.remove(1);
    }
    let args = Args::parse_from(argv);
    if args.common.explain.is_some() || args.common.list_rules {
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        return cli::run(&args.common, Vec::new(), &here);
    }
    let selection = Selection {
        manifest_path: args.manifest_path,
        packages: args.package,
        workspace: args.workspace,
        exclude: args.exclude,
        all_targets: args.all_targets,
    };
    let flags = args.common.cargo_flags();
    let cache = !args.common.no_cache;
    let loaded = match cli::deps::load_cargo(&selection, args.common.deps, &flags, cache, &RealFs) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let project = loaded.project;
    for m in &project.missing {
        eprintln!("warning: {m}");
    }
    let deps = cli::report_graph_notes(loaded.graph);
    cli::run_workspace(
        &args.common,
        Workspace {
            crates: project.crates,
            root: project.root,
            origins: project.origins,
            deps,
            metadata_cache: loaded.metadata_cache,
        },
    )
}

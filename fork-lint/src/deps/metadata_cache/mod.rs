//! The cache of `cargo metadata`'s answer, so that a warm run does not
//! resolve the workspace again (the resolve is most of a warm run's time).
//!
//! **Correct above all:** a stale answer is never used. An entry is used
//! only when everything its answer depends on is as it was when cargo
//! produced it; anything that cannot be checked makes the cache step
//! aside, and cargo runs.
//!
//! # What an answer depends on
//!
//! Before cargo runs (`invocation.rs`): the command (manifest, `--no-deps`,
//! `--offline`/`--locked`/`--frozen`, the folder it runs in), the build of
//! fork-lint, the environment variables that cargo, rustc and rustup read
//! (`CARGO*`, `RUSTC*`, `RUSTFLAGS`, `RUSTUP_*`, `PATH`, `HOME`), the
//! `cargo` and `rustc` programs (found as they would be, not run) and
//! rustup's toolchains and settings, every `.cargo/config{,.toml}` and
//! `rust-toolchain{,.toml}` from the folder cargo runs in and from the
//! manifest's folder up (and in cargo's home), and every `Cargo.toml` cargo
//! looks for above the manifest.
//!
//! From the answer (`project.rs`): `Cargo.lock` (required: without one cargo
//! resolves afresh each time), the manifest, what cargo finds by file name
//! (targets, readme) and the `Cargo.toml` files above every path package,
//! the expansion of the workspace's member patterns, and the presence of
//! every other package's manifest (registry, git and vendored sources are
//! fixed by `Cargo.lock`, as cargo takes them).
//!
//! Files are compared by contents, not by time. Each is a `Probe` (`probe.rs`)
//! kept with what it saw; the entry holds them all. What is known before
//! cargo runs is also looked at again after it ran: a change in between is
//! not stored.
//!
//! # When the cache steps aside
//!
//! `--no-cache`; a configuration file that names another target folder
//! (`build.target-dir`, unless `CARGO_TARGET_DIR` overrides it) or other
//! files (`include`, `paths`) or unstable features, or that does not parse;
//! `CARGO_BUILD_TARGET_DIR` or a `CARGO_UNSTABLE_*` variable; no manifest.
//! An answer is not stored when there is no `Cargo.lock`, when cargo's
//! target folder is not where the entry was looked for (the target folder
//! is guessed before cargo runs: `CARGO_TARGET_DIR`, else `target/` in the
//! workspace root found by walking up for `[workspace]`), or when anything
//! looked at changed while cargo ran or too shortly before for its state to
//! be told apart from what cargo read (the file system's time stamps: see
//! `Watch::changed_since`; like cargo's own rebuild checks, this
//! trusts the file system's clock to agree with this machine's); the next
//! run stores it. Nor when cargo's answer disagrees with the files after it
//! ran (a path package's manifest or a build script it lists is gone).
//! Cargo's home and rustup's are found from `CARGO_HOME`,
//! `RUSTUP_HOME` and `HOME`: without `HOME` (and one of the others) the
//! cache steps aside.
//!
//! # The entry
//!
//! `<target>/fork-lint/cache/cargo-metadata-v1/<hash of the command>.json`,
//! three lines: a JSON header (schema, fork-lint's build, kind, command, a
//! hash of what was known before cargo ran, a hash of the other two
//! lines), the probes with what they saw, and cargo's answer as cargo
//! printed it (so a warm run parses exactly what a cold one parsed).
//! Written atomically (`cache::write_atomic`); any damage is a
//! miss. One entry per command and folder, overwritten when its inputs
//! change: the cache grows with the ways cargo is asked, not with edits.
//! The entry is trusted like the rest of the cache: a forged one can
//! describe another graph (see `fork-lint/CI.md`).

mod invocation;
mod probe;
mod project;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use cargo_metadata::Metadata;
use serde::{Deserialize, Serialize};

use self::invocation::{Invocation, normalize};
use self::probe::{Seen, Watch, first_difference, hash_hex};
use super::cache::write_atomic;
use super::calls::tool_fingerprint;
use crate::cargo_project::{self, CargoFlags, ProjectError};
use crate::report::stable_hash;

/// The cache kind (a folder of its own); bump it when the entry's shape
/// changes.
pub const KIND: &str = "cargo-metadata-v1";
/// The entry's layout.
const SCHEMA: u32 = 1;

/// One `cargo metadata` call.
#[derive(Debug, Clone, Copy)]
pub struct MetadataRequest<'a> {
    /// `--manifest-path` (relative to `current_dir`); `None`: cargo's own
    /// search from `current_dir` up.
    pub manifest_path: Option<&'a Path>,
    /// With the resolve (else `--no-deps`).
    pub with_deps: bool,
    pub flags: &'a CargoFlags,
    /// The folder cargo runs in; `None`: this process's.
    pub current_dir: Option<&'a Path>,
}

/// What the cache did for one call (`--stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// `--no-cache`: cargo ran.
    Off,
    /// The cache cannot be used for this call (why); cargo ran.
    Unusable(String),
    /// The answer came from the cache: cargo did not run.
    Hit,
    /// Cargo ran: why there was no valid entry, and whether the answer was
    /// stored (or why not).
    Miss {
        why: String,
        stored: Result<(), String>,
    },
}

impl fmt::Display for CacheUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheUse::Off => f.write_str("off"),
            CacheUse::Unusable(why) => write!(f, "unusable ({why})"),
            CacheUse::Hit => f.write_str("hit"),
            CacheUse::Miss { why, stored } => {
                write!(f, "miss ({why}), ")?;
                match stored {
                    Ok(()) => f.write_str("stored"),
                    Err(why) => write!(f, "not stored ({why})"),
                }
            }
        }
    }
}

/// `cargo metadata` for `request`: from the cache when a valid entry is
/// there (and `use_cache`), else from cargo, storing the answer.
pub fn cargo_metadata(
    request: &MetadataRequest<'_>,
    use_cache: bool,
) -> (Result<Metadata, ProjectError>, CacheUse) {
    if !use_cache {
        return (run(request), CacheUse::Off);
    }
    let invocation = match invocation::describe(request) {
        Ok(i) => i,
        Err(why) => return (run(request), CacheUse::Unusable(why)),
    };
    let entry = Entry::of(&invocation);
    let why = match entry.load(&invocation) {
        Ok(metadata) => return (Ok(metadata), CacheUse::Hit),
        Err(why) => why,
    };
    let start = SystemTime::now();
    let answer =
        run_json(request).and_then(|json| Ok((cargo_project::parse_metadata(&json)?, json)));
    let (metadata, json) = match answer {
        Ok(a) => a,
        Err(e) => {
            let stored = Err("cargo failed".to_string());
            return (Err(e), CacheUse::Miss { why, stored });
        }
    };
    let stored = entry.store(request, &invocation, &json, &metadata, start);
    (Ok(metadata), CacheUse::Miss { why, stored })
}

fn run_json(request: &MetadataRequest<'_>) -> Result<String, ProjectError> {
    let mut cmd =
        cargo_project::metadata_command(request.manifest_path, request.with_deps, request.flags);
    if let Some(d) = request.current_dir {
        cmd.current_dir(d);
    }
    cargo_project::metadata_json(&cmd)
}

fn run(request: &MetadataRequest<'_>) -> Result<Metadata, ProjectError> {
    cargo_project::parse_metadata(&run_json(request)?)
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    schema: u32,
    fork_lint: String,
    kind: String,
    /// The command ([`Invocation::key`]).
    key: String,
    /// A hash of [`Invocation::seen`].
    fingerprint: String,
    /// A hash of the entry's other two lines.
    body: String,
}

/// Line 2: every probe with what it saw.
#[derive(Debug, Serialize, Deserialize)]
struct Inputs {
    invocation: Vec<Seen>,
    project: Vec<Seen>,
}

/// The entry of one command.
#[derive(Debug)]
struct Entry {
    dir: PathBuf,
    path: PathBuf,
}

const DAMAGED: &str = "damaged entry";

impl Entry {
    fn of(invocation: &Invocation) -> Entry {
        let dir = invocation
            .target_dir
            .join("fork-lint")
            .join("cache")
            .join(KIND);
        let path = dir.join(format!(
            "{:016x}.json",
            stable_hash(&[invocation.key.as_str()])
        ));
        Entry { dir, path }
    }

    /// The stored answer, if everything it depends on is as it was; else
    /// why not.
    fn load(&self, invocation: &Invocation) -> Result<Metadata, String> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err("no entry".to_string());
            }
            Err(_) => return Err(DAMAGED.to_string()),
        };
        let mut lines = text.splitn(3, '\n');
        let (Some(head), Some(inputs_line), Some(json)) =
            (lines.next(), lines.next(), lines.next())
        else {
            return Err(DAMAGED.to_string());
        };
        let json = json.strip_suffix('\n').ok_or(DAMAGED)?;
        let header: Header = serde_json::from_str(head).map_err(|_| DAMAGED)?;
        if header.body != hash_hex(&(inputs_line, json)) {
            return Err(DAMAGED.to_string());
        }
        if (
            header.schema,
            header.fork_lint.as_str(),
            header.kind.as_str(),
        ) != (SCHEMA, tool_fingerprint().as_str(), KIND)
        {
            return Err("written by another build of fork-lint".to_string());
        }
        if header.key != invocation.key {
            return Err("another command's entry".to_string());
        }
        let inputs: Inputs = serde_json::from_str(inputs_line).map_err(|_| DAMAGED)?;
        if header.fingerprint != hash_hex(&invocation.seen) {
            return Err(first_difference(&inputs.invocation, &invocation.seen));
        }
        if let Some(s) = inputs.project.iter().find(|s| !s.holds()) {
            return Err(format!("{} changed", s.probe.describe()));
        }
        let metadata = cargo_project::parse_metadata(json).map_err(|_| DAMAGED)?;
        if !same_dir(
            metadata.target_directory.as_std_path(),
            &invocation.target_dir,
        ) {
            return Err("another target folder".to_string());
        }
        Ok(metadata)
    }

    /// Stores cargo's answer (`json`, parsed: `metadata`) to a call that
    /// started at `start`, unless it cannot be trusted later (see the
    /// module docs); `Err` says why it was not stored.
    fn store(
        &self,
        request: &MetadataRequest<'_>,
        before: &Invocation,
        json: &str,
        metadata: &Metadata,
        start: SystemTime,
    ) -> Result<(), String> {
        let after = invocation::describe(request)?;
        if after.key != before.key || after.seen != before.seen {
            return Err(first_difference(&before.seen, &after.seen) + " while cargo ran");
        }
        let target = metadata.target_directory.as_std_path();
        if !same_dir(target, &before.target_dir) {
            return Err(format!(
                "cargo's target folder is {}, not {}",
                target.display(),
                before.target_dir.display()
            ));
        }
        let (probes, dirs) = project::probes(metadata)?;
        let mut watch = Watch::default();
        let project: Vec<Seen> = probes
            .into_iter()
            .map(|p| Seen::now(p, &mut watch))
            .collect();
        for d in dirs {
            watch.add(d);
        }
        project::agrees(metadata)?;
        if let Some(p) = after
            .watch
            .changed_since(start)
            .or_else(|| watch.changed_since(start))
        {
            return Err(format!("{} changed too recently", p.display()));
        }
        let inputs = Inputs {
            invocation: after.seen,
            project,
        };
        let inputs_line = serde_json::to_string(&inputs).map_err(|e| e.to_string())?;
        let header = Header {
            schema: SCHEMA,
            fork_lint: tool_fingerprint(),
            kind: KIND.to_string(),
            key: before.key.clone(),
            fingerprint: hash_hex(&inputs.invocation),
            body: hash_hex(&(inputs_line.as_str(), json)),
        };
        let mut bytes = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
        for line in [inputs_line.as_str(), json] {
            bytes.push(b'\n');
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes.push(b'\n');
        fs::create_dir_all(&self.dir)
            .and_then(|()| write_atomic(&self.dir, &self.path, &bytes))
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

/// Whether two paths name the same folder: lexically, or once resolved.
fn same_dir(a: &Path, b: &Path) -> bool {
    normalize(a) == normalize(b)
        || matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

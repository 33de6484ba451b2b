//! What calling each function of a dependency reaches in a child (the
//! engine's [`DepCall`]s), kept per package between runs in the on-disk
//! [`Cache`], so that a warm run does not parse the dependencies it already
//! judged.
//!
//! The engine asks through [`Dependencies::recall`](crate::Dependencies)
//! and hands new results to `remember` (the CLI's `DepSources` forwards
//! both here); it never does IO itself. A package's entry is read on the
//! first question about it and written once, at the end of the run
//! ([`CallStore::flush`]), with what the run added.
//!
//! An entry is valid for one [`CacheKey`]: the package id, and a
//! fingerprint of everything a result depends on:
//! - the package's own sources: its id for registry, git and vendored
//!   packages (immutable), plus its files' sizes and modification times for
//!   path packages ([`CacheKey::for_package`]);
//! - the same for every package in its normal-dependency closure, since a
//!   result includes what calls into those reach (a `cargo update`, or an
//!   edit in a path dependency two hops away, invalidates it);
//! - the checker itself ([`tool_fingerprint`]: fork-lint's version and a
//!   hash of the sources it was built from, so a fork-lint built from other
//!   sources starts afresh) and the configuration's `knowledge` entries,
//!   which change verdicts.
//!
//! The stored form ([`StoredCall`]) is a serialisation type of its own, kept
//! apart from the engine's; a value that does not convert back (an unknown
//! rule id) is a miss, as is any entry the cache cannot read.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::cache::{Cache, CacheKey, CacheStats};
use super::graph::{DepGraph, DepKind};
use crate::diagnostic::{ChainStep, Level, Location};
use crate::input::{DepCall, DepHazard, Options};
use crate::report::stable_hash;
use crate::rules::RuleId;

/// The cache kind (and the stored form's version: bump it when
/// [`StoredCall`] changes shape).
pub const KIND: &str = "dep-calls-v1";

/// One package's entry: path inside the package to what calling it reaches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredCalls {
    pub calls: BTreeMap<String, StoredCall>,
}

/// A [`DepCall`] on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCall {
    pub resolved: bool,
    pub hazards: Vec<StoredHazard>,
}

/// A [`DepHazard`] on disk; rule and level by their names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredHazard {
    pub rule: String,
    pub level: String,
    pub op: String,
    pub reason: String,
    pub help: Option<String>,
    pub guessed: bool,
    pub steps: Vec<StoredStep>,
}

/// A [`ChainStep`] on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredStep {
    pub label: String,
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl StoredCall {
    pub fn from_call(call: &DepCall) -> StoredCall {
        StoredCall {
            resolved: call.resolved,
            hazards: call
                .hazards
                .iter()
                .map(|h| StoredHazard {
                    rule: h.rule.as_str().to_string(),
                    level: h.level.as_str().to_string(),
                    op: h.op.clone(),
                    reason: h.reason.clone(),
                    help: h.help.clone(),
                    guessed: h.guessed,
                    steps: h
                        .steps
                        .iter()
                        .map(|s| StoredStep {
                            label: s.label.clone(),
                            file: s.location.file.clone(),
                            line: s.location.line,
                            column: s.location.column,
                            end_line: s.location.end_line,
                            end_column: s.location.end_column,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The engine's value; `None` when a name does not convert back.
    pub fn to_call(&self) -> Option<DepCall> {
        let mut hazards = Vec::with_capacity(self.hazards.len());
        for h in &self.hazards {
            hazards.push(DepHazard {
                rule: RuleId::from_str(&h.rule).ok()?,
                level: level_named(&h.level)?,
                op: h.op.clone(),
                reason: h.reason.clone(),
                help: h.help.clone(),
                guessed: h.guessed,
                steps: h
                    .steps
                    .iter()
                    .map(|s| ChainStep {
                        label: s.label.clone(),
                        location: Location {
                            file: s.file.clone(),
                            line: s.line,
                            column: s.column,
                            end_line: s.end_line,
                            end_column: s.end_column,
                        },
                    })
                    .collect(),
            });
        }
        Some(DepCall {
            resolved: self.resolved,
            hazards,
        })
    }
}

fn level_named(name: &str) -> Option<Level> {
    [Level::Note, Level::Warning, Level::Error]
        .into_iter()
        .find(|l| l.as_str() == name)
}

/// What identifies the checker whose results an entry holds: fork-lint's
/// version and a hash of the sources it was built from (`build.rs`), so
/// that a fork-lint built from other sources starts afresh while
/// `fork-lint` and `cargo-fork-lint` share their entries.
pub fn tool_fingerprint() -> String {
    format!(
        "{}+{}",
        env!("CARGO_PKG_VERSION"),
        env!("FORK_LINT_SOURCE_HASH")
    )
}

/// Counters of one run, for `--stats`, tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Calls answered from an earlier run.
    pub recalled: u64,
    /// Calls analysed in this run (and stored).
    pub analysed: u64,
    /// The package entries' cache counters.
    pub cache: CacheStats,
}

/// One package's entry while the run uses it.
#[derive(Debug)]
struct Package {
    key: CacheKey,
    calls: StoredCalls,
    /// Calls were added since it was read.
    dirty: bool,
}

/// The per-package results of one run, over the on-disk cache. Shared by
/// the crates checked in parallel (`&CallStore` is `Sync`).
#[derive(Debug)]
pub struct CallStore<'g> {
    graph: &'g DepGraph,
    cache: Cache<StoredCalls>,
    /// The tool and configuration part of every key.
    salt: String,
    packages: Mutex<HashMap<usize, Arc<Mutex<Option<Package>>>>>,
    /// Each package's own fingerprint ([`CacheKey::for_package`]), computed
    /// once (path packages walk their folder).
    own: Mutex<HashMap<usize, String>>,
    recalled: AtomicU64,
    analysed: AtomicU64,
}

impl<'g> CallStore<'g> {
    /// The store of `graph`'s packages, under its target directory.
    pub fn new(graph: &'g DepGraph, options: &Options) -> CallStore<'g> {
        CallStore::with_cache(graph, options, Cache::new(&graph.target_directory, KIND))
    }

    /// The store over a given cache (tests).
    pub fn with_cache(
        graph: &'g DepGraph,
        options: &Options,
        cache: Cache<StoredCalls>,
    ) -> CallStore<'g> {
        let knowledge = format!("{:?}", options.knowledge.extra);
        let salt = format!(
            "tool={};knowledge={:016x}",
            tool_fingerprint(),
            stable_hash(&[knowledge.as_str()])
        );
        CallStore {
            graph,
            cache,
            salt,
            packages: Mutex::new(HashMap::new()),
            own: Mutex::new(HashMap::new()),
            recalled: AtomicU64::new(0),
            analysed: AtomicU64::new(0),
        }
    }

    /// The key of package `idx`: its id, and the fingerprints of the
    /// package, its normal-dependency closure and the tool (module docs).
    pub fn key_of(&self, idx: usize) -> Option<CacheKey> {
        let pkg = self.graph.packages.get(idx)?;
        let closure = self.graph.closure(&[idx], &[DepKind::Normal]);
        let mut parts: Vec<String> = Vec::with_capacity(closure.len());
        for i in closure {
            let p = self.graph.packages.get(i)?;
            parts.push(format!("{} {}", p.id, self.own_fingerprint(i)?));
        }
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        Some(CacheKey {
            package_id: pkg.id.clone(),
            fingerprint: format!("{};closure={:016x}", self.salt, stable_hash(&parts)),
        })
    }

    fn own_fingerprint(&self, idx: usize) -> Option<String> {
        if let Ok(own) = self.own.lock()
            && let Some(hit) = own.get(&idx)
        {
            return Some(hit.clone());
        }
        let fp = CacheKey::for_package(self.graph.packages.get(idx)?).fingerprint;
        if let Ok(mut own) = self.own.lock() {
            own.insert(idx, fp.clone());
        }
        Some(fp)
    }

    /// Package `key`'s entry, read from the cache on first use.
    fn package(&self, key: &str) -> Option<Arc<Mutex<Option<Package>>>> {
        let idx = self.graph.find(key)?;
        let slot = {
            let mut packages = self.packages.lock().ok()?;
            packages.entry(idx).or_default().clone()
        };
        {
            let mut p = slot.lock().ok()?;
            if p.is_none() {
                let key = self.key_of(idx)?;
                let calls = self.cache.get(&key).unwrap_or_default();
                *p = Some(Package {
                    key,
                    calls,
                    dirty: false,
                });
            }
        }
        Some(slot)
    }

    /// What an earlier run found calling `path` in package `key`.
    pub fn recall(&self, key: &str, path: &str) -> Option<DepCall> {
        let slot = self.package(key)?;
        let p = slot.lock().ok()?;
        let call = p.as_ref()?.calls.calls.get(path)?.to_call()?;
        self.recalled.fetch_add(1, Ordering::Relaxed);
        Some(call)
    }

    /// Keeps what calling `path` in package `key` reaches, for
    /// [`CallStore::flush`].
    pub fn remember(&self, key: &str, path: &str, call: &DepCall) {
        let Some(slot) = self.package(key) else {
            return;
        };
        let Ok(mut p) = slot.lock() else {
            return;
        };
        if let Some(p) = p.as_mut() {
            p.calls
                .calls
                .insert(path.to_string(), StoredCall::from_call(call));
            p.dirty = true;
            self.analysed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Writes every entry the run added to. A failed write (read-only
    /// target folder) is ignored: the cache is an optimisation.
    pub fn flush(&self) {
        let Ok(packages) = self.packages.lock() else {
            return;
        };
        for slot in packages.values() {
            if let Ok(mut p) = slot.lock()
                && let Some(p) = p.as_mut()
                && p.dirty
            {
                let _ = self.cache.put(&p.key, &p.calls);
                p.dirty = false;
            }
        }
    }

    pub fn stats(&self) -> CallStats {
        CallStats {
            recalled: self.recalled.load(Ordering::Relaxed),
            analysed: self.analysed.load(Ordering::Relaxed),
            cache: self.cache.stats(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> DepCall {
        let at = |line| Location {
            file: PathBuf::from("/deps/dep-1.0/src/lib.rs"),
            line,
            column: 5,
            end_line: line,
            end_column: 26,
        };
        DepCall {
            resolved: true,
            hazards: vec![
                DepHazard {
                    rule: RuleId::LibcUnsafe,
                    level: Level::Error,
                    op: "`libc::getpwuid`".into(),
                    reason: "reads the user database".into(),
                    help: Some("look the user up before fork".into()),
                    guessed: false,
                    steps: vec![
                        ChainStep {
                            label: "calls lookup()".into(),
                            location: at(3),
                        },
                        ChainStep {
                            label: "libc::getpwuid".into(),
                            location: at(9),
                        },
                    ],
                },
                DepHazard {
                    rule: RuleId::Lock,
                    level: Level::Warning,
                    op: "`.lock()`".into(),
                    reason: "takes a lock".into(),
                    help: None,
                    guessed: true,
                    steps: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn calls_round_trip_through_json() {
        let stored = StoredCalls {
            calls: [("lookup".to_string(), StoredCall::from_call(&call()))].into(),
        };
        let text = serde_json::to_string(&stored).unwrap();
        let back: StoredCalls = serde_json::from_str(&text).unwrap();
        assert_eq!(back, stored);
        assert_eq!(back.calls["lookup"].to_call(), Some(call()));
        let unresolved = DepCall::default();
        assert_eq!(
            StoredCall::from_call(&unresolved).to_call(),
            Some(unresolved)
        );
    }

    #[test]
    fn unknown_names_do_not_convert_back() {
        let mut stored = StoredCall::from_call(&call());
        stored.hazards[1].rule = "no-such-rule".into();
        assert_eq!(stored.to_call(), None);
        let mut stored = StoredCall::from_call(&call());
        stored.hazards[0].level = "fatal".into();
        assert_eq!(stored.to_call(), None);
    }

    #[test]
    fn the_tool_fingerprint_names_version_and_sources() {
        let fp = tool_fingerprint();
        let (version, hash) = fp.split_once('+').unwrap();
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        assert_eq!(hash.len(), 16);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

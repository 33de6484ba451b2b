//! The CLI's answer to the engine's [`Dependencies`]: packages from the
//! `cargo metadata` graph, their module trees walked from the library root
//! on first use (memoised, shared by the crates checked in parallel), files
//! read from disk, and what earlier runs found kept in the on-disk cache
//! ([`CallStore`]). Proc-macro packages are not followed: their code runs in
//! the compiler, never in the child.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::deps::{CallStats, CallStore, DepGraph};
use crate::input::{CrateSources, DepCall, DepCrate, Dependencies, FileSystem, Options, RealFs};

/// What the crates of one run share about their dependencies.
#[derive(Debug)]
pub struct DepRun<'g> {
    graph: &'g DepGraph,
    trees: Mutex<HashMap<usize, Option<CrateSources>>>,
    store: Option<CallStore<'g>>,
    trees_walked: AtomicU64,
    files_read: AtomicU64,
}

/// Counters of one run (`--stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DepStats {
    /// Dependencies whose module tree was walked (their files listed).
    pub trees_walked: u64,
    /// Files of dependencies the engine read (and so, at most, parsed).
    pub files_read: u64,
    /// The cache's counters (all zero without a cache).
    pub calls: CallStats,
}

impl<'g> DepRun<'g> {
    /// With `cache`, results are recalled from and kept in the on-disk cache
    /// under the graph's target directory.
    pub fn new(graph: &'g DepGraph, options: &Options, cache: bool) -> DepRun<'g> {
        DepRun {
            graph,
            trees: Mutex::new(HashMap::new()),
            store: cache.then(|| CallStore::new(graph, options)),
            trees_walked: AtomicU64::new(0),
            files_read: AtomicU64::new(0),
        }
    }

    /// The dependencies of the crate of package `from` (index in the graph).
    pub fn sources(&self, from: usize) -> DepSources<'_, 'g> {
        DepSources { run: self, from }
    }

    /// Writes what the run found to the cache.
    pub fn finish(&self) -> DepStats {
        if let Some(store) = &self.store {
            store.flush();
        }
        DepStats {
            trees_walked: self.trees_walked.load(Ordering::Relaxed),
            files_read: self.files_read.load(Ordering::Relaxed),
            calls: self
                .store
                .as_ref()
                .map(CallStore::stats)
                .unwrap_or_default(),
        }
    }
}

/// Dependencies of one checked crate (package `from`).
#[derive(Debug, Clone, Copy)]
pub struct DepSources<'r, 'g> {
    run: &'r DepRun<'g>,
    from: usize,
}

impl Dependencies for DepSources<'_, '_> {
    fn resolve(&self, from: Option<&str>, name: &str) -> Option<DepCrate> {
        let graph = self.run.graph;
        let from = match from {
            None => self.from,
            Some(key) => graph.find(key)?,
        };
        let to = graph.extern_crate(from, name)?;
        let pkg = graph.packages.get(to)?;
        // A crate's own library is the crate itself, not a dependency.
        if to == from || pkg.proc_macro || pkg.lib_root.as_ref().is_none_or(|r| !r.is_file()) {
            return None;
        }
        Some(DepCrate {
            key: pkg.id.clone(),
            label: format!("{}-{}", pkg.name, pkg.version),
        })
    }

    fn sources(&self, key: &str) -> Option<CrateSources> {
        let graph = self.run.graph;
        let idx = graph.find(key)?;
        if let Ok(trees) = self.run.trees.lock()
            && let Some(hit) = trees.get(&idx)
        {
            return hit.clone();
        }
        let pkg = graph.packages.get(idx)?;
        let tree = pkg.lib_root.as_ref().map(|root| {
            self.run.trees_walked.fetch_add(1, Ordering::Relaxed);
            let tree = crate::cargo_project::module_tree(root, &RealFs);
            CrateSources {
                name: pkg
                    .lib_name
                    .clone()
                    .unwrap_or_else(|| pkg.name.replace('-', "_")),
                files: tree.files,
            }
        });
        if let Ok(mut trees) = self.run.trees.lock() {
            trees.insert(idx, tree.clone());
        }
        tree
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        self.run.files_read.fetch_add(1, Ordering::Relaxed);
        RealFs.read(path)
    }

    fn recall(&self, key: &str, path: &str) -> Option<DepCall> {
        self.run.store.as_ref()?.recall(key, path)
    }

    fn remember(&self, key: &str, path: &str, call: &DepCall) {
        if let Some(store) = &self.run.store {
            store.remember(key, path, call);
        }
    }
}

//! The CLI's answer to the engine's [`Dependencies`]: packages from the
//! `cargo metadata` graph, their module trees walked from the library root
//! on first use (memoised, shared by the crates checked in parallel), files
//! read from disk. Proc-macro packages are not followed: their code runs in
//! the compiler, never in the child.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Mutex;

use crate::deps::DepGraph;
use crate::input::{CrateSources, DepCrate, Dependencies, FileSystem, RealFs};

/// Dependencies of one checked crate (package `from`).
#[derive(Debug)]
pub struct DepSources<'g> {
    graph: &'g DepGraph,
    from: usize,
    trees: &'g Mutex<HashMap<usize, Option<CrateSources>>>,
}

impl<'g> DepSources<'g> {
    pub fn new(
        graph: &'g DepGraph,
        from: usize,
        trees: &'g Mutex<HashMap<usize, Option<CrateSources>>>,
    ) -> Self {
        DepSources { graph, from, trees }
    }
}

impl Dependencies for DepSources<'_> {
    fn resolve(&self, from: Option<&str>, name: &str) -> Option<DepCrate> {
        let from = match from {
            None => self.from,
            Some(key) => self.graph.find(key)?,
        };
        let to = self.graph.extern_crate(from, name)?;
        let pkg = self.graph.packages.get(to)?;
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
        let idx = self.graph.find(key)?;
        if let Ok(trees) = self.trees.lock()
            && let Some(hit) = trees.get(&idx)
        {
            return hit.clone();
        }
        let pkg = self.graph.packages.get(idx)?;
        let tree = pkg.lib_root.as_ref().map(|root| {
            let tree = crate::cargo_project::module_tree(root, &RealFs);
            CrateSources {
                name: pkg
                    .lib_name
                    .clone()
                    .unwrap_or_else(|| pkg.name.replace('-', "_")),
                files: tree.files,
            }
        });
        if let Ok(mut trees) = self.trees.lock() {
            trees.insert(idx, tree.clone());
        }
        tree
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        RealFs.read(path)
    }
}

//! The resolved dependency graph of a cargo workspace, from `cargo metadata
//! --format-version 1` **with** the resolve (no `--no-deps`).
//!
//! For every package: its id, name, version, edition, library root file,
//! where its sources come from ([`SourceKind`]), its folder, the features
//! the resolve enables, whether it is a workspace member, and its dependency
//! edges named as code names them (the extern crate name: a renamed
//! dependency `foo = { package = "bar" }` is `foo`, hyphens become
//! underscores). [`DepGraph::extern_crate`] answers "what is `foo::` in
//! package P".
//!
//! Cargo decides what the resolve needs: it may update the index or download
//! packages, as `cargo check` would, unless `--offline`/`--frozen` forbids
//! it ([`CargoFlags`]). fork-lint adds no network access of its own. Cargo
//! does not run build scripts or proc macros for `cargo metadata`; the
//! project's `rustc` and wrappers are overridden (see
//! [`crate::cargo_project::metadata_command`]).
//!
//! A package whose library sources are not on disk (a deleted vendor folder,
//! a path dependency with no `src/lib.rs`) is listed once in
//! [`DepGraph::missing`]; the rest of the graph is usable.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind, Metadata, Package, TargetKind};

use crate::cargo_project::{
    CargoFlags, CrateOrigin, ProjectError, TargetInfo, error_chain, metadata_command,
};

/// Where a package's sources come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A registry (crates.io or another), unpacked in cargo's registry cache.
    /// `index` is the source id (`registry+https://..`, `sparse+https://..`).
    Registry { index: String },
    /// A git checkout; `rev` is the commit cargo locked (after `#`).
    Git { url: String, rev: String },
    /// A registry or git package whose sources cargo takes from a folder
    /// through source replacement (`cargo vendor`, a directory source): the
    /// folder holds a `.cargo-checksum.json`. `original` is the source id
    /// cargo reports (the replaced one).
    Vendored { original: String },
    /// A path dependency or a workspace member: sources that can change.
    Path,
    /// A source id fork-lint does not know.
    Other(String),
}

impl SourceKind {
    /// Classifies `cargo metadata`'s `source` of a package in `manifest_dir`.
    pub fn classify(source: Option<&str>, manifest_dir: &Path) -> SourceKind {
        let Some(repr) = source else {
            return SourceKind::Path;
        };
        let vendored = manifest_dir.join(".cargo-checksum.json").is_file();
        if repr.starts_with("registry+")
            || repr.starts_with("sparse+")
            || repr.starts_with("git+")
            || repr.starts_with("directory+")
            || repr.starts_with("local-registry+")
        {
            if vendored || repr.starts_with("directory+") {
                return SourceKind::Vendored {
                    original: repr.to_string(),
                };
            }
            if let Some(git) = repr.strip_prefix("git+") {
                let (url, rev) = git.split_once('#').unwrap_or((git, ""));
                return SourceKind::Git {
                    url: url.to_string(),
                    rev: rev.to_string(),
                };
            }
            return SourceKind::Registry {
                index: repr.to_string(),
            };
        }
        SourceKind::Other(repr.to_string())
    }

    /// Whether the package id alone identifies the sources: registry
    /// packages are immutable per version, git packages per locked commit,
    /// vendored ones are checksummed (cargo refuses edited files). Path
    /// packages (and unknown sources) can change under the same id.
    pub fn is_immutable(&self) -> bool {
        matches!(
            self,
            SourceKind::Registry { .. } | SourceKind::Git { .. } | SourceKind::Vendored { .. }
        )
    }

    /// `registry`, `git`, `vendored`, `path` or `other`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceKind::Registry { .. } => "registry",
            SourceKind::Git { .. } => "git",
            SourceKind::Vendored { .. } => "vendored",
            SourceKind::Path => "path",
            SourceKind::Other(_) => "other",
        }
    }
}

/// The kind of a dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepKind {
    /// `[dependencies]`: code that can run in the package's child regions.
    Normal,
    /// `[dev-dependencies]`: tests, examples, benches.
    Dev,
    /// `[build-dependencies]`: the build script only.
    Build,
}

/// One dependency of a package, as the package's code names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepEdge {
    /// The name used in code (`foo::f()`): the rename if any, hyphens as
    /// underscores.
    pub extern_name: String,
    /// The index of the dependency in [`DepGraph::packages`].
    pub package: usize,
    /// Each kind the dependency is declared as, with its platform
    /// (`cfg(unix)`, a target triple) when it is platform-specific.
    pub kinds: Vec<(DepKind, Option<String>)>,
}

impl DepEdge {
    /// Whether the edge is declared with `kind` (on any platform).
    pub fn is(&self, kind: DepKind) -> bool {
        self.kinds.iter().any(|(k, _)| *k == kind)
    }
}

/// One package of the resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepPackage {
    /// Cargo's package id (opaque; unique in the graph).
    pub id: String,
    pub name: String,
    pub version: String,
    /// The library target's edition (the package's when it has no library).
    pub edition: String,
    /// The library target's crate name (`my_dep` for package `my-dep`, or
    /// `[lib] name`), `None` when the package has no library.
    pub lib_name: Option<String>,
    /// The library target's root file, `None` when the package has no
    /// library. It may not exist (see [`DepGraph::missing`]).
    pub lib_root: Option<PathBuf>,
    /// Whether the library is a proc macro (runs in the compiler, never in
    /// the program).
    pub proc_macro: bool,
    pub source: SourceKind,
    /// The folder of the package's `Cargo.toml`.
    pub manifest_dir: PathBuf,
    /// Features the resolve enables, sorted.
    pub features: Vec<String>,
    /// Whether the package is a workspace member.
    pub is_member: bool,
    /// Dependencies, sorted by extern name.
    pub deps: Vec<DepEdge>,
    /// Every target (lib, bins, tests, ...), as `cargo metadata` lists them.
    pub targets: Vec<TargetInfo>,
}

impl DepPackage {
    /// `name version`, as cargo prints a package.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// A package whose library sources are not on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSources {
    pub package: usize,
    /// `name version`.
    pub name: String,
    /// The library root that is not there.
    pub path: PathBuf,
}

impl fmt::Display for MissingSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sources of dependency `{}` not found at {}: calls into it are not followed",
            self.name,
            self.path.display()
        )
    }
}

/// The resolved dependency graph of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepGraph {
    pub workspace_root: PathBuf,
    /// Cargo's target directory (the on-disk cache lives in
    /// `<target_directory>/fork-lint/`).
    pub target_directory: PathBuf,
    /// Every package of the resolve, sorted by id.
    pub packages: Vec<DepPackage>,
    /// Packages whose library sources are missing, one entry each.
    pub missing: Vec<MissingSources>,
    by_id: HashMap<String, usize>,
}

impl DepGraph {
    /// Runs `cargo metadata` with the resolve for `manifest_path` and builds
    /// the graph. Cargo runs in the manifest's folder, so the project's own
    /// `.cargo/config.toml` applies (source replacement: vendored sources),
    /// as when the user runs cargo there. Without a manifest: cargo's own
    /// search from the current folder.
    pub fn load(
        manifest_path: Option<&Path>,
        flags: &CargoFlags,
    ) -> Result<DepGraph, ProjectError> {
        // Absolute, since cargo runs in another folder.
        let manifest_path =
            manifest_path.map(|m| std::path::absolute(m).unwrap_or_else(|_| m.to_path_buf()));
        let manifest_path = manifest_path.as_deref();
        let mut cmd = metadata_command(manifest_path, true, flags);
        if let Some(dir) = manifest_path
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
        {
            cmd.current_dir(dir);
        }
        let metadata = cmd
            .exec()
            .map_err(|e| ProjectError(format!("cargo metadata failed: {}", error_chain(&e))))?;
        Ok(DepGraph::from_metadata(&metadata))
    }

    /// Builds the graph from metadata. Metadata obtained with `--no-deps`
    /// has no resolve: the graph then has the members only, without edges.
    pub fn from_metadata(metadata: &Metadata) -> DepGraph {
        let mut ids: Vec<&Package> = metadata.packages.iter().collect();
        ids.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id: HashMap<String, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.repr.clone(), i))
            .collect();
        let nodes: HashMap<&str, &cargo_metadata::Node> = metadata
            .resolve
            .iter()
            .flat_map(|r| r.nodes.iter())
            .map(|n| (n.id.repr.as_str(), n))
            .collect();
        let mut packages = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for (index, p) in ids.iter().enumerate() {
            let manifest_dir = p
                .manifest_path
                .parent()
                .map(|d| d.as_std_path().to_path_buf())
                .unwrap_or_default();
            let lib = p.targets.iter().find(|t| {
                t.kind.iter().any(|k| {
                    matches!(
                        k,
                        TargetKind::Lib
                            | TargetKind::RLib
                            | TargetKind::DyLib
                            | TargetKind::ProcMacro
                    )
                })
            });
            let is_member = metadata.workspace_members.contains(&p.id);
            let node = nodes.get(p.id.repr.as_str());
            let mut features: Vec<String> = node
                .map(|n| n.features.iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            features.sort();
            let mut deps: Vec<DepEdge> = node
                .map(|n| {
                    n.deps
                        .iter()
                        .filter_map(|d| {
                            let package = *by_id.get(&d.pkg.repr)?;
                            let extern_name = if d.name.is_empty() {
                                // -Zbindeps leaves the name empty: the
                                // dependency's own library name.
                                lib_name_of(ids[package])?
                            } else {
                                d.name.replace('-', "_")
                            };
                            let kinds = d
                                .dep_kinds
                                .iter()
                                .map(|k| {
                                    let kind = match k.kind {
                                        DependencyKind::Development => DepKind::Dev,
                                        DependencyKind::Build => DepKind::Build,
                                        _ => DepKind::Normal,
                                    };
                                    (kind, k.target.as_ref().map(ToString::to_string))
                                })
                                .collect();
                            Some(DepEdge {
                                extern_name,
                                package,
                                kinds,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            deps.sort_by(|a, b| a.extern_name.cmp(&b.extern_name));
            let lib_root = lib.map(|t| t.src_path.as_std_path().to_path_buf());
            if let Some(root) = &lib_root
                && !is_member
                && !root.is_file()
            {
                missing.push(MissingSources {
                    package: index,
                    name: format!("{} {}", p.name, p.version),
                    path: root.clone(),
                });
            }
            packages.push(DepPackage {
                id: p.id.repr.clone(),
                name: p.name.to_string(),
                version: p.version.to_string(),
                edition: lib
                    .map(|t| t.edition.as_str())
                    .unwrap_or(p.edition.as_str())
                    .to_string(),
                lib_name: lib.map(|t| t.name.replace('-', "_")),
                lib_root,
                proc_macro: lib.is_some_and(|t| t.kind.contains(&TargetKind::ProcMacro)),
                source: SourceKind::classify(
                    p.source.as_ref().map(|s| s.repr.as_str()),
                    &manifest_dir,
                ),
                manifest_dir,
                features,
                is_member,
                deps,
                targets: p.targets.iter().map(TargetInfo::of).collect(),
            });
        }
        DepGraph {
            workspace_root: metadata.workspace_root.clone().into_std_path_buf(),
            target_directory: metadata.target_directory.clone().into_std_path_buf(),
            packages,
            missing,
            by_id,
        }
    }

    /// The index of the package with cargo id `id`.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The packages named `name` (several versions may be in the graph).
    pub fn by_name<'a>(&'a self, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.packages
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.name == name)
            .map(|(i, _)| i)
    }

    /// The workspace members' indices.
    pub fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_member)
            .map(|(i, _)| i)
    }

    /// The member whose manifest folder is `dir` (compared after
    /// canonicalisation when both exist).
    pub fn member_at(&self, dir: &Path) -> Option<usize> {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let dir = canon(dir);
        self.members()
            .find(|&i| canon(&self.packages[i].manifest_dir) == dir)
    }

    /// The package and target of a crate of `fork-lint PATH` (its files):
    /// the workspace member or path package whose folder holds the first
    /// file (the innermost one), and its target whose root file is among the
    /// files, else its library, else its first target.
    pub fn origin_of(&self, files: &[&Path]) -> Option<CrateOrigin> {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let first = canon(files.first()?);
        let package = self
            .packages
            .iter()
            .filter(|p| p.source == SourceKind::Path && first.starts_with(canon(&p.manifest_dir)))
            .max_by_key(|p| p.manifest_dir.components().count())?;
        let files: Vec<PathBuf> = files.iter().map(|f| canon(f)).collect();
        let target = package
            .targets
            .iter()
            .find(|t| files.contains(&canon(&t.src_path)))
            .or_else(|| {
                package
                    .targets
                    .iter()
                    .find(|t| t.kind.iter().any(|k| k == "lib"))
            })
            .or_else(|| package.targets.first())?;
        Some(CrateOrigin {
            package_id: package.id.clone(),
            manifest_path: package.manifest_dir.join("Cargo.toml"),
            target: target.clone(),
        })
    }

    /// What `name::` means in code of package `from`: the dependency with
    /// that extern name (any kind), or the package's own library (a binary
    /// or test names its own library by crate name).
    pub fn extern_crate(&self, from: usize, name: &str) -> Option<usize> {
        let p = self.packages.get(from)?;
        let name = name.strip_prefix("r#").unwrap_or(name);
        if let Some(edge) = p.deps.iter().find(|e| e.extern_name == name) {
            return Some(edge.package);
        }
        (p.lib_name.as_deref() == Some(name)).then_some(from)
    }

    /// Every package reachable from `roots` through edges of the given
    /// kinds (the roots included), sorted by index.
    pub fn closure(&self, roots: &[usize], kinds: &[DepKind]) -> Vec<usize> {
        let mut seen = vec![false; self.packages.len()];
        let mut stack: Vec<usize> = roots.iter().copied().filter(|&i| i < seen.len()).collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            for e in &self.packages[i].deps {
                if kinds.iter().any(|&k| e.is(k)) && !seen[e.package] {
                    stack.push(e.package);
                }
            }
        }
        seen.iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| i)
            .collect()
    }
}

fn lib_name_of(p: &Package) -> Option<String> {
    p.targets
        .iter()
        .find(|t| {
            t.kind.iter().any(|k| {
                matches!(
                    k,
                    TargetKind::Lib | TargetKind::RLib | TargetKind::ProcMacro
                )
            })
        })
        .map(|t| t.name.replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources() {
        let nowhere = Path::new("/nonexistent/fork-lint/pkg");
        assert_eq!(SourceKind::classify(None, nowhere), SourceKind::Path);
        assert_eq!(
            SourceKind::classify(
                Some("registry+https://github.com/rust-lang/crates.io-index"),
                nowhere
            )
            .as_str(),
            "registry"
        );
        assert_eq!(
            SourceKind::classify(Some("sparse+https://index.crates.io/"), nowhere).as_str(),
            "registry"
        );
        assert_eq!(
            SourceKind::classify(Some("git+https://example.invalid/x.git#0123abcd"), nowhere),
            SourceKind::Git {
                url: "https://example.invalid/x.git".into(),
                rev: "0123abcd".into()
            }
        );
        assert_eq!(
            SourceKind::classify(Some("hg+whatever"), nowhere).as_str(),
            "other"
        );
        let dir = std::env::temp_dir().join(format!("fork-lint-classify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".cargo-checksum.json"), "{}").unwrap();
        assert_eq!(
            SourceKind::classify(
                Some("registry+https://github.com/rust-lang/crates.io-index"),
                &dir
            )
            .as_str(),
            "vendored"
        );
        let _ = std::fs::remove_dir_all(&dir);
        assert!(SourceKind::Path.is_immutable().eq(&false));
        assert!(
            SourceKind::Vendored {
                original: String::new()
            }
            .is_immutable()
        );
    }

    /// A hand-written `cargo metadata` document: a member with a renamed
    /// dependency, a build dependency and a platform-specific one.
    fn metadata() -> Metadata {
        let target = |name: &str, kind: &str, path: &str| {
            serde_json::json!({"name": name, "kind": [kind], "crate_types": [kind],
                "src_path": path, "edition": "2021", "doctest": true, "test": true, "doc": true})
        };
        let package = |name: &str,
                       id: &str,
                       source: serde_json::Value,
                       dir: &str,
                       targets: Vec<serde_json::Value>| {
            serde_json::json!({"name": name, "version": "1.0.0", "id": id, "source": source,
                "dependencies": [], "targets": targets, "features": {},
                "manifest_path": format!("{dir}/Cargo.toml"), "edition": "2018"})
        };
        let reg = "registry+https://github.com/rust-lang/crates.io-index";
        let doc = serde_json::json!({
            "packages": [
                package("app", "path+file:///w/app#1.0.0", serde_json::Value::Null, "/w/app",
                    vec![target("app", "bin", "/w/app/src/main.rs")]),
                package("real-name", "reg#real-name@1.0.0", reg.into(), "/nonexistent/real-name",
                    vec![target("real_name", "lib", "/nonexistent/real-name/src/lib.rs")]),
                package("cc", "reg#cc@1.0.0", reg.into(), "/nonexistent/cc",
                    vec![target("cc", "lib", "/nonexistent/cc/src/lib.rs")]),
            ],
            "workspace_members": ["path+file:///w/app#1.0.0"],
            "workspace_default_members": ["path+file:///w/app#1.0.0"],
            "resolve": {"root": null, "nodes": [
                {"id": "path+file:///w/app#1.0.0", "dependencies": [], "features": [], "deps": [
                    {"name": "my_alias", "pkg": "reg#real-name@1.0.0",
                     "dep_kinds": [{"kind": null, "target": "cfg(unix)"}, {"kind": "dev", "target": null}]},
                    {"name": "cc", "pkg": "reg#cc@1.0.0", "dep_kinds": [{"kind": "build", "target": null}]}
                ]},
                {"id": "reg#real-name@1.0.0", "dependencies": [], "deps": [], "features": ["std", "default"]},
                {"id": "reg#cc@1.0.0", "dependencies": [], "deps": [], "features": []}
            ]},
            "workspace_root": "/w", "target_directory": "/w/target", "version": 1
        });
        serde_json::from_value(doc).unwrap()
    }

    #[test]
    fn edges_features_members_and_missing_sources() {
        let g = DepGraph::from_metadata(&metadata());
        let app = g.find("path+file:///w/app#1.0.0").unwrap();
        let real = g.by_name("real-name").next().unwrap();
        let cc = g.by_name("cc").next().unwrap();
        assert!(g.packages[app].is_member && !g.packages[real].is_member);
        assert_eq!(g.members().collect::<Vec<_>>(), [app]);
        assert_eq!(g.packages[real].features, ["default", "std"]);
        assert_eq!(g.packages[real].edition, "2021");
        assert_eq!(g.packages[real].lib_name.as_deref(), Some("real_name"));
        assert_eq!(g.packages[app].lib_name, None);
        // Renamed: code says `my_alias::`, never `real_name::`.
        assert_eq!(g.extern_crate(app, "my_alias"), Some(real));
        assert_eq!(g.extern_crate(app, "real_name"), None);
        let edge = &g.packages[app].deps[1];
        assert_eq!(edge.extern_name, "my_alias");
        assert_eq!(
            edge.kinds,
            [
                (DepKind::Normal, Some("cfg(unix)".to_string())),
                (DepKind::Dev, None)
            ]
        );
        assert_eq!(g.closure(&[app], &[DepKind::Normal]), {
            let mut v = vec![app, real];
            v.sort();
            v
        });
        assert_eq!(g.closure(&[app], &[DepKind::Build]).len(), 2);
        assert!(g.closure(&[app], &[DepKind::Build]).contains(&cc));
        // Both registry packages point at folders that do not exist: one
        // note each, the member (a bin without library) none.
        let mut missing: Vec<&str> = g.missing.iter().map(|m| m.name.as_str()).collect();
        missing.sort();
        assert_eq!(missing, ["cc 1.0.0", "real-name 1.0.0"]);
        assert!(
            g.missing[0]
                .to_string()
                .contains("calls into it are not followed")
        );
        assert_eq!(g.target_directory, PathBuf::from("/w/target"));
    }

    #[test]
    fn no_resolve_means_no_edges() {
        let mut m = metadata();
        m.resolve = None;
        let g = DepGraph::from_metadata(&m);
        assert!(g.packages.iter().all(|p| p.deps.is_empty()));
        assert_eq!(g.packages.len(), 3);
    }
}

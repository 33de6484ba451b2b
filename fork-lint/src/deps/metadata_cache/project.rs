//! What a `cargo metadata` answer depends on that only the answer itself
//! names: the workspace's `Cargo.lock`, and for every *path* package
//! (workspace members, path dependencies, path patches) its manifest, what
//! cargo discovers in its folder by file name (targets, the readme), the `Cargo.toml` files above it
//! (the workspace root cargo finds, and the one whose `[workspace]` fields
//! a manifest inherits), plus the expansion of the workspace's member
//! patterns and the presence of every other package's sources.
//!
//! Registry, git and vendored packages need no more than that presence:
//! their contents are fixed by `Cargo.lock` (a version, a locked commit, a
//! checksummed folder).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use cargo_metadata::Metadata;

use super::invocation::normalize;
use super::probe::Probe;

/// The probes of `metadata`, and the folders to watch besides what they
/// look at (see [`Watch`](super::probe::Watch)): those above path packages where an absent
/// `Cargo.toml` was seen, unless they are above the workspace root (the
/// invocation looks at those before and after cargo runs). `Err` when the
/// answer cannot be cached (no `Cargo.lock`: cargo resolves afresh each
/// time).
pub fn probes(metadata: &Metadata) -> Result<(Vec<Probe>, Vec<PathBuf>), String> {
    let root = metadata.workspace_root.as_std_path();
    let lock = root.join("Cargo.lock");
    if !lock.is_file() {
        return Err(format!("no {}", lock.display()));
    }
    let mut out = Probes::default();
    out.push(Probe::File { path: lock });
    let root_manifest = root.join("Cargo.toml");
    out.push(Probe::File {
        path: root_manifest.clone(),
    });
    if let Some(workspace) = read_toml(&root_manifest)
        .as_ref()
        .and_then(|t| t.get("workspace"))
    {
        for key in ["members", "default-members"] {
            let patterns = workspace.get(key).and_then(toml::Value::as_array);
            for m in patterns
                .into_iter()
                .flatten()
                .filter_map(toml::Value::as_str)
            {
                let joined = root.join(m);
                let pattern = joined
                    .to_str()
                    .ok_or_else(|| format!("{} is not UTF-8", joined.display()))?;
                out.push(Probe::Members {
                    pattern: pattern.to_string(),
                });
            }
        }
    }
    let mut fixed: Vec<PathBuf> = Vec::new();
    let mut watch: Vec<PathBuf> = Vec::new();
    for p in &metadata.packages {
        let manifest = p.manifest_path.as_std_path();
        if p.source.is_some() {
            fixed.push(manifest.to_path_buf());
            continue;
        }
        out.push(Probe::File {
            path: manifest.to_path_buf(),
        });
        let dir = manifest.parent().unwrap_or(Path::new("/"));
        out.push(Probe::Discovered {
            dir: dir.to_path_buf(),
        });
        if let Some(ws) = explicit_workspace(manifest) {
            out.push(Probe::File {
                path: normalize(&dir.join(ws).join("Cargo.toml")),
            });
        }
        for d in dir.ancestors().skip(1) {
            out.push(Probe::File {
                path: d.join("Cargo.toml"),
            });
            if !root.starts_with(d) && !watch.contains(&d.to_path_buf()) {
                watch.push(d.to_path_buf());
            }
        }
    }
    out.push(Probe::AllExist { paths: fixed });
    Ok((out.list, watch))
}

/// Whether cargo's answer agrees with the files now, for what the probes
/// cannot tell: a path package's manifest or an auto-discovered build
/// script that went away while cargo ran (the answer still lists them).
pub fn agrees(metadata: &Metadata) -> Result<(), String> {
    for p in metadata.packages.iter().filter(|p| p.source.is_none()) {
        let manifest = p.manifest_path.as_std_path();
        if !manifest.is_file() {
            return Err(format!("{} went away", manifest.display()));
        }
        let build = manifest.with_file_name("build.rs");
        let lists_build = p.targets.iter().any(|t| t.src_path.as_std_path() == build);
        if lists_build && !build.is_file() {
            return Err(format!("{} went away", build.display()));
        }
    }
    Ok(())
}

/// Probes in order, each once.
#[derive(Default)]
struct Probes {
    list: Vec<Probe>,
    seen: HashSet<Probe>,
}

impl Probes {
    fn push(&mut self, p: Probe) {
        if self.seen.insert(p.clone()) {
            self.list.push(p);
        }
    }
}

fn read_toml(path: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(path).ok()?.parse().ok()
}

/// `package.workspace` of a manifest: the workspace root it names.
fn explicit_workspace(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    if !text.contains("workspace") {
        return None;
    }
    let table: toml::Table = text.parse().ok()?;
    Some(
        table
            .get("package")?
            .get("workspace")?
            .as_str()?
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Scratch(PathBuf);
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// `<tmp>/ws` (a workspace with member `app`, which has a build
    /// script), `<tmp>/libs/dep` (a path dependency outside it) and a
    /// registry package.
    fn scratch(name: &str) -> (Scratch, Metadata) {
        let d =
            std::env::temp_dir().join(format!("fork-lint-project-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        for (rel, text) in [
            ("ws/Cargo.toml", "[workspace]\nmembers = [\"app\"]\n"),
            ("ws/Cargo.lock", "version = 4\n"),
            ("ws/app/Cargo.toml", "[package]\nname = \"app\"\n"),
            ("ws/app/build.rs", "fn main() {}\n"),
            ("ws/app/src/main.rs", "fn main() {}\n"),
            ("libs/dep/Cargo.toml", "[package]\nname = \"dep\"\n"),
            ("libs/dep/src/lib.rs", "\n"),
        ] {
            let p = d.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let dir = d.display().to_string();
        let target = |name: &str, kind: &str, path: String| {
            serde_json::json!({"name": name, "kind": [kind], "crate_types": [kind],
                "src_path": path, "edition": "2021", "doctest": true, "test": true, "doc": true})
        };
        let package = |name: &str, source: serde_json::Value, at: String, targets| {
            serde_json::json!({"name": name, "version": "1.0.0", "id": format!("{name}#1.0.0"),
                "source": source, "dependencies": [], "targets": targets, "features": {},
                "manifest_path": format!("{at}/Cargo.toml"), "edition": "2021"})
        };
        let doc = serde_json::json!({
            "packages": [
                package("app", serde_json::Value::Null, format!("{dir}/ws/app"), vec![
                    target("app", "bin", format!("{dir}/ws/app/src/main.rs")),
                    target("build-script-build", "custom-build", format!("{dir}/ws/app/build.rs")),
                ]),
                package("dep", serde_json::Value::Null, format!("{dir}/libs/dep"), vec![
                    target("dep", "lib", format!("{dir}/libs/dep/src/lib.rs")),
                ]),
                package("reg", "registry+https://github.com/rust-lang/crates.io-index".into(),
                    format!("{dir}/registry/reg"), vec![]),
            ],
            "workspace_members": ["app#1.0.0"],
            "resolve": null,
            "workspace_root": format!("{dir}/ws"), "target_directory": format!("{dir}/ws/target"),
            "version": 1
        });
        (Scratch(d), serde_json::from_value(doc).unwrap())
    }

    #[test]
    fn probes_of_a_workspace() {
        let (s, metadata) = scratch("probes");
        let (probes, watch) = probes(&metadata).unwrap();
        let file = |rel: &str| Probe::File {
            path: s.0.join(rel),
        };
        for p in [
            file("ws/Cargo.lock"),
            file("ws/Cargo.toml"),
            file("ws/app/Cargo.toml"),
            file("libs/dep/Cargo.toml"),
            // Above the dependency, outside the workspace.
            file("libs/Cargo.toml"),
            Probe::Discovered {
                dir: s.0.join("ws/app"),
            },
            Probe::Members {
                pattern: s.0.join("ws/app").display().to_string(),
            },
            Probe::AllExist {
                paths: vec![s.0.join("registry/reg/Cargo.toml")],
            },
        ] {
            assert!(probes.contains(&p), "{p:?} in {probes:#?}");
        }
        // Each probe once.
        let unique: HashSet<&Probe> = probes.iter().collect();
        assert_eq!(unique.len(), probes.len());
        // The folder above the outside dependency is watched; those above
        // the workspace root are looked at before and after cargo runs.
        assert_eq!(watch, [s.0.join("libs")]);
        // No lock, no entry.
        std::fs::remove_file(s.0.join("ws/Cargo.lock")).unwrap();
        assert!(super::probes(&metadata).unwrap_err().contains("Cargo.lock"));
    }

    #[test]
    fn the_answer_must_agree_with_the_files() {
        let (s, metadata) = scratch("agrees");
        assert_eq!(agrees(&metadata), Ok(()));
        // The build script the answer lists went away.
        std::fs::remove_file(s.0.join("ws/app/build.rs")).unwrap();
        assert!(
            agrees(&metadata)
                .unwrap_err()
                .contains("build.rs went away")
        );
        std::fs::write(s.0.join("ws/app/build.rs"), "").unwrap();
        // A path package's manifest went away.
        std::fs::remove_file(s.0.join("libs/dep/Cargo.toml")).unwrap();
        assert!(
            agrees(&metadata)
                .unwrap_err()
                .contains("Cargo.toml went away")
        );
    }
}

//! What a `cargo metadata` answer depends on that only the answer itself
//! names: the workspace's `Cargo.lock`, and for every *path* package
//! (workspace members, path dependencies, path patches) its manifest, the
//! targets cargo discovers in its folder, the `Cargo.toml` files above it
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

/// The probes of `metadata`; `Err` when it cannot be cached (no
/// `Cargo.lock`: cargo resolves afresh each time).
pub fn probes(metadata: &Metadata) -> Result<Vec<Probe>, String> {
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
        out.push(Probe::Targets {
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
        }
    }
    out.push(Probe::AllExist { paths: fixed });
    Ok(out.list)
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

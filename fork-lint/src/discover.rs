//! From command-line paths to crates.
//!
//! Walks every `*.rs` file under the given paths with the `ignore` crate
//! (honouring `.gitignore`, `.ignore` and git's excludes, skipping hidden
//! files and a `target/` folder next to a `Cargo.toml`), splits the files
//! into crates by their nearest `Cargo.toml`, and gives each file its module
//! path by Cargo's conventions.
//!
//! **Architecture Invariant:** discovery reads no source file; the only
//! contents it reads are `Cargo.toml` manifests (one parse per manifest).
//!
//! How files become crates (calls resolve only within their own crate):
//!
//! - `src/**` of a package is one crate named after `[package] name`
//!   (`-` → `_`): `src/lib.rs` and `src/main.rs` are module `[]`,
//!   `src/a/b.rs` and `src/a/b/mod.rs` are `["a", "b"]`. The library and the
//!   default binary share it, so `use my_crate::x` in `main.rs` and
//!   `crate::x` in the library reach the same items.
//! - `src/bin/x.rs`, `examples/x.rs`, `tests/x.rs`, `benches/x.rs` (and
//!   `<dir>/x/main.rs` with its sibling modules) are crate roots of targets
//!   of their own, named `x`. Known limitation: their calls into the
//!   package's library are calls into another crate, and not followed.
//! - Other files under `tests/`, `examples/`, `benches/` and elsewhere in
//!   the package: when a folder above them (below the package) holds a
//!   `main.rs` or `lib.rs` (a fixture project without a manifest), that
//!   folder is a crate root, named after it (or after its parent for
//!   `src`); otherwise they form one crate per folder kind (`<pkg>_tests`,
//!   a `tests/common/` module, a folder of single-file fixtures), with
//!   module paths relative to it. `build.rs` is a crate of its own.
//! - Files with no `Cargo.toml` above them: the same nested-root rule, else
//!   one crate per walked folder, named after that folder, module paths
//!   relative to it.
//!
//! A file named on the command line is checked even if `.gitignore` lists
//! it, but not when the configuration's `exclude` does; it must end in
//! `.rs`. A path that does not exist or cannot be read is a
//! [`DiscoverError`] naming it, and the rest is still discovered. Paths keep
//! the form the user gave (relative stays relative), minus a leading `./`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::input::{CrateSources, SourceFile};

/// A path that could not be walked, or a manifest that could not be read.
/// It never stops the rest of the discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for DiscoverError {}

/// What discovery found: crates sorted by name then first file, files sorted
/// by path, plus the paths it could not read.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub crates: Vec<CrateSources>,
    pub errors: Vec<DiscoverError>,
}

impl Discovery {
    /// Number of source files in all crates.
    pub fn file_count(&self) -> usize {
        self.crates.iter().map(|c| c.files.len()).sum()
    }
}

/// Paths to leave out, as gitignore-style globs relative to a root folder
/// (the configuration's `exclude`).
#[derive(Debug, Clone)]
pub struct Excludes {
    root: PathBuf,
    matcher: Gitignore,
}

impl Excludes {
    /// No exclusions.
    pub fn none() -> Excludes {
        Excludes {
            root: PathBuf::new(),
            matcher: Gitignore::empty(),
        }
    }

    /// Builds the matcher for `globs`, relative to `root`. A glob that does
    /// not parse is an error naming it.
    pub fn new(root: &Path, globs: &[String]) -> Result<Excludes, DiscoverError> {
        let root = absolute(root);
        let mut builder = GitignoreBuilder::new(&root);
        for glob in globs {
            builder.add_line(None, glob).map_err(|e| DiscoverError {
                path: root.clone(),
                message: format!(
                    "invalid exclude glob `{glob}`: {}",
                    lowercase_first(&e.to_string())
                ),
            })?;
        }
        let matcher = builder.build().map_err(|e| DiscoverError {
            path: root.clone(),
            message: format!("invalid exclude globs: {e}"),
        })?;
        Ok(Excludes { root, matcher })
    }

    /// Whether `path` (or one of its folders below the root) is excluded.
    pub fn is_excluded(&self, path: &Path, is_dir: bool) -> bool {
        if self.matcher.is_empty() {
            return false;
        }
        let abs = absolute(path);
        let Ok(rel) = abs.strip_prefix(&self.root) else {
            return false;
        };
        if rel.as_os_str().is_empty() {
            return false;
        }
        self.matcher
            .matched_path_or_any_parents(rel, is_dir)
            .is_ignore()
    }

    /// Drops the excluded files of already discovered crates (for
    /// `cargo fork-lint`, whose crates come from `cargo metadata`), and the
    /// crates left empty.
    pub fn filter_crates(&self, crates: Vec<CrateSources>) -> Vec<CrateSources> {
        if self.matcher.is_empty() {
            return crates;
        }
        crates
            .into_iter()
            .filter_map(|mut krate| {
                krate.files.retain(|f| !self.is_excluded(&f.path, false));
                (!krate.files.is_empty()).then_some(krate)
            })
            .collect()
    }
}

/// Discovers the crates under `paths` (files or folders; `.` when empty).
pub fn discover(paths: &[PathBuf], excludes: &Excludes) -> Discovery {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let excludes = Arc::new(excludes.clone());
    let mut errors = Vec::new();
    // Each found file with the walk root it came from (for manifest-less files).
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();

    for arg in paths {
        let meta = match std::fs::metadata(arg) {
            Ok(m) => m,
            Err(e) => {
                let message = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    io_message(&e)
                };
                errors.push(DiscoverError {
                    path: arg.clone(),
                    message,
                });
                continue;
            }
        };
        if !meta.is_file() && !meta.is_dir() {
            errors.push(DiscoverError {
                path: arg.clone(),
                message: "not a file or folder".to_string(),
            });
            continue;
        }
        if meta.is_file() {
            if arg.extension().is_none_or(|e| e != "rs") {
                errors.push(DiscoverError {
                    path: arg.clone(),
                    message: "not a Rust source file (expected a `.rs` file or a folder)"
                        .to_string(),
                });
                continue;
            }
            // An explicitly named file is checked even if `.gitignore` lists
            // it, but never when the configuration excludes it (editors and
            // pre-commit hooks pass explicit file lists).
            if excludes.is_excluded(arg, false) {
                continue;
            }
            let root = arg.parent().map(Path::to_path_buf).unwrap_or_default();
            found.push((without_dot(arg.clone()), root));
            continue;
        }
        let mut builder = ignore::WalkBuilder::new(arg);
        builder
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            .ignore(true)
            .require_git(false);
        let ex = Arc::clone(&excludes);
        builder.filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.depth() > 0 && entry.file_name() == "target" {
                // Build output (generated code in OUT_DIR) is not the project's source.
                if entry
                    .path()
                    .parent()
                    .is_some_and(|p| p.join("Cargo.toml").is_file())
                {
                    return false;
                }
            }
            entry.depth() == 0 || !ex.is_excluded(entry.path(), is_dir)
        });
        for entry in builder.build() {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file && entry.path().extension().is_some_and(|e| e == "rs") {
                        found.push((without_dot(entry.into_path()), arg.clone()));
                    }
                }
                Err(e) => errors.push(walk_error(arg, &e)),
            }
        }
    }

    let mut manifests = ManifestCache::default();
    // (crate key) -> crate under construction. The key keeps crates of
    // different packages apart even when their names collide.
    let mut crates: BTreeMap<(String, PathBuf), CrateSources> = BTreeMap::new();
    let mut seen = HashSet::new();
    let abs_files: Vec<PathBuf> = found.iter().map(|(f, _)| normalize(&absolute(f))).collect();
    let roots = crate_roots(&abs_files);
    for (file, walk_root) in &found {
        // Classify on absolute, normalised paths (a relative walk may sit
        // inside a package whose manifest is above the current folder); keep
        // the path as the user wrote it for display.
        let abs = normalize(&absolute(file));
        if !seen.insert(abs.clone()) {
            continue;
        }
        let (name, group_dir, module) = match manifests.package_of(&abs, &mut errors) {
            Some((pkg_dir, pkg_name)) => classify_in_package(&abs, &pkg_dir, &pkg_name, &roots),
            None => classify_loose(&abs, &normalize(&absolute(walk_root)), &roots),
        };
        crates
            .entry((name.clone(), group_dir))
            .or_insert_with(|| CrateSources {
                name,
                files: Vec::new(),
            })
            .files
            .push(SourceFile {
                path: file.clone(),
                module,
            });
    }

    let mut crates: Vec<CrateSources> = crates.into_values().collect();
    for krate in &mut crates {
        krate.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    crates.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.files[0].path.cmp(&b.files[0].path))
    });
    errors.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.message.cmp(&b.message)));
    errors.dedup();
    Discovery { crates, errors }
}

/// Finds and parses manifests, each once.
#[derive(Default)]
struct ManifestCache {
    /// Absolute folder → the package folder and crate name that own it
    /// (`None`: no manifest at or above it).
    dirs: HashMap<PathBuf, Option<(PathBuf, String)>>,
}

impl ManifestCache {
    /// The package owning `file` (an absolute, normalised path).
    fn package_of(
        &mut self,
        file: &Path,
        errors: &mut Vec<DiscoverError>,
    ) -> Option<(PathBuf, String)> {
        self.owner(file.parent()?, errors)
    }

    fn owner(&mut self, dir: &Path, errors: &mut Vec<DiscoverError>) -> Option<(PathBuf, String)> {
        if let Some(known) = self.dirs.get(dir) {
            return known.clone();
        }
        let manifest = dir.join("Cargo.toml");
        let owner = if manifest.is_file() {
            Some((dir.to_path_buf(), read_package_name(&manifest, dir, errors)))
        } else {
            match dir.parent() {
                Some(parent) => self.owner(parent, errors),
                None => None,
            }
        };
        self.dirs.insert(dir.to_path_buf(), owner.clone());
        owner
    }
}

/// `[package] name` with `-` → `_`; the folder name when the manifest has no
/// package (a virtual workspace manifest) or cannot be read (reported).
fn read_package_name(manifest: &Path, dir: &Path, errors: &mut Vec<DiscoverError>) -> String {
    let fallback = || crate_name_of_dir(dir);
    let text = match std::fs::read_to_string(manifest) {
        Ok(t) => t,
        Err(e) => {
            errors.push(DiscoverError {
                path: manifest.to_path_buf(),
                message: io_message(&e),
            });
            return fallback();
        }
    };
    match text.parse::<toml::Table>() {
        Ok(table) => table
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(|n| n.replace('-', "_"))
            .unwrap_or_else(fallback),
        Err(e) => {
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("invalid TOML").trim();
            errors.push(DiscoverError {
                path: manifest.to_path_buf(),
                message: format!("cannot parse manifest: {}", lowercase_first(first)),
            });
            fallback()
        }
    }
}

fn crate_name_of_dir(dir: &Path) -> String {
    let abs = normalize(&absolute(dir));
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "main".to_string());
    sanitize_name(&name)
}

fn sanitize_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// (crate name, grouping folder, module path) of a file in a package.
fn classify_in_package(
    file: &Path,
    pkg_dir: &Path,
    pkg_name: &str,
    roots: &HashSet<PathBuf>,
) -> (String, PathBuf, Vec<String>) {
    let rel = file.strip_prefix(pkg_dir).unwrap_or(file);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["src", "bin", rest @ ..] if !rest.is_empty() => target_file(pkg_dir.join("src/bin"), rest)
            .unwrap_or_else(|| {
                (
                    pkg_name.to_string(),
                    pkg_dir.join("src"),
                    module_of(&parts[1..]),
                )
            }),
        ["src", rest @ ..] => (pkg_name.to_string(), pkg_dir.join("src"), module_of(rest)),
        [kind @ ("tests" | "examples" | "benches"), rest @ ..] => {
            let group = pkg_dir.join(kind);
            target_file(group.clone(), rest)
                .or_else(|| nested_root(file, &group, roots))
                .unwrap_or_else(|| (format!("{pkg_name}_{kind}"), group, module_of(rest)))
        }
        ["build.rs"] => (
            "build_script_build".to_string(),
            pkg_dir.join("build.rs"),
            Vec::new(),
        ),
        _ => nested_root(file, pkg_dir, roots).unwrap_or_else(|| {
            (
                pkg_name.to_string(),
                pkg_dir.to_path_buf(),
                module_of(&parts),
            )
        }),
    }
}

/// Folders (absolute) that hold a `main.rs` or `lib.rs` among the found files.
fn crate_roots(files: &[PathBuf]) -> HashSet<PathBuf> {
    files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n == "main.rs" || n == "lib.rs")
        })
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect()
}

/// A crate nested in a folder that no manifest describes (a test fixture
/// project, a folder of examples): the nearest folder at or below `stop`
/// holding a `main.rs` or `lib.rs` is its root, named after that folder (or
/// its parent, for `src`).
fn nested_root(
    file: &Path,
    stop: &Path,
    roots: &HashSet<PathBuf>,
) -> Option<(String, PathBuf, Vec<String>)> {
    let root = file
        .ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(stop))
        .find(|d| roots.contains(*d))?;
    let named = match root.file_name() {
        Some(n) if n == "src" => root.parent().unwrap_or(root),
        _ => root,
    };
    let rel = file.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Some((
        crate_name_of_dir(named),
        root.to_path_buf(),
        module_of(&parts),
    ))
}

/// A target's own files: `<dir>/x.rs` and `<dir>/x/main.rs` are its root,
/// `<dir>/x/<rest>` its modules when `<dir>/x/main.rs` exists.
fn target_file(dir: PathBuf, rest: &[&str]) -> Option<(String, PathBuf, Vec<String>)> {
    match rest {
        [file] => {
            let stem = file.strip_suffix(".rs")?;
            Some((sanitize_name(stem), dir.join(file), Vec::new()))
        }
        [target, tail @ ..] => {
            let root = dir.join(target);
            if !root.join("main.rs").is_file() {
                return None;
            }
            let module = if tail == ["main.rs"] {
                Vec::new()
            } else {
                module_of(tail)
            };
            Some((sanitize_name(target), root, module))
        }
        [] => None,
    }
}

/// Module path of a file below a crate root folder, by convention.
fn module_of(parts: &[&str]) -> Vec<String> {
    let mut module: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    if let Some(last) = module.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last);
        let is_root = module.is_empty() && (stem == "lib" || stem == "main");
        if stem != "mod" && !is_root {
            module.push(stem.to_string());
        }
    }
    module
}

/// A file with no manifest above it: one crate per walked folder.
fn classify_loose(
    file: &Path,
    walk_root: &Path,
    roots: &HashSet<PathBuf>,
) -> (String, PathBuf, Vec<String>) {
    if let Some(nested) = nested_root(file, walk_root, roots) {
        return nested;
    }
    let rel = file
        .strip_prefix(walk_root)
        .unwrap_or_else(|_| file.file_name().map(Path::new).unwrap_or(file));
    let parts: Vec<String> = rel
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    if parts.first() == Some(&"src") && parts.len() > 1 {
        parts.remove(0);
    }
    (
        crate_name_of_dir(walk_root),
        walk_root.to_path_buf(),
        module_of(&parts),
    )
}

fn walk_error(arg: &Path, err: &ignore::Error) -> DiscoverError {
    fn inner(err: &ignore::Error, path: &mut Option<PathBuf>) -> String {
        match err {
            ignore::Error::WithPath { path: p, err } => {
                *path = Some(p.clone());
                inner(err, path)
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner(err, path)
            }
            ignore::Error::Io(e) => io_message(e),
            other => lowercase_first(&other.to_string()),
        }
    }
    let mut path = None;
    let message = inner(err, &mut path);
    DiscoverError {
        path: path.unwrap_or_else(|| arg.to_path_buf()),
        message,
    }
}

/// An I/O error as a lowercase message without the `(os error N)` suffix.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s[..],
    };
    lowercase_first(s)
}

pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() && !chars.clone().next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => s.to_string(),
    }
}

/// `./src/main.rs` → `src/main.rs` (`fork-lint .` walks `./src/..`; the
/// engine's messages quote the path as discovery gives it).
fn without_dot(path: PathBuf) -> PathBuf {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => path,
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Removes `.` and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(parts: &[&str]) -> Vec<String> {
        module_of(parts)
    }

    #[test]
    fn module_paths_follow_cargo_conventions() {
        assert_eq!(module(&["lib.rs"]), Vec::<String>::new());
        assert_eq!(module(&["main.rs"]), Vec::<String>::new());
        assert_eq!(module(&["a", "b.rs"]), vec!["a", "b"]);
        assert_eq!(module(&["a", "b", "mod.rs"]), vec!["a", "b"]);
        assert_eq!(module(&["a", "lib.rs"]), vec!["a", "lib"]);
    }

    #[test]
    fn targets_are_crates_of_their_own() {
        let pkg = Path::new("p");
        let (name, _, m) = classify_in_package(
            Path::new("p/src/bin/tool.rs"),
            pkg,
            "my_pkg",
            &HashSet::new(),
        );
        assert_eq!((name.as_str(), m.len()), ("tool", 0));
        let (name, _, m) =
            classify_in_package(Path::new("p/tests/it.rs"), pkg, "my_pkg", &HashSet::new());
        assert_eq!((name.as_str(), m.len()), ("it", 0));
        let (name, _, m) = classify_in_package(
            Path::new("p/tests/common/mod.rs"),
            pkg,
            "my_pkg",
            &HashSet::new(),
        );
        assert_eq!(
            (name.as_str(), m),
            ("my_pkg_tests", vec!["common".to_string()])
        );
        let (name, _, m) = classify_in_package(
            Path::new("p/src/net/tcp.rs"),
            pkg,
            "my_pkg",
            &HashSet::new(),
        );
        assert_eq!(
            (name.as_str(), m),
            ("my_pkg", vec!["net".to_string(), "tcp".to_string()])
        );
        let (name, _, _) =
            classify_in_package(Path::new("p/build.rs"), pkg, "my_pkg", &HashSet::new());
        assert_eq!(name, "build_script_build");
    }

    #[test]
    fn discovers_a_workspace_as_crates_with_module_paths() {
        let dir = std::env::temp_dir().join(format!("fork-lint-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |rel: &str, text: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("Cargo.toml", "[workspace]\nmembers = [\"net-core\"]\n");
        write(
            "net-core/Cargo.toml",
            "[package]\nname = \"net-core\"\nversion = \"0.1.0\"\n",
        );
        write("net-core/src/lib.rs", "");
        write("net-core/src/main.rs", "");
        write("net-core/src/tcp/mod.rs", "");
        write("net-core/src/tcp/accept.rs", "");
        write("net-core/src/bin/tool.rs", "");
        write("net-core/tests/it.rs", "");
        write("net-core/tests/common/mod.rs", "");
        write("net-core/README.md", "");
        write("loose/a.rs", "");
        write("loose/sub/b.rs", "");
        write("vendor/skip/src/lib.rs", "");
        write("broken/Cargo.toml", "[package\nname = 1");
        write("broken/src/lib.rs", "");

        let excludes = Excludes::new(&dir, &["vendor/".to_string()]).unwrap();
        let found = discover(std::slice::from_ref(&dir), &excludes);
        let summary: Vec<(String, Vec<(String, String)>)> = found
            .crates
            .iter()
            .map(|c| {
                let files = c
                    .files
                    .iter()
                    .map(|f| {
                        let rel = f
                            .path
                            .strip_prefix(&dir)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned();
                        (rel, f.module.join("::"))
                    })
                    .collect();
                (c.name.clone(), files)
            })
            .collect();
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            summary,
            vec![
                ("broken".to_string(), vec![s("broken/src/lib.rs", "")]),
                // Under a virtual manifest: a crate named after its folder.
                (
                    crate_name_of_dir(&dir),
                    vec![
                        s("loose/a.rs", "loose::a"),
                        s("loose/sub/b.rs", "loose::sub::b")
                    ]
                ),
                ("it".to_string(), vec![s("net-core/tests/it.rs", "")]),
                (
                    "net_core".to_string(),
                    vec![
                        s("net-core/src/lib.rs", ""),
                        s("net-core/src/main.rs", ""),
                        s("net-core/src/tcp/accept.rs", "tcp::accept"),
                        s("net-core/src/tcp/mod.rs", "tcp"),
                    ]
                ),
                (
                    "net_core_tests".to_string(),
                    vec![s("net-core/tests/common/mod.rs", "common")]
                ),
                ("tool".to_string(), vec![s("net-core/src/bin/tool.rs", "")]),
            ]
        );
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        assert!(found.errors[0].path.ends_with("broken/Cargo.toml"));
        assert!(
            found.errors[0].message.starts_with("cannot parse manifest"),
            "{}",
            found.errors[0]
        );

        let missing = discover(&[dir.join("nope")], &Excludes::none());
        assert_eq!(missing.errors[0].message, "no such file or directory");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fixture_projects_without_manifest_are_crates_of_their_own() {
        let roots: HashSet<PathBuf> = [PathBuf::from("/p/tests/snap/case/src")].into();
        let pkg = Path::new("/p");
        let (name, _, m) = classify_in_package(
            Path::new("/p/tests/snap/case/src/util.rs"),
            pkg,
            "my_pkg",
            &roots,
        );
        assert_eq!((name.as_str(), m), ("case", vec!["util".to_string()]));
        let (name, _, m) = classify_in_package(
            Path::new("/p/tests/snap/case/src/main.rs"),
            pkg,
            "my_pkg",
            &roots,
        );
        assert_eq!((name.as_str(), m.len()), ("case", 0));
        let (name, _, m) = classify_in_package(
            Path::new("/p/tests/fixtures/alloc.rs"),
            pkg,
            "my_pkg",
            &roots,
        );
        assert_eq!(
            (name.as_str(), m),
            (
                "my_pkg_tests",
                vec!["fixtures".to_string(), "alloc".to_string()]
            )
        );
    }

    #[test]
    fn excludes_filter_crates_from_cargo_metadata() {
        let root = Path::new("/ws");
        let ex = Excludes::new(
            root,
            &["vendor/".to_string(), "**/generated.rs".to_string()],
        )
        .unwrap();
        let file = |p: &str| SourceFile {
            path: PathBuf::from(p),
            module: Vec::new(),
        };
        let crates = vec![
            CrateSources {
                name: "dep".into(),
                files: vec![file("/ws/vendor/dep/src/lib.rs")],
            },
            CrateSources {
                name: "app".into(),
                files: vec![
                    file("/ws/app/src/main.rs"),
                    file("/ws/app/src/generated.rs"),
                ],
            },
            CrateSources {
                name: "outside".into(),
                files: vec![file("/elsewhere/vendor/x.rs")],
            },
        ];
        let kept = ex.filter_crates(crates);
        let names: Vec<(&str, usize)> = kept
            .iter()
            .map(|c| (c.name.as_str(), c.files.len()))
            .collect();
        assert_eq!(names, vec![("app", 1), ("outside", 1)]);
        assert!(
            Excludes::new(root, &["{a,b".to_string()]).is_err(),
            "a bad glob is an error"
        );
    }

    #[test]
    fn messages_are_lowercase_but_keep_acronyms() {
        assert_eq!(lowercase_first("Permission denied"), "permission denied");
        assert_eq!(lowercase_first("TOML parse error"), "TOML parse error");
    }
}

//! What one `cargo metadata` call depends on that is known before it runs:
//! the request (manifest, folder, flags), the checker's build, the
//! environment, the toolchain, cargo's configuration files, and the
//! `Cargo.toml` files cargo looks for above the manifest. Also where the
//! cache entry lives (the target folder cargo will report), and whether the
//! cache can be used at all.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::MetadataRequest;
use super::probe::{Probe, Seen, Watch};
use crate::cargo_project::{nearest_manifest, rustc_program};
use crate::deps::calls::tool_fingerprint;

/// One call, described before it runs.
#[derive(Debug)]
pub struct Invocation {
    /// Names the cache entry: the command and the folder it runs in.
    pub key: String,
    /// Everything else known before cargo runs, as seen now.
    pub seen: Vec<Seen>,
    /// Where cargo will put its target folder (checked against its answer
    /// before an entry is stored).
    pub target_dir: PathBuf,
    /// The files and folders looked at.
    pub watch: Watch,
}

/// Environment variables that can change what cargo resolves, or which
/// cargo and rustc run: cargo's own and its configuration
/// (`CARGO_*`, `__CARGO_*`), rustc's and rustup's (`RUSTC*`, `RUSTFLAGS`,
/// `RUSTUP_*`, ...), `PATH` (where `cargo` and `rustc` are found) and
/// `HOME` (where cargo's and rustup's homes default to).
fn relevant(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with("CARGO")
        || name.starts_with("__CARGO")
        || name.starts_with("RUST")
        || name == "PATH"
        || name == "HOME"
}

/// Describes `request`; `Err` says why the cache cannot be used for it
/// (cargo then simply runs).
pub fn describe(request: &MetadataRequest<'_>) -> Result<Invocation, String> {
    let here = std::env::current_dir().map_err(|e| format!("no current folder ({e})"))?;
    let cwd = match request.current_dir {
        Some(d) => here.join(d),
        None => here.clone(),
    };
    let (manifest, given) = match request.manifest_path {
        Some(m) => (normalize(&cwd.join(m)), true),
        None => (
            nearest_manifest(&cwd).ok_or("no Cargo.toml in or above the current folder")?,
            false,
        ),
    };
    let manifest_dir = manifest.parent().unwrap_or(Path::new("/")).to_path_buf();

    let mut env: Vec<(OsString, OsString)> =
        std::env::vars_os().filter(|(k, _)| relevant(k)).collect();
    env.sort();
    let var = |name: &str| {
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    if let Some((k, _)) = env
        .iter()
        .find(|(k, _)| k.to_string_lossy().starts_with("CARGO_UNSTABLE_"))
    {
        return Err(format!("{} is set", k.to_string_lossy()));
    }
    let home = var("HOME").map(PathBuf::from);
    if home.is_none() && (var("CARGO_HOME").is_none() || var("RUSTUP_HOME").is_none()) {
        // Cargo and rustup would find their homes through the user
        // database: not followed here.
        return Err("HOME is not set".to_string());
    }

    let mut seen = Vec::new();
    let mut probes: Vec<Probe> = Vec::new();
    let mut value = |name: &str, value: String| {
        seen.push(Seen {
            probe: Probe::Value {
                name: name.to_string(),
                value: value.clone(),
            },
            saw: value,
        });
    };
    value("the build of fork-lint", tool_fingerprint());
    for (k, v) in &env {
        value(
            &format!("environment variable {}", k.to_string_lossy()),
            lossless(v),
        );
    }

    // The programs: cargo (`$CARGO`, as `cargo_metadata` runs it) and the
    // rustc the command makes it use.
    let cargo = var("CARGO").unwrap_or_else(|| "cargo".into());
    for (name, program) in [("cargo", cargo), ("rustc", rustc_program())] {
        match find_program(&program, &here, var("PATH").as_deref()) {
            Some(path) => probes.push(Probe::Program { path }),
            None => value(&format!("program {name}"), "not found".into()),
        }
    }
    // rustup picks the toolchain from `RUSTUP_TOOLCHAIN` (above), the
    // `rust-toolchain` files (below), its settings and what is installed.
    let rustup = var("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".rustup")));
    if let Some(rustup) = rustup.filter(|r| r.is_dir()) {
        probes.push(Probe::File {
            path: rustup.join("settings.toml"),
        });
        probes.push(Probe::Toolchains { dir: rustup });
    }
    // A toolchain named by its folder (`RUSTUP_TOOLCHAIN=/path/to/it`).
    if let Some(dir) = var("RUSTUP_TOOLCHAIN")
        .map(PathBuf::from)
        .filter(|t| t.components().count() > 1)
    {
        for bin in ["bin/cargo", "bin/rustc"] {
            probes.push(Probe::Program {
                path: dir.join(bin),
            });
        }
    }

    // Cargo reads `.cargo/config{,.toml}` from the folder it runs in and
    // every folder above, then from its home.
    let mut dirs: Vec<PathBuf> = Vec::new();
    for d in cwd.ancestors().chain(manifest_dir.ancestors()) {
        if !dirs.iter().any(|x| x == d) {
            dirs.push(d.to_path_buf());
        }
    }
    let mut configs: Vec<PathBuf> = Vec::new();
    for d in &dirs {
        configs.push(d.join(".cargo/config"));
        configs.push(d.join(".cargo/config.toml"));
    }
    let cargo_home = var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".cargo")));
    if let Some(h) = &cargo_home {
        configs.push(h.join("config"));
        configs.push(h.join("config.toml"));
    }
    for c in &configs {
        if let Ok(text) = std::fs::read_to_string(c) {
            check_config(c, &text, var("CARGO_TARGET_DIR").is_some())?;
        }
        probes.push(Probe::File { path: c.clone() });
    }
    for d in &dirs {
        for f in ["rust-toolchain", "rust-toolchain.toml"] {
            probes.push(Probe::File { path: d.join(f) });
        }
    }
    // The manifest cargo finds (without `--manifest-path`: the nearest one
    // from the folder up) and the workspace root it looks for above it.
    probes.push(Probe::File {
        path: manifest.clone(),
    });
    let search_from = if given { &manifest_dir } else { &cwd };
    for d in search_from.ancestors() {
        probes.push(Probe::File {
            path: d.join("Cargo.toml"),
        });
    }

    let target_dir = match var("CARGO_TARGET_DIR") {
        Some(t) => normalize(&cwd.join(t)),
        None if var("CARGO_BUILD_TARGET_DIR").is_some() => {
            return Err("CARGO_BUILD_TARGET_DIR is set".to_string());
        }
        None => workspace_root_guess(&manifest).join("target"),
    };

    let mut watch = Watch::default();
    let mut listed: Vec<&Probe> = Vec::new();
    for p in &probes {
        if !listed.contains(&p) {
            listed.push(p);
        }
    }
    for p in listed {
        seen.push(Seen::now(p.clone(), &mut watch));
    }
    let flags = request.flags.args().join(" ");
    let key = format!(
        "cargo metadata{} --manifest-path {} ({}) {flags} in {}",
        if request.with_deps { "" } else { " --no-deps" },
        manifest.display(),
        if given { "given" } else { "found" },
        cwd.display()
    );
    Ok(Invocation {
        key,
        seen,
        target_dir,
        watch,
    })
}

/// A value as text: the string itself when it is UTF-8, else its bytes.
fn lossless(v: &OsStr) -> String {
    match v.to_str() {
        Some(s) => s.to_string(),
        None => format!("{:?}", v.as_encoded_bytes()),
    }
}

/// Configuration the cache cannot account for: another target folder
/// (unless `CARGO_TARGET_DIR` overrides it), other files (`include`), path
/// overrides (`paths`), unstable features. A file that does not parse is
/// not accounted for either (cargo reports it).
fn check_config(path: &Path, text: &str, target_dir_set: bool) -> Result<(), String> {
    let table = text
        .parse::<toml::Table>()
        .map_err(|_| format!("{} does not parse", path.display()))?;
    let build_target_dir = table
        .get("build")
        .and_then(toml::Value::as_table)
        .is_some_and(|b| b.contains_key("target-dir"));
    if build_target_dir && !target_dir_set {
        return Err(format!("{} sets build.target-dir", path.display()));
    }
    for key in ["include", "paths", "unstable"] {
        if table.contains_key(key) {
            return Err(format!("{} sets `{key}`", path.display()));
        }
    }
    Ok(())
}

/// The folder cargo will take for the workspace root, as far as can be
/// told without cargo: the manifest's own folder when it has
/// `[workspace]`, the folder its `package.workspace` names, else the
/// nearest folder above with a `Cargo.toml` that has `[workspace]`, else
/// the manifest's folder. A wrong guess is never used: an entry is stored
/// only when cargo's answer names the same target folder.
fn workspace_root_guess(manifest: &Path) -> PathBuf {
    let dir = manifest.parent().unwrap_or(Path::new("/"));
    let read = |m: &Path| {
        std::fs::read_to_string(m)
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
    };
    if let Some(t) = read(manifest) {
        if t.contains_key("workspace") {
            return dir.to_path_buf();
        }
        if let Some(ws) = t
            .get("package")
            .and_then(|p| p.get("workspace"))
            .and_then(toml::Value::as_str)
        {
            return normalize(&dir.join(ws));
        }
    }
    dir.ancestors()
        .skip(1)
        .find(|d| read(&d.join("Cargo.toml")).is_some_and(|t| t.contains_key("workspace")))
        .unwrap_or(dir)
        .to_path_buf()
}

/// Where `program` is: a path as given (made absolute), a bare name
/// searched in `PATH`.
fn find_program(program: &OsStr, here: &Path, path: Option<&OsStr>) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.is_absolute() || p.components().count() > 1 {
        return Some(here.join(p));
    }
    std::env::split_paths(path?)
        .map(|d| d.join(p))
        .find(|c| c.is_file())
}

/// Removes `.` and resolves `..` lexically (the one `cargo_project` uses
/// for manifest paths).
pub(crate) use crate::cargo_project::normalize;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_the_cache_cannot_account_for() {
        let p = Path::new("/w/.cargo/config.toml");
        assert_eq!(check_config(p, "[build]\njobs = 2\n", false), Ok(()));
        assert_eq!(
            check_config(p, "[source.crates-io]\nreplace-with = \"v\"\n", false),
            Ok(())
        );
        assert!(
            check_config(p, "[build]\ntarget-dir = \"out\"\n", false)
                .unwrap_err()
                .contains("build.target-dir")
        );
        // `CARGO_TARGET_DIR` overrides the file.
        assert_eq!(
            check_config(p, "build.target-dir = \"out\"\n", true),
            Ok(())
        );
        for text in [
            "include = \"more.toml\"",
            "paths = [\"../x\"]",
            "[unstable]\nx = true",
            "not toml [",
        ] {
            assert!(check_config(p, text, false).is_err(), "{text}");
        }
    }

    #[test]
    fn relevant_variables() {
        for yes in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "__CARGO_FIX",
            "RUSTC",
            "RUSTFLAGS",
            "RUSTUP_TOOLCHAIN",
            "PATH",
            "HOME",
        ] {
            assert!(relevant(OsStr::new(yes)), "{yes}");
        }
        for no in ["TERM", "LANG", "NO_COLOR", "PWD"] {
            assert!(!relevant(OsStr::new(no)), "{no}");
        }
    }
}

//! Probes: the things on disk and in the environment that `cargo metadata`'s
//! answer depends on, each of which can be looked at again to tell whether
//! it changed.
//!
//! A [`Probe`] names what to look at (a file's contents, a program, what
//! cargo's target auto-discovery sees in a package folder, a workspace
//! member pattern, ...); [`Probe::look`] returns what it sees as a string,
//! and a cache entry keeps each probe with what it saw ([`Seen`]). An entry
//! is valid while every probe still sees the same.
//!
//! Looking also lists the files and folders it consulted ([`Watch`]), for
//! the check that none of them changed while cargo ran
//! ([`Watch::changed_since`]).

use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// What to look at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "probe", rename_all = "kebab-case")]
pub enum Probe {
    /// A file's contents (a hash and the length), or that it is absent.
    File { path: PathBuf },
    /// A program, not read: where it is (symbolic links followed), its size
    /// and modification time.
    Program { path: PathBuf },
    /// What cargo discovers by file name in the package folder `dir`:
    /// targets (`build.rs`, `src/lib.rs`, `src/main.rs`, the `*.rs` files
    /// and `*/main.rs` folders of `src/bin`, `examples`, `tests` and
    /// `benches`) and the readme.
    Discovered { dir: PathBuf },
    /// A workspace `members` (or `default-members`) entry, joined to the
    /// workspace root and expanded as cargo expands it (`glob`, folders
    /// only).
    Members { pattern: String },
    /// Every path exists (the manifests of registry, git and vendored
    /// packages: cargo would fetch or unpack them again if one went away).
    AllExist { paths: Vec<PathBuf> },
    /// The toolchains of a rustup home (`<dir>/toolchains/*`): names, and
    /// each one's `bin/cargo` and `bin/rustc` as [`Probe::Program`] sees
    /// them.
    Toolchains { dir: PathBuf },
    /// A value of the invocation itself (an argument, an environment
    /// variable, the checker's build): sees itself.
    Value { name: String, value: String },
}

/// A probe with what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Seen {
    pub probe: Probe,
    pub saw: String,
}

/// The files and folders looked at, for [`Watch::changed_since`].
#[derive(Debug, Default)]
pub struct Watch {
    paths: Vec<PathBuf>,
}

impl Probe {
    /// What the probe sees now.
    pub fn look(&self, watch: &mut Watch) -> String {
        match self {
            Probe::File { path } => match fs::read(path) {
                Ok(bytes) => {
                    watch.paths.push(path.clone());
                    content_hash(&bytes)
                }
                Err(e) => absent_or_error(&e),
            },
            Probe::Program { path } => program_stamp(path),
            Probe::Discovered { dir } => discovered(dir, watch),
            Probe::Members { pattern } => members(pattern, watch),
            Probe::AllExist { paths } => match paths.iter().find(|p| !p.exists()) {
                None => "all".to_string(),
                Some(missing) => format!("missing {}", missing.display()),
            },
            Probe::Toolchains { dir } => toolchains(dir),
            Probe::Value { value, .. } => value.clone(),
        }
    }

    /// What changed, for `--stats`: the file, the folder, the variable.
    pub fn describe(&self) -> String {
        match self {
            Probe::File { path } | Probe::Program { path } => path.display().to_string(),
            Probe::Discovered { dir } => format!("the targets in {}", dir.display()),
            Probe::Members { pattern } => format!("the workspace members {pattern}"),
            Probe::AllExist { .. } => "the sources of the dependencies".to_string(),
            Probe::Toolchains { dir } => format!("the toolchains in {}", dir.display()),
            Probe::Value { name, .. } => name.clone(),
        }
    }
}

impl Seen {
    /// Looks at `probe` now.
    pub fn now(probe: Probe, watch: &mut Watch) -> Seen {
        let saw = probe.look(watch);
        Seen { probe, saw }
    }

    /// Whether the probe still sees the same.
    pub fn holds(&self) -> bool {
        self.probe.look(&mut Watch::default()) == self.saw
    }
}

/// The first difference between two lists of observations, described.
pub fn first_difference(stored: &[Seen], now: &[Seen]) -> String {
    for s in now {
        match stored.iter().find(|t| t.probe == s.probe) {
            Some(t) if t.saw == s.saw => {}
            _ => return format!("{} changed", s.probe.describe()),
        }
    }
    match stored
        .iter()
        .find(|t| !now.iter().any(|s| s.probe == t.probe))
    {
        Some(t) => format!("{} changed", t.probe.describe()),
        None => "the order of the inputs changed".to_string(),
    }
}

/// A hash of `value` that does not change between runs of one build
/// (`DefaultHasher::new` has fixed keys; a cache entry names the build that
/// wrote it), as 16 hex digits.
pub fn hash_hex<T: Hash + ?Sized>(value: &T) -> String {
    let mut h = std::hash::DefaultHasher::new();
    value.hash(&mut h);
    format!("{:016x}", h.finish())
}

fn content_hash(bytes: &[u8]) -> String {
    format!("{} bytes, {}", bytes.len(), hash_hex(bytes))
}

fn absent_or_error(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::NotFound {
        "absent".to_string()
    } else {
        format!("unreadable ({:?})", e.kind())
    }
}

fn nanos(t: SystemTime) -> u128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// `<canonical path> <size> <mtime ns>`, or why not.
fn program_stamp(path: &Path) -> String {
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match fs::metadata(&real) {
        Ok(m) => format!(
            "{} {} {}",
            real.display(),
            m.len(),
            m.modified().map_or(0, nanos)
        ),
        Err(e) => absent_or_error(&e),
    }
}

fn toolchains(dir: &Path) -> String {
    let Ok(read) = fs::read_dir(dir.join("toolchains")) else {
        return "none".to_string();
    };
    let mut names: Vec<PathBuf> = read.flatten().map(|e| e.path()).collect();
    names.sort();
    names
        .iter()
        .map(|t| {
            format!(
                "{}: cargo {}; rustc {}",
                t.file_name().unwrap_or_default().to_string_lossy(),
                program_stamp(&t.join("bin/cargo")),
                program_stamp(&t.join("bin/rustc"))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The folders whose `*.rs` files and `*/main.rs` folders are targets.
const TARGET_FOLDERS: [&str; 4] = ["src/bin", "examples", "tests", "benches"];
/// The files whose presence makes a target, or the readme (`README.md`,
/// `README.txt`, `README`, when the manifest names none).
const FOUND_FILES: [&str; 6] = [
    "build.rs",
    "src/lib.rs",
    "src/main.rs",
    "README.md",
    "README.txt",
    "README",
];

/// Watched: the files found (one created while cargo ran is new) and the
/// folders listed (`src` for `lib.rs` and `main.rs`): a target file that
/// went away changes its folder. Not the package folder itself, where
/// other things come and go (`target/`, editors' swap files); a build
/// script that went away is caught by comparing with cargo's answer
/// (`project::agrees`), and the readme is not something fork-lint reads.
fn discovered(dir: &Path, watch: &mut Watch) -> String {
    let mut out = String::new();
    if dir.join("src").is_dir() {
        watch.paths.push(dir.join("src"));
    }
    for f in FOUND_FILES {
        let path = dir.join(f);
        if path.is_file() {
            watch.paths.push(path);
            out.push_str(f);
            out.push('\n');
        }
    }
    for sub in TARGET_FOLDERS {
        let folder = dir.join(sub);
        let Ok(read) = fs::read_dir(&folder) else {
            continue;
        };
        watch.paths.push(folder.clone());
        let mut names: Vec<String> = Vec::new();
        for entry in read.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                // A folder is a target once it has a `main.rs`.
                watch.paths.push(path.clone());
                if path.join("main.rs").is_file() {
                    names.push(format!("{name}/main.rs"));
                }
            } else if name.ends_with(".rs") {
                names.push(name);
            }
        }
        if !names.is_empty() {
            names.sort();
            out.push_str(&format!("{sub}: {}\n", names.join(" ")));
        }
    }
    out
}

/// Cargo's expansion of a member pattern (`Workspace::expand_member_path`
/// and `members_paths`): `glob` on the joined path, folders only.
fn members(pattern: &str, watch: &mut Watch) -> String {
    let paths = match glob::glob(pattern) {
        Ok(paths) => paths,
        Err(e) => return format!("bad pattern ({e})"),
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        match p {
            Ok(p) if p.is_dir() => found.push(p),
            Ok(_) => {}
            Err(e) => return format!("unreadable ({e})"),
        }
    }
    found.sort();
    // A member folder made while cargo ran is new; one that went away
    // takes its manifest with it (`project::agrees`).
    watch.paths.extend(found.iter().cloned());
    found
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// How long before cargo started a file must have last changed for its
/// state to be trusted as what cargo read: file systems stamp changes with
/// a clock that lags the system clock by up to a timer tick, and some keep
/// whole seconds (two for FAT). A stamp with a fraction of a second comes
/// from a file system with fine stamps.
fn margin(stamp: SystemTime) -> Duration {
    let fine = stamp
        .duration_since(SystemTime::UNIX_EPOCH)
        .is_ok_and(|d| d.subsec_nanos() != 0);
    if fine {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(2)
    }
}

/// When the file or folder last changed: the later of its modification and
/// (on Unix) status change times. The status change time cannot be set
/// back: a file replaced by one with an old modification time (`tar -x`,
/// `touch -d`) still counts as changed now.
fn last_change(path: &Path) -> Option<SystemTime> {
    let stamp = |m: &fs::Metadata| -> Option<SystemTime> {
        let modified = m.modified().ok();
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            let ctime = u64::try_from(m.ctime()).ok().map(|s| {
                SystemTime::UNIX_EPOCH
                    + Duration::new(s, u32::try_from(m.ctime_nsec()).unwrap_or(0))
            });
            modified.max(ctime)
        };
        #[cfg(not(unix))]
        let changed = modified;
        changed
    };
    // The link and what it points to.
    let link = fs::symlink_metadata(path).ok().and_then(|m| stamp(&m));
    let target = fs::metadata(path).ok().and_then(|m| stamp(&m));
    link.max(target)
}

impl Watch {
    /// Watches `path` too.
    pub fn add(&mut self, path: PathBuf) {
        self.paths.push(path);
    }

    /// The first watched path that changed too shortly before `start` (or
    /// after it) for its state now to be what a process started at `start`
    /// read ([`margin`]). Paths that are gone are not reported: what
    /// looking at them saw ("absent") is checked by the probes.
    pub fn changed_since(&self, start: SystemTime) -> Option<&Path> {
        self.paths
            .iter()
            .map(PathBuf::as_path)
            .find(|p| last_change(p).is_some_and(|t| t + margin(t) > start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Scratch(PathBuf);
    impl Scratch {
        fn new(name: &str) -> Scratch {
            let d =
                std::env::temp_dir().join(format!("fork-lint-probe-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&d);
            fs::create_dir_all(&d).unwrap();
            Scratch(d)
        }
        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, text).unwrap();
            p
        }
    }
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn seen(probe: Probe) -> Seen {
        Seen::now(probe, &mut Watch::default())
    }

    #[test]
    fn files_are_seen_by_content_and_absence() {
        let s = Scratch::new("file");
        let path = s.write("Cargo.toml", "[package]\nname = \"a\"\n");
        let probe = Probe::File { path: path.clone() };
        let before = seen(probe.clone());
        assert!(before.holds());
        // Same size, other contents.
        fs::write(&path, "[package]\nname = \"b\"\n").unwrap();
        assert!(!before.holds());
        let after = seen(probe.clone());
        fs::remove_file(&path).unwrap();
        assert!(!after.holds());
        assert_eq!(seen(probe).saw, "absent");
    }

    #[test]
    fn targets_follow_auto_discovery() {
        let s = Scratch::new("targets");
        s.write("Cargo.toml", "");
        s.write("src/lib.rs", "");
        s.write("src/util.rs", "");
        let probe = Probe::Discovered { dir: s.0.clone() };
        let first = seen(probe.clone());
        // Module files and other files are not targets.
        s.write("src/more.rs", "");
        s.write("tests/data/input.txt", "");
        s.write("notes.txt", "");
        assert!(first.holds(), "{}", first.saw);
        // New targets are.
        for (rel, what) in [
            ("src/main.rs", "a binary"),
            ("src/bin/tool.rs", "a binary in src/bin"),
            ("examples/demo/main.rs", "an example folder"),
            ("tests/it.rs", "a test"),
            ("benches/b.rs", "a bench"),
            ("build.rs", "a build script"),
            ("README.md", "a readme"),
        ] {
            let before = seen(probe.clone());
            s.write(rel, "");
            assert!(!before.holds(), "{what}");
        }
        let before = seen(probe.clone());
        fs::remove_file(s.0.join("src/lib.rs")).unwrap();
        assert!(!before.holds(), "the library went away");
    }

    #[test]
    fn members_expand_like_cargo() {
        let s = Scratch::new("members");
        s.write("crates/a/Cargo.toml", "");
        s.write("crates/b/Cargo.toml", "");
        s.write("crates/file.txt", "");
        let pattern = format!("{}/crates/*", s.0.display());
        let probe = Probe::Members { pattern };
        let first = seen(probe.clone());
        assert_eq!(first.saw.lines().count(), 2, "folders only: {}", first.saw);
        s.write("crates/c/Cargo.toml", "");
        assert!(!first.holds());
        let literal = Probe::Members {
            pattern: format!("{}/crates/a", s.0.display()),
        };
        assert_eq!(seen(literal).saw.lines().count(), 1);
    }

    #[test]
    fn values_and_missing_paths() {
        let v = seen(Probe::Value {
            name: "RUSTFLAGS".into(),
            value: "-Cx".into(),
        });
        assert_eq!(v.saw, "-Cx");
        assert!(v.holds());
        let s = Scratch::new("exist");
        let a = s.write("a", "");
        let all = seen(Probe::AllExist {
            paths: vec![a.clone()],
        });
        assert_eq!(all.saw, "all");
        fs::remove_file(&a).unwrap();
        assert!(!all.holds());
    }

    #[test]
    fn differences_name_the_probe() {
        let a = |v: &str| Seen {
            probe: Probe::Value {
                name: "CARGO_X".into(),
                value: v.into(),
            },
            saw: v.into(),
        };
        let file = Seen {
            probe: Probe::File {
                path: PathBuf::from("/w/Cargo.lock"),
            },
            saw: "1".into(),
        };
        assert_eq!(
            first_difference(
                std::slice::from_ref(&file),
                &[Seen {
                    saw: "2".into(),
                    ..file.clone()
                }]
            ),
            "/w/Cargo.lock changed"
        );
        assert_eq!(
            first_difference(&[a("1")], &[a("1"), file.clone()]),
            "/w/Cargo.lock changed"
        );
        assert_eq!(
            first_difference(&[a("1"), file], &[a("1")]),
            "/w/Cargo.lock changed"
        );
    }

    #[test]
    fn fresh_changes_are_caught() {
        let s = Scratch::new("fresh");
        let path = s.write("Cargo.toml", "x");
        let mut watch = Watch::default();
        let _ = Probe::File { path: path.clone() }.look(&mut watch);
        // Changed just now: not older than any start from now on.
        assert_eq!(watch.changed_since(SystemTime::now()), Some(path.as_path()));
        // A start well after the change: trusted.
        let later = SystemTime::now() + Duration::from_secs(3);
        assert_eq!(watch.changed_since(later), None);
        // A modification time set back does not hide a change (ctime).
        #[cfg(unix)]
        {
            let f = fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(7))
                .unwrap();
            drop(f);
            assert_eq!(watch.changed_since(SystemTime::now()), Some(path.as_path()));
        }
    }
}

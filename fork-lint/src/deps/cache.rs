//! The on-disk cache of per-package results, under the target directory:
//! `<target_dir>/fork-lint/cache/<kind>/<hash of the package id>.json`.
//!
//! An entry is valid for one [`CacheKey`]: the package id plus a
//! fingerprint of what the result depends on. For registry, git and
//! vendored packages the id is immutable (a version, a locked commit, a
//! checksummed folder), so the fingerprint is only the enabled features;
//! for path packages (workspace members, path dependencies) it also hashes
//! the path, size and modification time of every `.rs` file and
//! `Cargo.toml` under the package folder, so an edited file invalidates the
//! entry ([`CacheKey::for_package`]).
//!
//! File format: line 1 is a JSON header (`schema`, `fork_lint` version,
//! `kind`, `package_id`, `fingerprint`), line 2 the value as JSON. The
//! header is compared before the value is parsed, so a stale entry costs
//! one short parse. Any mismatch (another fork-lint version or schema,
//! another kind, a hash collision, another fingerprint) or a file that does
//! not parse is a miss, never an error; the next [`Cache::put`] overwrites
//! it. Writes go to a temporary file in the same folder, then `rename`:
//! readers see the old entry or the new one, never half of one, also with
//! several fork-lint processes at once.
//!
//! Each package id has one entry per kind, overwritten when it changes, so
//! the cache grows with the packages seen, not with edits. `cargo clean`
//! removes it with the rest of the target folder.

use std::fs;
use std::io::{self, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::graph::DepPackage;
use crate::report::stable_hash;

/// Bumped when the file layout (header fields, encoding) changes.
pub const SCHEMA_VERSION: u32 = 1;

/// What an entry is valid for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// Cargo's package id.
    pub package_id: String,
    /// Everything else the cached value depends on (see the module docs).
    pub fingerprint: String,
}

impl CacheKey {
    /// The key of `package` in the graph: features always, and for path
    /// packages (whose sources can change under the same id) a fingerprint
    /// of their files ([`fingerprint_dir`]).
    pub fn for_package(package: &DepPackage) -> CacheKey {
        let mut fingerprint = format!("features={}", package.features.join(","));
        if !package.source.is_immutable() {
            fingerprint.push_str(&format!(
                ";files={}",
                fingerprint_dir(&package.manifest_dir)
            ));
        }
        CacheKey {
            package_id: package.id.clone(),
            fingerprint,
        }
    }
}

/// A hash (16 hex digits) of the relative path, size and modification time
/// (nanoseconds) of every `*.rs` file and `Cargo.toml` under `dir`, without
/// reading them. Skipped: hidden folders, `target/`, and sub-folders that
/// hold their own `Cargo.toml` (another package). A folder that cannot be
/// read contributes its error, so the key differs from any readable state.
pub fn fingerprint_dir(dir: &Path) -> String {
    let mut entries: Vec<String> = Vec::new();
    collect(dir, dir, &mut entries);
    entries.sort();
    let parts: Vec<&str> = entries.iter().map(String::as_str).collect();
    format!("{:016x}", stable_hash(&parts))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let read = match fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            out.push(format!("{}: unreadable ({:?})", dir.display(), e.kind()));
            return;
        }
    };
    for entry in read.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if name.starts_with('.')
                || (dir == root && name == "target")
                || path.join("Cargo.toml").is_file()
            {
                continue;
            }
            collect(root, &path, out);
        } else if name.ends_with(".rs") || name == "Cargo.toml" {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(format!("{} {} {mtime}", rel.display(), meta.len()));
        }
    }
}

/// Counters of one [`Cache`], for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Valid entries returned.
    pub hits: u64,
    /// No entry for the package.
    pub misses: u64,
    /// An entry for another key (fingerprint, version, schema or kind).
    pub stale: u64,
    /// An entry that did not parse.
    pub corrupt: u64,
    /// Entries written.
    pub writes: u64,
}

impl CacheStats {
    /// Lookups that returned nothing: `misses + stale + corrupt`.
    pub fn all_misses(&self) -> u64 {
        self.misses + self.stale + self.corrupt
    }
}

#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    stale: AtomicU64,
    corrupt: AtomicU64,
    writes: AtomicU64,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    schema: u32,
    fork_lint: String,
    kind: String,
    package_id: String,
    fingerprint: String,
}

/// A cache of `T` values per package. Shared between threads by reference
/// (`&Cache<T>` is `Sync`).
#[derive(Debug)]
pub struct Cache<T> {
    dir: PathBuf,
    kind: String,
    counters: Counters,
    _value: PhantomData<fn() -> T>,
}

/// Numbers temporary files, process-wide: with the process id, a name no
/// other writer (thread, `Cache` value or process) uses at the same time.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` (in `dir`, which must exist) through a
/// temporary file in `dir` and a `rename`: readers see the old file or the
/// new one, never half of one. On failure the temporary file is removed and
/// `path` is as it was.
pub(crate) fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = fs::File::create(&temp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

impl<T: Serialize + DeserializeOwned> Cache<T> {
    /// The cache of `kind` values under `<target_dir>/fork-lint/cache/`.
    /// `kind` names the value's type and its own schema version (e.g.
    /// `summaries-v1`): bump it when `T` changes shape. Nothing is created
    /// until the first [`Cache::put`].
    pub fn new(target_dir: &Path, kind: &str) -> Cache<T> {
        Cache::at(target_dir.join("fork-lint").join("cache").join(kind), kind)
    }

    /// A cache of `kind` values in `dir` itself.
    pub fn at(dir: PathBuf, kind: &str) -> Cache<T> {
        Cache {
            dir,
            kind: kind.to_string(),
            counters: Counters::default(),
            _value: PhantomData,
        }
    }

    /// The folder holding the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of the entry for `package_id`.
    pub fn path_of(&self, package_id: &str) -> PathBuf {
        self.dir
            .join(format!("{:016x}.json", stable_hash(&[package_id])))
    }

    fn header(&self, key: &CacheKey) -> Header {
        Header {
            schema: SCHEMA_VERSION,
            fork_lint: env!("CARGO_PKG_VERSION").to_string(),
            kind: self.kind.clone(),
            package_id: key.package_id.clone(),
            fingerprint: key.fingerprint.clone(),
        }
    }

    /// The value stored for `key`, if there is a valid one.
    pub fn get(&self, key: &CacheKey) -> Option<T> {
        let bump = |c: &AtomicU64| {
            c.fetch_add(1, Ordering::Relaxed);
        };
        let text = match fs::read_to_string(self.path_of(&key.package_id)) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                bump(&self.counters.misses);
                return None;
            }
            Err(_) => {
                // Unreadable or not UTF-8.
                bump(&self.counters.corrupt);
                return None;
            }
        };
        let Some((head, body)) = text.split_once('\n') else {
            bump(&self.counters.corrupt);
            return None;
        };
        let Ok(header) = serde_json::from_str::<Header>(head) else {
            bump(&self.counters.corrupt);
            return None;
        };
        if header != self.header(key) {
            bump(&self.counters.stale);
            return None;
        }
        match serde_json::from_str::<T>(body) {
            Ok(v) => {
                bump(&self.counters.hits);
                Some(v)
            }
            Err(_) => {
                bump(&self.counters.corrupt);
                None
            }
        }
    }

    /// Stores `value` for `key`, atomically (temporary file, then rename).
    /// A failure (read-only target folder, full disk) leaves the cache as it
    /// was; callers may ignore it: the cache is an optimisation.
    pub fn put(&self, key: &CacheKey, value: &T) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.path_of(&key.package_id);
        let mut bytes = serde_json::to_vec(&self.header(key))?;
        bytes.push(b'\n');
        serde_json::to_writer(&mut bytes, value)?;
        bytes.push(b'\n');
        let written = write_atomic(&self.dir, &path, &bytes);
        if written.is_ok() {
            self.counters.writes.fetch_add(1, Ordering::Relaxed);
        }
        written
    }

    /// The value for `key` from the cache, or computed by `compute` and
    /// stored (a failed store is ignored).
    pub fn get_or_insert_with(&self, key: &CacheKey, compute: impl FnOnce() -> T) -> T {
        if let Some(v) = self.get(key) {
            return v;
        }
        let v = compute();
        let _ = self.put(key, &v);
        v
    }

    /// The counters so far.
    pub fn stats(&self) -> CacheStats {
        let c = &self.counters;
        CacheStats {
            hits: c.hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            stale: c.stale.load(Ordering::Relaxed),
            corrupt: c.corrupt.load(Ordering::Relaxed),
            writes: c.writes.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deps::graph::SourceKind;
    use std::collections::BTreeMap;

    struct Scratch(PathBuf);
    impl Scratch {
        fn new(name: &str) -> Scratch {
            let d =
                std::env::temp_dir().join(format!("fork-lint-cache-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&d);
            fs::create_dir_all(&d).unwrap();
            Scratch(d)
        }
    }
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Summary {
        hazards: BTreeMap<String, Vec<String>>,
    }

    fn summary() -> Summary {
        let mut hazards = BTreeMap::new();
        hazards.insert("dep::make_label".into(), vec!["alloc".into()]);
        Summary { hazards }
    }

    fn key(fp: &str) -> CacheKey {
        CacheKey {
            package_id: "registry+x#dep@1.0.0".into(),
            fingerprint: fp.into(),
        }
    }

    #[test]
    fn round_trip_hits_and_misses() {
        let s = Scratch::new("round");
        let cache: Cache<Summary> = Cache::new(&s.0, "summaries-v1");
        assert_eq!(cache.get(&key("a")), None);
        cache.put(&key("a"), &summary()).unwrap();
        assert_eq!(cache.get(&key("a")), Some(summary()));
        // Another fingerprint: stale, not a crash.
        assert_eq!(cache.get(&key("b")), None);
        assert_eq!(
            cache.stats(),
            CacheStats {
                hits: 1,
                misses: 1,
                stale: 1,
                corrupt: 0,
                writes: 1
            }
        );
        assert!(cache.dir().starts_with(s.0.join("fork-lint").join("cache")));
        // A second cache (the next run) reads what the first wrote.
        let next: Cache<Summary> = Cache::new(&s.0, "summaries-v1");
        let mut computed = 0;
        let v = next.get_or_insert_with(&key("a"), || {
            computed += 1;
            summary()
        });
        assert_eq!((v, computed), (summary(), 0));
        assert_eq!(next.stats().hits, 1);
        // No temporary files are left behind.
        let names: Vec<String> = fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].ends_with(".json"));
    }

    #[test]
    fn corrupt_foreign_and_other_kinds_are_misses() {
        let s = Scratch::new("corrupt");
        let cache: Cache<Summary> = Cache::new(&s.0, "summaries-v1");
        let path = cache.path_of(&key("a").package_id);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        for junk in [
            &b""[..],
            b"not json",
            b"{\"schema\":1}\n{}",
            b"\xff\xfe\n",
            b"{\"schema\":1,\"fork_lint\":\"0.1.0\",\"kind\":\"summaries-v1\"",
        ] {
            fs::write(&path, junk).unwrap();
            assert_eq!(cache.get(&key("a")), None);
        }
        assert_eq!(cache.stats().corrupt, 5);
        // A valid header whose value does not fit `T`.
        let header = serde_json::to_string(&cache.header(&key("a"))).unwrap();
        fs::write(&path, format!("{header}\n[1, 2, 3]\n")).unwrap();
        assert_eq!(cache.get(&key("a")), None);
        assert_eq!(cache.stats().corrupt, 6);
        // Another fork-lint version or schema: stale.
        for (field, value) in [
            ("fork_lint", serde_json::json!("0.0.1-other")),
            ("schema", serde_json::json!(SCHEMA_VERSION + 1)),
        ] {
            let mut h: serde_json::Value = serde_json::from_str(&header).unwrap();
            h[field] = value;
            fs::write(&path, format!("{h}\n{{\"hazards\":{{}}}}\n")).unwrap();
            assert_eq!(cache.get(&key("a")), None);
        }
        assert_eq!(cache.stats().stale, 2);
        // After a put, the entry is good again.
        cache.put(&key("a"), &summary()).unwrap();
        assert_eq!(cache.get(&key("a")), Some(summary()));
        // Another kind in the same folder never reads this one's entries.
        let other: Cache<Summary> = Cache::at(cache.dir().to_path_buf(), "other-v1");
        assert_eq!(other.get(&key("a")), None);
        assert_eq!(other.stats().stale, 1);
    }

    /// Writers (threads with their own `Cache` values, as separate runs
    /// would have) replace a large entry while readers read it: every read
    /// is one whole value, never a mix or a parse failure.
    #[test]
    fn concurrent_writers_and_readers_see_whole_entries() {
        let s = Scratch::new("concurrent");
        let value = |tag: &str| {
            let mut hazards = BTreeMap::new();
            for i in 0..2000 {
                hazards.insert(format!("{tag}::f{i}"), vec![tag.to_string(); 8]);
            }
            Summary { hazards }
        };
        let (a, b) = (value("a"), value("b"));
        Cache::<Summary>::new(&s.0, "k").put(&key("x"), &a).unwrap();
        std::thread::scope(|scope| {
            for v in [&a, &b] {
                let dir = &s.0;
                scope.spawn(move || {
                    let cache: Cache<Summary> = Cache::new(dir, "k");
                    for _ in 0..30 {
                        cache.put(&key("x"), v).unwrap();
                    }
                });
            }
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let dir = &s.0;
                    let (a, b) = (&a, &b);
                    scope.spawn(move || {
                        let cache: Cache<Summary> = Cache::new(dir, "k");
                        for _ in 0..30 {
                            let got = cache.get(&key("x")).expect("always a whole entry");
                            assert!(got == *a || got == *b);
                        }
                        cache.stats()
                    })
                })
                .collect();
            for r in readers {
                let stats = r.join().unwrap();
                assert_eq!((stats.hits, stats.corrupt, stats.misses), (30, 0, 0));
            }
        });
        let left: Vec<_> = fs::read_dir(s.0.join("fork-lint/cache/k"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "no temporary files left: {left:?}");
    }

    #[test]
    fn unwritable_dir_is_an_error_not_a_panic() {
        let s = Scratch::new("ro");
        fs::write(s.0.join("file"), "").unwrap();
        // The cache folder would have to be below a regular file.
        let cache: Cache<Summary> = Cache::at(s.0.join("file").join("sub"), "k");
        assert!(cache.put(&key("a"), &summary()).is_err());
        assert_eq!(cache.get(&key("a")), None);
        let v = cache.get_or_insert_with(&key("a"), summary);
        assert_eq!(v, summary());
    }

    fn package(dir: &Path, source: SourceKind) -> DepPackage {
        DepPackage {
            id: format!("path+file://{}#dep@0.1.0", dir.display()),
            name: "dep".into(),
            version: "0.1.0".into(),
            edition: "2021".into(),
            lib_name: Some("dep".into()),
            lib_root: Some(dir.join("src/lib.rs")),
            proc_macro: false,
            source,
            manifest_dir: dir.to_path_buf(),
            features: vec!["default".into()],
            is_member: false,
            deps: Vec::new(),
            targets: Vec::new(),
        }
    }

    #[test]
    fn path_packages_are_invalidated_by_edits() {
        let s = Scratch::new("fp");
        let dir = s.0.join("dep");
        fs::create_dir_all(dir.join("src/nested")).unwrap();
        fs::write(dir.join("Cargo.toml"), "[package]\n").unwrap();
        fs::write(dir.join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        fs::write(dir.join("src/nested/m.rs"), "").unwrap();
        fs::write(dir.join("README.md"), "x").unwrap();
        let p = package(&dir, SourceKind::Path);
        let k1 = CacheKey::for_package(&p);
        assert_eq!(k1, CacheKey::for_package(&p), "deterministic");
        assert!(k1.fingerprint.starts_with("features=default;files="));

        // Not a source file, a hidden folder, target/, a nested package:
        // the key holds.
        fs::write(dir.join("README.md"), "changed").unwrap();
        fs::create_dir_all(dir.join(".git")).unwrap();
        fs::write(dir.join(".git/x.rs"), "").unwrap();
        fs::create_dir_all(dir.join("target/debug")).unwrap();
        fs::write(dir.join("target/debug/gen.rs"), "").unwrap();
        fs::create_dir_all(dir.join("sub/src")).unwrap();
        fs::write(dir.join("sub/Cargo.toml"), "").unwrap();
        fs::write(dir.join("sub/src/lib.rs"), "").unwrap();
        assert_eq!(CacheKey::for_package(&p), k1);

        let cache: Cache<Summary> = Cache::new(&s.0.join("target"), "summaries-v1");
        cache.put(&k1, &summary()).unwrap();
        assert_eq!(cache.get(&CacheKey::for_package(&p)), Some(summary()));

        // A changed size, a new file, a removed file: each a new key.
        fs::write(dir.join("src/lib.rs"), "pub fn f() { g() }\n").unwrap();
        let k2 = CacheKey::for_package(&p);
        assert_ne!(k2, k1);
        assert_eq!(cache.get(&k2), None);
        fs::write(dir.join("src/new.rs"), "").unwrap();
        let k3 = CacheKey::for_package(&p);
        assert_ne!(k3, k2);
        fs::remove_file(dir.join("src/nested/m.rs")).unwrap();
        assert_ne!(CacheKey::for_package(&p), k3);
        // Same size, new modification time.
        let before = CacheKey::for_package(&p);
        let f = fs::File::options()
            .write(true)
            .open(dir.join("src/lib.rs"))
            .unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(7))
            .unwrap();
        drop(f);
        assert_ne!(CacheKey::for_package(&p), before);

        // Immutable sources: the id (and features) only, no file walk.
        let reg = package(
            &dir,
            SourceKind::Registry {
                index: "registry+x".into(),
            },
        );
        assert_eq!(CacheKey::for_package(&reg).fingerprint, "features=default");
        fs::write(dir.join("src/lib.rs"), "changed again, and longer").unwrap();
        assert_eq!(CacheKey::for_package(&reg).fingerprint, "features=default");
    }
}

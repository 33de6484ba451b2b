//! Fingerprints the engine's sources for the on-disk cache of dependency
//! results (`src/deps/calls.rs`): `FORK_LINT_SOURCE_HASH` is a hash of the
//! path and contents of every file under `src/`, so that a fork-lint built
//! from other sources (a newer commit, a local edit) never trusts results an
//! older one stored, while `fork-lint` and `cargo-fork-lint`, built from the
//! same sources, share them. Reads files only; runs nothing.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    // FNV-1a, 64 bits: stable across Rust versions and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes.iter().chain(std::iter::once(&0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for f in &files {
        eat(f.to_string_lossy().replace('\\', "/").as_bytes());
        eat(&std::fs::read(f).unwrap_or_default());
    }
    println!("cargo::rustc-env=FORK_LINT_SOURCE_HASH={h:016x}");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

//! Robustness on real code: a bounded, deterministic sample of the benchmark
//! corpus (every file of it runs in `scripts/bench-corpus.sh`). Skipped, with
//! a message, when the corpus is not on this machine
//! (`/work/shared/bench/fetch-corpus` fetches it; `FORK_LINT_CORPUS` points
//! elsewhere).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use fork_lint::cargo_project::module_tree;
use fork_lint::{CrateSources, Options, RealFs, check_crate, check_source};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("FORK_LINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/fork-lint-corpus/vendor"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no corpus at {}", dir.display());
        None
    }
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn sampled_files_one_by_one() {
    let Some(corpus) = corpus() else { return };
    let mut files = Vec::new();
    rs_files(&corpus, &mut files);
    assert!(files.len() > 1000, "a corpus of {} files", files.len());
    let options = Options::default();
    let mut panics = Vec::new();
    for f in files.iter().step_by(files.len() / 150) {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        if catch_unwind(AssertUnwindSafe(|| check_source(f, &text, &options))).is_err() {
            panics.push(f.display().to_string());
        }
    }
    assert!(panics.is_empty(), "the engine panicked on: {panics:#?}");
}

#[test]
fn sampled_crates_as_module_trees() {
    let Some(corpus) = corpus() else { return };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let options = Options::default();
    let mut checked = 0;
    for dir in dirs.iter().step_by(dirs.len() / 12) {
        let root = dir.join("src/lib.rs");
        if !root.is_file() {
            continue;
        }
        let tree = module_tree(&root, &RealFs);
        // These crates compile, so every unconditional `mod` has its file.
        assert!(
            tree.missing.is_empty(),
            "{}: {:?}",
            dir.display(),
            tree.missing
        );
        assert!(
            tree.files.iter().all(|f| f.path.is_file()),
            "{}",
            dir.display()
        );
        let name = dir.file_name().unwrap().to_string_lossy().replace('-', "_");
        let krate = CrateSources {
            name,
            files: tree.files,
        };
        assert!(
            catch_unwind(AssertUnwindSafe(|| check_crate(&krate, &RealFs, &options))).is_ok(),
            "the engine panicked on crate {}",
            dir.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 6,
        "only {checked} sampled crates have a src/lib.rs"
    );
}

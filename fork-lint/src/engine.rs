//! The engine's entry points. (Placeholder: the analysis lands with issue 2.)

use std::path::Path;

use crate::input::{CrateSources, FileSystem, MemoryFs, Options, Report, SourceFile};

/// Checks one crate: finds its child regions, follows calls within the crate
/// and reports hazards. Never panics; unreadable or unparsable files become
/// [`Report::errors`].
pub fn check_crate(krate: &CrateSources, fs: &dyn FileSystem, options: &Options) -> Report {
    let _ = (krate, fs, options);
    Report::default()
}

/// Checks a single file as a crate of its own (module path `[]`).
pub fn check_source(path: &Path, text: &str, options: &Options) -> Report {
    let mut fs = MemoryFs::default();
    fs.0.insert(path.to_path_buf(), text.to_string());
    let krate = CrateSources {
        name: "main".to_string(),
        files: vec![SourceFile { path: path.to_path_buf(), module: Vec::new() }],
    };
    check_crate(&krate, &fs, options)
}

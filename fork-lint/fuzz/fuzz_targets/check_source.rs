//! libFuzzer target: any UTF-8 text through the engine and the lexical layers.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let path = Path::new("fuzz.rs");
    let report = fork_lint::check_source(path, text, &fork_lint::Options::default());
    let lines = text.split('\n').count() as u32;
    for f in &report.findings {
        assert!(f.location.line >= 1 && f.location.line <= lines, "{f:?}");
    }
    for s in fork_lint::suppress::collect(path, text) {
        assert!(s.first_line <= s.last_line && s.last_line <= lines, "{s:?}");
    }
    let _ = fork_lint::scan::tokenize(text);
});

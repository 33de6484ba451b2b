//! Fuzzing on stable: proptest over arbitrary token streams and over mutated
//! real-looking sources, against the engine's entry point
//! (`fork_lint::check_source`) and the lexical layers (suppression collector,
//! scanner). Properties: no panic, no hang, and positions inside the text.
//!
//! Bounded for `cargo test` (`PROPTEST_CASES` raises it; the benchmark
//! script runs a longer session). A failure is shrunk and persisted under
//! `proptest-regressions/`; turn it into a case in `fuzz_regressions` below.

use std::path::{Path, PathBuf};

use fork_lint::cargo_project::module_tree;
use fork_lint::{MemoryFs, Options, check_source, scan, suppress};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Seeds with child regions of every kind the engine looks for.
const SEEDS: &[&str] = &[
    r#"
use nix::unistd::{fork, ForkResult};
fn main() {
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            println!("child {}", std::process::id());
            let v = vec![1, 2, 3];
            // fork-lint: allow(alloc) reason="measured"
            let s = format!("{v:?}");
            unsafe { libc::_exit(0) };
        }
        Ok(ForkResult::Parent { child }) => { let _ = child; }
        Err(e) => panic!("{e}"),
    }
}
"#,
    r#"
use std::os::unix::process::CommandExt;
use std::process::Command;
fn spawn(m: &std::sync::Mutex<u32>) {
    let mut cmd = Command::new("true");
    unsafe {
        cmd.pre_exec(move || {
            let g = m.lock().unwrap();
            helper(*g);
            Ok(())
        });
    }
}
fn helper(x: u32) { let b = Box::new(x); std::env::var("HOME").ok(); drop(b); }
"#,
    r#"
fn raw() {
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe {
            libc::write(2, b"x".as_ptr().cast(), 1);
            libc::execv(std::ptr::null(), std::ptr::null());
            libc::_exit(127);
        }
    } else if pid > 0 {
        let mut st = 0;
        unsafe { libc::waitpid(pid, &mut st, 0) };
    }
}
mod inner { pub fn f() { let _ = std::thread::spawn(|| {}); } }
"#,
];

const VOCAB: &[&str] = &[
    "fn",
    "unsafe",
    "mod",
    "let",
    "match",
    "if",
    "else",
    "loop",
    "while",
    "for",
    "in",
    "impl",
    "trait",
    "pub",
    "use",
    "move",
    "return",
    "async",
    "await",
    "struct",
    "enum",
    "const",
    "static",
    "macro_rules",
    "self",
    "Self",
    "super",
    "crate",
    "fork",
    "libc",
    "nix",
    "unistd",
    "ForkResult",
    "Child",
    "Parent",
    "pre_exec",
    "Command",
    "_exit",
    "execv",
    "println",
    "format",
    "vec",
    "Box",
    "new",
    "lock",
    "unwrap",
    "std",
    "process",
    "x",
    "r#type",
    "::",
    ".",
    ",",
    ";",
    ":",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    "|",
    "||",
    "=>",
    "->",
    "=",
    "==",
    "!",
    "&",
    "*",
    "#",
    "'a",
    "'",
    "\"",
    "\"s\"",
    "0",
    "1u8",
    "'c'",
    "r#\"x\"#",
    "b\"y\"",
    "?",
    "// fork-lint: allow(alloc)",
    "// fork-lint: allow(",
    "/*",
    "*/",
    "/* c */",
    "///",
    "\n",
    "é",
    "\\",
];

fn token_stream() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(VOCAB), prop::bool::ANY), 0..120).prop_map(|toks| {
        let mut s = String::new();
        for (t, newline) in toks {
            s.push_str(t);
            s.push(if newline { '\n' } else { ' ' });
        }
        s
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, &'static str),
    Duplicate(usize, usize),
    Truncate(usize),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), prop::sample::select(VOCAB)).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (any::<usize>(), 1..80usize).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

/// The nearest char boundary at or below `i % (len + 1)`.
fn boundary(s: &str, i: usize) -> usize {
    let mut i = i % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(seed: &str, muts: &[Mutation]) -> String {
    let mut s = seed.to_string();
    for m in muts {
        match *m {
            Mutation::Delete(a, n) => {
                let a = boundary(&s, a);
                let b = boundary(&s, a + n.min(s.len() - a));
                s.replace_range(a..b, "");
            }
            Mutation::Insert(a, t) => {
                let a = boundary(&s, a);
                s.insert_str(a, t);
            }
            Mutation::Duplicate(a, n) => {
                let a = boundary(&s, a);
                let b = boundary(&s, a + n.min(s.len() - a));
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            Mutation::Truncate(a) => {
                let a = boundary(&s, a);
                s.truncate(a);
            }
            Mutation::Swap(a, b) => {
                let (a, b) = (boundary(&s, a), boundary(&s, b));
                let (a, b) = (a.min(b), a.max(b));
                let mid = boundary(&s, a + (b - a) / 2);
                if a < mid && mid < b {
                    let (x, y) = (s[a..mid].to_string(), s[mid..b].to_string());
                    s.replace_range(a..b, &format!("{y}{x}"));
                }
            }
        }
    }
    s
}

/// Everything the properties demand of one input.
fn check(text: &str) {
    let path = Path::new("fuzz.rs");
    let lines = text.split('\n').count() as u32;
    let report = check_source(path, text, &Options::default());
    for f in &report.findings {
        assert!(
            f.location.line >= 1 && f.location.line <= lines,
            "finding outside the text: {f:?}"
        );
        assert!(f.location.column >= 1, "0-based column: {f:?}");
        assert!(
            !f.message.is_empty() && !f.message.ends_with('.'),
            "message style: {f:?}"
        );
    }
    for s in suppress::collect(path, text) {
        assert!(
            s.first_line <= s.last_line && s.last_line <= lines && s.line <= lines,
            "{s:?}"
        );
    }
    // The module-tree walk reads the text as a crate root.
    let fs = MemoryFs(
        [(PathBuf::from("src/lib.rs"), text.to_string())]
            .into_iter()
            .collect(),
    );
    let tree = module_tree(Path::new("src/lib.rs"), &fs);
    assert_eq!(tree.files.len(), 1, "only the root exists");
    let toks = scan::tokenize(text);
    for w in toks.windows(2) {
        assert!(w[0].end <= w[1].start, "overlapping tokens");
    }
    for t in &toks {
        assert!(
            t.start < t.end
                && t.end <= text.len()
                && text.is_char_boundary(t.start)
                && text.is_char_boundary(t.end)
        );
    }
}

fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn arbitrary_token_streams(text in token_stream()) {
        check(&text);
    }

    #[test]
    fn mutated_sources(seed in prop::sample::select(SEEDS), muts in prop::collection::vec(mutation(), 1..8)) {
        check(&mutate(seed, &muts));
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        check(&text);
    }
}

/// Inputs that once broke something (shrunk by proptest) and edge cases.
#[test]
fn fuzz_regressions() {
    for text in [
        "",
        "\n",
        "'",
        "\"",
        "r#",
        "/*",
        "// fork-lint: allow(",
        "// fork-lint: allow(alloc)",
        "fn main() { match unsafe { fork() } { Ok(ForkResult::Child) => {",
        "é'",
        "\r\n// fork-lint: allow(alloc)\r\n",
        "}}}}{{{{",
    ] {
        check(text);
    }
    for seed in SEEDS {
        check(seed);
        for cut in (0..seed.len()).step_by(7) {
            check(&seed[..cut]);
        }
    }
}

//! Following child code into dependencies (issue 10), beyond the path
//! calls of `deps.rs`: method calls on a dependency's types (inherent
//! impls, trait impls, trait default methods, all in the dependency), and a
//! real crate from the registry, offline.

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::{TempDir, stderr};

const FORK_LINT: &str = env!("CARGO_BIN_EXE_fork-lint");
const CARGO_FORK_LINT: &str = env!("CARGO_BIN_EXE_cargo-fork-lint");

fn run(bin: &str, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    if bin == CARGO_FORK_LINT {
        cmd.arg("fork-lint");
    }
    cmd.args(args)
        .current_dir(dir)
        // Never a network access: cargo is told so twice.
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("the binary runs")
}

/// `(line, rule, message)` of every finding of a JSON Lines run.
fn findings(o: &Output) -> Vec<(u32, String, String)> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON Lines"))
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["line"].as_u64().unwrap() as u32,
                v["rule"].as_str().unwrap().to_string(),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the fixture")) as u32
        + 1
}

const SHAPES_LIB: &str = r#"//! Types whose methods the child calls.

mod impls;
pub mod render;

pub use render::Render;

pub struct Labeler {
    prefix: u32,
}

impl Labeler {
    pub const fn new(prefix: u32) -> Self {
        Labeler { prefix }
    }

    /// Allocates.
    pub fn label(&self) -> String {
        format!("{}-x", self.prefix)
    }

    /// Async-signal-safe.
    pub fn width(&self) -> usize {
        if self.prefix > 9 { 2 } else { 1 }
    }
}

pub struct Counter {
    pub n: u64,
}

impl Counter {
    pub const fn new() -> Counter {
        Counter { n: 0 }
    }
}

// An impl a macro writes: fork-lint does not see it.
macro_rules! id_getter {
    ($t:ty) => {
        impl $t {
            pub fn id(&self) -> u64 {
                7
            }
        }
    };
}
id_getter!(Counter);
"#;

const SHAPES_RENDER: &str = r#"/// Renders a value into a byte buffer.
pub trait Render {
    /// Writes into `out`; returns the number of bytes written.
    fn render(&self, out: &mut [u8]) -> usize;

    /// A default method that allocates.
    fn describe(&self) -> String {
        String::from("a shape")
    }

    /// A default method that does not.
    fn arity(&self) -> usize {
        1
    }
}
"#;

const SHAPES_IMPLS: &str = r#"//! The trait impls, in a file of their own.

use crate::{Counter, Labeler, Render};
use std::sync::Mutex;

static SCRATCH: Mutex<[u8; 4]> = Mutex::new([0; 4]);

impl Render for Counter {
    /// Takes a lock.
    fn render(&self, out: &mut [u8]) -> usize {
        let guard = SCRATCH.lock();
        let n = out.len().min(4);
        drop(guard);
        n
    }
}

impl Render for Labeler {
    /// Async-signal-safe: one byte into the caller's buffer.
    fn render(&self, out: &mut [u8]) -> usize {
        match out.first_mut() {
            Some(b) => {
                *b = b'L';
                1
            }
            None => 0,
        }
    }
}
"#;

const APP_MAIN: &str = r#"use shapes::{Counter, Labeler, Render};

fn main() {
    let parent = Labeler::new(1);
    let _ = parent.label();
    // SAFETY: the child only calls what the test expects, then _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let l = Labeler::new(3);
        let c: Counter = Counter::new();
        let mut buf = [0u8; 8];
        let a = l.label();
        let b = l.width();
        let n = c.render(&mut buf);
        let m = l.render(&mut buf);
        let d = c.describe();
        let k = l.arity();
        let q = shapes::Labeler::new(4).label();
        let i = c.id();
        let code = a.len() + b + n + m + d.len() + k + q.len() + i as usize;
        // SAFETY: _exit is async-signal-safe and ends the child.
        unsafe { libc::_exit(code as i32) };
    }
}
"#;

fn shapes_workspace(tmp: &TempDir) -> std::path::PathBuf {
    tmp.write(
        "ws/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nshapes = { path = \"../shapes\" }\nlibc = \"0.2\"\n",
    );
    tmp.write("ws/src/main.rs", APP_MAIN);
    tmp.write(
        "shapes/Cargo.toml",
        "[package]\nname = \"shapes\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
    );
    tmp.write("shapes/src/lib.rs", SHAPES_LIB);
    tmp.write("shapes/src/render.rs", SHAPES_RENDER);
    tmp.write("shapes/src/impls.rs", SHAPES_IMPLS);
    tmp.path().join("ws")
}

/// Method calls on values of a dependency's types, the receiver's type
/// known from the source: followed into the dependency's inherent impls,
/// trait impls and the trait's default methods. What is safe there stays
/// silent; a method fork-lint cannot find there (a macro wrote the impl) is
/// an `unknown-call` note, as any call it cannot follow; the parent's call
/// is not child code.
#[test]
fn method_calls_on_a_dependency_type_follow_its_impls() {
    let tmp = TempDir::new("depfollow", "methods");
    let ws = shapes_workspace(&tmp);
    let line = |needle: &str| line_of(APP_MAIN, needle);
    let expected = [
        (line("l.label()"), "alloc", "`shapes::Labeler::label`"),
        (line("c.render("), "lock", "`shapes::Counter::render`"),
        (line("c.describe()"), "alloc", "`shapes::Counter::describe`"),
        (
            line("shapes::Labeler::new(4).label()"),
            "alloc",
            "`shapes::Labeler::label`",
        ),
    ];
    for (bin, args) in [
        (CARGO_FORK_LINT, &["--offline", "--format", "json"][..]),
        (FORK_LINT, &["--offline", "--format", "json", "."]),
    ] {
        let out = run(bin, &ws, args);
        let got = findings(&out);
        let summary: Vec<(u32, &str)> = got.iter().map(|(l, r, _)| (*l, r.as_str())).collect();
        assert_eq!(
            summary,
            expected
                .iter()
                .map(|(l, r, _)| (*l, *r))
                .collect::<Vec<_>>(),
            "{bin}: {got:#?}\n{}",
            stderr(&out)
        );
        for ((_, _, message), (_, _, callee)) in got.iter().zip(&expected) {
            assert!(
                message.starts_with(&format!("call to {callee} (shapes-0.2.0) reaches ")),
                "{message}"
            );
        }
        assert_eq!(out.status.code(), Some(1));
    }

    // With `unknown-call` on, the macro-written method is a note; the
    // followed ones are not.
    tmp.write("ws/fork-lint.toml", "[rules]\nunknown-call = \"warn\"\n");
    let out = run(CARGO_FORK_LINT, &ws, &["--offline", "--format", "json"]);
    let notes: Vec<(u32, String)> = findings(&out)
        .into_iter()
        .filter(|(_, r, _)| r == "unknown-call")
        .map(|(l, _, m)| (l, m))
        .collect();
    assert_eq!(
        notes,
        [(
            line("c.id()"),
            "`shapes::Counter::id` is in crate `shapes`, whose async-signal safety fork-lint does not know".to_string()
        )],
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Without the dependency's sources (`--deps off`), every call into it
    // is an unknown call (the note is on): no verdict, and no guess from a
    // method's name.
    let out = run(FORK_LINT, &ws, &["--deps", "off", "--format", "json", "."]);
    let got = findings(&out);
    assert!(got.iter().all(|(_, r, _)| r == "unknown-call"), "{got:#?}");
    for call in [
        "l.label()",
        "l.width()",
        "c.render(",
        "l.render(",
        "c.describe()",
        "l.arity()",
        "c.id()",
    ] {
        assert!(
            got.iter().any(|(l, _, _)| *l == line(call)),
            "`{call}`: {got:#?}"
        );
    }
}

/// A crate from the registry that the knowledge table does not describe
/// (`strsim`: `levenshtein` collects a `Vec` of distances, `hamming`
/// compares in place), resolved and read from cargo's local cache only. Skips, saying why, when cargo cannot
/// resolve it offline (the crates are not in the local cache): this test
/// never makes a network access cargo would not make itself, and cargo is
/// told `--offline`.
#[test]
fn a_registry_crate_is_followed_offline() {
    let tmp = TempDir::new("depfollow", "registry");
    tmp.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nstrsim = \"0.11\"\nlibc = \"0.2\"\n",
    );
    let main = "fn main() {\n    // SAFETY: the child calls what the test expects, then _exit.\n    if unsafe { libc::fork() } == 0 {\n        let words = strsim::levenshtein(\"kitten\", \"sitting\");\n        let d = strsim::hamming(\"abc\", \"abd\").unwrap_or(0);\n        // SAFETY: _exit ends the child.\n        unsafe { libc::_exit((words + d) as i32) };\n    }\n}\n";
    tmp.write("src/main.rs", main);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let probe = Command::new(&cargo)
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(tmp.path())
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("cargo runs");
    if !probe.status.success() {
        eprintln!(
            "skipped: the registry crates of this test (strsim 0.11, libc 0.2) are not in cargo's local cache, and it does not go online: {}",
            stderr(&probe).trim()
        );
        return;
    }
    let out = run(
        CARGO_FORK_LINT,
        tmp.path(),
        &["--offline", "--stats", "--format", "json"],
    );
    let got = findings(&out);
    let lev = line_of(main, "strsim::levenshtein");
    assert!(
        got.iter().any(|(l, r, m)| *l == lev
            && r == "alloc"
            && m.starts_with("call to `strsim::levenshtein` (strsim-0.11.")),
        "{got:#?}\n{}",
        stderr(&out)
    );
    let hamming = line_of(main, "strsim::hamming");
    assert!(
        got.iter().all(|(l, _, _)| *l == lev),
        "only `levenshtein` is a hazard: {got:#?}"
    );
    assert_ne!(lev, hamming);
    // The chain goes into the registry sources.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("strsim-0.11."), "{text}");
    assert!(
        !stderr(&out).lines().any(|l| l.starts_with("note: ")),
        "{}",
        stderr(&out)
    );
}

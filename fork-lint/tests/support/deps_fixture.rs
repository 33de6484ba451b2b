//! A scratch cargo workspace whose child code calls into a path dependency
//! that lives OUTSIDE the workspace: the fixture for following calls into
//! dependencies (issue 10). Works offline: its only registry dependency is
//! `libc`, which this repository's own build has already put in cargo's
//! cache.
//!
//! ```text
//! <dir>/ws/Cargo.toml                 [workspace] members = ["app"]
//! <dir>/ws/app/Cargo.toml             outside-dep (path ../../outside-dep), libc
//! <dir>/ws/app/src/main.rs            forks; the child calls each function below
//! <dir>/outside-dep/Cargo.toml        libc
//! <dir>/outside-dep/src/lib.rs        make_label (allocates), label_len (through
//!                                     make_label), bump_counter (Mutex), user_name
//!                                     (libc::getpwuid), find_byte, FixedVec
//! <dir>/outside-dep/src/fmt.rs        format_u64 into a stack buffer
//! ```
//!
//! [`DepsFixture::calls`] lists every call the child makes into the
//! dependency, its line in `main.rs` and the rule it must raise (`None`:
//! async-signal-safe, must stay silent). The parent also calls
//! `make_label` before the fork: that call is not child code.

// Each test binary that includes `support` uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One call from the child region into the dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedCall {
    /// The callee as written in `main.rs` (`outside_dep::make_label`).
    pub callee: &'static str,
    /// 1-based line of the call in `app/src/main.rs`.
    pub line: u32,
    /// 1-based column (characters) where the call expression starts.
    pub column: u32,
    /// The rule the call must raise, `None` when it is async-signal-safe.
    pub rule: Option<&'static str>,
}

/// The generated workspace.
#[derive(Debug, Clone)]
pub struct DepsFixture {
    /// The workspace root (`<dir>/ws`).
    pub workspace: PathBuf,
    /// `<dir>/ws/Cargo.toml`.
    pub manifest: PathBuf,
    /// `<dir>/ws/app/src/main.rs`.
    pub app_main: PathBuf,
    /// The dependency's folder (`<dir>/outside-dep`), outside the workspace.
    pub dep_dir: PathBuf,
    /// `<dir>/outside-dep/src/lib.rs`.
    pub dep_lib: PathBuf,
    /// The child's calls into the dependency, in source order.
    pub calls: Vec<ExpectedCall>,
    /// Line of the parent's (silent) `make_label` call before the fork.
    pub parent_call_line: u32,
}

pub const DEP_LIB: &str = r#"//! A dependency outside the workspace: some functions are not
//! async-signal-safe, some are.

pub mod fmt;

use std::sync::Mutex;

static COUNTER: Mutex<u64> = Mutex::new(0);

/// Allocates a `String`.
pub fn make_label(n: u32) -> String {
    format!("worker-{n}")
}

/// Allocates through `make_label`.
pub fn label_len(n: u32) -> usize {
    make_label(n).len()
}

/// Takes a lock.
pub fn bump_counter() -> u64 {
    let mut guard = match COUNTER.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    *guard += 1;
    *guard
}

/// Looks the user up in the password database (NSS: files, locks, malloc).
pub fn user_name(uid: u32) -> bool {
    // SAFETY: getpwuid takes any uid and returns null or a pointer to static
    // storage; the pointer is only compared with null.
    unsafe { !libc::getpwuid(uid).is_null() }
}

/// A byte search: async-signal-safe.
pub fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    while i < hay.len() {
        if hay[i] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A vector with a fixed capacity, in place: async-signal-safe.
pub struct FixedVec<const N: usize> {
    items: [u32; N],
    len: usize,
}

impl<const N: usize> FixedVec<N> {
    pub const fn new() -> Self {
        FixedVec { items: [0; N], len: 0 }
    }

    /// Appends `x`; `false` when full.
    pub fn push(&mut self, x: u32) -> bool {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = x;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
}
"#;

pub const DEP_FMT: &str = r#"//! Integer formatting without allocation.

/// Writes `n` in decimal into `buf`; returns the number of bytes.
pub fn format_u64(mut n: u64, buf: &mut [u8; 20]) -> usize {
    let mut tmp = [0u8; 20];
    let mut len = 0;
    loop {
        tmp[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    let mut i = 0;
    while i < len {
        buf[i] = tmp[len - 1 - i];
        i += 1;
    }
    len
}
"#;

pub const APP_MAIN: &str = r#"use outside_dep::FixedVec;

fn main() {
    let banner = outside_dep::make_label(0);
    // SAFETY: the child only calls what the test expects, then _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let label = outside_dep::make_label(7);
        let len = outside_dep::label_len(7);
        let count = outside_dep::bump_counter();
        let known = outside_dep::user_name(0);
        let mut buf = [0u8; 20];
        let n = outside_dep::fmt::format_u64(42, &mut buf);
        let at = outside_dep::find_byte(&buf[..n], b'2');
        let mut v: FixedVec<8> = FixedVec::new();
        let pushed = v.push(3);
        let code = label.len() + len + count as usize + known as usize + at.unwrap_or(0) + pushed as usize;
        // SAFETY: _exit is async-signal-safe and ends the child.
        unsafe { libc::_exit(code as i32) };
    }
    println!("{banner} forked {pid}");
}
"#;

/// The calls of [`APP_MAIN`]'s child and what each must raise.
const CALLS: &[(&str, &str, Option<&str>)] = &[
    // (callee, text that starts the call on its line, rule)
    (
        "outside_dep::make_label",
        "outside_dep::make_label(7)",
        Some("alloc"),
    ),
    (
        "outside_dep::label_len",
        "outside_dep::label_len(7)",
        Some("alloc"),
    ),
    (
        "outside_dep::bump_counter",
        "outside_dep::bump_counter()",
        Some("lock"),
    ),
    (
        "outside_dep::user_name",
        "outside_dep::user_name(0)",
        Some("libc-unsafe"),
    ),
    (
        "outside_dep::fmt::format_u64",
        "outside_dep::fmt::format_u64(",
        None,
    ),
    ("outside_dep::find_byte", "outside_dep::find_byte(", None),
    ("FixedVec::new", "FixedVec::new()", None),
    ("FixedVec::push", "v.push(3)", None),
];

/// The 1-based (line, column) of the first occurrence of `needle`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    for (i, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return ((i + 1) as u32, line[..byte].chars().count() as u32 + 1);
        }
    }
    panic!("`{needle}` is not in the fixture");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Writes the fixture under `dir` (which should be empty).
pub fn deps_workspace(dir: &Path) -> DepsFixture {
    let ws = dir.join("ws");
    let dep = dir.join("outside-dep");
    write(
        &ws.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"app\"]\n",
    );
    write(
        &ws.join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\noutside-dep = { path = \"../../outside-dep\" }\nlibc = \"0.2\"\n",
    );
    write(&ws.join("app/src/main.rs"), APP_MAIN);
    write(
        &dep.join("Cargo.toml"),
        "[package]\nname = \"outside-dep\"\nversion = \"0.3.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nlibc = \"0.2\"\n",
    );
    write(&dep.join("src/lib.rs"), DEP_LIB);
    write(&dep.join("src/fmt.rs"), DEP_FMT);
    let calls = CALLS
        .iter()
        .map(|&(callee, at, rule)| {
            let (line, column) = position(APP_MAIN, at);
            ExpectedCall {
                callee,
                line,
                column,
                rule,
            }
        })
        .collect();
    DepsFixture {
        manifest: ws.join("Cargo.toml"),
        app_main: ws.join("app/src/main.rs"),
        workspace: ws,
        dep_lib: dep.join("src/lib.rs"),
        dep_dir: dep,
        calls,
        parent_call_line: position(APP_MAIN, "outside_dep::make_label(0)").0,
    }
}

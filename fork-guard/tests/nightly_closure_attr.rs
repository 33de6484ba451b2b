//! `#[fork_guard::child]` directly on a closure expression, which needs
//! nightly Rust (`#![feature(stmt_expr_attributes, proc_macro_hygiene)]`).
//!
//! Runs only when `rustup run nightly rustc --version` works; otherwise it
//! prints a skip message and passes. Nothing else depends on nightly. It
//! builds two small crates with `cargo +nightly` in this test's temporary
//! directory: one whose marked closure is clean (it must build and run), one
//! whose marked closure allocates (it must fail with the `alloc` error).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(600);

fn nightly_available() -> bool {
    Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `cmd` with a timeout; returns (success, stdout + stderr).
fn run(mut cmd: Command) -> (bool, String) {
    let dir = std::env::temp_dir();
    let tag = format!(
        "fork-guard-nightly-{}-{:?}",
        std::process::id(),
        Instant::now()
    );
    let out_path = dir.join(format!("{}.out", tag.replace([' ', ':', '.'], "_")));
    let out = std::fs::File::create(&out_path).expect("create output file");
    let err = out.try_clone().expect("clone output file");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("spawn cargo");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} timed out after {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    (status.success(), text)
}

fn write_crate(root: &Path, name: &str, main_rs: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("src")).expect("create crate dir");
    let fork_guard = env!("CARGO_MANIFEST_DIR");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nfork-guard = {{ path = {fork_guard:?} }}\nlibc = \"0.2\"\n\n[workspace]\n"
        ),
    )
    .expect("write Cargo.toml");
    std::fs::write(dir.join("src/main.rs"), main_rs).expect("write main.rs");
    // Same dependency versions as the workspace, resolved offline.
    let lock = Path::new(fork_guard).join("../Cargo.lock");
    if lock.exists() {
        std::fs::copy(lock, dir.join("Cargo.lock")).expect("copy Cargo.lock");
    }
    dir
}

fn cargo_nightly(dir: &Path, root: &Path, subcommand: &str) -> (bool, String) {
    let mut cmd = Command::new("rustup");
    cmd.args([
        "run",
        "nightly",
        "cargo",
        subcommand,
        "--quiet",
        "--offline",
    ])
    .current_dir(dir)
    .env("CARGO_TARGET_DIR", root.join("target"))
    .env_remove("RUSTFLAGS")
    .env_remove("CARGO_BUILD_TARGET_DIR");
    run(cmd)
}

const CLEAN: &str = r#"#![feature(stmt_expr_attributes, proc_macro_hygiene)]

#[fork_guard::child]
fn say(msg: &[u8]) {
    // SAFETY: `msg` is valid for its length; write(2) is async-signal-safe.
    unsafe {
        libc::write(1, msg.as_ptr().cast(), msg.len());
    }
}

fn main() {
    let f = #[fork_guard::child]
    move || {
        say(b"closure attribute ran\n");
        7
    };
    let v = f();
    // Nothing may allocate after marked code ran: leave with _exit.
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(if v == 7 { 0 } else { 1 }) }
}
"#;

const ALLOCATES: &str = r#"#![feature(stmt_expr_attributes, proc_macro_hygiene)]

fn main() {
    let f = #[fork_guard::child]
    || {
        let s = format!("{}", 1);
        s.len()
    };
    let _ = f;
}
"#;

#[test]
fn closure_attribute_on_nightly() {
    if !nightly_available() {
        println!(
            "skipped: nightly Rust is not installed (`rustup run nightly rustc --version` failed)"
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nightly_closure_attr");

    let clean = write_crate(&root, "clean_closure", CLEAN);
    let (ok, out) = cargo_nightly(&clean, &root, "run");
    assert!(
        ok,
        "the clean marked closure must build and run on nightly:\n{out}"
    );
    assert!(out.contains("closure attribute ran"), "{out}");

    let bad = write_crate(&root, "allocating_closure", ALLOCATES);
    let (ok, out) = cargo_nightly(&bad, &root, "build");
    assert!(
        !ok,
        "the allocating marked closure must not compile:\n{out}"
    );
    assert!(
        out.contains("`format!` formats into a new `String` [alloc]"),
        "missing the alloc error:\n{out}"
    );
    assert!(
        out.contains("src/main.rs:6:17"),
        "the error must point at `format!`:\n{out}"
    );
}

//! A release build without the `release` feature is inert: builds
//! `examples/inert_check.rs` with `--release` (into its own target
//! directory under the workspace's, so it does not wait on the lock of the
//! build that runs this test) and runs it with a deadline.
//!
//! Set `FORK_GUARD_SKIP_RELEASE_BUILD=1` to skip (it compiles fork-guard and
//! its dependencies once more, in release mode).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

fn run_with_deadline(cmd: &mut Command, timeout: Duration) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + timeout;
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "timed out: {cmd:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        thread::sleep(Duration::from_millis(50));
    }
}

fn main() {
    if std::env::var_os("FORK_GUARD_SKIP_RELEASE_BUILD").is_some() {
        println!("test release_build_is_inert ... skipped (FORK_GUARD_SKIP_RELEASE_BUILD)");
        return;
    }
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).expect("target dir").to_path_buf();
    let target = target.join("fork-guard-release-inert");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = run_with_deadline(
        Command::new(&cargo)
            .current_dir(&manifest_dir)
            .args([
                "build",
                "--quiet",
                "--release",
                "-p",
                "fork-guard",
                "--example",
                "inert_check",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
        Duration::from_secs(900),
    );
    assert!(
        out.status.success(),
        "release build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = target.join("release/examples/inert_check");
    let out = run_with_deadline(
        Command::new(&bin).env("FORK_GUARD", "strict"),
        Duration::from_secs(60),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "inert_check failed: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert_eq!(stdout.trim(), "inert");
    assert!(stderr.is_empty(), "a release build printed: {stderr}");
    println!("test release_build_is_inert ... ok");
}

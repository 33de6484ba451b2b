//! A release build without the `release` feature is inert: builds
//! `examples/inert_check.rs` with `--release` (into its own target
//! directory under the workspace's, so it does not wait on the lock of the
//! build that runs this test) and runs it with a deadline.
//!
//! The same release build compiles `examples/one_api.rs` (guards, a
//! `Condvar`, a trait implemented on fork-guard's and std's guard types),
//! which must print exactly what its debug build prints: one lock API in
//! every build.
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
                "--example",
                "one_api",
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

    // The debug build of `one_api`: the one `cargo test` built next to this
    // test, or a fresh one in the side target directory.
    let beside = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples/one_api"))
        .filter(|p| p.exists());
    let debug_bin = match beside {
        Some(p) => p,
        None => {
            let out = run_with_deadline(
                Command::new(&cargo)
                    .current_dir(&manifest_dir)
                    .args([
                        "build",
                        "--quiet",
                        "-p",
                        "fork-guard",
                        "--example",
                        "one_api",
                    ])
                    .env("CARGO_TARGET_DIR", &target)
                    .env_remove("RUSTFLAGS")
                    .env_remove("CARGO_ENCODED_RUSTFLAGS"),
                Duration::from_secs(900),
            );
            assert!(
                out.status.success(),
                "debug build failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            target.join("debug/examples/one_api")
        }
    };
    let run = |bin: &std::path::Path| {
        let out = run_with_deadline(&mut Command::new(bin), Duration::from_secs(60));
        assert!(
            out.status.success(),
            "{} failed: {:?}\n{}",
            bin.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{} printed on stderr", bin.display());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let debug = run(&debug_bin);
    let release = run(&target.join("release/examples/one_api"));
    assert!(
        debug.contains("fork_guard::MutexGuard of 10 items = 55"),
        "{debug}"
    );
    assert_eq!(
        debug, release,
        "one_api behaves the same in debug and release"
    );
    println!("test one_api_same_in_debug_and_release ... ok");
}

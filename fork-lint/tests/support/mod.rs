//! Scaffolding shared by the CLI test binaries (`mod support;`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `<tmp>/fork-lint-<prefix>-<pid>-<name>`, emptied first.
    pub fn new(prefix: &str, name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("fork-lint-{prefix}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `rel` (creating folders) and returns its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub mod deps_fixture;

/// Runs `bin` (the `cargo-fork-lint` binary is given its `fork-lint`
/// subcommand) with `args` in `dir`, colours left to the binary's default.
#[allow(dead_code)]
pub fn run_cli(bin: &str, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    if bin.ends_with("cargo-fork-lint") {
        cmd.arg("fork-lint");
    }
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the binary runs")
}

/// Standard output, lossily decoded.
#[allow(dead_code)]
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error, lossily decoded.
#[allow(dead_code)]
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

//! `cargo fork-lint`: module trees, package and target selection through
//! `cargo metadata`, and the security property (nothing of the checked
//! project is built or run).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use fork_lint::cargo_project::{self, Selection, module_tree};
use fork_lint::{MemoryFs, RealFs};

fn fs(files: &[(&str, &str)]) -> MemoryFs {
    MemoryFs(
        files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect::<HashMap<_, _>>(),
    )
}

/// (path, module path joined with `::`) of every file of the tree.
fn tree(root: &str, files: &[(&str, &str)]) -> Vec<(String, String)> {
    let t = module_tree(Path::new(root), &fs(files));
    t.files
        .iter()
        .map(|f| (f.path.display().to_string(), f.module.join("::")))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn follows_mod_declarations_by_cargo_conventions() {
    let files = [
        (
            "src/lib.rs",
            "pub mod a;\nmod b;\n// mod commented;\nconst S: &str = \"mod quoted;\";\n",
        ),
        ("src/a.rs", "mod c; // non-mod-rs: children in src/a/\n"),
        ("src/a/c.rs", ""),
        ("src/b/mod.rs", "mod d;\n"),
        ("src/b/d.rs", ""),
        ("src/unreachable.rs", "fn not_linted() {}"),
        ("src/commented.rs", ""),
        ("src/quoted.rs", ""),
    ];
    assert_eq!(
        tree("src/lib.rs", &files),
        pairs(&[
            ("src/lib.rs", ""),
            ("src/a.rs", "a"),
            ("src/a/c.rs", "a::c"),
            ("src/b/mod.rs", "b"),
            ("src/b/d.rs", "b::d"),
        ])
    );
}

#[test]
fn path_attributes() {
    let files = [
        (
            "src/main.rs",
            "#[path = \"sys/linux.rs\"]\nmod imp;\nmod outer;\n",
        ),
        // A file loaded through #[path] owns its folder like a mod.rs.
        ("src/sys/linux.rs", "mod helper;\n"),
        ("src/sys/helper.rs", ""),
        // In a non-mod-rs file, #[path] outside inline modules is relative to
        // the file's own folder...
        (
            "src/outer.rs",
            "#[path = \"shared.rs\"] mod s;\nmod inl {\n    #[path = \"deep.rs\"] mod d;\n}\n",
        ),
        ("src/shared.rs", ""),
        // ...and inside inline modules to `outer/<inline path>`.
        ("src/outer/inl/deep.rs", ""),
    ];
    assert_eq!(
        tree("src/main.rs", &files),
        pairs(&[
            ("src/main.rs", ""),
            ("src/sys/linux.rs", "imp"),
            ("src/sys/helper.rs", "imp::helper"),
            ("src/outer.rs", "outer"),
            ("src/shared.rs", "outer::s"),
            ("src/outer/inl/deep.rs", "outer::inl::d"),
        ])
    );
}

#[test]
fn inline_modules_nest_file_modules() {
    let files = [
        (
            "src/lib.rs",
            "mod net {\n    pub mod tcp;\n    #[path = \"udp_impl\"]\n    mod udp {\n        mod sock;\n    }\n}\nmod r#type;\n",
        ),
        ("src/net/tcp.rs", ""),
        ("src/net/udp_impl/sock.rs", ""),
        ("src/type.rs", ""),
    ];
    assert_eq!(
        tree("src/lib.rs", &files),
        pairs(&[
            ("src/lib.rs", ""),
            ("src/net/tcp.rs", "net::tcp"),
            ("src/net/udp_impl/sock.rs", "net::udp::sock"),
            ("src/type.rs", "type"),
        ])
    );
}

#[test]
fn cfg_modules_and_macros() {
    let files = [
        (
            "src/lib.rs",
            r#"
#[cfg(unix)] mod unix;
#[cfg(windows)] mod windows;
#[cfg(feature = "gen")] mod generated;
#[cfg_attr(target_os = "linux", path = "os/linux.rs")]
#[cfg_attr(target_os = "macos", path = "os/macos.rs")]
mod os;
cfg_if::cfg_if! {
    if #[cfg(unix)] { mod via_cfg_if; } else { mod other_platform; }
}
macro_rules! decl { ($m:ident) => { mod $m; mod in_macro_rules; }; }
mod missing;
"#,
        ),
        ("src/unix.rs", ""),
        ("src/windows.rs", ""),
        ("src/os/linux.rs", ""),
        ("src/os/macos.rs", ""),
        ("src/via_cfg_if.rs", ""),
        ("src/in_macro_rules.rs", ""),
    ];
    let t = module_tree(Path::new("src/lib.rs"), &fs(&files));
    let got: Vec<_> = t
        .files
        .iter()
        .map(|f| (f.path.display().to_string(), f.module.join("::")))
        .collect();
    assert_eq!(
        got,
        pairs(&[
            ("src/lib.rs", ""),
            ("src/unix.rs", "unix"),
            ("src/windows.rs", "windows"),
            ("src/os/linux.rs", "os"),
            ("src/os/macos.rs", "os"),
            ("src/via_cfg_if.rs", "via_cfg_if"),
            ("src/in_macro_rules.rs", "in_macro_rules"),
        ])
    );
    // Only the unconditional declaration with no file is reported: a cfg'd
    // generated module and the other branch of cfg_if! are normal.
    assert_eq!(t.missing.len(), 1, "{:?}", t.missing);
    assert_eq!(t.missing[0].line, 12);
    assert_eq!(
        t.missing[0].to_string(),
        "src/lib.rs:12: module file not found (tried src/missing.rs, src/missing/mod.rs)"
    );
}

/// serde's pattern: `mod` items in a `macro_rules!` body, expanded in
/// another file (here `crate_root!()` in lib.rs, defined in crate_root.rs).
#[test]
fn modules_declared_in_macro_definitions() {
    let files = [
        (
            "src/lib.rs",
            "mod crate_root;\n#[cfg(docsrs)]\n#[path = \"core/root.rs\"]\nmod docs_root;\ncrate_root!();\n",
        ),
        (
            "src/crate_root.rs",
            "macro_rules! crate_root { () => { mod lib { } pub mod de; mod $name; }; }\n",
        ),
        ("src/de/mod.rs", ""),
        (
            "src/core/root.rs",
            "macro_rules! crate_root { () => { pub mod ser; }; }\n",
        ),
        ("src/core/ser.rs", ""),
    ];
    let t = module_tree(Path::new("src/lib.rs"), &fs(&files));
    let got: Vec<_> = t
        .files
        .iter()
        .map(|f| (f.path.display().to_string(), f.module.join("::")))
        .collect();
    assert_eq!(
        got,
        pairs(&[
            ("src/lib.rs", ""),
            ("src/crate_root.rs", "crate_root"),
            ("src/de/mod.rs", "crate_root::de"),
            ("src/core/root.rs", "docs_root"),
            ("src/core/ser.rs", "docs_root::ser"),
        ])
    );
    assert!(t.missing.is_empty(), "{:?}", t.missing);
}

#[test]
fn cycles_and_duplicates_are_linted_once() {
    let files = [
        (
            "src/lib.rs",
            "#[path = \"lib.rs\"] mod again;\n#[path = \"./a.rs\"] mod x;\n#[path = \"a.rs\"] mod y;\n",
        ),
        ("src/a.rs", ""),
    ];
    assert_eq!(
        tree("src/lib.rs", &files),
        pairs(&[("src/lib.rs", ""), ("src/a.rs", "x")])
    );
}

#[test]
fn unreadable_root_is_still_listed() {
    let t = module_tree(Path::new("src/nope.rs"), &fs(&[]));
    assert_eq!(t.files.len(), 1, "the engine reports the unreadable file");
}

// ---- real cargo projects ----

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cargo-subcommand")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, t) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    }
}

/// Makes a single package its own workspace root. The scratch folders live
/// in the target folder, which may be inside this repository's workspace.
const STANDALONE: &str = "\n[workspace]\n";

fn package(name: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
}

/// A workspace with a root package, two members (one a default member) and
/// a file outside every module tree.
fn workspace(name: &str) -> PathBuf {
    let root = scratch(name);
    let root_manifest = format!(
        "{}\n[workspace]\nmembers = [\"crates/alpha\", \"crates/beta-tool\"]\n",
        package("root-pkg")
    );
    write(
        &root,
        &[
            ("Cargo.toml", &root_manifest),
            ("src/lib.rs", "mod util;\n"),
            ("src/util.rs", ""),
            ("src/stray.rs", "// not in any module tree\n"),
            ("crates/alpha/Cargo.toml", &package("alpha")),
            ("crates/alpha/src/lib.rs", "pub mod a;\n"),
            ("crates/alpha/src/a.rs", ""),
            ("crates/alpha/tests/it.rs", ""),
            ("crates/alpha/examples/demo.rs", ""),
            ("crates/beta-tool/Cargo.toml", &package("beta-tool")),
            ("crates/beta-tool/src/main.rs", "mod cli;\n"),
            ("crates/beta-tool/src/cli.rs", ""),
            ("crates/beta-tool/build.rs", "fn main() {}\n"),
        ],
    );
    root
}

fn load(
    root: &Path,
    sel: Selection,
) -> Result<cargo_project::Project, cargo_project::ProjectError> {
    cargo_project::load(
        &Selection {
            manifest_path: Some(root.join("Cargo.toml")),
            ..sel
        },
        &RealFs,
    )
}

/// crate name → files relative to `root`.
fn summary(root: &Path, p: &cargo_project::Project) -> Vec<(String, Vec<String>)> {
    let root = std::fs::canonicalize(root).unwrap();
    p.crates
        .iter()
        .map(|c| {
            let files = c
                .files
                .iter()
                .map(|f| {
                    std::fs::canonicalize(&f.path)
                        .unwrap()
                        .strip_prefix(&root)
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect();
            (c.name.clone(), files)
        })
        .collect()
}

fn s(v: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    v.iter()
        .map(|(n, f)| (n.to_string(), f.iter().map(|x| x.to_string()).collect()))
        .collect()
}

#[test]
fn package_selection() {
    let root = workspace("selection");
    // Default: the package of the manifest (the root package).
    let p = load(&root, Selection::default()).unwrap();
    assert_eq!(
        std::fs::canonicalize(&p.root).unwrap(),
        std::fs::canonicalize(&root).unwrap()
    );
    assert_eq!(
        summary(&root, &p),
        s(&[("root_pkg", &["src/lib.rs", "src/util.rs"])])
    );

    // --workspace: every member; lib and bin targets only.
    let p = load(
        &root,
        Selection {
            workspace: true,
            ..Selection::default()
        },
    )
    .unwrap();
    let mut got = summary(&root, &p);
    got.sort();
    assert_eq!(
        got,
        s(&[
            (
                "alpha",
                &["crates/alpha/src/lib.rs", "crates/alpha/src/a.rs"]
            ),
            (
                "beta_tool",
                &[
                    "crates/beta-tool/src/main.rs",
                    "crates/beta-tool/src/cli.rs"
                ]
            ),
            ("root_pkg", &["src/lib.rs", "src/util.rs"]),
        ])
    );

    // --workspace --exclude.
    let p = load(
        &root,
        Selection {
            workspace: true,
            exclude: vec!["root-pkg".into(), "alpha".into()],
            ..Selection::default()
        },
    )
    .unwrap();
    assert_eq!(
        summary(&root, &p),
        s(&[(
            "beta_tool",
            &[
                "crates/beta-tool/src/main.rs",
                "crates/beta-tool/src/cli.rs"
            ]
        )])
    );

    // -p with --all-targets: tests, examples and the build script too.
    let p = load(
        &root,
        Selection {
            packages: vec!["alpha".into(), "beta-tool".into()],
            all_targets: true,
            ..Selection::default()
        },
    )
    .unwrap();
    let mut got = summary(&root, &p);
    got.sort();
    assert_eq!(
        got,
        s(&[
            (
                "alpha",
                &["crates/alpha/src/lib.rs", "crates/alpha/src/a.rs"]
            ),
            (
                "beta_tool",
                &[
                    "crates/beta-tool/src/main.rs",
                    "crates/beta-tool/src/cli.rs"
                ]
            ),
            ("build_script_build", &["crates/beta-tool/build.rs"]),
            ("demo", &["crates/alpha/examples/demo.rs"]),
            ("it", &["crates/alpha/tests/it.rs"]),
        ])
    );

    // A member's manifest selects that member.
    let p = cargo_project::load(
        &Selection {
            manifest_path: Some(root.join("crates/alpha/Cargo.toml")),
            ..Selection::default()
        },
        &RealFs,
    )
    .unwrap();
    assert_eq!(
        summary(&root, &p),
        s(&[(
            "alpha",
            &["crates/alpha/src/lib.rs", "crates/alpha/src/a.rs"]
        )])
    );
}

#[test]
fn virtual_workspace_uses_default_members() {
    let root = scratch("virtual");
    write(
        &root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\ndefault-members = [\"b\"]\n",
            ),
            ("a/Cargo.toml", &package("a")),
            ("a/src/lib.rs", ""),
            ("b/Cargo.toml", &package("b")),
            ("b/src/lib.rs", ""),
        ],
    );
    let p = load(&root, Selection::default()).unwrap();
    assert_eq!(summary(&root, &p), s(&[("b", &["b/src/lib.rs"])]));
}

#[test]
fn selection_errors() {
    let root = workspace("errors");
    let e = load(
        &root,
        Selection {
            packages: vec!["gamma".into()],
            ..Selection::default()
        },
    )
    .unwrap_err();
    assert!(
        e.0.contains("package `gamma` is not a member of the workspace (members: "),
        "{e}"
    );
    let e = load(
        &root,
        Selection {
            exclude: vec!["alpha".into()],
            ..Selection::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.0,
        "`--exclude` can only be used together with `--workspace`"
    );
    let e = load(
        &root,
        Selection {
            workspace: true,
            exclude: vec!["gamma".into()],
            ..Selection::default()
        },
    )
    .unwrap_err();
    assert!(e.0.contains("excluded package `gamma`"), "{e}");
    let e = cargo_project::load(
        &Selection {
            manifest_path: Some(root.join("nope/Cargo.toml")),
            ..Selection::default()
        },
        &RealFs,
    )
    .unwrap_err();
    assert!(e.0.starts_with("cargo metadata failed"), "{e}");
}

/// `cargo metadata --no-deps` must not run the project's build script nor a
/// `rustc`/`rustc-wrapper` that the project's `.cargo/config.toml` names.
/// (Without `--no-deps`, cargo runs the configured `rustc` to learn target
/// information: this test fails if that ever creeps in.)
#[test]
fn never_builds_or_runs_project_code() {
    let root = scratch("hostile");
    let marker = root.join("ran");
    let script = root.join("evil.sh");
    write(
        &root,
        &[
            (
                "Cargo.toml",
                &format!(
                    "{}build = \"build.rs\"\n[dependencies]\n{STANDALONE}",
                    package("hostile")
                ),
            ),
            (
                "build.rs",
                &format!(
                    "fn main() {{ std::fs::write({:?}, \"build\").unwrap(); }}\n",
                    marker.display().to_string()
                ),
            ),
            ("src/lib.rs", "pub fn f() {}\n"),
            (
                "evil.sh",
                &format!("#!/bin/sh\necho rustc > '{}'\nexit 1\n", marker.display()),
            ),
            (
                ".cargo/config.toml",
                &format!(
                    "[build]\nrustc = '{0}'\nrustc-wrapper = '{0}'\n",
                    script.display()
                ),
            ),
        ],
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Run from inside the project, where cargo reads its `.cargo/config.toml`.
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-fork-lint"))
        .args(["fork-lint", "--format", "json"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        !marker.exists(),
        "project code ran: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("cargo metadata failed"), "{stderr}");
}

#[test]
fn binary_rejects_bad_selections_with_exit_code_2() {
    let root = workspace("binary-errors");
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-fork-lint"))
        .arg("fork-lint")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["-p", "gamma"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: package `gamma` is not a member"),
        "{stderr}"
    );
    // Without the `fork-lint` argument cargo adds, too (direct invocation).
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-fork-lint"))
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--exclude", "alpha"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`--exclude` can only be used together with `--workspace`")
    );
}

// ---- the binary end to end, through the shared CLI pipeline ----

const FORKING: &str = r#"use nix::unistd::{fork, ForkResult};
pub fn spawn() {
    if let Ok(ForkResult::Child) = unsafe { fork() } {
        let msg = format!("child {}", 1);
        unsafe { libc::_exit(msg.len() as i32) };
    }
}
"#;

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn cargo_fork_lint(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-fork-lint"))
        .arg("fork-lint")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(args)
        .current_dir(root)
        .output()
        .unwrap()
}

#[test]
fn lints_module_trees_only() {
    let root = scratch("e2e");
    write(
        &root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"app\"]\n",
            ),
            ("app/Cargo.toml", &package("app")),
            ("app/src/lib.rs", "pub mod child;\n"),
            ("app/src/child.rs", FORKING),
            // The same code in a file no module tree reaches: not linted.
            ("app/src/old_child.rs", FORKING),
        ],
    );
    let out = cargo_fork_lint(&root, &["--format", "json"]);
    let lines = json_lines(&out.stdout);
    let findings: Vec<_> = lines.iter().filter(|l| l["type"] == "finding").collect();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{lines:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        findings.iter().any(|f| f["rule"] == "alloc"
            && f["file"].as_str().unwrap().ends_with("app/src/child.rs")
            && f["line"] == 4),
        "{findings:#?}"
    );
    assert!(
        findings
            .iter()
            .all(|f| !f["file"].as_str().unwrap().contains("old_child")),
        "{findings:#?}"
    );

    // A suppression and a configuration from the workspace root apply.
    write(
        &root,
        &[(
            "app/src/child.rs",
            &FORKING.replace(
                "        let msg",
                "        // fork-lint: allow(alloc) reason=\"test\"\n        let msg",
            ),
        )],
    );
    let out = cargo_fork_lint(&root, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = cargo_fork_lint(&root, &["--format", "json", "--no-suppress"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    write(&root, &[("fork-lint.toml", "[rules]\nalloc = \"warn\"\n")]);
    let out = cargo_fork_lint(&root, &["--format", "json", "--no-suppress"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "warn caps the level: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn configuration_errors_exit_2_with_file_and_line() {
    let root = scratch("config-error");
    write(
        &root,
        &[
            (
                "Cargo.toml",
                &format!(
                    "{}\n[package.metadata.fork-lint.rules]\nalloc = \"warn\"\nallocs = \"deny\"\n{STANDALONE}",
                    package("cfg")
                ),
            ),
            ("src/lib.rs", ""),
        ],
    );
    let out = cargo_fork_lint(&root, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Cargo.toml:8:1: unknown rule `allocs`"),
        "{stderr}"
    );
}

#[test]
fn info_flags_need_no_project() {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-fork-lint"))
        .args(["fork-lint", "--list-rules"])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unused-suppression"));
}

#[test]
fn baseline_round_trip_through_the_binary() {
    let root = scratch("baseline-e2e");
    write(
        &root,
        &[
            ("Cargo.toml", &format!("{}{STANDALONE}", package("based"))),
            ("src/lib.rs", "pub mod child;\n"),
            ("src/child.rs", FORKING),
        ],
    );
    let baseline = root.join("fork-lint-baseline.json");
    let b = baseline.to_str().unwrap();
    let out = cargo_fork_lint(&root, &["--format", "json", "--write-baseline", b]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(
        json["entries"][0]["file"], "src/child.rs",
        "relative to the workspace root"
    );

    // Known findings only: clean.
    let out = cargo_fork_lint(&root, &["--format", "json", "--baseline", b]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Unrelated lines added above: still clean. A new hazard: reported.
    let moved = format!("// a comment\n\n{FORKING}");
    write(&root, &[("src/child.rs", &moved)]);
    let out = cargo_fork_lint(&root, &["--format", "json", "--baseline", b]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let more = moved.replace(
        "        unsafe { libc::_exit",
        "        let v = vec![1u8];\n        unsafe { libc::_exit",
    );
    write(&root, &[("src/child.rs", &more)]);
    let out = cargo_fork_lint(&root, &["--format", "json", "--baseline", b]);
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<_> = json_lines(&out.stdout)
        .into_iter()
        .filter(|l| l["type"] == "finding")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["line"], 7, "{findings:#?}");
}

#[test]
fn configured_excludes_apply_to_module_tree_files() {
    let root = scratch("exclude-e2e");
    write(
        &root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"app\"]\n",
            ),
            ("app/Cargo.toml", &package("app")),
            ("app/src/lib.rs", "pub mod generated;\n"),
            ("app/src/generated/mod.rs", FORKING),
        ],
    );
    let out = cargo_fork_lint(&root, &["--workspace", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    write(
        &root,
        &[("fork-lint.toml", "exclude = [\"app/src/generated/\"]\n")],
    );
    let out = cargo_fork_lint(&root, &["--workspace", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

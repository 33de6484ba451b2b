//! Dependencies (issue 10): the resolved graph from `cargo metadata`, the
//! `--deps`/`--offline`/`--locked`/`--frozen` flags of both binaries,
//! cargo's JSON messages end to end, and the security property with the
//! full resolve (no build script or proc macro of any dependency runs).
//!
//! Everything runs offline: the scratch workspaces use path dependencies and
//! `libc`, which this repository's own build put in cargo's cache.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cargo_metadata::Message;
use fork_lint::RealFs;
use fork_lint::cargo_project::{CargoFlags, module_tree};
use fork_lint::deps::{DepGraph, DepKind, SourceKind};

mod support;
use support::deps_fixture::deps_workspace;
use support::{TempDir, run_cli as run, stderr};

const FORK_LINT: &str = env!("CARGO_BIN_EXE_fork-lint");
const CARGO_FORK_LINT: &str = env!("CARGO_BIN_EXE_cargo-fork-lint");

const OFFLINE: CargoFlags = CargoFlags {
    offline: true,
    locked: false,
    frozen: false,
};

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn canon(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

#[test]
fn graph_finds_the_path_dependency_outside_the_workspace() {
    let tmp = TempDir::new("deps", "fixture");
    let fx = deps_workspace(tmp.path());
    let g = DepGraph::load(Some(&fx.manifest), &OFFLINE).expect("offline resolve");
    assert!(g.missing.is_empty(), "{:?}", g.missing);
    assert_eq!(canon(&g.workspace_root), canon(&fx.workspace));
    assert_eq!(
        canon(&g.target_directory),
        canon(&fx.workspace.join("target"))
    );

    let app = g.by_name("app").next().expect("app");
    let dep = g.by_name("outside-dep").next().expect("outside-dep");
    let libc = g.by_name("libc").next().expect("libc");
    assert_eq!(g.members().collect::<Vec<_>>(), [app]);

    let d = &g.packages[dep];
    assert_eq!(d.source, SourceKind::Path);
    assert!(!d.is_member);
    assert_eq!(
        (d.name.as_str(), d.version.as_str(), d.edition.as_str()),
        ("outside-dep", "0.3.0", "2021")
    );
    assert_eq!(d.lib_name.as_deref(), Some("outside_dep"));
    assert_eq!(canon(d.lib_root.as_ref().unwrap()), canon(&fx.dep_lib));
    assert_eq!(canon(&d.manifest_dir), canon(&fx.dep_dir));
    assert!(!canon(&d.manifest_dir).starts_with(canon(&fx.workspace)));
    // Code in `app` names it `outside_dep::`; the dependency reaches libc.
    assert_eq!(g.extern_crate(app, "outside_dep"), Some(dep));
    assert_eq!(g.extern_crate(dep, "libc"), Some(libc));
    assert!(matches!(
        g.packages[libc].source,
        SourceKind::Registry { .. }
    ));
    assert!(g.packages[libc].features.contains(&"std".to_string()));
    assert_eq!(g.closure(&[app], &[DepKind::Normal]).len(), 3);

    // Its module tree (what the engine will read) has both files.
    let tree = module_tree(d.lib_root.as_ref().unwrap(), &RealFs);
    let files: Vec<String> = tree
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["lib.rs", "fmt.rs"]);
    assert!(tree.missing.is_empty());

    // The expected calls point at the calls in main.rs.
    let main = std::fs::read_to_string(&fx.app_main).unwrap();
    for call in &fx.calls {
        let line = main.lines().nth(call.line as usize - 1).unwrap();
        let rest: String = line.chars().skip(call.column as usize - 1).collect();
        let last = call.callee.rsplit("::").next().unwrap();
        assert!(rest.contains(last), "{call:?} at `{line}`");
    }
    assert_eq!(fx.calls.iter().filter(|c| c.rule.is_none()).count(), 4);
}

/// Dependencies of other platforms are not in the graph (`--filter-platform`
/// with the host): code for them never runs in a child here.
#[cfg(unix)]
#[test]
fn other_platforms_dependencies_are_left_out() {
    let tmp = TempDir::new("deps", "platform");
    tmp.write(
        "ws/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [target.'cfg(windows)'.dependencies]\nwinonly = { path = \"../winonly\" }\n\n\
         [target.'cfg(unix)'.dependencies]\nunixonly = { path = \"../unixonly\" }\n",
    );
    tmp.write("ws/src/lib.rs", "");
    for name in ["winonly", "unixonly"] {
        tmp.write(
            &format!("{name}/Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        );
        tmp.write(&format!("{name}/src/lib.rs"), "");
    }
    let g = DepGraph::load(Some(&tmp.path().join("ws/Cargo.toml")), &OFFLINE).unwrap();
    let app = g.by_name("app").next().unwrap();
    assert!(g.extern_crate(app, "unixonly").is_some());
    assert_eq!(g.by_name("winonly").count(), 0);
    let edge = &g.packages[app].deps[0];
    assert_eq!(
        edge.kinds,
        [(DepKind::Normal, Some("cfg(unix)".to_string()))]
    );
}

#[test]
fn vendored_sources_are_recognised() {
    let tmp = TempDir::new("deps", "vendored");
    let fx = deps_workspace(tmp.path());
    let out = Command::new(cargo())
        .args(["vendor", "--offline", "--quiet", "vendor"])
        .current_dir(&fx.workspace)
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo vendor: {}", stderr(&out));
    tmp.write(
        "ws/.cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"vendor\"\n",
    );
    let g = DepGraph::load(Some(&fx.manifest), &OFFLINE).unwrap();
    let libc = &g.packages[g.by_name("libc").next().unwrap()];
    assert!(
        matches!(libc.source, SourceKind::Vendored { .. }),
        "{:?}",
        libc.source
    );
    assert!(libc.source.is_immutable());
    assert!(
        canon(libc.lib_root.as_ref().unwrap()).starts_with(canon(&fx.workspace.join("vendor")))
    );
    let dep = &g.packages[g.by_name("outside-dep").next().unwrap()];
    assert_eq!(dep.source, SourceKind::Path);
}

/// With the full resolve, and following the child's calls into the
/// dependency that has a build script, cargo and fork-lint still build and
/// run nothing: not the build script of a dependency, not a proc macro, not
/// the `rustc` or wrappers the project's configuration names. The same
/// workspace under `cargo check` runs both, so the markers do work.
#[test]
fn no_build_script_or_proc_macro_of_any_dependency_runs() {
    let tmp = TempDir::new("deps", "hostile");
    let marker_build = tmp.path().join("marker-build");
    let marker_macro = tmp.path().join("marker-macro");
    let marker_rustc = tmp.path().join("marker-rustc");
    tmp.write(
        "ws/Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"app\"]\n",
    );
    tmp.write(
        "ws/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\
         evil-build = { path = \"../../evil-build\" }\nevil-macro = { path = \"../../evil-macro\" }\nlibc = \"0.2\"\n",
    );
    tmp.write(
        "ws/app/src/main.rs",
        "evil_macro::boom!();\nfn main() {\n    if unsafe { libc::fork() } == 0 {\n        evil_build::f();\n        evil_macro::boom!();\n        unsafe { libc::_exit(0) };\n    }\n}\n",
    );
    tmp.write(
        "evil-build/Cargo.toml",
        "[package]\nname = \"evil-build\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n",
    );
    tmp.write(
        "evil-build/build.rs",
        format!(
            "fn main() {{\n    std::fs::write({:?}, \"build\").unwrap();\n    let out = std::env::var(\"OUT_DIR\").unwrap();\n    std::fs::write(format!(\"{{out}}/gen.rs\"), \"\").unwrap();\n}}\n",
            marker_build.display().to_string()
        ),
    );
    tmp.write(
        "evil-build/src/lib.rs",
        "include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\npub fn f() {\n    g();\n}\nfn g() {}\n",
    );
    tmp.write(
        "evil-macro/Cargo.toml",
        "[package]\nname = \"evil-macro\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n",
    );
    tmp.write(
        "evil-macro/src/lib.rs",
        format!(
            "use proc_macro::TokenStream;\n#[proc_macro]\npub fn boom(_: TokenStream) -> TokenStream {{\n    std::fs::write({:?}, \"macro\").unwrap();\n    TokenStream::new()\n}}\n",
            marker_macro.display().to_string()
        ),
    );
    let evil = tmp.write(
        "evil.sh",
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n",
            marker_rustc.display()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&evil, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = format!(
        "[build]\nrustc = '{0}'\nrustc-wrapper = '{0}'\nrustc-workspace-wrapper = '{0}'\n",
        evil.display()
    );
    tmp.write("ws/.cargo/config.toml", &config);
    let ws = tmp.path().join("ws");

    let g = DepGraph::load(Some(&ws.join("Cargo.toml")), &OFFLINE).expect("resolve");
    let m = &g.packages[g.by_name("evil-macro").next().unwrap()];
    assert!(m.proc_macro);
    let cargo_run = run(
        CARGO_FORK_LINT,
        &ws,
        &["--offline", "--workspace", "--stats", "--no-cache"],
    );
    let path_run = run(
        FORK_LINT,
        &ws,
        &["--offline", "--deps", "auto", "--stats", "--no-cache", "."],
    );
    for (what, out) in [
        ("cargo fork-lint", &cargo_run),
        ("fork-lint PATH", &path_run),
    ] {
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(out));
        let err = stderr(out);
        assert!(!err.contains("not followed"), "{what}: {err}");
        // The child's call was followed into evil-build's sources (its
        // `lib.rs` read, nothing else: not the `include!`d output of its
        // build script, not the proc macro's crate).
        assert!(
            err.contains("stats: dependency module trees walked 1, files read 1;"),
            "{what}: {err}"
        );
    }
    for marker in [&marker_build, &marker_macro, &marker_rustc] {
        assert!(
            !marker.exists(),
            "{} exists: project code ran ({})",
            marker.display(),
            std::fs::read_to_string(marker).unwrap_or_default()
        );
    }

    // The control: a real build runs both (without the hostile config).
    std::fs::remove_file(ws.join(".cargo/config.toml")).unwrap();
    let out = Command::new(cargo())
        .args(["check", "--offline", "--quiet"])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo check: {}", stderr(&out));
    assert!(marker_build.exists() && marker_macro.exists());
}

/// A dependency without its sources: one note, and the run goes on.
#[test]
fn missing_sources_are_one_note_and_the_run_goes_on() {
    let tmp = TempDir::new("deps", "missing");
    tmp.write(
        "ws/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ngone = { path = \"../gone\" }\n",
    );
    tmp.write(
        "ws/src/main.rs",
        "fn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        let s = format!(\"{}\", 1);\n        unsafe { libc::_exit(s.len() as i32) };\n    }\n}\n",
    );
    tmp.write(
        "gone/Cargo.toml",
        "[package]\nname = \"gone\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\npath = \"src/gone.rs\"\n",
    );
    let ws = tmp.path().join("ws");
    let g = DepGraph::load(Some(&ws.join("Cargo.toml")), &OFFLINE).unwrap();
    assert_eq!(g.missing.len(), 1);
    assert_eq!(g.missing[0].name, "gone 0.1.0");

    for out in [
        run(FORK_LINT, &ws, &["--offline", "."]),
        run(CARGO_FORK_LINT, &ws, &["--offline"]),
    ] {
        let err = stderr(&out);
        let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note: ")).collect();
        assert_eq!(notes.len(), 1, "{err}");
        assert!(
            notes[0].starts_with("note: sources of dependency `gone 0.1.0` not found at ")
                && notes[0].ends_with("gone.rs: calls into it are not followed"),
            "{err}"
        );
        // The crate itself was still checked: its finding, exit code 1.
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("error[alloc]"));
    }
}

/// `--deps off` never runs cargo for `fork-lint PATH` and changes nothing in
/// the output; `--deps auto` runs `cargo metadata` (the `CARGO` cargo).
#[test]
fn deps_off_changes_nothing_and_runs_no_cargo() {
    let tmp = TempDir::new("deps", "off");
    let fx = deps_workspace(tmp.path());
    let log = tmp.path().join("cargo-calls");
    let fake = tmp.write(
        "fake-cargo.sh",
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            cargo()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let lint = |args: &[&str]| {
        Command::new(FORK_LINT)
            .args(args)
            .arg(".")
            .current_dir(&fx.workspace)
            .env("CARGO", &fake)
            .output()
            .unwrap()
    };
    let off = lint(&["--deps", "off", "--format", "json"]);
    assert!(!log.exists(), "cargo ran with --deps off");
    assert_eq!(stderr(&off), "");
    let auto = lint(&["--deps", "auto", "--offline", "--format", "json"]);
    let calls = std::fs::read_to_string(&log).expect("cargo ran with --deps auto");
    assert!(
        calls.starts_with("metadata --format-version 1 --manifest-path "),
        "{calls}"
    );
    assert!(
        calls.contains(" --offline")
            && calls.contains(" --filter-platform ")
            && !calls.contains("--no-deps"),
        "{calls}"
    );
    assert_eq!(stderr(&auto), "");
    // `auto` follows the child's calls into the dependency; `off` does not.
    let findings = |o: &Output| -> usize {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.contains("\"type\":\"finding\""))
            .count()
    };
    assert_eq!(
        findings(&off),
        0,
        "{}",
        String::from_utf8_lossy(&off.stdout)
    );
    assert!(findings(&auto) > 0);
    let default = lint(&["--offline", "--format", "json"]);
    assert_eq!(default.stdout, auto.stdout);
}

/// Child code calls into a path dependency outside the workspace: each
/// hazardous call is a finding at the call, with the chain into the
/// dependency; the async-signal-safe calls and the parent's call stay
/// silent. Both binaries, offline.
#[test]
fn calls_into_a_path_dependency_are_followed() {
    let tmp = TempDir::new("deps", "follow");
    let fx = deps_workspace(tmp.path());
    for (bin, args) in [
        (FORK_LINT, vec!["--offline", "--format", "json", "."]),
        (CARGO_FORK_LINT, vec!["--offline", "--format", "json"]),
    ] {
        let o = run(bin, &fx.workspace, &args);
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        let found: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "finding")
            .collect();
        let at = |line: u32| -> Vec<String> {
            found
                .iter()
                .filter(|f| {
                    f["file"]
                        .as_str()
                        .is_some_and(|p| p.ends_with("src/main.rs"))
                        && f["line"] == line
                })
                .map(|f| f["rule"].as_str().unwrap_or("").to_string())
                .collect()
        };
        for call in &fx.calls {
            match call.rule {
                Some(rule) => {
                    assert!(
                        at(call.line).iter().any(|r| r == rule),
                        "{bin}: `{}` at line {} must raise {rule}: {out}",
                        call.callee,
                        call.line
                    );
                }
                None => assert!(
                    at(call.line).is_empty(),
                    "{bin}: `{}` at line {} is async-signal-safe: {out}",
                    call.callee,
                    call.line
                ),
            }
        }
        assert!(
            at(fx.parent_call_line).is_empty(),
            "{bin}: parent call: {out}"
        );
        // The chain crosses into the dependency's file.
        assert!(
            found
                .iter()
                .any(|f| f["chain"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|s| s["file"]
                        .as_str()
                        .is_some_and(|p| p.contains("outside-dep"))))),
            "{bin}: {out}"
        );
        assert_eq!(o.status.code(), Some(1), "{bin}: {}", stderr(&o));
    }
}

/// `--frozen`/`--locked` with a stale lockfile: cargo's error, exit 2, for
/// both binaries. Without them, the same project resolves.
#[test]
fn frozen_with_a_stale_lockfile_is_a_tool_error() {
    let tmp = TempDir::new("deps", "frozen");
    let fx = deps_workspace(tmp.path());
    let out = run(CARGO_FORK_LINT, &fx.workspace, &["--offline"]);
    assert!(
        fx.workspace.join("Cargo.lock").is_file(),
        "{}",
        stderr(&out)
    );
    // A new dependency makes the lockfile stale.
    tmp.write(
        "extra/Cargo.toml",
        "[package]\nname = \"extra\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    tmp.write("extra/src/lib.rs", "pub fn g() {}\n");
    let manifest = fx.workspace.join("app/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}extra = {{ path = \"../../extra\" }}\n"),
    )
    .unwrap();

    for (bin, args) in [
        (CARGO_FORK_LINT, vec!["--frozen"]),
        (CARGO_FORK_LINT, vec!["--locked", "--offline"]),
        (FORK_LINT, vec!["--frozen", "."]),
    ] {
        let out = run(bin, &fx.workspace, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: cargo metadata failed"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("lock file") && (err.contains("--frozen") || err.contains("--locked")),
            "cargo's own reason: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    // Without --frozen, cargo updates the lockfile (offline) and the run goes on.
    let out = run(CARGO_FORK_LINT, &fx.workspace, &["--offline"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    // No tool error (findings in the dependency calls are expected).
    assert!(
        !stderr(&out).lines().any(|l| l.starts_with("error")),
        "{}",
        stderr(&out)
    );
}

/// When cargo cannot resolve the graph (here: a manifest cargo rejects),
/// `fork-lint PATH` says so once and checks the files anyway.
#[test]
fn unresolvable_graph_is_a_note_without_locked() {
    let tmp = TempDir::new("deps", "broken");
    tmp.write("Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nnope = { path = \"does-not-exist\" }\n");
    tmp.write(
        "src/main.rs",
        "fn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        println!(\"x\");\n        unsafe { libc::_exit(0) };\n    }\n}\n",
    );
    let out = run(FORK_LINT, tmp.path(), &["--offline", "."]);
    let err = stderr(&out);
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(
        notes[0].contains("are not followed: cargo metadata failed"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1), "{err}");
    // No cargo at all: the same, one note.
    let out = Command::new(FORK_LINT)
        .arg(".")
        .current_dir(tmp.path())
        .env("CARGO", tmp.path().join("no-such-cargo"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("note: ")).count(),
        1,
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1), "{err}");
    // Under --locked the same failure stops the run.
    let out = run(FORK_LINT, tmp.path(), &["--locked", "--offline", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

const JSON_MAIN: &str = "mod util;\n\nfn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        let s = format!(\"{}\", 1);\n        util::announce();\n        unsafe { libc::_exit(s.len() as i32) };\n    }\n}\n";
const JSON_UTIL: &str = "pub fn announce() {\n    say();\n}\n\nfn say() {\n    println!(\"hello from the child\");\n}\n";

/// `cargo fork-lint --message-format json`: cargo's messages, parsed back
/// with the `cargo_metadata` types; spans against the file text; `rendered`
/// is exactly the human output of each finding.
#[test]
fn message_format_json_end_to_end() {
    let tmp = TempDir::new("deps", "json");
    tmp.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"app\"]\n",
    );
    tmp.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nlibc = \"0.2\"\n",
    );
    tmp.write("app/src/main.rs", JSON_MAIN);
    tmp.write("app/src/util.rs", JSON_UTIL);
    let root = tmp.path();
    let json = run(
        CARGO_FORK_LINT,
        root,
        &["--workspace", "--offline", "--message-format=json"],
    );
    let human = run(
        CARGO_FORK_LINT,
        root,
        &[
            "--workspace",
            "--offline",
            "--format",
            "human",
            "--color",
            "never",
        ],
    );
    assert_eq!(json.status.code(), Some(1), "{}", stderr(&json));
    assert_eq!(stderr(&json), "", "no summary line on stderr in JSON mode");
    let messages: Vec<Message> = Message::parse_stream(json.stdout.as_slice())
        .map(|m| m.expect("a cargo message"))
        .collect();
    let Some(Message::BuildFinished(done)) = messages.last() else {
        panic!("ends with build-finished")
    };
    assert!(!done.success);
    let compiler: Vec<&cargo_metadata::CompilerMessage> = messages
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(
        compiler.len(),
        2,
        "{}",
        String::from_utf8_lossy(&json.stdout)
    );

    let mut rendered = String::new();
    for m in &compiler {
        assert!(
            m.package_id.repr.starts_with("path+file://")
                && m.package_id.repr.ends_with("app#0.1.0")
        );
        assert_eq!(m.target.name, "app");
        assert!(m.target.is_bin());
        let d = &m.message;
        let code = d.code.as_ref().unwrap().code.as_str();
        assert!(
            code == "fork-lint::alloc" || code == "fork-lint::stdio",
            "{code}"
        );
        // Every span, the primary and the chain's, covers the text it names.
        let mut spans: Vec<&cargo_metadata::diagnostic::DiagnosticSpan> = d.spans.iter().collect();
        spans.extend(d.children.iter().flat_map(|c| c.spans.iter()));
        for s in spans {
            assert!(
                !s.file_name.starts_with('/'),
                "relative to the workspace root: {}",
                s.file_name
            );
            let text = std::fs::read_to_string(root.join(&s.file_name)).unwrap();
            let covered = &text[s.byte_start as usize..s.byte_end as usize];
            let line = text.lines().nth(s.line_start - 1).unwrap();
            let by_columns: String = line
                .chars()
                .skip(s.column_start - 1)
                .take(s.column_end - s.column_start)
                .collect();
            assert_eq!(covered, by_columns, "{s:?}");
            assert_eq!(s.text[0].text, line);
        }
        rendered.push_str(d.rendered.as_deref().unwrap());
    }
    let alloc = compiler
        .iter()
        .find(|m| m.message.code.as_ref().unwrap().code == "fork-lint::alloc")
        .unwrap();
    let s = &alloc.message.spans[0];
    assert_eq!(
        &JSON_MAIN[s.byte_start as usize..s.byte_end as usize],
        "format!(\"{}\", 1)"
    );
    let stdio = compiler
        .iter()
        .find(|m| m.message.code.as_ref().unwrap().code == "fork-lint::stdio")
        .unwrap();
    let steps: Vec<(&str, &str)> = stdio
        .message
        .children
        .iter()
        .filter(|c| !c.spans.is_empty())
        .map(|c| (c.message.as_str(), c.spans[0].file_name.as_str()))
        .collect();
    // The hazard is where it is; the call in the child code is a note.
    assert_eq!(stdio.message.spans[0].file_name, "app/src/util.rs");
    assert!(
        steps
            .iter()
            .any(|(m, f)| m.contains("child calls") && *f == "app/src/main.rs"),
        "{steps:?}"
    );
    // The human run prints exactly the rendered texts, in the same order.
    assert_eq!(String::from_utf8_lossy(&human.stdout), rendered);

    // `short`, and `--format` with `--message-format` is a usage error.
    let short = run(
        CARGO_FORK_LINT,
        root,
        &["--workspace", "--offline", "--message-format", "short"],
    );
    let text = String::from_utf8_lossy(&short.stdout);
    assert!(
        text.lines()
            .any(|l| l
                == "app/src/main.rs:6:17: error[alloc]: `format!` formats into a new `String`"),
        "{text}"
    );
    let both = run(
        CARGO_FORK_LINT,
        root,
        &["--format", "json", "--message-format", "json"],
    );
    assert_eq!(both.status.code(), Some(2));
}

/// `--offline` with a registry dependency that is not in cargo's cache:
/// cargo fails without touching the network (a dead proxy would make any
/// attempt fail fast), the graph is one note, the crate is still checked.
#[test]
fn offline_with_an_uncached_dependency_is_a_note() {
    let tmp = TempDir::new("deps", "uncached");
    tmp.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nfork-lint-surely-not-a-cached-crate = \"1\"\n",
    );
    tmp.write(
        "src/main.rs",
        "fn main() {\n    let pid = unsafe { libc::fork() };\n    if pid == 0 {\n        println!(\"x\");\n        unsafe { libc::_exit(0) };\n    }\n}\n",
    );
    let out = Command::new(FORK_LINT)
        .args(["--offline", "."])
        .current_dir(tmp.path())
        .env("CARGO_HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("CARGO_HTTP_TIMEOUT", "2")
        .output()
        .unwrap();
    let err = stderr(&out);
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(notes[0].contains("are not followed"), "{err}");
    assert!(
        err.contains("offline"),
        "cargo's reason names offline mode: {err}"
    );
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// `fork-lint PATH --message-format json` names the real package and
/// target when the graph describes the folder.
#[test]
fn path_mode_json_names_cargo_packages() {
    let tmp = TempDir::new("deps", "pathjson");
    tmp.write(
        "Cargo.toml",
        "[package]\nname = \"my-app\"\nversion = \"0.2.0\"\nedition = \"2021\"\n\n[dependencies]\nlibc = \"0.2\"\n",
    );
    tmp.write("src/main.rs", JSON_MAIN);
    tmp.write("src/util.rs", JSON_UTIL);
    let out = run(
        FORK_LINT,
        tmp.path(),
        &["--offline", "--message-format=json", "."],
    );
    let messages: Vec<Message> = Message::parse_stream(out.stdout.as_slice())
        .map(|m| m.expect("a cargo message"))
        .collect();
    let compiler: Vec<&cargo_metadata::CompilerMessage> = messages
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(compiler.len(), 2, "{}", stderr(&out));
    for m in compiler {
        assert!(
            m.package_id.repr.ends_with("#my-app@0.2.0"),
            "{}",
            m.package_id
        );
        assert_eq!(m.target.name, "my-app");
        assert!(m.target.is_bin());
    }
    // cargo_metadata does not read `manifest_path`: the raw lines.
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["reason"] == "compiler-message" {
            let manifest = PathBuf::from(v["manifest_path"].as_str().unwrap());
            assert_eq!(canon(&manifest), canon(&tmp.path().join("Cargo.toml")));
        }
    }
    // With --deps off the messages still parse, with a made-up package.
    let out = run(
        FORK_LINT,
        tmp.path(),
        &["--deps", "off", "--message-format=json", "."],
    );
    let n = Message::parse_stream(out.stdout.as_slice())
        .map(|m| m.expect("a cargo message"))
        .filter(|m| matches!(m, Message::CompilerMessage(_)))
        .count();
    assert_eq!(n, 2);
}

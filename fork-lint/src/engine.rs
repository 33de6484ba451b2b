//! The engine's entry points: one crate in, findings out.
//!
//! The pipeline: read every file of the crate (through the caller's
//! [`FileSystem`]), pre-scan the bytes for what can open a child region
//! (`prescan`), parse only those files (`index`), find their regions
//! (`regions`), walk each region and follow its calls into the crate, parsing
//! more files on demand (`summaries`, `resolve`, `types`), then convert spans
//! to [`Location`]s, apply the rule settings and suppressions, and sort.
//!
//! **Architecture Invariant:** the engine does no IO of its own, and a file
//! that cannot be read or parsed becomes a [`FileError`], never a panic or
//! an aborted run.

use std::path::{Path, PathBuf};

use crate::diagnostic::{ChainStep, FileError, Finding, Location};
use crate::index::{Ctx, Site};
use crate::input::{CrateSources, Dependencies, FileSystem, MemoryFs, Options, Report, SourceFile};
use crate::prescan::Prescan;
use crate::regions::{RawFinding, check_fn};

/// Checks one crate: finds its child regions, follows calls within the crate
/// and reports hazards. Never panics; unreadable files and the files the
/// analysis parses but cannot parse become [`Report::errors`] (a file the
/// pre-scan rules out is never parsed, so its syntax errors go unreported).
///
/// Runs on the calling thread and releases proc-macro2's per-thread source
/// map before returning, so it can be called for many crates on one thread.
/// (Not for use inside a procedural macro: use [`crate::embedded`] there.)
pub fn check_crate(krate: &CrateSources, fs: &dyn FileSystem, options: &Options) -> Report {
    let texts = read_all(krate, fs);
    on_big_stack(krate, &|| run(krate, &texts, options, false, None))
}

/// [`check_crate`], following calls from child code into the crate's
/// dependencies, which `deps` locates and reads (see [`Dependencies`]).
/// Hazards inside a dependency are reported at the call in this crate.
pub fn check_crate_with_deps(
    krate: &CrateSources,
    fs: &dyn FileSystem,
    options: &Options,
    deps: &dyn Dependencies,
) -> Report {
    let texts = read_all(krate, fs);
    on_big_stack(krate, &|| run(krate, &texts, options, false, Some(deps)))
}

/// Checks a single file as a crate of its own (module path `[]`).
pub fn check_source(path: &Path, text: &str, options: &Options) -> Report {
    let mut fs = MemoryFs::default();
    fs.0.insert(path.to_path_buf(), text.to_string());
    let krate = CrateSources {
        name: "main".to_string(),
        files: vec![SourceFile {
            path: path.to_path_buf(),
            module: Vec::new(),
        }],
    };
    check_crate(&krate, &fs, options)
}

/// [`check_crate`] without the pre-scan: every file is parsed and searched
/// for regions. For testing that the pre-scan is sound (the results must be
/// identical) and for measuring what it saves.
#[doc(hidden)]
pub fn check_crate_exhaustive(
    krate: &CrateSources,
    fs: &dyn FileSystem,
    options: &Options,
) -> Report {
    let texts = read_all(krate, fs);
    on_big_stack(krate, &|| run(krate, &texts, options, true, None))
}

/// Stack of the analysis thread. Parsing and walking syntax trees recurse
/// once per nesting level; the pages are only committed when touched.
const STACK_SIZE: usize = 256 << 20;

/// Files nested deeper than this (brackets) are not parsed: the parser and
/// the tree walks recurse per level.
const MAX_NESTING: usize = 512;

/// Reads every file of the crate on the calling thread (the file system
/// need not be `Sync`).
fn read_all(krate: &CrateSources, fs: &dyn FileSystem) -> Vec<std::io::Result<String>> {
    krate.files.iter().map(|f| fs.read(&f.path)).collect()
}

/// Runs the analysis on a fresh thread with a large stack, so deeply nested
/// input cannot overflow the caller's stack, and so proc-macro2's per-thread
/// source map goes away with the thread. Falls back to the calling thread
/// if no thread can be spawned; a panic in the analysis (a bug) becomes a
/// [`FileError`] instead of taking the caller down.
fn on_big_stack(krate: &CrateSources, f: &(dyn Fn() -> Report + Sync)) -> Report {
    let result = std::thread::scope(|s| {
        match std::thread::Builder::new()
            .name("fork-lint-engine".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, f)
        {
            Ok(handle) => Some(handle.join()),
            Err(_) => None,
        }
    });
    match result {
        Some(Ok(report)) => report,
        Some(Err(_)) => Report {
            findings: Vec::new(),
            errors: vec![FileError {
                location: Location::file_start(
                    krate
                        .files
                        .first()
                        .map(|f| f.path.clone())
                        .unwrap_or_default(),
                ),
                message: format!(
                    "internal error: fork-lint's analysis of crate `{}` panicked (please report this bug)",
                    krate.name
                ),
            }],
        },
        None => f(),
    }
}

fn run<'o>(
    krate: &CrateSources,
    texts: &[std::io::Result<String>],
    options: &'o Options,
    exhaustive: bool,
    deps: Option<&'o dyn Dependencies>,
) -> Report {
    let mut report = Report::default();
    let mut ctx = Ctx::new(options);
    if let Some(deps) = deps {
        ctx.deps = Some(crate::external::Link {
            world: crate::external::World::new(deps, options),
            from: None,
            depth: 0,
        });
    }
    for (sf, text) in krate.files.iter().zip(texts) {
        let text = match text {
            Ok(t) if nesting_depth(t.as_bytes()) > MAX_NESTING => {
                report.errors.push(FileError {
                    location: Location::file_start(sf.path.clone()),
                    message: format!(
                        "not checked: {} nests brackets more than {MAX_NESTING} levels deep",
                        sf.path.display()
                    ),
                });
                None
            }
            Ok(t) => Some(t.clone()),
            Err(e) => {
                report.errors.push(FileError {
                    location: Location::file_start(sf.path.clone()),
                    message: format!("cannot read {}: {e}", sf.path.display()),
                });
                None
            }
        };
        ctx.add_file(sf.path.clone(), sf.module.clone(), text);
    }

    let mut prescan = Prescan::new(options);
    if !exhaustive {
        let texts: Vec<&[u8]> = ctx
            .files
            .iter()
            .filter_map(|f| f.text.as_deref())
            .map(str::as_bytes)
            .collect();
        prescan.learn_globs(&texts);
    }
    // Parse the candidate files, learning the crate's fork wrappers (their
    // callers' files become candidates in turn), then analyse every function
    // of every candidate file.
    let mut checked = vec![false; ctx.files.len()];
    let mut roots: Vec<usize> = Vec::new();
    parse_candidates(&mut ctx, &mut prescan, &mut checked, &mut roots, exhaustive);
    let mut raw: Vec<RawFinding> = Vec::new();
    for &id in &roots {
        raw.extend(check_fn(&mut ctx, id));
    }
    // Functions found to run a closure argument in a child (`fn
    // in_child(f: impl FnOnce()) { if fork() == 0 { f(); .. } }`), and
    // fields whose closure runs in a child: their callers' closures are
    // child code. The callers' files become candidates, and every root is
    // analysed again (findings are merged by location), a bounded number of
    // times.
    for _ in 0..3 {
        let names = crate::flow::take_new_slot_names(&mut ctx);
        let fields = ctx.flow.take_changed();
        if names.is_empty() && !fields {
            break;
        }
        prescan.learn_names(&names);
        parse_candidates(&mut ctx, &mut prescan, &mut checked, &mut roots, exhaustive);
        for &id in &roots {
            raw.extend(check_fn(&mut ctx, id));
        }
    }
    raw.retain(|r| {
        r.leaves_fn
            .is_none_or(|id| !ctx.flow.is_called_from_child(id))
    });

    report.findings = to_findings(&ctx, raw, options);
    for e in &ctx.parse_errors {
        if let Some(f) = ctx.files.get(e.file) {
            report.errors.push(FileError {
                location: Location::from_span(&f.path, e.span),
                message: format!("cannot parse {}: {}", f.path.display(), e.message),
            });
        }
    }

    if options.suppressions {
        let mut suppressions = Vec::new();
        for f in &ctx.files {
            if let Some(text) = &f.text
                && text.contains("fork-lint:")
            {
                suppressions.extend(crate::suppress::collect(&f.path, text));
            }
        }
        crate::suppress::apply(&mut report.findings, &suppressions, options);
    }
    report
        .findings
        .sort_by(|a, b| (&a.location, a.rule, &a.message).cmp(&(&b.location, b.rule, &b.message)));
    report.errors.sort_by(|a, b| a.location.cmp(&b.location));

    // Every span is converted: drop the syntax trees, then release the
    // thread's source map (it would otherwise keep every file ever parsed).
    drop(ctx);
    proc_macro2::extra::invalidate_current_thread_spans();
    report
}

/// Parses every file the pre-scan now calls a candidate and not yet
/// parsed, adding its functions to `roots`, and learns the crate's fork
/// wrappers and aliases, whose callers' files become candidates in turn;
/// until nothing new is learnt.
fn parse_candidates(
    ctx: &mut Ctx<'_>,
    prescan: &mut Prescan,
    checked: &mut [bool],
    roots: &mut Vec<usize>,
    exhaustive: bool,
) {
    loop {
        let candidates: Vec<usize> = (0..ctx.files.len())
            .filter(|&i| {
                !checked.get(i).copied().unwrap_or(true)
                    && ctx
                        .files
                        .get(i)
                        .and_then(|f| f.text.as_deref())
                        .is_some_and(|t| exhaustive || prescan.is_candidate(t.as_bytes()))
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        for i in candidates {
            if let Some(c) = checked.get_mut(i) {
                *c = true;
            }
            ctx.ensure_parsed(i);
            roots.extend(ctx.fns_by_file.get(&i).cloned().unwrap_or_default());
        }
        let names = crate::flow::learn_fork_names(ctx, roots);
        let learnt = prescan.learn_names(&names);
        if !(prescan.learn_aliases(ctx) || learnt) {
            return;
        }
    }
}

/// The deepest bracket nesting in `text` (brackets in strings and comments
/// count too: this is only a guard).
fn nesting_depth(text: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for &b in text {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn locate(ctx: &Ctx<'_>, site: Site) -> Location {
    ctx.locate(site)
        .unwrap_or_else(|| Location::file_start(PathBuf::new()))
}

/// Applies the rule settings, keeps one finding per (site, rule), converts
/// spans.
fn to_findings(ctx: &Ctx<'_>, raw: Vec<RawFinding>, options: &Options) -> Vec<Finding> {
    // One finding per hazard (location and rule); other calls in child code
    // that reach it become related locations.
    let mut index: std::collections::HashMap<(Location, crate::rules::RuleId), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<Finding> = Vec::new();
    for r in raw {
        let Some(level) = options.effective_level(r.rule, r.level) else {
            continue;
        };
        let location = locate(ctx, r.site);
        let step = |s: &crate::summaries::Step| ChainStep {
            label: s.label.clone(),
            location: locate(ctx, s.site),
        };
        if let Some(&i) = index.get(&(location.clone(), r.rule)) {
            if let (Some(first), Some(f)) = (r.chain.first(), out.get_mut(i)) {
                let entry = step(first);
                let known = f
                    .chain
                    .first()
                    .is_some_and(|c| c.location == entry.location)
                    || f.related.iter().any(|c| c.location == entry.location);
                if !known {
                    f.related.push(entry);
                }
            }
            continue;
        }
        index.insert((location.clone(), r.rule), out.len());
        out.push(Finding {
            rule: r.rule,
            level,
            location,
            message: r.message,
            chain: r.chain.iter().map(step).collect(),
            region: r.region.as_ref().map(step),
            help: r.help,
            related: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `line:rule:level` of every finding in `src`.
    fn check(src: &str) -> Vec<String> {
        let r = check_source(Path::new("t.rs"), src, &Options::default());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        r.findings
            .iter()
            .map(|f| format!("{}:{}:{}", f.location.line, f.rule, f.level))
            .collect()
    }

    #[test]
    fn fork_child_branch_is_checked_and_parent_is_not() {
        let src = r#"
fn main() {
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        println!("child");
        unsafe { libc::_exit(0) };
    } else {
        println!("parent");
    }
}
"#;
        assert_eq!(check(src), ["5:stdio:error"]);
    }

    fn findings(src: &str) -> Vec<Finding> {
        check_source(Path::new("t.rs"), src, &Options::default()).findings
    }

    #[test]
    fn chain_goes_from_the_call_in_the_child_to_the_hazard() {
        let src = r#"
fn setup_logging() {
    banner();
}
fn banner() {
    println!("x");
    eprintln!("y");
}
fn main() {
    if unsafe { libc::fork() } == 0 {
        setup_logging();
        unsafe { libc::_exit(0) };
    }
}
"#;
        // Every hazard is a finding where it is, with the calls from the
        // child code as its chain.
        let f = findings(src);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[1].location.line, 7);
        let f = &f[0];
        assert_eq!(f.location.line, 6);
        assert!(f.message.starts_with("`println!` "), "{}", f.message);
        let chain: Vec<(String, u32)> = f
            .chain
            .iter()
            .map(|s| (s.label.clone(), s.location.line))
            .collect();
        assert_eq!(
            chain,
            [
                ("child calls setup_logging()".to_string(), 11),
                ("calls banner()".to_string(), 3),
            ]
        );
        let region = f.region.as_ref().unwrap();
        assert_eq!(region.label, "child process starts here (libc::fork)");
        assert_eq!(region.location.line, 10);
        assert!(f.help.is_some());
    }

    #[test]
    fn name_only_guesses_are_warnings_and_say_so() {
        let src = r#"
fn main() {
    let m = make();
    if unsafe { libc::fork() } == 0 {
        let g = m.lock();
        unsafe { libc::_exit(0) };
    }
}
"#;
        let f = findings(src);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].level, crate::Level::Warning);
        assert!(
            f[0].message.contains("(guessed from the method name)"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn receiver_types_come_from_lets_params_and_fields() {
        let src = r#"
use std::sync::Mutex;
struct S { m: Mutex<u8> }
impl S {
    fn child(&self, other: &Mutex<u8>) {
        let local: Mutex<u8> = Mutex::new(0);
        let a = self.m.lock();
        let b = other.lock();
        let c = local.lock();
        unsafe { libc::_exit(0) };
    }
}
"#;
        let r = check_source(
            Path::new("t.rs"),
            &src.replace("fn child", "#[fork_guard::child]\n    fn child"),
            &Options::default(),
        );
        let lines: Vec<(u32, String)> = r
            .findings
            .iter()
            .map(|f| (f.location.line, format!("{} {}", f.rule, f.level)))
            .collect();
        assert_eq!(
            lines,
            [
                (8, "lock error".to_string()),
                (9, "lock error".to_string()),
                (10, "lock error".to_string())
            ]
        );
    }

    #[test]
    fn path_argument_length_decides() {
        let long = "a".repeat(400);
        let src = format!(
            r#"
fn main() {{
    let p = std::path::PathBuf::new();
    if unsafe {{ libc::fork() }} == 0 {{
        let a = std::fs::File::open("/dev/null");
        let b = std::fs::File::open("{long}");
        let c = std::fs::File::open(&p);
        unsafe {{ libc::_exit(0) }};
    }}
}}
"#
        );
        let f = findings(&src);
        let got: Vec<(u32, crate::Level)> = f.iter().map(|f| (f.location.line, f.level)).collect();
        assert_eq!(
            got,
            [(6, crate::Level::Error), (7, crate::Level::Warning)],
            "{f:#?}"
        );
        assert!(
            f[1].message.contains("not known statically"),
            "{}",
            f[1].message
        );
        assert!(f[0].message.contains("400-byte"), "{}", f[0].message);
    }

    #[test]
    fn rule_settings_apply() {
        let src = "fn main() { if unsafe { libc::fork() } == 0 { println!(\"x\"); unsafe { libc::_exit(0) }; } }";
        let mut options = Options::default();
        options
            .rules
            .insert(crate::RuleId::Stdio, crate::RuleSetting::Warn);
        let r = check_source(Path::new("t.rs"), src, &options);
        assert_eq!(r.findings[0].level, crate::Level::Warning);
        options
            .rules
            .insert(crate::RuleId::Stdio, crate::RuleSetting::Allow);
        assert!(
            check_source(Path::new("t.rs"), src, &options)
                .findings
                .is_empty()
        );
    }

    #[test]
    fn unparsable_files_become_errors() {
        let r = check_source(
            Path::new("bad.rs"),
            "fn main() { libc::fork( }",
            &Options::default(),
        );
        assert!(r.findings.is_empty());
        assert_eq!(r.errors.len(), 1);
        assert!(
            r.errors[0].message.starts_with("cannot parse bad.rs"),
            "{}",
            r.errors[0].message
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let nested = |n: usize| format!("{}1{}", "(1 + ".repeat(n), ")".repeat(n));
        let src = |e: String| {
            format!(
                "fn main() {{ if unsafe {{ libc::fork() }} == 0 {{ let x = {e}; unsafe {{ libc::_exit(0) }}; }} }}"
            )
        };
        // Analysed on the engine's own big stack.
        let r = check_source(Path::new("t.rs"), &src(nested(400)), &Options::default());
        assert!(r.findings.is_empty() && r.errors.is_empty(), "{r:?}");
        // Too deep: reported, not parsed.
        let r = check_source(Path::new("t.rs"), &src(nested(5000)), &Options::default());
        assert!(
            r.errors[0].message.contains("nests brackets more than"),
            "{r:?}"
        );
        // Long operator chains and method chains nest without brackets.
        let chain = format!("1{}", " + 1".repeat(20_000));
        assert!(
            check_source(Path::new("t.rs"), &src(chain), &Options::default())
                .errors
                .is_empty()
        );
        let calls = format!("v{}", ".len()".repeat(5_000));
        assert!(
            check_source(Path::new("t.rs"), &src(calls), &Options::default())
                .errors
                .is_empty()
        );
    }

    #[test]
    fn report_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Report>();
    }

    #[test]
    fn glob_re_exports_do_not_fan_out() {
        // web-sys style: the root re-exports hundreds of modules by glob and
        // every module glob-imports its parent.
        let mut fs = MemoryFs::default();
        let mut files = Vec::new();
        let mut root = String::from("use libc::fork;\n");
        for i in 0..300 {
            root.push_str(&format!("mod m{i};\npub use m{i}::*;\n"));
            let path = std::path::PathBuf::from(format!("m{i}.rs"));
            let text = format!(
                "use super::*;\npub fn f{i}() {{ if unsafe {{ fork() }} == 0 {{ let s = String::from(\"x\"); unsafe {{ libc::_exit(0) }}; }} }}"
            );
            fs.0.insert(path.clone(), text);
            files.push(SourceFile {
                path,
                module: vec![format!("m{i}")],
            });
        }
        fs.0.insert("lib.rs".into(), root);
        files.push(SourceFile {
            path: "lib.rs".into(),
            module: Vec::new(),
        });
        let krate = CrateSources {
            name: "web".into(),
            files,
        };
        // Speed is measured by the corpus benchmark, not here; this checks
        // that the glob fan-out resolves (memoised resolution keeps it
        // linear, see `resolve::cached_lookup`).
        let r = check_crate_exhaustive(&krate, &fs, &Options::default());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        // Every module's `fork()` resolves through `use super::*`.
        let allocs = r
            .findings
            .iter()
            .filter(|f| f.rule == crate::RuleId::Alloc)
            .count();
        assert_eq!(allocs, 300, "{:#?}", r.findings.first());
    }
}

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

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostic::{ChainStep, FileError, Finding, Location};
use crate::index::{Ctx, Site};
use crate::input::{CrateSources, FileSystem, MemoryFs, Options, Report, SourceFile};
use crate::prescan::Prescan;
use crate::regions::{RawFinding, check_fn};

/// Checks one crate: finds its child regions, follows calls within the crate
/// and reports hazards. Never panics; unreadable or unparsable files become
/// [`Report::errors`].
///
/// Runs on the calling thread and releases proc-macro2's per-thread source
/// map before returning, so it can be called for many crates on one thread.
/// (Not for use inside a procedural macro: use [`crate::embedded`] there.)
pub fn check_crate(krate: &CrateSources, fs: &dyn FileSystem, options: &Options) -> Report {
    run(krate, fs, options, false)
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
    run(krate, fs, options, true)
}

fn run(krate: &CrateSources, fs: &dyn FileSystem, options: &Options, exhaustive: bool) -> Report {
    let mut report = Report::default();
    let mut ctx = Ctx::new(options, &krate.name);
    for sf in &krate.files {
        let text = match fs.read(&sf.path) {
            Ok(t) => Some(t),
            Err(e) => {
                report.errors.push(FileError {
                    location: Location {
                        file: sf.path.clone(),
                        line: 1,
                        column: 1,
                        end_line: 1,
                        end_column: 1,
                    },
                    message: format!("cannot read {}: {e}", sf.path.display()),
                });
                None
            }
        };
        ctx.add_file(sf.path.clone(), sf.module.clone(), text);
    }

    let mut prescan = Prescan::new(options);
    let mut checked = vec![false; ctx.files.len()];
    let mut raw: Vec<RawFinding> = Vec::new();
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
            break;
        }
        for i in candidates {
            if let Some(c) = checked.get_mut(i) {
                *c = true;
            }
            ctx.ensure_parsed(i);
            let fns = ctx.fns_by_file.get(&i).cloned().unwrap_or_default();
            for id in fns {
                raw.extend(check_fn(&mut ctx, id));
            }
        }
        if !prescan.learn_aliases(&ctx) {
            break;
        }
    }

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

fn locate(ctx: &Ctx<'_>, site: Site) -> Location {
    match ctx.files.get(site.file) {
        Some(f) => Location::from_span(&f.path, site.span),
        None => Location {
            file: Default::default(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        },
    }
}

/// Applies the rule settings, keeps one finding per (site, rule), converts
/// spans.
fn to_findings(ctx: &Ctx<'_>, raw: Vec<RawFinding>, options: &Options) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in raw {
        let Some(level) = options.effective_level(r.rule, r.level) else {
            continue;
        };
        let location = locate(ctx, r.site);
        if !seen.insert((location.clone(), r.rule)) {
            continue;
        }
        out.push(Finding {
            rule: r.rule,
            level,
            location,
            message: r.message,
            chain: r
                .chain
                .iter()
                .map(|s| ChainStep {
                    label: s.label.clone(),
                    location: locate(ctx, s.site),
                })
                .collect(),
            region: r.region.map(|s| ChainStep {
                label: s.label,
                location: locate(ctx, s.site),
            }),
            help: r.help,
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
}

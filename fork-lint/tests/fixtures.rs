//! The fixture corpus: `tests/fixtures/<group>/*.rs` are single-file crates,
//! `tests/fixtures/<group>/<name>/` folders with a `lib.rs` or `main.rs` are
//! multi-file crates. Expected findings are written next to the code, in
//! rustc UI-test style:
//!
//! - `//~ RULE` on the line of the finding's primary location; the level is
//!   the rule's default level unless given: `//~ RULE warning`.
//! - `//~^ RULE` for the line above (one `^` per line).
//! - Several markers on one line: `//~ alloc //~ stdio`.
//! - `//@ deny: RULE` or `//@ allow: RULE` anywhere in a file sets the rule.
//!
//! Every finding must be expected and every expectation found; the harness
//! prints a diff of both otherwise. The same corpus is run with and without
//! the pre-scan, which must not change the result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fork_lint::engine::check_crate_exhaustive;
use fork_lint::{
    CrateSources, Finding, Level, MemoryFs, Options, RuleId, RuleSetting, SourceFile, check_crate,
};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// One fixture: a crate with its files.
struct Fixture {
    name: String,
    krate: CrateSources,
    fs: MemoryFs,
    options: Options,
}

fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let Some(last) = parts.pop() else {
        return Vec::new();
    };
    let stem = last.trim_end_matches(".rs");
    let is_root = parts.is_empty() && (stem == "lib" || stem == "main");
    if stem != "mod" && !is_root {
        parts.push(stem.to_string());
    }
    parts
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn options_for(texts: &[&str]) -> Options {
    let mut options = Options::default();
    for text in texts {
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("//@ ") else {
                continue;
            };
            let (setting, rule) = rest.split_once(':').expect("`//@ deny: rule`");
            let rule: RuleId = rule.trim().parse().unwrap();
            let setting = match setting.trim() {
                "deny" => RuleSetting::Deny,
                "warn" => RuleSetting::Warn,
                "allow" => RuleSetting::Allow,
                other => panic!("unknown setting `{other}`"),
            };
            options.rules.insert(rule, setting);
        }
    }
    options
}

fn load_fixtures() -> Vec<Fixture> {
    let root = fixtures_root();
    let mut out = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    groups.sort();
    for group in groups.into_iter().filter(|g| g.is_dir()) {
        let mut entries: Vec<_> = std::fs::read_dir(&group)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry.strip_prefix(&root).unwrap().display().to_string();
            let mut fs = MemoryFs::default();
            let mut files = Vec::new();
            if entry.is_dir() {
                let mut paths = Vec::new();
                rs_files(&entry, &mut paths);
                for p in paths {
                    let rel = p.strip_prefix(&entry).unwrap();
                    files.push(SourceFile {
                        path: p.clone(),
                        module: module_of(rel),
                    });
                    fs.0.insert(p.clone(), std::fs::read_to_string(&p).unwrap());
                }
            } else if entry.extension().is_some_and(|e| e == "rs") {
                files.push(SourceFile {
                    path: entry.clone(),
                    module: Vec::new(),
                });
                fs.0.insert(entry.clone(), std::fs::read_to_string(&entry).unwrap());
            } else {
                continue;
            }
            let texts: Vec<&str> = fs.0.values().map(String::as_str).collect();
            let options = options_for(&texts);
            let krate = CrateSources {
                name: "fixture".to_string(),
                files,
            };
            out.push(Fixture {
                name,
                krate,
                fs,
                options,
            });
        }
    }
    out
}

/// `(file, line, rule, level)`.
type Key = (String, u32, String, String);

fn expected(fx: &Fixture) -> BTreeMap<Key, usize> {
    let mut out = BTreeMap::new();
    for (path, text) in &fx.fs.0 {
        for (i, line) in text.lines().enumerate() {
            for marker in line.split("//~").skip(1) {
                let carets = marker.chars().take_while(|c| *c == '^').count();
                let mut words = marker[carets..].split_whitespace();
                let rule: RuleId = words
                    .next()
                    .unwrap_or_else(|| panic!("{}:{}: `//~` without a rule", path.display(), i + 1))
                    .parse()
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
                let level = match words.next() {
                    Some(l @ ("error" | "warning" | "note")) => l.to_string(),
                    _ => rule.meta().default_level.as_str().to_string(),
                };
                let line_no = (i + 1 - carets) as u32;
                *out.entry((path.display().to_string(), line_no, rule.to_string(), level))
                    .or_insert(0) += 1;
            }
        }
    }
    out
}

fn actual(findings: &[Finding]) -> BTreeMap<Key, usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        let key = (
            f.location.file.display().to_string(),
            f.location.line,
            f.rule.to_string(),
            f.level.as_str().to_string(),
        );
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

fn diff(
    name: &str,
    want: &BTreeMap<Key, usize>,
    got: &BTreeMap<Key, usize>,
    findings: &[Finding],
) -> Option<String> {
    if want == got {
        return None;
    }
    let mut s = format!("fixture {name}:\n");
    for (k, n) in want {
        if got.get(k) != Some(n) {
            s.push_str(&format!(
                "  missing: {}:{} {} {} (x{n})\n",
                short(&k.0),
                k.1,
                k.2,
                k.3
            ));
        }
    }
    for (k, n) in got {
        if want.get(k) != Some(n) {
            let msg = findings
                .iter()
                .find(|f| f.location.line == k.1 && f.rule.as_str() == k.2)
                .map(|f| f.message.as_str())
                .unwrap_or("");
            s.push_str(&format!(
                "  extra:   {}:{} {} {} (x{n}): {msg}\n",
                short(&k.0),
                k.1,
                k.2,
                k.3
            ));
        }
    }
    Some(s)
}

fn short(p: &str) -> &str {
    p.split("fixtures/").nth(1).unwrap_or(p)
}

#[test]
fn fixtures_match_their_annotations() {
    let fixtures = load_fixtures();
    let mut failures = Vec::new();
    for fx in &fixtures {
        let report = check_crate(&fx.krate, &fx.fs, &fx.options);
        if !report.errors.is_empty() {
            failures.push(format!("fixture {}: errors {:?}\n", fx.name, report.errors));
        }
        if let Some(d) = diff(
            &fx.name,
            &expected(fx),
            &actual(&report.findings),
            &report.findings,
        ) {
            failures.push(d);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        fixtures.len(),
        failures.concat()
    );
}

#[test]
fn prescan_matches_exhaustive() {
    for fx in &load_fixtures() {
        let fast = check_crate(&fx.krate, &fx.fs, &fx.options);
        let full = check_crate_exhaustive(&fx.krate, &fx.fs, &fx.options);
        assert_eq!(
            fast, full,
            "fixture {}: the pre-scan changed the result",
            fx.name
        );
    }
}

#[test]
fn corpus_is_large_and_covers_every_rule() {
    let fixtures = load_fixtures();
    assert!(fixtures.len() >= 60, "only {} fixtures", fixtures.len());
    let mut seen = std::collections::HashSet::new();
    for fx in &fixtures {
        for k in expected(fx).keys() {
            seen.insert(k.2.clone());
        }
    }
    for rule in fork_lint::rules::ALL {
        if rule.id == RuleId::UnusedSuppression {
            continue; // reported by the suppression pass, not the engine
        }
        assert!(
            seen.contains(rule.name),
            "no fixture expects rule `{}`",
            rule.name
        );
    }
    // Some fixtures must stay silent.
    let silent = fixtures.iter().filter(|fx| expected(fx).is_empty()).count();
    assert!(silent >= 8, "only {silent} silent fixtures");
}

#[test]
fn messages_follow_the_house_style() {
    for fx in &load_fixtures() {
        let mut options = fx.options.clone();
        options.rules.insert(RuleId::UnknownCall, RuleSetting::Deny);
        for f in check_crate(&fx.krate, &fx.fs, &options).findings {
            let first = f.message.chars().next().unwrap();
            assert!(
                !first.is_uppercase() && !f.message.ends_with('.'),
                "{}: message style: {}",
                fx.name,
                f.message
            );
            assert!(
                f.region.is_some(),
                "{}: finding without region: {}",
                fx.name,
                f.message
            );
            if f.level == Level::Error
                && f.rule != RuleId::Fallthrough
                && f.rule != RuleId::UnknownCall
            {
                assert!(
                    f.help.is_some(),
                    "{}: error without help: {}",
                    fx.name,
                    f.message
                );
            }
        }
    }
}

/// Speed against parsing everything, on a corpus of real crates (one crate
/// per subfolder): `FORK_LINT_CORPUS=$(/work/shared/bench/fetch-corpus)
/// cargo test --release -p fork-lint --test fixtures -- --ignored --nocapture`.
#[test]
#[ignore]
fn speed_on_corpus() {
    let Some(root) = std::env::var_os("FORK_LINT_CORPUS") else {
        eprintln!("FORK_LINT_CORPUS not set");
        return;
    };
    let mut crates: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    crates.sort();
    let mut sources = Vec::new();
    for dir in &crates {
        let mut paths = Vec::new();
        rs_files(dir, &mut paths);
        let mut fs = MemoryFs::default();
        let mut files = Vec::new();
        for p in paths {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let rel = p.strip_prefix(dir).unwrap();
            let rel = rel.strip_prefix("src").unwrap_or(rel);
            files.push(SourceFile {
                path: p.clone(),
                module: module_of(rel),
            });
            fs.0.insert(p, text);
        }
        let name = dir.file_name().unwrap().to_string_lossy().replace('-', "_");
        sources.push((CrateSources { name, files }, fs));
    }
    let nfiles: usize = sources.iter().map(|s| s.0.files.len()).sum();
    let bytes: usize = sources
        .iter()
        .flat_map(|s| s.1.0.values())
        .map(String::len)
        .sum();

    let t = std::time::Instant::now();
    let mut parsed = 0;
    for (_, fs) in &sources {
        for text in fs.0.values() {
            parsed += usize::from(syn::parse_file(text).is_ok());
        }
    }
    proc_macro2::extra::invalidate_current_thread_spans();
    let parse_all = t.elapsed();

    let options = Options::default();
    let t = std::time::Instant::now();
    let mut findings = Vec::new();
    let mut errors = 0;
    for (krate, fs) in &sources {
        let r = check_crate(krate, fs, &options);
        errors += r.errors.len();
        for e in &r.errors {
            eprintln!("file error: {}: {}", e.location, e.message);
        }
        findings.extend(r.findings);
    }
    let lint = t.elapsed();
    eprintln!(
        "{} crates, {nfiles} files, {} MB: syn::parse_file of all: {parse_all:?} ({parsed} parsed); fork-lint: {lint:?} = {:.3}x; {} findings, {errors} file errors",
        sources.len(),
        bytes / 1_000_000,
        lint.as_secs_f64() / parse_all.as_secs_f64(),
        findings.len()
    );
    // The pre-scan must not lose anything that parsing everything finds.
    let t = std::time::Instant::now();
    let mut full = Vec::new();
    let mut slowest = Vec::new();
    for (krate, fs) in &sources {
        let t = std::time::Instant::now();
        if std::env::var_os("FORK_LINT_TRACE").is_some() {
            eprintln!("exhaustive: {} ({} files)", krate.name, krate.files.len());
        }
        full.extend(check_crate_exhaustive(krate, fs, &options).findings);
        slowest.push((t.elapsed(), krate.name.clone(), krate.files.len()));
    }
    slowest.sort();
    slowest.reverse();
    eprintln!(
        "slowest crates parsed exhaustively: {:?}",
        &slowest[..slowest.len().min(5)]
    );
    eprintln!(
        "exhaustive (every file parsed and searched): {:?}, {} findings",
        t.elapsed(),
        full.len()
    );
    assert_eq!(
        findings, full,
        "the pre-scan changed the findings on the corpus"
    );

    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for f in &findings {
        *by_rule
            .entry(format!("{} {}", f.rule, f.level))
            .or_default() += 1;
    }
    eprintln!("{by_rule:#?}");
    for f in findings.iter().take(400) {
        eprintln!("{}: {} {}: {}", f.location, f.rule, f.level, f.message);
    }
}

/// Mangled fixtures (truncated, lines dropped, brackets removed) must not
/// make the engine panic (a panic would surface as an "internal error").
#[test]
fn mangled_fixtures_do_not_panic() {
    let options = Options::default();
    let mut checked = 0;
    for fx in load_fixtures() {
        for (path, text) in &fx.fs.0 {
            let mut variants = Vec::new();
            let chars: Vec<char> = text.chars().collect();
            for k in 1..12 {
                variants.push(chars[..chars.len() * k / 12].iter().collect::<String>());
            }
            let lines: Vec<&str> = text.lines().collect();
            for skip in 0..lines.len() {
                variants.push(
                    lines
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != skip)
                        .map(|(_, l)| *l)
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            variants.push(text.replace('}', ""));
            variants.push(text.replace("==", "="));
            for v in variants {
                let r = fork_lint::check_source(path, &v, &options);
                assert!(
                    !r.errors
                        .iter()
                        .any(|e| e.message.contains("internal error")),
                    "{}: the engine panicked on:\n{v}",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000);
}

//! Configuration: `fork-lint.toml`, `[workspace.metadata.fork-lint]`,
//! `[package.metadata.fork-lint]`.
//!
//! # Where it is read
//!
//! [`load`] looks in the run's root folder (the workspace root for
//! `cargo fork-lint`): `fork-lint.toml` first; else, in `Cargo.toml`,
//! `[workspace.metadata.fork-lint]`, else `[package.metadata.fork-lint]`.
//! The first one found is the whole configuration (they are not merged). No
//! configuration is not an error.
//!
//! # Schema (**API Boundary**)
//!
//! ```toml
//! # Rule levels: allow | warn | deny (see `fork-lint --list-rules`).
//! [rules]
//! unknown-call = "warn"
//! panic = "allow"
//!
//! # Extra knowledge: overrides the built-in table.
//! [[knowledge]]
//! path = "mycrate::log::raw_write"   # a function, by its full path
//! verdict = "safe"
//! reason = "writes with write(2) from a fixed buffer"
//!
//! [[knowledge]]
//! method = "push_fixed"              # a method, by name
//! receivers = ["FixedBuf"]           # optional: receiver type names
//! verdict = "alloc"                  # a rule id: a hazard of that rule
//! level = "warning"                  # optional: note | warning | error
//! reason = "grows the buffer past its capacity"
//! fix = "reserve the capacity before fork"   # optional
//!
//! # Paths not to lint: gitignore-style globs relative to the root.
//! exclude = ["vendor/**", "src/generated/"]
//! ```
//!
//! A knowledge entry names exactly one of `path` (a free or associated
//! function), `method` (a method call `.name()`) or `macro` (a macro, by
//! path or bare name). `verdict` is `safe`, `terminates` (ends the child
//! region, like `_exit`), `exec` (replaces the process image), or a rule id.
//! `reason` is required: it is what the finding says.
//!
//! Unknown keys, unknown rule ids, bad levels and bad globs are errors that
//! name the file, line and column of the mistake.
//!
//! The engine's knowledge entries hold `&'static str`s: the strings of the
//! (few) configured entries are leaked once per run, which is fine for a
//! command-line tool and is the reason this module is only built with the
//! `cli` feature.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Level;
use crate::input::{Options, RuleSetting};
use crate::knowledge::{ApiEntry, ApiKind, Verdict};
use crate::rules::RuleId;

/// The configuration in force for a run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Rule settings and extra knowledge, ready for the engine.
    pub options: Options,
    /// Globs (relative to the configuration's folder) of paths not to lint.
    pub exclude: Vec<String>,
    /// The file the configuration came from, if any.
    pub source: Option<PathBuf>,
}

/// A mistake in a configuration file, with the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// The schema, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    knowledge: Vec<Spanned<RawKnowledge>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKnowledge {
    path: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    #[serde(rename = "macro")]
    macro_: Option<Spanned<String>>,
    receivers: Option<Spanned<Vec<String>>>,
    verdict: Spanned<String>,
    level: Option<Spanned<String>>,
    reason: Spanned<String>,
    fix: Option<String>,
}

/// `Cargo.toml`, only the parts that can hold our table.
#[derive(Debug, Deserialize)]
struct CargoToml {
    workspace: Option<MetadataHolder>,
    package: Option<MetadataHolder>,
}

#[derive(Debug, Deserialize)]
struct MetadataHolder {
    metadata: Option<Metadata>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    #[serde(rename = "fork-lint")]
    fork_lint: Option<RawConfig>,
}

/// Finds and loads the configuration for a run rooted at `root` (a folder):
/// `root/fork-lint.toml`, else the `fork-lint` metadata table of
/// `root/Cargo.toml`. No configuration is not an error.
pub fn load(root: &Path) -> Result<Config, ConfigError> {
    let dedicated = root.join("fork-lint.toml");
    if let Some(text) = read(&dedicated)? {
        return parse(&dedicated, &text);
    }
    let manifest = root.join("Cargo.toml");
    if let Some(text) = read(&manifest)? {
        return parse_cargo_toml(&manifest, &text);
    }
    Ok(Config::default())
}

fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("cannot read: {e}"),
        }),
    }
}

/// Parses the text of a `fork-lint.toml`; `file` is only used in errors and
/// as [`Config::source`].
pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    build(raw, file, text)
}

/// Parses a `Cargo.toml`: its `[workspace.metadata.fork-lint]` table, else
/// its `[package.metadata.fork-lint]` table, else the default configuration.
pub fn parse_cargo_toml(file: &Path, text: &str) -> Result<Config, ConfigError> {
    let cargo: CargoToml = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let table = [cargo.workspace, cargo.package]
        .into_iter()
        .flatten()
        .filter_map(|h| h.metadata.and_then(|m| m.fork_lint))
        .next();
    match table {
        Some(raw) => build(raw, file, text),
        None => Ok(Config::default()),
    }
}

fn position(file: &Path, text: &str, offset: usize, message: String) -> ConfigError {
    let idx = crate::scan::LineIndex::new(text);
    let (line, column) = idx.line_col(text, offset.min(text.len()));
    ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        message,
    }
}

fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start);
    position(file, text, offset, e.message().trim().to_string())
}

fn at(file: &Path, text: &str, span: Range<usize>, message: String) -> ConfigError {
    position(file, text, span.start, message)
}

fn leak(s: String) -> &'static str {
    s.leak()
}

fn build(raw: RawConfig, file: &Path, text: &str) -> Result<Config, ConfigError> {
    let mut options = Options::default();
    for (name, value) in raw.rules {
        let rule: RuleId = name
            .get_ref()
            .parse()
            .map_err(|e: crate::rules::UnknownRule| at(file, text, name.span(), e.to_string()))?;
        let setting = match value.get_ref().as_str() {
            "allow" => RuleSetting::Allow,
            "warn" => RuleSetting::Warn,
            "deny" => RuleSetting::Deny,
            other => {
                return Err(at(
                    file,
                    text,
                    value.span(),
                    format!(
                        "invalid level `{other}` for rule `{rule}` (expected `allow`, `warn` or `deny`)"
                    ),
                ));
            }
        };
        options.rules.insert(rule, setting);
    }
    for entry in raw.knowledge {
        let span = entry.span();
        let k = entry.into_inner();
        options
            .knowledge
            .extra
            .push(knowledge_entry(k, span, file, text)?);
    }
    let mut exclude = Vec::new();
    let base = file.parent().unwrap_or(Path::new("."));
    for glob in raw.exclude {
        let mut builder = ignore::gitignore::GitignoreBuilder::new(base);
        // git reads `[z` literally; in a configuration it is a mistake.
        builder.allow_unclosed_class(false);
        if let Err(e) = builder.add_line(None, glob.get_ref()) {
            return Err(at(
                file,
                text,
                glob.span(),
                format!("invalid exclude glob `{}`: {e}", glob.get_ref()),
            ));
        }
        if glob.get_ref().trim().is_empty() {
            return Err(at(
                file,
                text,
                glob.span(),
                "empty exclude glob".to_string(),
            ));
        }
        exclude.push(glob.into_inner());
    }
    Ok(Config {
        options,
        exclude,
        source: Some(file.to_path_buf()),
    })
}

fn knowledge_entry(
    k: RawKnowledge,
    span: Range<usize>,
    file: &Path,
    text: &str,
) -> Result<ApiEntry, ConfigError> {
    let named: Vec<(&str, &Spanned<String>)> = [
        ("path", &k.path),
        ("method", &k.method),
        ("macro", &k.macro_),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.as_ref().map(|v| (n, v)))
    .collect();
    let (kind_name, name) = match named.as_slice() {
        [one] => *one,
        [] => {
            return Err(at(
                file,
                text,
                span,
                "knowledge entry needs one of `path`, `method` or `macro`".to_string(),
            ));
        }
        [_, (second, v), ..] => {
            return Err(at(
                file,
                text,
                v.span(),
                format!(
                    "knowledge entry has both `{}` and `{second}`; give exactly one",
                    named[0].0
                ),
            ));
        }
    };
    let ident_path = |s: &str| {
        !s.is_empty()
            && s.split("::").all(|seg| {
                let seg = seg.strip_prefix("r#").unwrap_or(seg);
                seg.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
    };
    let ok = match kind_name {
        "method" => ident_path(name.get_ref()) && !name.get_ref().contains("::"),
        _ => ident_path(name.get_ref()),
    };
    if !ok {
        let what = if kind_name == "method" {
            "a method name"
        } else {
            "a path like `crate_name::module::item`"
        };
        return Err(at(
            file,
            text,
            name.span(),
            format!("invalid {kind_name} `{}`: expected {what}", name.get_ref()),
        ));
    }
    if let Some(r) = &k.receivers
        && kind_name != "method"
    {
        return Err(at(
            file,
            text,
            r.span(),
            "`receivers` only applies to a `method` entry".to_string(),
        ));
    }
    let kind = match kind_name {
        "path" => ApiKind::Function,
        "macro" => ApiKind::Macro,
        _ => {
            let receivers: Vec<&'static str> = k
                .receivers
                .map(Spanned::into_inner)
                .unwrap_or_default()
                .into_iter()
                .map(leak)
                .collect();
            ApiKind::Method {
                receivers: receivers.leak(),
            }
        }
    };
    let verdict_text = k.verdict.get_ref().as_str();
    let level = match &k.level {
        None => None,
        Some(l) => Some(match l.get_ref().as_str() {
            "note" => Level::Note,
            "warning" => Level::Warning,
            "error" => Level::Error,
            other => {
                return Err(at(
                    file,
                    text,
                    l.span(),
                    format!("invalid level `{other}` (expected `note`, `warning` or `error`)"),
                ));
            }
        }),
    };
    let verdict = match verdict_text {
        "safe" => Verdict::Safe,
        "terminates" => Verdict::Terminates,
        "exec" => Verdict::Exec,
        rule => match rule.parse::<RuleId>() {
            Ok(rule) => Verdict::Hazard(rule, level.unwrap_or(rule.meta().default_level)),
            Err(e) => {
                return Err(at(
                    file,
                    text,
                    k.verdict.span(),
                    format!("invalid verdict: {e}; or one of `safe`, `terminates`, `exec`"),
                ));
            }
        },
    };
    if let (Some(l), false) = (&k.level, matches!(verdict, Verdict::Hazard(..))) {
        return Err(at(
            file,
            text,
            l.span(),
            format!("`level` only applies to a hazard, not to verdict `{verdict_text}`"),
        ));
    }
    if k.reason.get_ref().trim().is_empty() {
        return Err(at(
            file,
            text,
            k.reason.span(),
            "empty `reason`".to_string(),
        ));
    }
    Ok(ApiEntry {
        path: leak(name.get_ref().clone()),
        kind,
        verdict,
        reason: leak(k.reason.into_inner()),
        fix: leak(k.fix.unwrap_or_default()),
    })
}

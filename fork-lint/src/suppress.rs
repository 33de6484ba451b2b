//! Inline suppressions: `// fork-lint: allow(alloc) reason="..."`.
//!
//! # Syntax
//!
//! A line comment (not a doc comment, not a block comment) whose text starts
//! with `fork-lint:`, followed by `allow(` one or more rule ids separated by
//! commas `)`, optionally followed by `reason="..."`:
//!
//! ```text
//! // fork-lint: allow(alloc) reason="the buffer is allocated before fork"
//! // fork-lint: allow(alloc, lock)
//! ```
//!
//! The reason is recommended, not required: reviewers read it, the tool does
//! not. Anything else after `fork-lint:` is a malformed suppression.
//!
//! # Scope
//!
//! - A comment after code on the same line covers that line.
//! - A comment alone on its line covers the next statement, found lexically
//!   (no parse): from the next line with code to the first line that ends,
//!   at the bracket depth where the statement started, in `;`, `}` or `,`
//!   (or where an enclosing bracket closes). So a comment above a
//!   multi-line `let`, a `pre_exec(|| { .. });` call, an `if` block or a whole
//!   `fn` item covers all of it. The approximation errs on the side of
//!   covering a whole bracketed construct.
//!
//! A finding is covered when its primary location (the hazard), or a call
//! on its call chain (the call in the child code and the calls below it), is
//! on a covered line of the same file and its rule is listed: a suppression
//! on a call covers every hazard under that call.
//!
//! # Reported problems (rule `unused-suppression`, warning)
//!
//! - a listed rule that covered no finding (unless that rule is set to
//!   `allow`, in which case nothing could be found to cover);
//! - an unknown rule id (the other ids of the comment still apply);
//! - a malformed comment.
//!
//! `--no-suppress` (`Options::suppressions == false`) ignores every comment,
//! so an audit sees all findings.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Finding, Level, Location};
use crate::input::{Options, RuleSetting};
use crate::rules::RuleId;
use crate::scan::{self, Kind, LineIndex, Token};

/// One `fork-lint: allow(..)` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub file: PathBuf,
    /// The comment's line (1-based).
    pub line: u32,
    /// The comment's first and past-the-end columns (1-based, in chars).
    pub column: u32,
    pub end_column: u32,
    /// The lines it covers, inclusive.
    pub first_line: u32,
    pub last_line: u32,
    /// The rules it allows.
    pub rules: Vec<RuleId>,
    /// Ids in `allow(..)` that name no rule.
    pub unknown: Vec<String>,
    pub reason: Option<String>,
    /// Set when the comment is malformed: what is wrong. Such a comment
    /// suppresses nothing.
    pub error: Option<String>,
}

const MARKER: &str = "fork-lint:";

/// Finds the suppression comments in one file's text.
pub fn collect(path: &Path, text: &str) -> Vec<Suppression> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let tokens = scan::tokenize(text);
    let lines = LineIndex::new(text);
    let code: Vec<&Token> = tokens.iter().filter(|t| !t.is_comment()).collect();
    let mut out = Vec::new();
    for tok in &tokens {
        if tok.kind != Kind::LineComment {
            continue;
        }
        let raw = tok.text(text);
        let body = &raw[2..];
        if body.starts_with('/') && !body.starts_with("//") || body.starts_with('!') {
            continue; // a doc comment
        }
        let Some(spec) = body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let (line, column) = lines.line_col(text, tok.start);
        let (_, end_column) = lines.line_col(text, tok.end);
        // The first code token at or after the comment.
        let next = code.partition_point(|t| t.start < tok.start);
        // Code before the comment on its line (a token may span lines).
        let trailing = next > 0 && lines.line(code[next - 1].end.saturating_sub(1)) == line;
        let (first_line, last_line) = if trailing {
            (line, line)
        } else {
            statement_lines(&code[next..], &lines, line)
        };
        let mut s = Suppression {
            file: path.to_path_buf(),
            line,
            column,
            end_column,
            first_line,
            last_line,
            rules: Vec::new(),
            unknown: Vec::new(),
            reason: None,
            error: None,
        };
        match parse_spec(spec) {
            Ok((names, reason)) => {
                for name in names {
                    match name.parse::<RuleId>() {
                        Ok(id) if !s.rules.contains(&id) => s.rules.push(id),
                        Ok(_) => {}
                        Err(_) => s.unknown.push(name),
                    }
                }
                s.reason = reason;
            }
            Err(e) => s.error = Some(e),
        }
        out.push(s);
    }
    out
}

/// The lines of the statement that starts with `code[0]` (see the module
/// docs). `comment_line` is returned when there is no code after the comment.
fn statement_lines(code: &[&Token], lines: &LineIndex, comment_line: u32) -> (u32, u32) {
    let Some(first) = code.first() else {
        return (comment_line, comment_line);
    };
    let first_line = lines.line(first.start);
    let mut depth: i64 = 0;
    let mut last_line = first_line;
    for (i, tok) in code.iter().enumerate() {
        match tok.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => {
                depth -= 1;
                if depth < 0 {
                    // An enclosing block closes: the statement ended before.
                    return (first_line, last_line.max(first_line));
                }
            }
            _ => {}
        }
        last_line = lines.line(tok.end.saturating_sub(1).max(tok.start));
        let ends_line = code
            .get(i + 1)
            .is_none_or(|n| lines.line(n.start) > last_line);
        if ends_line
            && depth == 0
            && matches!(tok.kind, Kind::Punct(b';' | b',') | Kind::Close(b'}'))
        {
            return (first_line, last_line);
        }
    }
    (first_line, last_line)
}

/// Parses the text after `fork-lint:`: `allow(a, b) reason="..."`.
fn parse_spec(spec: &str) -> Result<(Vec<String>, Option<String>), String> {
    let rest = spec.trim_start();
    let Some(rest) = rest.strip_prefix("allow") else {
        return Err(format!(
            "malformed suppression: expected `allow(<rule>, ..)` after `fork-lint:`, found `{}`",
            spec.trim()
        ));
    };
    let Some(rest) = rest.trim_start().strip_prefix('(') else {
        return Err("malformed suppression: expected `(` after `allow`".to_string());
    };
    let Some(close) = rest.find(')') else {
        return Err("malformed suppression: missing `)` after the rule ids".to_string());
    };
    let names: Vec<String> = rest[..close]
        .split(',')
        .map(|n| n.trim().to_string())
        .collect();
    if names.iter().any(String::is_empty) {
        return Err("malformed suppression: empty rule id in `allow(..)`".to_string());
    }
    let rest = rest[close + 1..].trim();
    if rest.is_empty() {
        return Ok((names, None));
    }
    let reason = rest
        .strip_prefix("reason")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('='))
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('"'))
        .and_then(|r| r.strip_suffix('"'));
    match reason {
        Some(r) if !r.contains('"') || r.contains("\\\"") => {
            Ok((names, Some(r.replace("\\\"", "\""))))
        }
        _ => Err(format!(
            "malformed suppression: expected `reason=\"...\"` after `allow(..)`, found `{rest}`"
        )),
    }
}

/// Whether `finding` is on a line `s` covers and has a rule `s` lists.
fn covers(s: &Suppression, finding: &Finding) -> bool {
    if s.error.is_some() || !s.rules.contains(&finding.rule) {
        return false;
    }
    let on =
        |loc: &Location| loc.file == s.file && (s.first_line..=s.last_line).contains(&loc.line);
    // The hazard's own line, or any call on the way from the child code
    // (a suppression on a call covers every hazard under it).
    on(&finding.location)
        || finding.chain.iter().any(|step| on(&step.location))
        || finding.related.iter().any(|step| on(&step.location))
}

/// Removes suppressed findings and appends an `unused-suppression` finding for
/// each suppression that matched nothing. Findings stay sorted by file, line,
/// column and rule.
pub fn apply(findings: &mut Vec<Finding>, suppressions: &[Suppression], options: &Options) {
    if !options.suppressions || suppressions.is_empty() {
        return;
    }
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.rules.len()])
        .collect();
    findings.retain(|f| {
        let mut keep = true;
        for (s, used) in suppressions.iter().zip(used.iter_mut()) {
            if covers(s, f) {
                keep = false;
                if let Some(i) = s.rules.iter().position(|&r| r == f.rule) {
                    used[i] = true;
                }
            }
        }
        keep
    });
    let Some(level) = options.effective_level(RuleId::UnusedSuppression, Level::Warning) else {
        return;
    };
    for (s, used) in suppressions.iter().zip(&used) {
        let location = Location {
            file: s.file.clone(),
            line: s.line,
            column: s.column,
            end_line: s.line,
            end_column: s.end_column,
        };
        let mut report = |message: String, help: &str| {
            findings.push(Finding {
                related: Vec::new(),
                rule: RuleId::UnusedSuppression,
                level,
                location: location.clone(),
                message,
                chain: Vec::new(),
                region: None,
                help: Some(help.to_string()),
            });
        };
        if let Some(e) = &s.error {
            report(
                e.clone(),
                "write `// fork-lint: allow(<rule>, ..) reason=\"...\"`",
            );
            continue;
        }
        for name in &s.unknown {
            let known = crate::rules::UnknownRule(name.clone());
            report(
                format!("{known} in suppression"),
                "use one of the known rule ids, or remove it",
            );
        }
        let unused: Vec<RuleId> = s
            .rules
            .iter()
            .zip(used)
            .filter(|&(&r, &u)| !u && options.setting(r) != RuleSetting::Allow)
            .map(|(&r, _)| r)
            .collect();
        if !unused.is_empty() {
            let names: Vec<String> = unused.iter().map(|r| format!("`{r}`")).collect();
            let lines = if s.first_line == s.last_line {
                format!("line {}", s.first_line)
            } else {
                format!("lines {}-{}", s.first_line, s.last_line)
            };
            let all = unused.len() == s.rules.len() && s.unknown.is_empty();
            report(
                format!(
                    "unused suppression: no {} finding on {lines}",
                    names.join(" or ")
                ),
                if all {
                    "remove the comment"
                } else {
                    "remove the rule ids that suppress nothing"
                },
            );
        }
    }
    findings.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.location.column, a.rule).cmp(&(
            &b.location.file,
            b.location.line,
            b.location.column,
            b.rule,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parsing() {
        assert_eq!(
            parse_spec(" allow(alloc)"),
            Ok((vec!["alloc".to_string()], None))
        );
        assert_eq!(
            parse_spec(" allow( alloc , lock ) reason = \"a \\\"b\\\"\""),
            Ok((
                vec!["alloc".to_string(), "lock".to_string()],
                Some("a \"b\"".to_string())
            ))
        );
        assert!(parse_spec(" alow(alloc)").is_err());
        assert!(parse_spec(" allow(alloc").is_err());
        assert!(parse_spec(" allow()").is_err());
        assert!(parse_spec(" allow(alloc) reson=\"x\"").is_err());
        assert!(parse_spec(" allow(alloc) reason=\"x").is_err());
    }
}

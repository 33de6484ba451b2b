//! The rule registry: one file per rule, each carrying its own documentation
//! (`## What it does`, `## Why is this bad?`, `## Example`, `Use instead:`,
//! `## Known problems` where honest, `## References`).
//!
//! **API Boundary:** rule ids (`alloc`, `libc-unsafe`, ...) are stable; users
//! write them in suppressions, configuration and CI filters.

use std::fmt;
use std::str::FromStr;

use crate::diagnostic::Level;

/// Declares one rule: its doc comment becomes both the rustdoc of the marker
/// type and the text of `fork-lint --explain`, SARIF `fullDescription`/`help`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $meta:ident = ($variant:ident, $id:literal, $level:ident, $summary:literal $(,)?);
    ) => {
        $(#[doc = $doc])*
        $vis static $meta: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            id: $crate::rules::RuleId::$variant,
            name: $id,
            default_level: $crate::diagnostic::Level::$level,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
        };
    };
}

mod alloc;
mod allocating_wrapper;
mod env;
mod exit;
pub(crate) mod fallthrough;
mod libc_unsafe;
mod lock;
mod panic;
mod stdio;
mod thread;
mod unknown_call;
mod unused_suppression;
pub(crate) mod vfork;

/// Metadata and documentation of one rule.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: RuleId,
    /// The stable id, e.g. `alloc`.
    pub name: &'static str,
    /// The level of a definite hit; individual findings may be lower (a
    /// name-only guess is a warning, an unknown callee a note).
    pub default_level: Level,
    /// One line, lowercase, no trailing period.
    pub summary: &'static str,
    /// Markdown, from the rule's doc comment.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The doc section `## <title>` (without its heading), if present.
    pub fn section(&self, title: &str) -> Option<&'static str> {
        let docs = self.docs;
        let head = format!("## {title}");
        let start = docs.lines().position(|l| l.trim() == head)?;
        let body: Vec<&str> = docs
            .lines()
            .skip(start + 1)
            .take_while(|l| !l.trim_start().starts_with("## "))
            .collect();
        // Return a slice of the static docs: find the first body line's offset.
        let first = body.first()?;
        let from = first.as_ptr() as usize - docs.as_ptr() as usize;
        let last = body.last()?;
        let to = last.as_ptr() as usize - docs.as_ptr() as usize + last.len();
        Some(docs[from..to].trim())
    }
}

macro_rules! rule_ids {
    ($($variant:ident => $module:ident :: $meta:ident),* $(,)?) => {
        /// Every rule of fork-lint.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $($variant),* }

        /// All rules, sorted by id (the order of SARIF's `rules` array).
        pub static ALL: &[&RuleMeta] = &[$(&$module::$meta),*];

        impl RuleId {
            pub fn meta(self) -> &'static RuleMeta {
                match self { $(RuleId::$variant => &$module::$meta),* }
            }
        }
    };
}

rule_ids! {
    Alloc => alloc::ALLOC,
    AllocatingWrapper => allocating_wrapper::ALLOCATING_WRAPPER,
    Env => env::ENV,
    Exit => exit::EXIT,
    Fallthrough => fallthrough::FALLTHROUGH,
    LibcUnsafe => libc_unsafe::LIBC_UNSAFE,
    Lock => lock::LOCK,
    Panic => panic::PANIC,
    Stdio => stdio::STDIO,
    Thread => thread::THREAD,
    UnknownCall => unknown_call::UNKNOWN_CALL,
    UnusedSuppression => unused_suppression::UNUSED_SUPPRESSION,
    Vfork => vfork::VFORK,
}

impl RuleId {
    /// The stable id, e.g. `libc-unsafe`.
    pub fn as_str(self) -> &'static str {
        self.meta().name
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An id that names no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown rule `{}` (known rules: ", self.0)?;
        for (i, r) in ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(r.name)?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownRule {}

/// The one grammar of rule names, for configuration, suppression comments,
/// `#[fork_guard::allow(..)]` in the lint and in the macros: the id as
/// listed (`libc-unsafe`), or with `_` for `-` (`libc_unsafe`, the form an
/// identifier in an attribute allows).
impl FromStr for RuleId {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.replace('_', "-");
        ALL.iter()
            .find(|r| r.name == name)
            .map(|r| r.id)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_sorted() {
        let names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "ALL must be sorted by id");
        for r in ALL {
            assert_eq!(r.name.parse::<RuleId>().unwrap(), r.id);
            assert_eq!(r.id.meta().name, r.name);
        }
        assert!("no-such-rule".parse::<RuleId>().is_err());
    }

    #[test]
    fn every_rule_documents_itself() {
        for r in ALL {
            for section in ["What it does", "Why is this bad?", "Example"] {
                assert!(
                    r.section(section).is_some_and(|s| !s.is_empty()),
                    "rule `{}` lacks a `## {section}` section",
                    r.name
                );
            }
            assert!(
                r.docs.contains("Use instead:"),
                "rule `{}` lacks `Use instead:`",
                r.name
            );
            assert!(
                r.summary.chars().next().is_some_and(|c| !c.is_uppercase())
                    && !r.summary.ends_with('.'),
                "summary of `{}` must be lowercase without trailing period",
                r.name
            );
        }
    }
}

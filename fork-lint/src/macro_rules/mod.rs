//! `macro_rules!` expansion of the checked crate's own macros, on
//! `proc_macro2` tokens and `syn`.
//!
//! Real crates hide hazards in their own macros: a `die!` that expands to
//! `eprintln!` and `std::process::exit`, a `trace!` that formats, a
//! `fatal!` that ends in `libc::_exit`. This module expands such macros so
//! that the analysis can walk what they expand to. It is modelled on
//! rust-analyzer's `mbe` crate and on the Rust reference's "Macros By
//! Example" chapter, and it is self-contained: it knows nothing about
//! fork safety.
//!
//! # Pieces
//!
//! - [`MacroRules`]: one definition (`macro_rules! name { rules }`), parsed
//!   from a [`syn::ItemMacro`] ([`MacroRules::parse`]) or from a
//!   [`syn::Macro`] in statement position ([`MacroRules::from_macro`]). It
//!   keeps the name, `#[macro_export]`, a Unix reading of its `#[cfg]`
//!   ([`CfgTruth`]) and the rules.
//! - [`MacroRules::expand`] / [`MacroRules::expand_with`]: the invocation's
//!   tokens in, the expansion's tokens out. The first rule that matches wins,
//!   as in rustc. Output tokens keep the spans of where they were written:
//!   substituted fragments carry the invocation's spans, everything else the
//!   definition's. `$crate` becomes the path the caller passes (`crate` for
//!   the checked crate's own macros).
//! - [`parse_expr`], [`parse_stmts`], [`parse_items`]: an expansion parsed in
//!   the position of its invocation. [`definitions_in_items`] and
//!   [`definitions_in_stmts`] collect the `macro_rules!` definitions an
//!   expansion contains (macros that define macros).
//! - [`MacroTable`]: the definitions of a crate, with a lookup that
//!   approximates Rust's scoping (textual scope, `#[macro_use]`,
//!   `#[macro_export]`, `$crate::name!`); see its documentation for the
//!   approximation.
//!
//! # Use
//!
//! ```
//! use fork_lint::macro_rules::{MacroTable, Position, parse_stmts};
//!
//! let lib: syn::File = syn::parse_str(r#"
//!     macro_rules! die {
//!         ($($arg:tt)*) => {{ eprintln!($($arg)*); std::process::exit(1) }};
//!     }
//!     fn child() { die!("exec failed: {}", err); }
//! "#).unwrap();
//! let table = MacroTable::build([(&[][..], &lib)]);
//!
//! // The walker meets `die!(..)` in file 0 and asks which macro it is.
//! let syn::Item::Fn(child) = &lib.items[1] else { unreachable!() };
//! let syn::Stmt::Macro(call) = &child.block.stmts[0] else { unreachable!() };
//! let at = Position::of_span(0, call.mac.path.segments[0].ident.span());
//! let die = table.lookup(&call.mac.path, at).expect("the crate's own macro");
//!
//! // Expanded in statement position, it is a block with the two hazards.
//! let tokens = die.expand(&call.mac.tokens, &syn::parse_quote!(crate)).unwrap();
//! let stmts = parse_stmts(tokens).unwrap();
//! let text = quote::quote!(#(#stmts)*).to_string();
//! assert!(text.contains("eprintln !") && text.contains("std :: process :: exit"));
//! ```
//!
//! An invocation inside an expansion is looked up at the position of the
//! invocation written in the source that led to it, and expanded with
//! [`MacroRules::expand_with`] at `depth + 1`, so that [`Limits::max_depth`]
//! stops runaway recursion.
//!
//! # What is matched
//!
//! Fragment specifiers `ident`, `expr`, `expr_2021`, `ty`, `tt`, `path`,
//! `literal`, `lifetime`, `pat`, `pat_param`, `block`, `stmt`, `item`,
//! `meta`, `vis`; repetitions `$(...) sep *`, `+`, `?` (the separator may be
//! any token, multi-character operators included), nested to any depth.
//! Matching is rustc's algorithm (`rustc_expand::mbe::macro_parser`): all
//! ways through the matcher advance over the input in lockstep, and a
//! fragment is parsed (by `syn`) only when a single way needs it. A fragment
//! forwarded from an outer expansion is opaque, as in rustc: an `expr` comes
//! back as an invisible (`Delimiter::None`) group that matches `$x:expr` or
//! `$t:tt` but not the literal tokens inside it.
//!
//! Not supported, and reported as errors rather than guessed: metavariable
//! expressions (`${count(x)}`, `${index()}`, ...). `$$` (unstable) is
//! accepted and stands for a literal `$`. Hygiene is not modelled: names in
//! an expansion resolve as if written at the invocation, which is what a
//! call-following analysis wants.
//!
//! # Limits
//!
//! [`Limits`] bounds recursion depth (nested expansions, as rustc's
//! `recursion_limit`), the number of tokens one expansion may produce, the
//! matcher's work, and the nesting depth of the input. Hostile input gets an
//! [`ExpandError`], never a panic, a hang or a stack overflow.

mod cfg;
mod fragment;
mod matcher;
mod parse;
mod table;
mod transcribe;

#[cfg(test)]
mod tests;

use std::fmt;

use proc_macro2::{Span, TokenStream};

pub use cfg::CfgTruth;
pub use fragment::FragmentKind;
pub use table::{MacroTable, Position};

/// Bounds on expansion work, so hostile input cannot blow up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of expansions (an expansion inside an expansion ...).
    /// `depth` 0 is an invocation written in the source. rustc's default
    /// `recursion_limit` is 128.
    pub max_depth: usize,
    /// Most tokens one expansion may produce (a group counts as one token
    /// plus its contents).
    pub max_tokens: usize,
    /// Most matcher steps (ways through the matcher times input tokens) one
    /// expansion may take, over all its rules.
    pub max_steps: usize,
    /// Deepest delimiter nesting accepted in the input of an expansion.
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_tokens: 100_000,
            max_steps: 1_000_000,
            max_nesting: 256,
        }
    }
}

/// A `macro_rules!` definition that could not be parsed.
#[derive(Debug, Clone)]
pub struct Error {
    span: Span,
    message: String,
}

impl Error {
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Self {
        Error {
            span,
            message: message.into(),
        }
    }

    /// Where in the definition the problem is.
    pub fn span(&self) -> Span {
        self.span
    }

    /// What is wrong, lowercase, without a trailing period.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Why an invocation could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandError {
    /// No rule's matcher accepts the input.
    NoMatchingRule {
        /// The macro's name.
        name: String,
    },
    /// The matcher found the input ambiguous (rustc rejects it too).
    Ambiguous {
        /// The macro's name.
        name: String,
        /// What was ambiguous.
        detail: String,
    },
    /// The rule matched but its transcriber cannot be applied (a repetition
    /// without repeating variables, variables repeating different numbers of
    /// times, a variable used at the wrong depth, a metavariable expression).
    Transcribe {
        /// The macro's name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// Expansions nested deeper than [`Limits::max_depth`].
    RecursionLimit {
        /// The macro's name.
        name: String,
        /// The limit that was reached.
        limit: usize,
    },
    /// The expansion would have more tokens than [`Limits::max_tokens`].
    TokenLimit {
        /// The macro's name.
        name: String,
        /// The limit that was reached.
        limit: usize,
    },
    /// Matching took more than [`Limits::max_steps`] steps, or the input
    /// is nested deeper than [`Limits::max_nesting`].
    TooComplex {
        /// The macro's name.
        name: String,
    },
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpandError::NoMatchingRule { name } => {
                write!(f, "no rule of `{name}!` matches the invocation")
            }
            ExpandError::Ambiguous { name, detail } => {
                write!(f, "invocation of `{name}!` is ambiguous: {detail}")
            }
            ExpandError::Transcribe { name, detail } => {
                write!(f, "cannot transcribe `{name}!`: {detail}")
            }
            ExpandError::RecursionLimit { name, limit } => write!(
                f,
                "expanding `{name}!` exceeds the recursion limit of {limit} nested expansions"
            ),
            ExpandError::TokenLimit { name, limit } => write!(
                f,
                "expansion of `{name}!` exceeds the limit of {limit} tokens"
            ),
            ExpandError::TooComplex { name } => {
                write!(f, "invocation of `{name}!` is too complex to match")
            }
        }
    }
}

impl std::error::Error for ExpandError {}

pub use parse::{MacroRules, definitions_in_items, definitions_in_stmts};

/// Parses an expansion in expression position: one expression, optionally
/// followed by a `;` (rustc accepts and ignores it there).
pub fn parse_expr(tokens: TokenStream) -> syn::Result<syn::Expr> {
    use syn::parse::Parser;
    let parser = |input: syn::parse::ParseStream| {
        let expr: syn::Expr = input.parse()?;
        if input.peek(syn::Token![;]) {
            let _: syn::Token![;] = input.parse()?;
        }
        Ok(expr)
    };
    parser.parse2(tokens)
}

/// Parses an expansion in statement position: zero or more statements, as
/// in the body of a block (the last one may be an expression without `;`).
pub fn parse_stmts(tokens: TokenStream) -> syn::Result<Vec<syn::Stmt>> {
    use syn::parse::Parser;
    syn::Block::parse_within.parse2(tokens)
}

/// Parses an expansion in item position: zero or more items.
pub fn parse_items(tokens: TokenStream) -> syn::Result<Vec<syn::Item>> {
    use syn::parse::Parser;
    let parser = |input: syn::parse::ParseStream| {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse::<syn::Item>()?);
        }
        Ok(items)
    };
    parser.parse2(tokens)
}

//! The crate's own `macro_rules!` macros, expanded where child code invokes
//! them (the expander itself is `macro_rules/`, which knows nothing about
//! fork safety).
//!
//! The table of a crate's definitions is built on first need from the files
//! that mention `macro_rules` (parsed a second time for it; most files do
//! not). An invocation is expanded once and memoised by where it is written;
//! the expansion is parsed as statements (or as an expression) in the
//! position of the invocation. A macro that cannot be expanded (no rule
//! matches, a limit is hit, the output does not parse) is left to the
//! knowledge table, as before.

use std::collections::HashMap;
use std::rc::Rc;

use proc_macro2::Span;

use crate::index::{Ctx, FileId, Site};
use crate::macro_rules::{MacroTable, Position, parse_expr, parse_stmts};

/// One expansion of an invocation.
#[derive(Debug)]
pub(crate) struct Expansion {
    /// The macro's name, for messages: `die`.
    pub name: String,
    /// Where the macro is defined (its name).
    pub def_site: Site,
    /// What it expands to.
    pub stmts: Vec<syn::Stmt>,
}

/// What this module keeps between calls (held by `Ctx`, touched only
/// here): the crate's table and the expansions made.
#[derive(Default)]
pub(crate) struct Memo {
    table: Option<Rc<MacroTable>>,
    /// By where the invocation is written: file, line, column.
    done: HashMap<(FileId, usize, usize), Option<Rc<Expansion>>>,
}

/// The crate's macro table, built on first use.
pub(crate) fn table(ctx: &mut Ctx<'_>) -> Rc<MacroTable> {
    if let Some(t) = &ctx.expansion.table {
        return t.clone();
    }
    let finder = memchr::memmem::Finder::new(b"macro_rules");
    let parsed: Vec<(Vec<String>, syn::File)> = ctx
        .files
        .iter()
        .map(|f| {
            let file = f
                .text
                .as_deref()
                .filter(|t| finder.find(t.as_bytes()).is_some())
                .and_then(|t| crate::recover::parse_file(t).ok())
                .map_or_else(Vec::new, |p| p.items);
            let file = syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: file,
            };
            (f.module.clone(), file)
        })
        .collect();
    let table = Rc::new(MacroTable::build(
        parsed.iter().map(|(m, f)| (m.as_slice(), f)),
    ));
    ctx.expansion.table = Some(table.clone());
    table
}

/// The expansion of `mac`, written in `file`, when it invokes one of the
/// crate's own macros and expands (memoised).
pub(crate) fn expand(ctx: &mut Ctx<'_>, file: FileId, mac: &syn::Macro) -> Option<Rc<Expansion>> {
    let first = mac.path.segments.first()?.ident.span();
    let start = first.start();
    // Without line information (inside a proc macro) invocations cannot
    // be told apart: not expanded.
    if start.line == 0 {
        return None;
    }
    let key = (file, start.line, start.column);
    if let Some(hit) = ctx.expansion.done.get(&key) {
        return hit.clone();
    }
    let found = expand_uncached(ctx, file, mac, first);
    ctx.expansion.done.insert(key, found.clone());
    found
}

fn expand_uncached(
    ctx: &mut Ctx<'_>,
    file: FileId,
    mac: &syn::Macro,
    at: Span,
) -> Option<Rc<Expansion>> {
    let table = table(ctx);
    let (def_file, rules) = table.lookup_in_file(&mac.path, Position::of_span(file, at))?;
    let tokens = rules.expand(&mac.tokens, &syn::parse_quote!(crate)).ok()?;
    let stmts = match parse_stmts(tokens.clone()) {
        Ok(s) => s,
        Err(_) => vec![syn::Stmt::Expr(parse_expr(tokens).ok()?, None)],
    };
    Some(Rc::new(Expansion {
        name: rules.name().to_string(),
        def_site: Site {
            file: def_file,
            span: rules.name_span(),
        },
        stmts,
    }))
}

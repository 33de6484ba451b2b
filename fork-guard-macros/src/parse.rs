//! Phase 1: tokens into the macro's own model.
//!
//! Parsing never judges: it records what was written, keeping the syn nodes
//! (or the original tokens) so that `validate` can point at them. The only
//! errors here are inputs that do not have the expected shape at all (an
//! attribute argument that is not `allow(..)`, an item that is not a
//! function, a macro input that is not a closure).

use fork_lint::syntax::{expr_attrs, expr_attrs_mut, is_allow_attr, is_entry_attr};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Expr, ExprClosure, Item, ItemFn, LitStr};

/// Which entry point the input came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `#[fork_guard::child]` on a function.
    ChildFn,
    /// `fork_guard::child_closure!(|| ..)` or `#[fork_guard::child]` on a
    /// closure (nightly).
    ChildClosure,
    /// `#[fork_guard::checked]` on a function.
    Checked,
}

impl Entry {
    pub(crate) fn display(self) -> &'static str {
        match self {
            Entry::ChildFn => "#[fork_guard::child]",
            Entry::ChildClosure => "fork_guard::child_closure!",
            Entry::Checked => "#[fork_guard::checked]",
        }
    }
}

pub(crate) use fork_lint::syntax::RuleName;

/// Where an `allow` applies.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    /// The whole function or closure (an attribute argument, or an
    /// attribute on the closure itself).
    Whole,
    /// One statement or expression: findings whose span starts inside
    /// `[start, end]` (line/column, as proc-macro2 reports them).
    Range {
        start: (usize, usize),
        end: (usize, usize),
    },
}

impl Scope {
    pub(crate) fn of(tokens: &TokenStream) -> Scope {
        let mut iter = tokens.clone().into_iter();
        let Some(first) = iter.next() else {
            return Scope::Whole;
        };
        let last = iter.last().unwrap_or_else(|| first.clone());
        let (s, e) = (first.span().start(), last.span().end());
        Scope::Range {
            start: (s.line, s.column),
            end: (e.line, e.column),
        }
    }

    pub(crate) fn contains(&self, span: Span) -> bool {
        match *self {
            Scope::Whole => true,
            Scope::Range { start, end } => {
                let s = span.start();
                let at = (s.line, s.column);
                start <= at && at < end
            }
        }
    }
}

/// One `allow(rules.., reason = "..")`, from an attribute argument or from
/// `#[fork_guard::allow(..)]` on a statement.
#[derive(Debug, Clone)]
pub(crate) struct Allow {
    pub rules: Vec<RuleName>,
    pub reason: Option<LitStr>,
    pub scope: Scope,
    /// The whole `allow(..)` as written (for "unused" and "empty" errors).
    pub tokens: TokenStream,
}

/// The arguments of `#[fork_guard::child(..)]` / `#[fork_guard::checked(..)]`.
#[derive(Debug, Default)]
pub(crate) struct Args {
    pub allows: Vec<Allow>,
}

/// Parses the attribute arguments (`attr` of the attribute macro), with the
/// grammar the lint reads too (`fork_lint::syntax`).
pub(crate) fn parse_args(attr: TokenStream) -> syn::Result<Args> {
    let args = fork_lint::syntax::parse_entry_args(attr)?;
    Ok(Args {
        allows: args
            .into_iter()
            .map(|arg| Allow {
                rules: arg.list.rules,
                reason: arg.list.reason,
                scope: Scope::Whole,
                tokens: arg.tokens,
            })
            .collect(),
    })
}

/// Parses a `#[fork_guard::allow(..)]` attribute that covers `scope`.
fn parse_guard_allow(attr: &Attribute, scope: Scope) -> syn::Result<Allow> {
    let list = fork_lint::syntax::parse_allow_attr(attr)?;
    Ok(Allow {
        rules: list.rules,
        reason: list.reason,
        scope,
        tokens: attr.to_token_stream(),
    })
}

/// Removes every `#[fork_guard::allow(..)]` from the statements and
/// expressions of a body, recording what each covers.
#[derive(Default)]
struct AllowCollector {
    allows: Vec<Allow>,
    errors: Vec<syn::Error>,
}

impl AllowCollector {
    fn take(&mut self, attrs: &mut Vec<Attribute>, target: TokenStream) {
        if !attrs.iter().any(is_allow_attr) {
            return;
        }
        let scope = Scope::of(&target);
        attrs.retain(|attr| {
            if !is_allow_attr(attr) {
                return true;
            }
            match parse_guard_allow(attr, scope) {
                Ok(allow) => self.allows.push(allow),
                Err(e) => self.errors.push(e),
            }
            false
        });
    }
}

impl VisitMut for AllowCollector {
    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        let mut target = TokenStream::new();
        local.let_token.to_tokens(&mut target);
        local.semi_token.to_tokens(&mut target);
        self.take(&mut local.attrs, target);
        syn::visit_mut::visit_local_mut(self, local);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        if let syn::Stmt::Macro(m) = stmt {
            let mut target = m.mac.to_token_stream();
            m.semi_token.to_tokens(&mut target);
            self.take(&mut m.attrs, target);
        }
        syn::visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if expr_attrs(expr).iter().any(is_allow_attr)
            && let Some(slot) = expr_attrs_mut(expr)
        {
            // The covered range is the expression without its attributes.
            let mut attrs = std::mem::take(slot);
            let target = expr.to_token_stream();
            self.take(&mut attrs, target);
            if let Some(slot) = expr_attrs_mut(expr) {
                *slot = attrs;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let mut target = arm.pat.to_token_stream();
        arm.body.to_tokens(&mut target);
        self.take(&mut arm.attrs, target);
        syn::visit_mut::visit_arm_mut(self, arm);
    }

    fn visit_item_mut(&mut self, item: &mut Item) {
        // A nested item that is an entry point of its own keeps its allows
        // for its own expansion; in other nested items (functions the engine
        // follows), allows are taken here so the compiler never sees them.
        let own_entry = match &*item {
            Item::Fn(f) => f.attrs.iter().any(is_entry_attr),
            _ => false,
        };
        if !own_entry {
            syn::visit_mut::visit_item_mut(self, item);
        }
    }
}

/// A function given to `#[fork_guard::child]` or `#[fork_guard::checked]`.
#[derive(Debug)]
pub(crate) struct FnInput {
    /// The function with every `#[fork_guard::allow]` removed.
    pub item: ItemFn,
    /// Statement-level allows found in the body.
    pub allows: Vec<Allow>,
    /// Malformed statement-level allows.
    pub errors: Vec<syn::Error>,
}

/// What the attribute was applied to, when it is not a function.
#[derive(Debug)]
pub(crate) struct NotAFunction {
    pub tokens: TokenStream,
    pub what: &'static str,
}

/// Parses the annotated item. `Err` carries the original tokens so that the
/// caller can emit them unchanged next to the error.
pub(crate) fn parse_fn(item: TokenStream) -> Result<FnInput, NotAFunction> {
    let what = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(mut item)) => {
            let mut collector = AllowCollector::default();
            collector.visit_block_mut(&mut item.block);
            return Ok(FnInput {
                item,
                allows: collector.allows,
                errors: collector.errors,
            });
        }
        Ok(Item::Struct(_)) => "a struct",
        Ok(Item::Enum(_)) => "an enum",
        Ok(Item::Union(_)) => "a union",
        Ok(Item::Const(_)) => "a constant",
        Ok(Item::Static(_)) => "a static",
        Ok(Item::Mod(_)) => "a module",
        Ok(Item::Impl(_)) => "an impl block",
        Ok(Item::Trait(_)) => "a trait",
        Ok(Item::Type(_)) => "a type alias",
        Ok(Item::Use(_)) => "a `use` declaration",
        Ok(Item::ForeignMod(_)) => "an `extern` block",
        Ok(Item::Macro(_)) => "a macro",
        Ok(_) => "this item",
        Err(_) if syn::parse2::<Expr>(item.clone()).is_ok() => "an expression",
        Err(_) => {
            // A method declaration without a body (in a trait) parses as
            // neither; say what is needed.
            "an item without a body"
        }
    };
    Err(NotAFunction { tokens: item, what })
}

/// A closure given to `child_closure!` (or `#[fork_guard::child]` on a closure).
#[derive(Debug)]
pub(crate) struct ClosureInput {
    pub closure: ExprClosure,
    /// Allows from attributes on the closure itself (scope: whole) and on
    /// statements inside it.
    pub allows: Vec<Allow>,
    pub errors: Vec<syn::Error>,
}

/// Parses the input of `child_closure!`: a closure expression, optionally
/// with `#[fork_guard::allow(..)]` attributes in front.
pub(crate) fn parse_closure(input: TokenStream) -> syn::Result<ClosureInput> {
    let expr: Expr = syn::parse2(input.clone())?;
    let Expr::Closure(mut closure) = expr else {
        return Err(syn::Error::new_spanned(
            input,
            "expected a closure: `fork_guard::child_closure!(|| { ... })` or `child_closure!(move || { ... })`",
        ));
    };
    closure_input(&mut closure, Vec::new()).map(|(allows, errors)| ClosureInput {
        closure,
        allows,
        errors,
    })
}

/// Collects the allows of a closure: `outer` attributes (from the nightly
/// attribute's arguments) plus `#[fork_guard::allow]` on the closure and in
/// its body.
pub(crate) fn closure_input(
    closure: &mut ExprClosure,
    mut allows: Vec<Allow>,
) -> syn::Result<(Vec<Allow>, Vec<syn::Error>)> {
    let mut errors = Vec::new();
    closure.attrs.retain(|attr| {
        if !is_allow_attr(attr) {
            return true;
        }
        match parse_guard_allow(attr, Scope::Whole) {
            Ok(allow) => allows.push(allow),
            Err(e) => errors.push(e),
        }
        false
    });
    let mut collector = AllowCollector::default();
    collector.visit_expr_mut(&mut closure.body);
    allows.extend(collector.allows);
    errors.extend(collector.errors);
    Ok((allows, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn args_parse_allow_lists_with_reason() {
        let args = parse_args(quote!(allow(alloc, libc-unsafe, unknown_call, reason = "reviewed")))
            .unwrap();
        assert_eq!(args.allows.len(), 1);
        let names: Vec<_> = args.allows[0]
            .rules
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(names, ["alloc", "libc-unsafe", "unknown-call"]);
        assert_eq!(args.allows[0].reason.as_ref().unwrap().value(), "reviewed");
    }

    #[test]
    fn args_reject_unknown_keys() {
        let err = parse_args(quote!(deny(alloc))).unwrap_err();
        assert!(err.to_string().contains("unknown argument `deny`"), "{err}");
        let err = parse_args(quote!(allow(alloc, because = "x"))).unwrap_err();
        assert!(err.to_string().contains("unknown key `because`"), "{err}");
    }

    #[test]
    fn statement_allows_are_removed_and_recorded() {
        let input = parse_fn(quote! {
            fn f() {
                #[fork_guard::allow(alloc, reason = "preallocated")]
                let v = Vec::<u8>::with_capacity(1);
                #[allow(unused)]
                let w = 1;
            }
        })
        .unwrap();
        assert_eq!(input.allows.len(), 1);
        assert!(input.errors.is_empty());
        let text = input.item.to_token_stream().to_string();
        assert!(!text.contains("fork_guard"), "{text}");
        assert!(
            text.contains("allow (unused)"),
            "rustc's own allow must stay: {text}"
        );
    }

    #[test]
    fn nested_entry_points_keep_their_allows() {
        let input = parse_fn(quote! {
            fn outer() {
                fn plain() {
                    #[fork_guard::allow(alloc)]
                    let v = 1;
                }
                #[fork_guard::child]
                fn inner() {
                    #[fork_guard::allow(lock)]
                    let w = 2;
                }
            }
        })
        .unwrap();
        assert_eq!(input.allows.len(), 1);
        assert_eq!(input.allows[0].rules[0].text, "alloc");
        let text = input.item.to_token_stream().to_string();
        assert!(text.contains("allow (lock)"), "{text}");
        assert!(!text.contains("allow (alloc)"), "{text}");
    }

    #[test]
    fn non_functions_are_named() {
        let err = parse_fn(quote!(
            struct S;
        ))
        .unwrap_err();
        assert_eq!(err.what, "a struct");
    }
}

//! Phase 3: generate code. Generated code reaches support items only through
//! `::fork_guard::__private`.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{ExprClosure, ItemFn, Path};

/// A path call that the analysis could not see into and the knowledge table
/// does not know. It must name a `#[fork_guard::child]` function.
#[derive(Debug, Clone)]
pub(crate) struct UnseenCallee {
    /// The callee path as written (generic arguments removed).
    pub path: Path,
    /// The call's span: where the error points.
    pub span: Span,
}

/// How a callee path is checked for the marker, if it can be.
enum Checkable {
    /// `use <path>;` inside the check module imports the callee.
    Import(TokenStream),
    /// Associated functions (`Type::f`, `Self::f`), calls through local
    /// variables: no marker can exist; the runtime guard covers them.
    No,
}

fn is_type_like(segment: &syn::PathSegment) -> bool {
    !segment.arguments.is_none()
        || segment
            .ident
            .to_string()
            .trim_start_matches("r#")
            .starts_with(|c: char| c.is_ascii_uppercase())
}

fn checkable(path: &Path) -> Checkable {
    let segments: Vec<_> = path.segments.iter().collect();
    let Some((last, modules)) = segments.split_last() else {
        return Checkable::No;
    };
    if is_type_like(last) || modules.iter().any(|s| is_type_like(s) || s.ident == "Self") {
        return Checkable::No;
    }
    let idents: Vec<_> = segments.iter().map(|s| &s.ident).collect();
    let tokens = if path.leading_colon.is_some() {
        quote!(:: #(#idents)::*)
    } else if idents.len() == 1 {
        quote!(super:: #(#idents)::*)
    } else if idents[0] == "self" {
        let rest = &idents[1..];
        quote!(super:: #(#rest)::*)
    } else if idents[0] == "super" {
        quote!(super:: #(#idents)::*)
    } else {
        // `crate::..`, a module of the enclosing module (reached through the
        // `use super::*` glob), or an external crate (extern prelude).
        quote!(#(#idents)::*)
    };
    Checkable::Import(tokens)
}

/// Sets the span of every token (recursively) to `span`, so that errors in
/// the generated check point at the call.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                TokenTree::Group(group)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

fn path_text(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// The compile-time check that every unseen callee is marked: one hidden
/// module per callee, with its own `#[diagnostic::on_unimplemented]` trait so
/// the error names the callee.
///
/// In each module, `use super::*` gives the enclosing module's view of names,
/// a glob-imported fallback `enum <name> {}` stands in when the callee has no
/// marker, and an explicit `use <callee path>;` shadows the fallback in the
/// type namespace exactly when `#[fork_guard::child]` emitted the marker
/// `type <name> = ChildMarker` next to the callee.
pub(crate) fn callee_checks(callees: &[UnseenCallee]) -> TokenStream {
    let mut modules = TokenStream::new();
    let mut seen = Vec::new();
    for callee in callees {
        let text = path_text(&callee.path);
        if seen.contains(&text) {
            continue;
        }
        let Checkable::Import(import) = checkable(&callee.path) else {
            continue;
        };
        seen.push(text.clone());
        let Some(name) = callee.path.segments.last().map(|s| s.ident.clone()) else {
            continue;
        };
        let module = format_ident!("__fork_guard_check_{}", seen.len());
        let message =
            format!("`{text}` is not marked `#[fork_guard::child]`, so the macro cannot check it")
                .replace('{', "{{")
                .replace('}', "}}");
        let label = "called from a child region, this function may allocate, lock or panic unseen"
            .to_string();
        let note = format!(
            "a child region may only call functions the macro can check: mark `{text}` with `#[fork_guard::child]`, \
             call an async-signal-safe function the knowledge table knows, or accept this reviewed call with \
             `#[fork_guard::allow(unknown-call, reason = \"...\")]`"
        )
        .replace('{', "{{")
        .replace('}', "}}");
        let name_at_call = respan(name.to_token_stream(), callee.span);
        let import = respan(import, callee.span);
        modules.extend(quote! {
            #[allow(unused_imports, non_camel_case_types, non_snake_case, dead_code, clippy::all, clippy::pedantic, clippy::nursery)]
            mod #module {
                use super::*;
                mod not_marked {
                    pub enum #name {}
                }
                use not_marked::*;
                use #import;
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                trait MarkedChild {}
                impl MarkedChild for ::fork_guard::__private::ChildMarker {}
                const fn require_marked<T: MarkedChild + ?Sized>() {}
                const _: () = require_marked::<#name_at_call>();
            }
        });
    }
    if modules.is_empty() {
        return modules;
    }
    quote! {
        #[doc(hidden)]
        const _: () = { #modules };
    }
}

/// The statement that arms the runtime guard.
fn runtime_prologue(span: Span) -> TokenStream {
    quote_spanned! {span=> ::fork_guard::__private::enter_child_mode(); }
}

/// Heuristic: a function written inside an `impl` block cannot have a type
/// alias next to it (inherent associated types are unstable). Functions with
/// a `self` receiver or mentioning `Self` are taken to be methods.
fn looks_like_method(item: &ItemFn) -> bool {
    fn mentions_self(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            TokenTree::Ident(i) => i == "Self",
            TokenTree::Group(g) => mentions_self(g.stream()),
            _ => false,
        })
    }
    item.sig.receiver().is_some()
        || mentions_self(item.sig.to_token_stream())
        || mentions_self(item.block.to_token_stream())
}

/// `#[fork_guard::child]` on a function: prologue, callee checks, the body,
/// and the marker next to the function.
pub(crate) fn child_fn(
    mut item: ItemFn,
    checks: TokenStream,
    diagnostics: TokenStream,
) -> TokenStream {
    let span = item.sig.ident.span();
    let mut prologue = TokenStream::new();
    if item.sig.constness.is_none() {
        prologue.extend(runtime_prologue(span));
    }
    prologue.extend(checks);
    let prologue: syn::Block = syn::parse_quote!({ #prologue });
    let stmts = std::mem::take(&mut item.block.stmts);
    item.block.stmts = prologue.stmts;
    item.block.stmts.extend(stmts);

    let marker = if looks_like_method(&item) {
        TokenStream::new()
    } else {
        let vis = &item.vis;
        let name = &item.sig.ident;
        let doc = format!(
            "Marks `{name}` as `#[fork_guard::child]`: callers in child regions may call it."
        );
        quote_spanned! {span=>
            #[doc = #doc]
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code, unreachable_pub, clippy::all, clippy::pedantic, clippy::nursery)]
            #vis type #name = ::fork_guard::__private::ChildMarker;
        }
    };
    quote! {
        #diagnostics
        #item
        #marker
    }
}

/// `#[fork_guard::checked]`: the function unchanged, plus callee checks.
pub(crate) fn checked_fn(
    mut item: ItemFn,
    checks: TokenStream,
    diagnostics: TokenStream,
) -> TokenStream {
    if !checks.is_empty() {
        let block: syn::Block = syn::parse_quote!({ #checks });
        let stmts = std::mem::take(&mut item.block.stmts);
        item.block.stmts = block.stmts;
        item.block.stmts.extend(stmts);
    }
    quote! {
        #diagnostics
        #item
    }
}

/// A child closure: the same closure with the prologue and the checks at the
/// start of its body.
pub(crate) fn child_closure(
    mut closure: ExprClosure,
    checks: TokenStream,
    diagnostics: TokenStream,
) -> TokenStream {
    let span = closure.or1_token.span;
    let prologue = runtime_prologue(span);
    let body = &closure.body;
    let new_body: syn::Expr = syn::parse_quote_spanned! {span=> {
        #prologue
        #checks
        #body
    }};
    *closure.body = new_body;
    if diagnostics.is_empty() {
        closure.into_token_stream()
    } else {
        quote! {{
            #diagnostics
            #closure
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import_of(path: &str) -> Option<String> {
        match checkable(&syn::parse_str(path).unwrap()) {
            Checkable::Import(t) => Some(t.to_string().replace(' ', "")),
            Checkable::No => None,
        }
    }

    #[test]
    fn callee_paths_become_imports_from_the_enclosing_module() {
        assert_eq!(import_of("helper").as_deref(), Some("super::helper"));
        assert_eq!(
            import_of("self::a::helper").as_deref(),
            Some("super::a::helper")
        );
        assert_eq!(
            import_of("super::helper").as_deref(),
            Some("super::super::helper")
        );
        assert_eq!(
            import_of("crate::a::helper").as_deref(),
            Some("crate::a::helper")
        );
        assert_eq!(import_of("util::helper").as_deref(), Some("util::helper"));
        assert_eq!(import_of("::ext::helper").as_deref(), Some("::ext::helper"));
    }

    #[test]
    fn associated_functions_and_constructors_are_left_to_the_runtime_guard() {
        assert_eq!(import_of("Foo::new"), None);
        assert_eq!(import_of("Self::helper"), None);
        assert_eq!(import_of("Vec::<u8>::new"), None);
        assert_eq!(import_of("Some"), None);
        assert_eq!(import_of("a::Thing::make"), None);
    }

    #[test]
    fn methods_get_no_marker() {
        let m: ItemFn = syn::parse_quote!(
            fn m(&self) {}
        );
        let n: ItemFn = syn::parse_quote!(
            fn new() -> Self {
                Self
            }
        );
        let f: ItemFn = syn::parse_quote!(
            fn f() {}
        );
        assert!(looks_like_method(&m) && looks_like_method(&n) && !looks_like_method(&f));
        let out = child_fn(f, TokenStream::new(), TokenStream::new()).to_string();
        assert!(
            out.contains("type f = :: fork_guard :: __private :: ChildMarker"),
            "{out}"
        );
    }
}

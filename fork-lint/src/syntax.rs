//! Syntax helpers that the engine and `fork-guard-macros` share, so that the
//! lint and the macros read the same code the same way:
//!
//! - [`expr_attrs`] / [`expr_attrs_mut`]: the attributes an expression
//!   carries (where `#[fork_guard::allow(..)]` can sit);
//! - [`flatten_use`]: what each name of a `use` tree imports;
//! - the one grammar of `allow(..)`: which attributes carry one
//!   ([`is_allow_attr`], and the arguments of [`is_entry_attr`]), how its
//!   rule names and reason are written ([`parse_allow_list`]), and how the
//!   engine reads them ([`allowed_rules`]). The macros parse with the same
//!   functions and report the errors; the engine ignores what does not parse.
//!
//! Public for the macro crate; not part of fork-lint's API.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, LitStr, Token};

use crate::rules::RuleId;

/// Applies `$body` to the node of every [`Expr`] variant that has
/// attributes (one list of the variants for the shared and the mutable
/// accessor); `None` for the others (`Verbatim`, and future variants).
macro_rules! with_attrs {
    ($expr:expr, |$x:ident| $body:expr) => {
        match $expr {
            Expr::Array($x) => Some($body),
            Expr::Assign($x) => Some($body),
            Expr::Async($x) => Some($body),
            Expr::Await($x) => Some($body),
            Expr::Binary($x) => Some($body),
            Expr::Block($x) => Some($body),
            Expr::Break($x) => Some($body),
            Expr::Call($x) => Some($body),
            Expr::Cast($x) => Some($body),
            Expr::Closure($x) => Some($body),
            Expr::Const($x) => Some($body),
            Expr::Continue($x) => Some($body),
            Expr::Field($x) => Some($body),
            Expr::ForLoop($x) => Some($body),
            Expr::Group($x) => Some($body),
            Expr::If($x) => Some($body),
            Expr::Index($x) => Some($body),
            Expr::Infer($x) => Some($body),
            Expr::Let($x) => Some($body),
            Expr::Lit($x) => Some($body),
            Expr::Loop($x) => Some($body),
            Expr::Macro($x) => Some($body),
            Expr::Match($x) => Some($body),
            Expr::MethodCall($x) => Some($body),
            Expr::Paren($x) => Some($body),
            Expr::Path($x) => Some($body),
            Expr::Range($x) => Some($body),
            Expr::RawAddr($x) => Some($body),
            Expr::Reference($x) => Some($body),
            Expr::Repeat($x) => Some($body),
            Expr::Return($x) => Some($body),
            Expr::Struct($x) => Some($body),
            Expr::Try($x) => Some($body),
            Expr::TryBlock($x) => Some($body),
            Expr::Tuple($x) => Some($body),
            Expr::Unary($x) => Some($body),
            Expr::Unsafe($x) => Some($body),
            Expr::While($x) => Some($body),
            Expr::Yield($x) => Some($body),
            _ => None,
        }
    };
}

/// The attributes of an expression (empty for a variant that has none).
pub fn expr_attrs(e: &Expr) -> &[Attribute] {
    with_attrs!(e, |x| &x.attrs[..]).unwrap_or(&[])
}

/// The span of `.name(..)` in a method call: from the method name to the
/// closing parenthesis (the receiver may be on earlier lines).
pub fn method_span(m: &syn::ExprMethodCall) -> proc_macro2::Span {
    m.method
        .span()
        .join(m.paren_token.span.close())
        .unwrap_or_else(|| m.method.span())
}

/// The attributes of a statement (an item's are its own business).
pub fn stmt_attrs(s: &syn::Stmt) -> &[Attribute] {
    match s {
        syn::Stmt::Local(l) => &l.attrs,
        syn::Stmt::Expr(e, _) => expr_attrs(e),
        syn::Stmt::Macro(m) => &m.attrs,
        syn::Stmt::Item(_) => &[],
    }
}

/// The attributes of an expression, for the variants that can carry them.
pub fn expr_attrs_mut(e: &mut Expr) -> Option<&mut Vec<Attribute>> {
    with_attrs!(e, |x| &mut x.attrs)
}

/// Flattens a `use` tree below `prefix` into what each name imports
/// (`use a::{b, c as d, e::{self}}`: `b` -> `a::b`, `d` -> `a::c`,
/// `e` -> `a::e`) and the glob prefixes (`use a::*`: `a`). `as _` imports
/// no name. Segments are the identifiers' text (`r#type` stays raw).
pub fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    uses: &mut HashMap<String, Vec<String>>,
    globs: &mut Vec<Vec<String>>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, uses, globs);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    uses.insert(last.clone(), prefix.clone());
                }
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                uses.insert(name, path);
            }
        }
        syn::UseTree::Rename(r) => {
            let name = r.ident.to_string();
            let alias = r.rename.to_string();
            if alias == "_" {
                return;
            }
            let mut path = prefix.clone();
            if name != "self" {
                path.push(name);
            }
            uses.insert(alias, path);
        }
        syn::UseTree::Glob(_) => globs.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, uses, globs);
            }
        }
    }
}

/// The crates whose macros users name: `fork_guard` (the facade) and
/// `fork_guard_macros` (the macro crate itself).
const MACRO_CRATES: &[&str] = &["fork_guard", "fork_guard_macros"];

/// Is `attr` a path of two or more segments that starts with one of
/// `crates` and ends in one of `last`? (A nested path still works; a bare
/// `#[allow]` is rustc's own lint attribute.)
fn is_path(attr: &Attribute, crates: &[&str], last: &[&str]) -> bool {
    let path = attr.path();
    path.segments.len() >= 2
        && path
            .segments
            .last()
            .is_some_and(|s| last.iter().any(|l| s.ident == l))
        && path
            .segments
            .first()
            .is_some_and(|s| crates.iter().any(|c| s.ident == c))
}

/// Is this attribute `#[fork_guard::allow(..)]`? Also accepted:
/// `fork_guard_macros::allow` and `fork_lint::allow` (the lint's spelling,
/// for code checked without the macros).
pub fn is_allow_attr(attr: &Attribute) -> bool {
    is_path(attr, MACRO_CRATES, &["allow"]) || is_path(attr, &["fork_lint"], &["allow"])
}

/// Is this attribute `#[fork_guard::child]` or `#[fork_guard::checked]`,
/// whose arguments are `allow(..)` lists for the whole function?
pub fn is_entry_attr(attr: &Attribute) -> bool {
    is_path(attr, MACRO_CRATES, &["child", "checked"])
}

/// One rule name as written in `allow(..)`: `alloc`, `libc-unsafe`,
/// `libc_unsafe` or `"libc-unsafe"`.
#[derive(Debug, Clone)]
pub struct RuleName {
    /// The name with `_` for `-` undone (`libc-unsafe`); [`RuleId`]'s
    /// `FromStr` reads it.
    pub text: String,
    /// The tokens as written, for error spans.
    pub tokens: TokenStream,
}

/// What one `allow(rule, .., reason = "...")` says.
#[derive(Debug, Clone)]
pub struct AllowList {
    pub rules: Vec<RuleName>,
    pub reason: Option<LitStr>,
}

/// Parses the parenthesised part of `allow(a, b-c, d_e, "f", reason = "..")`.
/// Rule names are not checked against the rules here: each caller decides
/// what an unknown name means.
pub fn parse_allow_list(content: ParseStream) -> syn::Result<AllowList> {
    let mut rules = Vec::new();
    let mut reason = None;
    while !content.is_empty() {
        if content.peek(syn::Ident::peek_any) && content.peek2(Token![=]) {
            let key = content.call(syn::Ident::parse_any)?;
            if key != "reason" {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown key `{key}` in `allow(..)`: expected `reason = \"...\"`"),
                ));
            }
            content.parse::<Token![=]>()?;
            let lit: LitStr = content.parse()?;
            if reason.is_some() {
                return Err(syn::Error::new(lit.span(), "`reason` given twice"));
            }
            reason = Some(lit);
        } else if content.peek(LitStr) {
            // `allow("libc-unsafe")`: accepted, rule ids are strings in the lint's config.
            let lit: LitStr = content.parse()?;
            rules.push(RuleName {
                text: lit.value().replace('_', "-"),
                tokens: lit.to_token_stream(),
            });
        } else {
            let first = content.call(syn::Ident::parse_any)?;
            let mut text = first.to_string();
            let mut toks = first.to_token_stream();
            while content.peek(Token![-]) {
                let dash: Token![-] = content.parse()?;
                let next = content.call(syn::Ident::parse_any)?;
                text.push('-');
                text.push_str(&next.to_string());
                dash.to_tokens(&mut toks);
                next.to_tokens(&mut toks);
            }
            rules.push(RuleName {
                text: text.replace('_', "-"),
                tokens: toks,
            });
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(AllowList { rules, reason })
}

/// Parses the list of a `#[fork_guard::allow(..)]` attribute.
pub fn parse_allow_attr(attr: &Attribute) -> syn::Result<AllowList> {
    let list = attr.meta.require_list()?;
    parse_allow_list.parse2(list.tokens.clone())
}

/// One `allow(..)` argument of `#[fork_guard::child(..)]` or
/// `#[fork_guard::checked(..)]`.
#[derive(Debug, Clone)]
pub struct EntryArg {
    pub list: AllowList,
    /// Everything from `allow` to the closing parenthesis, for spans.
    pub tokens: TokenStream,
}

impl Parse for EntryArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let fork = input.fork();
        let key = input.call(syn::Ident::parse_any)?;
        if key != "allow" {
            return Err(syn::Error::new(
                key.span(),
                format!("unknown argument `{key}`: expected `allow(rule, .., reason = \"...\")`"),
            ));
        }
        let content;
        syn::parenthesized!(content in input);
        let mut tokens = TokenStream::new();
        let mut cursor = fork.cursor();
        while cursor != input.cursor() {
            let Some((tt, next)) = cursor.token_tree() else {
                break;
            };
            tt.to_tokens(&mut tokens);
            cursor = next;
        }
        let list = parse_allow_list(&content)?;
        Ok(EntryArg { list, tokens })
    }
}

/// Parses the arguments of an entry attribute: `allow(..)`, any number of
/// times, separated by commas.
pub fn parse_entry_args(tokens: TokenStream) -> syn::Result<Vec<EntryArg>> {
    let items = Punctuated::<EntryArg, Token![,]>::parse_terminated.parse2(tokens)?;
    Ok(items.into_iter().collect())
}

/// The rules that `attrs` allow, as the engine reads them: every
/// `#[fork_guard::allow(..)]`, and the `allow(..)` arguments of
/// `#[fork_guard::child(..)]` / `#[fork_guard::checked(..)]`. An attribute
/// that does not parse and a name that is no rule allow nothing (the macros
/// report both as errors).
pub fn allowed_rules(attrs: &[Attribute]) -> Vec<RuleId> {
    let mut lists = Vec::new();
    for a in attrs {
        if is_allow_attr(a) {
            lists.extend(parse_allow_attr(a).ok());
        } else if is_entry_attr(a)
            && let syn::Meta::List(list) = &a.meta
            && let Ok(args) = parse_entry_args(list.tokens.clone())
        {
            lists.extend(args.into_iter().map(|arg| arg.list));
        }
    }
    lists
        .iter()
        .flat_map(|l| &l.rules)
        .filter_map(|r| r.text.parse::<RuleId>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs_of(item: syn::ItemFn) -> Vec<Attribute> {
        item.attrs
    }

    fn names(rules: &[RuleId]) -> Vec<&'static str> {
        rules.iter().map(|r| r.as_str()).collect()
    }

    #[test]
    fn rule_names_are_read_with_dash_underscore_or_as_strings() {
        let attrs = attrs_of(syn::parse_quote! {
            #[fork_guard::allow(libc-unsafe, unknown_call, "alloc", reason = "reviewed")]
            #[fork_guard::allow(libc_unsafe)]
            fn f() {}
        });
        assert_eq!(
            names(&allowed_rules(&attrs)),
            ["libc-unsafe", "unknown-call", "alloc", "libc-unsafe"]
        );
    }

    #[test]
    fn our_crates_paths_are_allows_and_others_are_not() {
        let attrs = attrs_of(syn::parse_quote! {
            #[fork_lint::allow(stdio)]
            #[fork_guard_macros::allow(lock)]
            #[allow(alloc)]
            #[other::allow(panic)]
            fn f() {}
        });
        assert_eq!(names(&allowed_rules(&attrs)), ["stdio", "lock"]);
    }

    #[test]
    fn entry_attribute_arguments_allow_for_the_whole_function() {
        let attrs = attrs_of(syn::parse_quote! {
            #[fork_guard::child(allow(alloc, reason = "reserved"), allow(libc_unsafe))]
            fn f() {}
        });
        assert_eq!(names(&allowed_rules(&attrs)), ["alloc", "libc-unsafe"]);
        let attrs = attrs_of(syn::parse_quote! {
            #[fork_guard::checked(allow(stdio))]
            #[fork_guard::child]
            #[fork_lint::child(allow(lock))]
            fn f() {}
        });
        assert_eq!(names(&allowed_rules(&attrs)), ["stdio"]);
    }

    #[test]
    fn malformed_allows_and_unknown_names_allow_nothing() {
        let attrs = attrs_of(syn::parse_quote! {
            #[fork_guard::allow(alloc, because = "x")]
            #[fork_guard::allow]
            #[fork_guard::child(deny(alloc))]
            #[fork_guard::allow(alocc, stdio)]
            fn f() {}
        });
        assert_eq!(names(&allowed_rules(&attrs)), ["stdio"]);
    }

    #[test]
    fn parse_errors_name_the_offending_token() {
        let attr: Attribute =
            syn::parse_quote!(#[fork_guard::allow(alloc, reason = "a", reason = "b")]);
        let err = parse_allow_attr(&attr).unwrap_err();
        assert_eq!(err.to_string(), "`reason` given twice");
        let err = parse_entry_args(quote::quote!(allow(alloc), deny(lock))).unwrap_err();
        assert!(err.to_string().contains("unknown argument `deny`"), "{err}");
    }

    #[test]
    fn every_attribute_carrying_expression_is_read() {
        let mut e: Expr = syn::parse_quote!(
            #[fork_guard::allow(alloc)]
            1
        );
        assert_eq!(expr_attrs(&e).len(), 1);
        expr_attrs_mut(&mut e).unwrap().clear();
        assert!(expr_attrs(&e).is_empty());
        let v = Expr::Verbatim(TokenStream::new());
        assert!(expr_attrs(&v).is_empty());
    }

    #[test]
    fn use_trees_flatten_to_names_and_globs() {
        let u: syn::ItemUse = syn::parse_quote!(
            use a::{
                b, c as d,
                e::{self},
                f::*,
                g as _,
                h::{self as i},
            };
        );
        let (mut uses, mut globs) = (HashMap::new(), Vec::new());
        flatten_use(&u.tree, &mut Vec::new(), &mut uses, &mut globs);
        let mut got: Vec<_> = uses
            .iter()
            .map(|(k, v)| format!("{k}={}", v.join("::")))
            .collect();
        got.sort();
        assert_eq!(got, ["b=a::b", "d=a::c", "e=a::e", "i=a::h"]);
        assert_eq!(globs, [vec!["a".to_string(), "f".to_string()]]);
    }
}

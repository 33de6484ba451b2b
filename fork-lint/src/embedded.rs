//! The engine for the proc-macro crate: works on syn nodes the macro already
//! parsed and returns findings with their [`Span`]s, so the macro can emit
//! them as compiler diagnostics.
//!
//! A macro sees one item, not the crate: calls are followed into functions
//! defined inside that item (nested `fn`s); every other call into the crate
//! is returned in [`EmbeddedReport::unresolved`] for the macro to judge.
//! Calls into other crates are judged by the knowledge table as usual.
//!
//! Unlike [`crate::check_crate`], nothing here touches proc-macro2's source
//! map (that is not available inside a procedural macro).

use proc_macro2::Span;

use crate::diagnostic::Level;
use crate::index::{Ctx, Site};
use crate::input::Options;
use crate::regions::{Body, RawFinding, Region, analyze, check_fn};
use crate::resolve::FnCtx;
use crate::rules::RuleId;
use crate::types::Env;

/// A finding located by span: the hazard type of `fork-guard-macros`, which
/// turns each one into a compile error as is.
#[derive(Debug, Clone)]
pub struct SpannedFinding {
    pub span: Span,
    pub rule: RuleId,
    pub level: Level,
    pub message: String,
    pub help: Option<String>,
    /// The call chain, first the call in the child code, last the hazard.
    pub chain_labels: Vec<String>,
}

/// A call into the crate that could not be followed from the item alone.
#[derive(Debug, Clone)]
pub struct UnresolvedCall {
    /// The callee as written or resolved, e.g. `helper`, `self.m`,
    /// `crate::util::setup`.
    pub path: String,
    pub span: Span,
}

/// What the embedded checks return.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedReport {
    pub findings: Vec<SpannedFinding>,
    pub unresolved: Vec<UnresolvedCall>,
}

const FILE: &str = "<macro input>";

/// Every identifier in `tokens`, nested groups included.
fn idents(tokens: proc_macro2::TokenStream) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let mut stack = vec![tokens];
    while let Some(ts) = stack.pop() {
        for tt in ts {
            match tt {
                proc_macro2::TokenTree::Ident(i) => {
                    out.insert(i.to_string());
                }
                proc_macro2::TokenTree::Group(g) => stack.push(g.stream()),
                _ => {}
            }
        }
    }
    out
}

fn ctx_for<'o>(options: &'o Options, item: Option<&syn::ItemFn>) -> (Ctx<'o>, Option<usize>) {
    let mut ctx = Ctx::new(options);
    // The macro sees one item, not the `use` that imported `fork`.
    ctx.bare_fork_idents = Some(
        item.map(|i| idents(quote::ToTokens::to_token_stream(i)))
            .unwrap_or_default(),
    );
    let file = ctx.add_file(FILE.into(), Vec::new(), None);
    let mut root = None;
    if let Some(item) = item {
        ctx.index_virtual(file, vec![syn::Item::Fn(item.clone())]);
        let name = item.sig.ident.to_string();
        root = ctx
            .modules
            .get(&Vec::new())
            .and_then(|s| s.fns.get(&name).copied());
    } else {
        ctx.index_virtual(file, Vec::new());
    }
    (ctx, root)
}

fn finish(ctx: Ctx<'_>, raw: Vec<RawFinding>, options: &Options) -> EmbeddedReport {
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    for r in raw {
        let Some(level) = options.effective_level(r.rule, r.level) else {
            continue;
        };
        // A macro points into the item it sees: at the call in the child
        // code, once per rule and call (spans compared by their debug form,
        // which inside a proc macro names the byte range).
        let (site, message, chain) = match r.at_call {
            Some(at) => at,
            None => (r.site, r.message, r.chain),
        };
        if !seen.insert((format!("{:?}", site.span), r.rule)) {
            continue;
        }
        findings.push(SpannedFinding {
            span: site.span,
            rule: r.rule,
            level,
            message,
            help: r.help,
            chain_labels: chain.into_iter().map(|s| s.label).collect(),
        });
    }
    let unresolved = ctx
        .unresolved
        .iter()
        .map(|(path, site)| UnresolvedCall {
            path: path.clone(),
            span: site.span,
        })
        .collect();
    EmbeddedReport {
        findings,
        unresolved,
    }
}

/// `#[fork_guard::child] fn ..`: the whole body is child code (no
/// `fallthrough`: returning from it is the caller's business).
pub fn check_child_fn(item: &syn::ItemFn, options: &Options) -> EmbeddedReport {
    let (mut ctx, root) = ctx_for(options, Some(item));
    let Some(root) = root else {
        return EmbeddedReport::default();
    };
    let region = Region::new(
        Body::Fn(root),
        "child code starts here (#[fork_guard::child])",
        Site {
            file: 0,
            span: item.sig.ident.span(),
        },
    );
    let f = FnCtx {
        file: 0,
        module: Vec::new(),
        self_ty: None,
        scope: Default::default(),
        uses: Default::default(),
    };
    let raw = analyze(&mut ctx, &f, &Env::default(), &region);
    finish(ctx, raw, options)
}

/// `fork_guard::child_closure!(|| ..)` or a marked closure: the closure body is
/// child code.
pub fn check_child_closure(closure: &syn::ExprClosure, options: &Options) -> EmbeddedReport {
    let (mut ctx, _) = ctx_for(options, None);
    let f = FnCtx {
        file: 0,
        module: Vec::new(),
        self_ty: None,
        scope: Default::default(),
        uses: Default::default(),
    };
    let region = Region::new(
        Body::Closure(closure),
        "child code starts here (fork_guard::child_closure!)",
        Site {
            file: 0,
            span: closure.or1_token.span,
        },
    );
    let raw = analyze(&mut ctx, &f, &Env::default(), &region);
    finish(ctx, raw, options)
}

/// `#[fork_guard::checked] fn ..`: finds the child regions inside the
/// function as the lint does (fork sites, `pre_exec` closures, markers) and
/// checks them.
pub fn check_checked_fn(item: &syn::ItemFn, options: &Options) -> EmbeddedReport {
    let (mut ctx, root) = ctx_for(options, Some(item));
    let Some(root) = root else {
        return EmbeddedReport::default();
    };
    let mut raw = check_fn(&mut ctx, root);
    // Regions inside nested functions of the item.
    let nested: Vec<usize> = ctx.fns_by_file.get(&0).cloned().unwrap_or_default();
    for id in nested {
        if id != root {
            raw.extend(check_fn(&mut ctx, id));
        }
    }
    finish(ctx, raw, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(r: &EmbeddedReport) -> Vec<String> {
        let mut v: Vec<String> = r.findings.iter().map(|f| f.rule.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn child_fn_reports_direct_and_nested_hazards() {
        let item: syn::ItemFn = syn::parse_quote! {
            fn child() {
                fn helper() { println!("x"); }
                helper();
                let v: Vec<u8> = Vec::with_capacity(4);
                unknown_helper();
                unsafe { libc::_exit(0) };
            }
        };
        let r = check_child_fn(&item, &Options::default());
        assert_eq!(rules(&r), ["alloc", "stdio"]);
        let stdio = r.findings.iter().find(|f| f.rule == RuleId::Stdio).unwrap();
        assert_eq!(stdio.chain_labels, ["child calls helper()", "println!"]);
        assert!(r.unresolved.iter().any(|u| u.path == "unknown_helper"));
    }

    #[test]
    fn child_closure_and_checked_fn() {
        let c: syn::ExprClosure = syn::parse_quote!(|| {
            let s = String::from("x");
            unsafe { libc::_exit(1) }
        });
        assert_eq!(
            rules(&check_child_closure(&c, &Options::default())),
            ["alloc"]
        );
        let item: syn::ItemFn = syn::parse_quote! {
            fn run() {
                match unsafe { libc::fork() } {
                    0 => { let v = vec![1]; }
                    _ => {}
                }
            }
        };
        assert_eq!(
            rules(&check_checked_fn(&item, &Options::default())),
            ["alloc", "fallthrough"]
        );
    }

    #[test]
    fn checked_fn_takes_a_bare_fork_for_a_fork_site() {
        // `use nix::unistd::{fork, ForkResult};` is outside the item.
        let item: syn::ItemFn = syn::parse_quote! {
            fn run() {
                match unsafe { fork() } {
                    Ok(ForkResult::Child) => {
                        println!("child");
                        unsafe { libc::_exit(0) };
                    }
                    _ => {}
                }
            }
        };
        assert_eq!(
            rules(&check_checked_fn(&item, &Options::default())),
            ["stdio"]
        );
        let item: syn::ItemFn = syn::parse_quote! {
            fn run() {
                let pid = unsafe { vfork() };
                if pid == 0 {
                    let v = vec![1];
                    unsafe { libc::_exit(0) };
                }
            }
        };
        assert_eq!(
            rules(&check_checked_fn(&item, &Options::default())),
            ["vfork"]
        );
    }

    #[test]
    fn other_bare_calls_are_no_fork_sites() {
        // `daemon()` and a crate's own `spawn()` are not guessed at.
        let item: syn::ItemFn = syn::parse_quote! {
            fn run() {
                match spawn() {
                    0 => { let v = vec![1]; }
                    _ => {}
                }
                match daemon() {
                    0 => { let v = vec![1]; }
                    _ => {}
                }
            }
        };
        assert!(rules(&check_checked_fn(&item, &Options::default())).is_empty());
    }

    #[test]
    fn third_party_knowledge_reaches_the_macros() {
        // The attribute macros share the lint's table: logging or a passwd
        // lookup in a `#[fork_guard::child]` function is a hazard, stack
        // formatting is not. (Spans from `parse_quote!` all sit at one
        // position, so each case is a function of its own.)
        let check = |item: syn::ItemFn| rules(&check_child_fn(&item, &Options::default()));
        assert_eq!(
            check(syn::parse_quote! {
                fn child() { log::info!("child"); }
            }),
            ["lock"]
        );
        assert_eq!(
            check(syn::parse_quote! {
                fn child() {
                    use tracing::debug;
                    debug!("the function's own `use` is in scope");
                }
            }),
            ["lock"]
        );
        assert_eq!(
            check(syn::parse_quote! {
                fn child() { let _ = users::get_user_by_uid(0); }
            }),
            ["libc-unsafe"]
        );
        let item: syn::ItemFn = syn::parse_quote! {
            fn child() {
                let mut buf = itoa::Buffer::new();
                let digits = buf.format(7u8);
                unsafe { libc::write(2, digits.as_ptr().cast(), digits.len()) };
                unsafe { libc::_exit(0) };
            }
        };
        let r = check_child_fn(&item, &Options::default());
        assert!(r.findings.is_empty() && r.unresolved.is_empty());
    }
}

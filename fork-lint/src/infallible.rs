//! Receivers that `unwrap()`/`expect()` cannot find empty, so the call
//! cannot panic: `CString::new("--login").unwrap()`,
//! `io::Error::last_os_error().raw_os_error().expect("errno")`. The cases
//! are data (`knowledge::type_facts::INFALLIBLE`); this module matches them
//! against the syntax.

use crate::index::Ctx;
use crate::knowledge::type_facts::{INFALLIBLE, Infallible};
use crate::resolve::{FnCtx, Target, resolve, segments};
use crate::types::{Env, strip};

/// Whether `receiver` (the expression `unwrap`/`expect` is called on) is
/// always `Some`/`Ok`.
pub(crate) fn cannot_fail(ctx: &mut Ctx<'_>, f: &FnCtx, env: &Env, receiver: &syn::Expr) -> bool {
    INFALLIBLE.iter().any(|case| match *case {
        Infallible::Chain { producer, method } => match strip(receiver) {
            syn::Expr::MethodCall(m) if m.method == method && m.args.is_empty() => {
                matches!(strip(&m.receiver), syn::Expr::Call(c) if c.args.is_empty() && calls(ctx, f, &c.func, producer))
            }
            _ => false,
        },
        Infallible::TakeOfSomeUsedOnce => match strip(receiver) {
            syn::Expr::MethodCall(m) if m.method == "take" && m.args.is_empty() => {
                matches!(strip(&m.receiver), syn::Expr::Path(p) if p.path.get_ident().is_some_and(|i| env.taken_once.contains(&i.to_string())))
            }
            _ => false,
        },
        Infallible::NulFreeLiteral { constructor } => match strip(receiver) {
            syn::Expr::Call(c) if c.args.len() == 1 && calls(ctx, f, &c.func, constructor) => {
                c.args.first().is_some_and(nul_free_literal)
            }
            _ => false,
        },
    })
}

/// Whether `func` names the function `name` (`Type::function`), as written
/// or after resolution.
fn calls(ctx: &mut Ctx<'_>, f: &FnCtx, func: &syn::Expr, name: &str) -> bool {
    let syn::Expr::Path(p) = strip(func) else {
        return false;
    };
    let segs = segments(&p.path);
    let full = match resolve(ctx, f, &segs) {
        Target::Extern(full) => full,
        _ => segs.join("::"),
    };
    full == name || full.ends_with(&format!("::{name}"))
}

fn nul_free_literal(e: &syn::Expr) -> bool {
    match strip(e) {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => !s.value().contains('\0'),
            syn::Lit::ByteStr(b) => !b.value().contains(&0),
            _ => false,
        },
        _ => false,
    }
}

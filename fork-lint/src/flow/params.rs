//! Fork results received as parameters: a function that takes a
//! `ForkResult` (or is a method on a fork-result type, such as the `pty`
//! crate's `Fork`) runs in both processes, each with its own value, as if
//! the fork happened at its entry. Analysed as a root (nobody in the crate
//! is seen calling it with a known value), it starts with two worlds: the
//! parent, with the parent's value, and a child opened at the parameter.
//! The types are data (`knowledge::fork_results::FORK_RESULT_TYPES`).

use super::{Interp, Origin, Shape, World};
use crate::index::{FnDef, Site};
use crate::knowledge::fork_results::{ForkResultType, fork_result_type};
use crate::resolve::{Target, resolve, segments};

/// The worlds a root function starts in: the parent alone, or, for each
/// parameter of a fork-result type, a parent and a child that see the
/// parent's and the child's value (parameters after the first such one
/// are not split again).
pub(super) fn root_worlds(it: &mut Interp<'_, '_, '_>, def: &FnDef) -> Vec<World> {
    for input in &def.sig.inputs {
        let (name, ty, span) = match input {
            syn::FnArg::Typed(pt) => {
                let syn::Pat::Ident(pi) = &*pt.pat else {
                    continue;
                };
                let Some(ty) = type_path(it, &pt.ty) else {
                    continue;
                };
                (pi.ident.to_string(), ty, pi.ident.span())
            }
            syn::FnArg::Receiver(r) => {
                let Some(self_ty) = &def.self_ty else {
                    continue;
                };
                let Some(ty) = resolved(it, std::slice::from_ref(self_ty)) else {
                    continue;
                };
                (
                    "self".to_string(),
                    ty,
                    syn::spanned::Spanned::span(&r.self_token),
                )
            }
        };
        let origin = it.origin(Origin {
            label: format!(
                "child code starts here (`{name}` is a fork result: `{}`)",
                ty.path
            ),
            site: Site {
                file: def.file,
                span,
            },
            vfork: false,
            fork_path: None,
            // The caller holds the fork result too and decides what its
            // child does after this returns: no `fallthrough` here.
            reported: true,
        });
        let mut parent = World::parent();
        parent.set(name.clone(), Shape::parse(ty.parent));
        let mut child = World::child(origin);
        child.set(name, Shape::parse(ty.child));
        return vec![parent, child];
    }
    vec![World::parent()]
}

/// The fork-result type a parameter's type names, behind references.
fn type_path(it: &mut Interp<'_, '_, '_>, ty: &syn::Type) -> Option<&'static ForkResultType> {
    match ty {
        syn::Type::Reference(r) => type_path(it, &r.elem),
        syn::Type::Paren(p) => type_path(it, &p.elem),
        syn::Type::Path(p) if p.qself.is_none() => resolved(it, &segments(&p.path)),
        _ => None,
    }
}

fn resolved(it: &mut Interp<'_, '_, '_>, segs: &[String]) -> Option<&'static ForkResultType> {
    // Only names that may be one: the last segment of a listed type.
    let last = segs.last()?;
    if !crate::knowledge::fork_results::FORK_RESULT_TYPES
        .iter()
        .any(|t| t.path.rsplit("::").next() == Some(last.as_str()))
    {
        return None;
    }
    match resolve(it.ctx, &it.f, segs) {
        Target::Extern(full) => fork_result_type(&full),
        _ => None,
    }
}

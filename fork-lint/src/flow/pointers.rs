//! Closures and functions that reach a child as raw pointers or integers.
//!
//! Two shapes hide a callback from the call graph:
//!
//! - **Trampolines.** A closure is boxed into a raw pointer
//!   (`Box::into_raw(Box::new(f)) as *mut c_void`) and handed to `clone` as
//!   the argument of a callback that casts it back and calls it
//!   (`Box::from_raw(arg as *mut F)`, `&mut *(arg as *mut F)`). Variables
//!   bound through such wrappers are *aliases* of what they wrap: calling
//!   one in child code calls the closure, the parameter or the field it
//!   came from. A callback whose first parameter is called that way makes
//!   the data argument of the `clone` that runs it child code
//!   ([`crate::knowledge::pointers::CALLBACK_DATA`]).
//! - **Function pointers sent as integers.** A function's address is taken
//!   as a number (`task as usize`, `f as *const ()`), sent or stored, and a
//!   child turns a number back into a function pointer with `transmute` and
//!   calls it. Once a child makes such a call ([`Cache::fn_ptr_calls`], by
//!   arity and ABI), every function of the crate whose address is taken that
//!   way with a matching signature runs in a child, and so does a function
//!   parameter whose address is taken (its callers' functions then do).
//!   Nothing is assumed where no child calls a transmuted pointer.
//!
//! The wrappers, the callback data arguments and the address types are
//! data in [`crate::knowledge::pointers`].
//!
//! [`Cache::fn_ptr_calls`]: super::Cache

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::{Interp, Origin, State, World, analyze_callee, param_index};
use crate::index::FnId;
use crate::knowledge::pointers as table;
use crate::resolve::{Target, resolve, segments};

/// What matching a function with a function pointer compares: the number
/// of parameters (a method's receiver counts) and the ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FnSig {
    pub arity: usize,
    pub extern_abi: bool,
}

impl FnSig {
    fn of_sig(sig: &syn::Signature) -> FnSig {
        FnSig {
            arity: sig.inputs.len(),
            extern_abi: is_extern(sig.abi.as_ref()),
        }
    }

    /// The signature of a function pointer type (`fn(A) -> R`,
    /// `extern "C" fn(*mut c_void) -> c_int`).
    fn of_type(ty: &syn::Type) -> Option<FnSig> {
        match ty {
            syn::Type::BareFn(b) => Some(FnSig {
                arity: b.inputs.len(),
                extern_abi: is_extern(b.abi.as_ref()),
            }),
            syn::Type::Paren(p) => FnSig::of_type(&p.elem),
            syn::Type::Group(g) => FnSig::of_type(&g.elem),
            _ => None,
        }
    }
}

fn is_extern(abi: Option<&syn::Abi>) -> bool {
    abi.is_some_and(|a| a.name.as_ref().is_none_or(|n| n.value() != "Rust"))
}

/// One wrapper around a value that keeps pointing at it: parens, a
/// one-expression `unsafe` block, `&`, `*`, a cast, a pointer method
/// (`.cast::<F>()`), a call of [`table::INTO_RAW`] or [`table::FROM_RAW`].
/// `None` when `e` is none of these. The flag says whether the step is a
/// pointer operation (not mere grouping).
fn peel_step(e: &syn::Expr) -> Option<(&syn::Expr, bool)> {
    match e {
        syn::Expr::Paren(p) => Some((&p.expr, false)),
        syn::Expr::Group(g) => Some((&g.expr, false)),
        syn::Expr::Unsafe(u) => match u.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => Some((e, false)),
            _ => None,
        },
        syn::Expr::Reference(r) => Some((&r.expr, true)),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => Some((&u.expr, true)),
        syn::Expr::Cast(c) => Some((&c.expr, true)),
        syn::Expr::MethodCall(m)
            if m.args.is_empty() && table::POINTER_METHODS.contains(&&*m.method.to_string()) =>
        {
            Some((&m.receiver, true))
        }
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p)
                if p.qself.is_none()
                    && (table::names(table::INTO_RAW, &segments(&p.path))
                        || table::names(table::FROM_RAW, &segments(&p.path))) =>
            {
                c.args.first().map(|a| (a, true))
            }
            _ => None,
        },
        _ => None,
    }
}

/// What `e` points at or wraps, and whether a pointer operation was peeled
/// on the way (`Box::into_raw(Box::new(f)) as *mut c_void` is `f`).
pub(crate) fn peel(e: &syn::Expr) -> (&syn::Expr, bool) {
    let mut cur = e;
    let mut pointer = false;
    while let Some((inner, p)) = peel_step(cur) {
        cur = inner;
        pointer |= p;
    }
    (cur, pointer)
}

/// The name a `let` pattern binds, with its written type (`let f: fn() =
/// ..`).
fn let_name(pat: &syn::Pat) -> Option<(String, Option<&syn::Type>)> {
    match pat {
        syn::Pat::Ident(pi) if pi.subpat.is_none() => Some((pi.ident.to_string(), None)),
        syn::Pat::Type(pt) => match &*pt.pat {
            syn::Pat::Ident(pi) if pi.subpat.is_none() => {
                Some((pi.ident.to_string(), Some(&*pt.ty)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The name of a cast's target among [`table::ADDRESS_TYPES`]
/// (`usize`, `*const ()`).
fn address_type(ty: &syn::Type) -> Option<&'static str> {
    let text = match ty {
        syn::Type::Path(p) => p.path.segments.last()?.ident.to_string(),
        syn::Type::Ptr(p) => {
            let m = if p.mutability.is_some() {
                "mut"
            } else {
                "const"
            };
            let elem = match &*p.elem {
                syn::Type::Tuple(t) if t.elems.is_empty() => "()".to_string(),
                syn::Type::Path(q) => q.path.segments.last()?.ident.to_string(),
                _ => return None,
            };
            format!("*{m} {elem}")
        }
        syn::Type::Paren(p) => return address_type(&p.elem),
        syn::Type::Group(g) => return address_type(&g.elem),
        _ => return None,
    };
    table::ADDRESS_TYPES.iter().copied().find(|t| *t == text)
}

/// A local variable (one lowercase segment, not a constant or a variant).
fn local_name(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() => p
            .path
            .get_ident()
            .map(|i| i.to_string())
            .filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')),
        _ => None,
    }
}

impl<'a> Interp<'a, '_, '_> {
    /// Learns what a `let` binds through pointers: a function pointer made
    /// by `transmute`, or an alias of what a pointer wraps.
    pub(super) fn bind_pointer(&mut self, pat: &'a syn::Pat, init: &'a syn::Expr) {
        let Some((name, ty)) = let_name(pat) else {
            return;
        };
        self.aliases.remove(&name);
        self.fn_ptr_vars.remove(&name);
        if let Some(sig) = self.transmuted_fn(init, ty) {
            self.fn_ptr_vars.insert(name, sig);
            return;
        }
        let (inner, pointer) = peel(init);
        if !pointer {
            return;
        }
        let aliased = match inner {
            syn::Expr::Closure(_) => true,
            other => local_name(other).is_some_and(|n| n != name),
        };
        if aliased {
            self.aliases.insert(name, inner);
        }
    }

    /// The signature of the function pointer `e` makes with `transmute`
    /// (from its turbofish, or the `let`'s written type `ty`).
    fn transmuted_fn(&mut self, e: &syn::Expr, ty: Option<&syn::Type>) -> Option<FnSig> {
        let mut cur = e;
        while let Some((inner, false)) = peel_step(cur) {
            cur = inner;
        }
        let syn::Expr::Call(c) = cur else {
            return None;
        };
        let syn::Expr::Path(p) = &*c.func else {
            return None;
        };
        let segs = segments(&p.path);
        let transmute = table::names(table::TRANSMUTES, &segs)
            || (segs.len() == 1
                && segs
                    .first()
                    .is_some_and(|s| table::ends_one(table::TRANSMUTES, s))
                && matches!(resolve(self.ctx, &self.f, &segs), Target::Extern(path)
                    if table::names(table::TRANSMUTES, &path.split("::").map(str::to_string).collect::<Vec<_>>())));
        if !transmute {
            return None;
        }
        let turbofish = p.path.segments.last().and_then(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().rev().find_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }),
            _ => None,
        });
        turbofish
            .and_then(FnSig::of_type)
            .or_else(|| ty.and_then(FnSig::of_type))
    }

    /// Records a call, in a child, of a function pointer made from a number
    /// or an untyped pointer.
    fn fn_ptr_call(&mut self, sig: FnSig) {
        if !self.quiet && self.ctx.flow.fn_ptr_calls.insert(sig) {
            self.ctx.flow.changed = true;
        }
    }

    /// A call in child code whose callee came through a pointer: a
    /// transmuted function pointer (recorded), or an alias of a closure, a
    /// parameter or a field (which then runs in a child). `true` when
    /// handled.
    pub(super) fn pointer_call(&mut self, func: &'a syn::Expr, st: &State, span: Span) -> bool {
        if let Some(sig) = self.transmuted_fn(func, None) {
            self.fn_ptr_call(sig);
            return true;
        }
        let Some(name) = local_name(crate::types::strip(func)) else {
            return false;
        };
        if let Some(&sig) = self.fn_ptr_vars.get(&name) {
            self.fn_ptr_call(sig);
            return true;
        }
        if self.closures.contains_key(&name) || !self.aliases.contains_key(&name) {
            return false;
        }
        let own = self.own_child(st);
        self.called_value(func, own, span);
        true
    }

    /// A value called in child code: the closure, parameter or field it
    /// is, through its aliases. A parameter runs in a child for every
    /// caller when the child is this function's own (`own`), else only for
    /// callers that are in a child already.
    fn called_value(&mut self, e: &'a syn::Expr, own: bool, span: Span) {
        let (inner, _) = peel(e);
        if let Some(name) = local_name(inner) {
            if let Some(target) = self.aliases.remove(&name) {
                // The alias's own value was written where `name` still
                // meant what it shadows.
                self.called_value(target, own, span);
                self.aliases.insert(name, target);
                return;
            }
            if param_index(self.ctx, self.fn_id, &name).is_some() {
                if own {
                    self.param_slot(&name);
                } else {
                    self.inherited_slot(&name);
                }
                return;
            }
        }
        let label = "child code starts here (closure called through a raw pointer)".to_string();
        self.callback(e, label, span, false);
    }

    /// The crate function a callback argument names (`tramp`,
    /// `tramp::<F>`, `tramp as extern "C" fn(..)`).
    pub(super) fn callback_fn(&mut self, e: &syn::Expr) -> Option<FnId> {
        let (inner, _) = peel(e);
        let syn::Expr::Path(p) = inner else {
            return None;
        };
        if p.qself.is_some() {
            return None;
        }
        let segs = segments(&p.path);
        if let [one] = segs.as_slice()
            && let Some(&id) = self.fn_values.get(one)
        {
            return Some(id);
        }
        match resolve(self.ctx, &self.f, &segs) {
            Target::LocalFn(id) => Some(id),
            Target::LocalMethod { ty, name } => match self.ctx.methods_of(&ty, &name).as_slice() {
                [id] => Some(*id),
                _ => None,
            },
            _ => None,
        }
    }

    /// Analyses a function that runs whole in a child as a child, to learn
    /// what it runs there (its parameters called, fields, function
    /// pointers); its hazards are the walker's business.
    pub(super) fn learn_in_child(&mut self, id: FnId) {
        if !self.quiet {
            let _ = analyze_callee(self.ctx, id, true, Vec::new(), self.call_depth + 1);
        }
    }

    /// `clone(tramp, stack, flags, arg)`: when `tramp` calls what its first
    /// parameter points to, `arg` is child code.
    pub(super) fn callback_data(
        &mut self,
        path: &str,
        c: &'a syn::ExprCall,
        callback: &'a syn::Expr,
        vfork: bool,
    ) {
        let Some(data) = table::callback_data(path).and_then(|i| c.args.iter().nth(i)) else {
            return;
        };
        let Some(id) = self.callback_fn(callback) else {
            return;
        };
        let flow = &self.ctx.flow;
        if !(flow.child_params.contains(&(id, 0)) || flow.inherited_params.contains(&(id, 0))) {
            return;
        }
        let name = self
            .ctx
            .fn_def(id)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let label = format!(
            "child code starts here (closure called by {name}() through the argument of {path})"
        );
        self.callback(data, label, c.span(), vfork);
    }

    /// `f as usize`, `f as *const ()`: when a child calls function pointers
    /// made from numbers, a function of the crate (or a function parameter)
    /// whose address is taken with a matching signature runs in a child.
    pub(super) fn address_taken(&mut self, c: &'a syn::ExprCast) {
        if self.quiet || self.ctx.flow.fn_ptr_calls.is_empty() {
            return;
        }
        let Some(ty) = address_type(&c.ty) else {
            return;
        };
        let syn::Expr::Path(p) = crate::types::strip(&c.expr) else {
            return;
        };
        if p.qself.is_some() {
            return;
        }
        let segs = segments(&p.path);
        let shown = segs.join("::");
        let note = format!("via fn pointer `{shown} as {ty}`");
        // A parameter of function pointer type.
        if let [one] = segs.as_slice()
            && let Some(id) = self.fn_id
            && let Some(pty) = param_type(self.ctx, id, one)
        {
            if let Some(sig) = FnSig::of_type(&pty)
                && self.ctx.flow.fn_ptr_calls.contains(&sig)
            {
                self.param_slot(one);
                if let Some(i) = param_index(self.ctx, Some(id), one) {
                    self.ctx.flow.slot_notes.insert((id, i), note);
                }
            }
            return;
        }
        let Some(id) = self.callback_fn(&c.expr) else {
            return;
        };
        let Some(def) = self.ctx.fn_def(id) else {
            return;
        };
        if !self
            .ctx
            .flow
            .fn_ptr_calls
            .contains(&FnSig::of_sig(&def.sig))
        {
            return;
        }
        let origin = Origin {
            label: format!(
                "child code starts here ({note}: a child calls function pointers made from numbers)"
            ),
            site: self.site(c.span()),
            vfork: false,
            fork_path: None,
            reported: false,
        };
        self.fn_regions.push((id, origin));
        self.learn_in_child(id);
    }

    /// Whether some world is a child this function opened (a fork or a
    /// callback in its body), not the child its caller was already in.
    pub(super) fn own_child(&self, st: &State) -> bool {
        st.iter()
            .any(|w: &World| w.child.is_some_and(|o| Some(o) != self.inherited))
    }
}

/// The written type of parameter `name` of function `id`.
fn param_type(ctx: &crate::index::Ctx<'_>, id: FnId, name: &str) -> Option<syn::Type> {
    let def = ctx.fn_def(id)?;
    def.sig.inputs.iter().find_map(|a| match a {
        syn::FnArg::Typed(pt) => match &*pt.pat {
            syn::Pat::Ident(pi) if pi.ident == name => Some((*pt.ty).clone()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> syn::Expr {
        syn::parse_str(s).unwrap()
    }

    fn peeled(s: &str) -> (String, bool) {
        let e = expr(s);
        let (inner, pointer) = peel(&e);
        (quote::ToTokens::to_token_stream(inner).to_string(), pointer)
    }

    #[test]
    fn peel_sees_through_boxes_casts_and_from_raw() {
        assert_eq!(
            peeled("Box::into_raw(Box::new(task)) as *mut c_void"),
            ("task".to_string(), true)
        );
        assert_eq!(
            peeled("unsafe { Box::from_raw(arg as *mut Task) }"),
            ("arg".to_string(), true)
        );
        assert_eq!(
            peeled("unsafe { &mut *(arg as *mut F) }"),
            ("arg".to_string(), true)
        );
        assert_eq!(
            peeled("&mut *b as *mut F as *mut c_void"),
            ("b".to_string(), true)
        );
        assert_eq!(peeled("arg.cast::<F>()"), ("arg".to_string(), true));
        // A call that is not a pointer wrapper stops the peeling.
        assert_eq!(peeled("make(task)"), ("make (task)".to_string(), false));
        assert_eq!(peeled("(task)"), ("task".to_string(), false));
    }

    #[test]
    fn address_types_are_numbers_and_untyped_pointers() {
        let ty = |s: &str| syn::parse_str::<syn::Type>(s).unwrap();
        assert_eq!(address_type(&ty("usize")), Some("usize"));
        assert_eq!(address_type(&ty("*const ()")), Some("*const ()"));
        assert_eq!(address_type(&ty("*mut libc::c_void")), Some("*mut c_void"));
        assert_eq!(address_type(&ty("libc::sighandler_t")), None);
        assert_eq!(address_type(&ty("*const Task")), None);
        assert_eq!(address_type(&ty("u8")), None);
    }

    #[test]
    fn fn_pointer_types_give_arity_and_abi() {
        let ty = |s: &str| syn::parse_str::<syn::Type>(s).unwrap();
        assert_eq!(
            FnSig::of_type(&ty("fn(&mut Pipe, usize) -> Result<(), Error>")),
            Some(FnSig {
                arity: 2,
                extern_abi: false
            })
        );
        assert_eq!(
            FnSig::of_type(&ty("extern \"C\" fn(c_int)")),
            Some(FnSig {
                arity: 1,
                extern_abi: true
            })
        );
        assert_eq!(FnSig::of_type(&ty("usize")), None);
    }
}

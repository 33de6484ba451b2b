//! The values of expressions, as far as the source says: their types
//! (declared, returned by the crate's functions, made by std's owning
//! constructors or `from_raw` functions, moved out by `take`) and who made
//! them, for the messages and for telling whether an `io::Error` may be a
//! custom one.

use std::collections::HashMap;

use super::Frees;
use super::ty::{self, Ty};
use crate::index::{Ctx, FnId};
use crate::knowledge::heap::{self, MovedOut};
use crate::resolve::{FnCtx, Target, resolve, segments};
use crate::types::strip;

/// Bound on the crate functions followed to tell whether one may return a
/// custom `io::Error`.
const MAX_CUSTOM_DEPTH: usize = 4;

/// A value, as far as the source says where it comes from.
#[derive(Debug, Clone)]
pub(crate) struct Value {
    pub ty: Ty,
    /// Where it comes from, completing "the `T` ..": "returned by
    /// `do_exec`", "made by `Box::from_raw`".
    pub from: Option<String>,
    /// The crate function that made it (its errors may be custom ones,
    /// see [`Cache::may_make_custom`]).
    pub maker: Option<FnId>,
    /// Its allocation is already reported in the child.
    pub reported: bool,
    /// Made empty (`Vec::new()`, `vec![]`): it owns memory only once it
    /// grows.
    pub empty: bool,
}

impl Value {
    pub(super) fn of(ty: Ty) -> Value {
        Value {
            ty,
            from: None,
            maker: None,
            reported: false,
            empty: false,
        }
    }
}

/// Per-crate memo.
#[derive(Default)]
pub(crate) struct Cache {
    custom: HashMap<FnId, bool>,
}

impl Cache {
    /// Whether a function of the crate may return a custom `io::Error`: it
    /// builds one (the knowledge table's constructors of custom errors), or
    /// calls code fork-lint cannot see (a closure, a function pointer, a
    /// parameter), directly or through the crate's functions it calls.
    pub fn may_make_custom(ctx: &mut Ctx<'_>, id: FnId) -> bool {
        may_make_custom_at(ctx, id, 0)
    }
}

fn may_make_custom_at(ctx: &mut Ctx<'_>, id: FnId, depth: usize) -> bool {
    if let Some(&b) = ctx.frees.custom.get(&id) {
        return b;
    }
    if depth > MAX_CUSTOM_DEPTH {
        return false;
    }
    let Some(def) = ctx.fn_def(id) else {
        return false;
    };
    // Assume no while in progress (a cycle adds nothing new).
    ctx.frees.custom.insert(id, false);
    let f = FnCtx::of(&def);
    let mut calls = Vec::new();
    collect_calls(&def.block, &mut calls);
    let bound = bound_names(&def.sig, &def.block);
    let mut found = false;
    for func in calls {
        match strip(func) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let segs = segments(&p.path);
                match resolve(ctx, &f, &segs) {
                    Target::Extern(path) => {
                        found = heap::CUSTOM_ERROR_MAKERS
                            .contains(&crate::knowledge::canonical_std(&path).as_ref());
                    }
                    Target::LocalFn(callee) => {
                        found = may_make_custom_at(ctx, callee, depth + 1);
                    }
                    Target::LocalMethod { ty, name } => {
                        for callee in ctx.methods_of(&ty, &name) {
                            found |= may_make_custom_at(ctx, callee, depth + 1);
                        }
                    }
                    // A closure or function pointer held in a parameter
                    // or a variable.
                    Target::Unknown(name) => {
                        found = segs.len() == 1 && bound.contains(&name);
                    }
                }
            }
            // `(self.callback)()`, `(*boxed)()`.
            _ => found = true,
        }
        if found {
            break;
        }
    }
    ctx.frees.custom.insert(id, found);
    found
}

/// The names a function's parameters and patterns bind.
fn bound_names(sig: &syn::Signature, b: &syn::Block) -> std::collections::HashSet<String> {
    use syn::visit::Visit;
    struct N(std::collections::HashSet<String>);
    impl<'a> Visit<'a> for N {
        fn visit_pat_ident(&mut self, pi: &'a syn::PatIdent) {
            self.0.insert(pi.ident.to_string());
            syn::visit::visit_pat_ident(self, pi);
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut n = N(Default::default());
    for input in &sig.inputs {
        n.visit_fn_arg(input);
    }
    n.visit_block(b);
    n.0
}

/// The callee expressions of the calls in a block (closures included).
fn collect_calls<'a>(b: &'a syn::Block, out: &mut Vec<&'a syn::Expr>) {
    use syn::visit::Visit;
    struct C<'a, 'o>(&'o mut Vec<&'a syn::Expr>);
    impl<'a> Visit<'a> for C<'a, '_> {
        fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
            self.0.push(&c.func);
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    C(out).visit_block(b);
}

impl Frees<'_, '_> {
    /// The type and maker of an expression's value, when the source says.
    pub fn value_of(&mut self, e: &syn::Expr) -> Option<Value> {
        self.value_at(e, 0)
    }

    fn value_at(&mut self, e: &syn::Expr, depth: usize) -> Option<Value> {
        if depth > 12 {
            return None;
        }
        use syn::Expr as E;
        match e {
            E::Paren(p) => self.value_at(&p.expr, depth + 1),
            E::Group(g) => self.value_at(&g.expr, depth + 1),
            E::Reference(_) => Some(Value::of(Ty::Ref)),
            E::Path(p) if p.qself.is_none() => {
                let name = p.path.get_ident()?.to_string();
                if let Some(v) = self.scopes.value_of(&name) {
                    return Some(v);
                }
                // Bound outside the walked code: the type guess, outer
                // type and first argument.
                let g = self.env.vars.get(&name).filter(|g| !g.is_empty())?;
                let args = g.get(1).map(|a| vec![Ty::named(a)]).unwrap_or_default();
                Some(Value::of(Ty::Named {
                    path: g.first()?.clone(),
                    args,
                }))
            }
            E::Field(fe) => {
                let base = self.value_at(&fe.base, depth + 1)?;
                let name = base.ty.name()?.to_string();
                let field = match &fe.member {
                    syn::Member::Named(i) => i.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                let fty = match &base.ty {
                    Ty::Tuple(elems) => elems.get(field.parse::<usize>().ok()?)?.clone(),
                    _ => {
                        let t = self.ctx.struct_field(&name, &field)?;
                        ty::of_type(self.ctx, None, &t)
                    }
                };
                Some(Value { ty: fty, ..base })
            }
            E::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                let inner = self.value_at(&u.expr, depth + 1)?;
                match inner.ty.name() {
                    Some("Box") => Some(Value {
                        ty: inner.ty.arg(0),
                        ..inner
                    }),
                    _ => None,
                }
            }
            E::Try(t) => {
                let v = self.value_at(&t.expr, depth + 1)?;
                Some(Value {
                    ty: v.ty.unwrapped(),
                    ..v
                })
            }
            E::Call(c) => self.call_value(c, depth),
            E::MethodCall(m) => self.method_value(m, depth),
            E::Macro(m) => {
                let name = m.mac.path.segments.last()?.ident.to_string();
                let ty = match name.as_str() {
                    "vec" => "std::vec::Vec",
                    "format" => "std::string::String",
                    _ => return None,
                };
                Some(Value {
                    from: Some(format!("made by `{name}!`")),
                    empty: name == "vec" && m.mac.tokens.is_empty(),
                    ..Value::of(Ty::named(ty))
                })
            }
            E::Struct(s) if s.qself.is_none() => {
                let segs = segments(&s.path);
                Some(Value::of(Ty::named(&segs.join("::"))))
            }
            E::Cast(_) | E::Lit(_) => Some(Value::of(Ty::Unknown)),
            _ => None,
        }
    }

    fn call_value(&mut self, c: &syn::ExprCall, depth: usize) -> Option<Value> {
        let syn::Expr::Path(p) = strip(&c.func) else {
            return None;
        };
        if p.qself.is_some() {
            return None;
        }
        let segs = segments(&p.path);
        if let [one] = segs.as_slice()
            && self.env.is_local(one)
        {
            return None;
        }
        // `Some(x)`, `Err(e)`, `Fd(3)`, `Message::Text(s)`: the type the
        // variant or tuple struct belongs to.
        if let Some(last) = segs.last()
            && last.starts_with(|c: char| c.is_ascii_uppercase())
        {
            let inner = || c.args.first();
            let ty = match (last.as_str(), segs.len()) {
                ("Some", 1) => Ty::Named {
                    path: "Option".to_string(),
                    args: vec![self.arg_ty(inner(), depth)],
                },
                ("Ok", 1) => Ty::Named {
                    path: "Result".to_string(),
                    args: vec![self.arg_ty(inner(), depth), Ty::Unknown],
                },
                ("Err", 1) => Ty::Named {
                    path: "Result".to_string(),
                    args: vec![Ty::Unknown, self.arg_ty(inner(), depth)],
                },
                (_, n) if n > 1 && segs[n - 2].starts_with(|c: char| c.is_ascii_uppercase()) => {
                    Ty::named(&segs[..n - 1].join("::"))
                }
                _ => Ty::named(&segs.join("::")),
            };
            return Some(Value::of(ty));
        }
        match resolve(self.ctx, self.f, &segs) {
            Target::LocalFn(id) => self.crate_fn_value(id, None),
            Target::LocalMethod { ty, name } => {
                let id = *self.ctx.methods_of(&ty, &name).first()?;
                self.crate_fn_value(id, Some(&ty))
            }
            Target::Extern(path) => {
                let path = crate::knowledge::canonical_std(&path).into_owned();
                let label = segs.join("::");
                let made = |ty: Ty| Value {
                    from: Some(format!("made by `{label}`")),
                    ..Value::of(ty)
                };
                if let Some((_, ty)) = heap::OWNING_RETURNS
                    .iter()
                    .find(|(f, _)| *f == path || short(f) == short(&path))
                {
                    return Some(made(Ty::named(ty)));
                }
                if heap::MOVES_OUT_FNS.contains(&path.as_str()) {
                    let arg = match strip(c.args.first()?) {
                        syn::Expr::Reference(r) => &*r.expr,
                        other => other,
                    };
                    let v = self.value_at(arg, depth + 1)?;
                    return Some(Value {
                        from: Some(format!("moved out of `{}` by `{label}`", expr_text(arg))),
                        ..v
                    });
                }
                // `String::from(..)`, `Vec::with_capacity(..)`.
                let (ty_path, ctor) = path.rsplit_once("::")?;
                if heap::CONSTRUCTORS.contains(&ctor)
                    && let Some(e) = heap::owning_type(ty_path)
                {
                    return Some(Value {
                        empty: e.empty_new && heap::EMPTY_CONSTRUCTORS.contains(&ctor),
                        ..made(Ty::named(e.path))
                    });
                }
                None
            }
            Target::Unknown(_) => None,
        }
    }

    fn arg_ty(&mut self, arg: Option<&syn::Expr>, depth: usize) -> Ty {
        arg.and_then(|a| self.value_at(a, depth + 1))
            .map_or(Ty::Unknown, |v| v.ty)
    }

    /// The value a function of the crate returns: its declared type.
    fn crate_fn_value(&mut self, id: FnId, self_ty: Option<&str>) -> Option<Value> {
        let def = self.ctx.fn_def(id)?;
        let syn::ReturnType::Type(_, ret) = &def.sig.output else {
            return None;
        };
        let mut fctx = FnCtx::of(&def);
        if let Some(t) = self_ty {
            fctx.self_ty = Some(t.to_string());
        }
        let ty = ty::of_type(self.ctx, Some(&fctx), ret);
        Some(Value {
            from: Some(format!(
                "returned by `{}`",
                crate::summaries::callee_label(&def).trim_end_matches("()")
            )),
            maker: Some(id),
            ..Value::of(ty)
        })
    }

    fn method_value(&mut self, m: &syn::ExprMethodCall, depth: usize) -> Option<Value> {
        let name = m.method.to_string();
        let recv = self.value_at(&m.receiver, depth + 1)?;
        if matches!(
            name.as_str(),
            "unwrap" | "expect" | "unwrap_unchecked" | "unwrap_or_default"
        ) || name.starts_with("unwrap_or")
        {
            return Some(Value {
                ty: recv.ty.unwrapped(),
                ..recv
            });
        }
        let recv_name = recv.ty.name().map(str::to_string);
        if let Some((_, _, out)) = heap::MOVES_OUT_METHODS
            .iter()
            .find(|(n, r, _)| *n == name && recv_name.as_deref() == Some(*r))
        {
            let ty = match out {
                MovedOut::Same => recv.ty.clone(),
                MovedOut::Inner => recv.ty.arg(0),
            };
            return Some(Value {
                ty,
                from: Some(format!(
                    "moved out of `{}` by `.{name}()`",
                    expr_text(&m.receiver)
                )),
                ..recv
            });
        }
        if name == "clone" {
            return Some(recv);
        }
        let ty = recv_name?;
        let id = *self.ctx.methods_of(&ty, &name).first()?;
        self.crate_fn_value(id, Some(&ty))
    }
}

/// `Type::name` of a path (for matching `Box::from_raw` written short).
fn short(path: &str) -> &str {
    let mut it = path.rmatch_indices("::");
    match (it.next(), it.next()) {
        (Some(_), Some((i, _))) => &path[i + 2..],
        _ => path,
    }
}

/// A short source rendering of a place (`self.buf`, `v`).
pub(super) fn expr_text(e: &syn::Expr) -> String {
    match strip(e) {
        syn::Expr::Path(p) => segments(&p.path).join("::"),
        syn::Expr::Field(f) => {
            let member = match &f.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            };
            format!("{}.{member}", expr_text(&f.base))
        }
        syn::Expr::Reference(r) => expr_text(&r.expr),
        syn::Expr::Unary(u) => format!("*{}", expr_text(&u.expr)),
        _ => "..".to_string(),
    }
}

//! Receiver type guesses for method calls. `syn` has no type information, so
//! the analysis reads what the source says: `let x: T`, constructor calls
//! (`T::new(..)`, `T::from(..)`, `T { .. }`), `vec![..]`/`format!(..)`,
//! literals, fn parameter types, `self` and `self.field` where the struct is
//! visible. A guess is a list of type names: the outer type first, then its
//! generic arguments (`Arc<Mutex<u8>>` -> `[Arc, Mutex, u8]`), so a method the
//! outer type does not have can be looked up on what it derefs to.

use std::collections::HashMap;

use syn::visit::Visit;

use crate::index::Ctx;
use crate::resolve::{FnCtx, Target, resolve, segments};

/// Type names, outermost first.
pub(crate) type TypeGuess = Vec<String>;

/// Variable name -> type guess, for one function (flow-insensitive: the
/// last binding of a name wins).
#[derive(Default, Clone)]
pub(crate) struct Env {
    pub vars: HashMap<String, TypeGuess>,
    /// Closures bound to a variable: `let f = || ..;`.
    pub closures: HashMap<String, syn::ExprClosure>,
    /// Variables whose type is another crate's, by its full path
    /// (`outside_dep::FixedVec`), when the source names it: their methods
    /// can be looked up in that crate (see [`extern_type_path`]).
    pub extern_types: HashMap<String, String>,
}

impl Env {
    pub fn is_local(&self, name: &str) -> bool {
        self.vars.contains_key(name) || self.closures.contains_key(name)
    }
}

/// Builds the environment of a function from its parameters and the `let`s
/// of its body.
pub(crate) fn env_of(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    sig: Option<&syn::Signature>,
    body: &syn::Block,
) -> Env {
    let mut env = Env::default();
    if let Some(ty) = &f.self_ty {
        env.vars.insert("self".to_string(), vec![ty.clone()]);
    }
    if let Some(sig) = sig {
        for input in &sig.inputs {
            if let syn::FnArg::Typed(pt) = input {
                let guess = type_guess(ctx, f, &pt.ty);
                bind_pat(ctx, f, &mut env, &pt.pat, Some(guess));
                let path = type_path(ctx, f, &pt.ty);
                bind_extern_type(&mut env, &pt.pat, path);
            }
        }
    }
    let mut collector = LetCollector {
        lets: Vec::new(),
        closure_params: Vec::new(),
    };
    collector.visit_block(body);
    for (pat, ty, init) in collector.lets {
        let path = match (ty, init) {
            (Some(ty), _) => type_path(ctx, f, ty),
            (None, Some(init)) => extern_type_path(ctx, f, &env, init, 0),
            (None, None) => None,
        };
        bind_extern_type(&mut env, pat, path);
        let guess = match (ty, init) {
            (Some(ty), _) => Some(type_guess(ctx, f, ty)),
            (None, Some(init)) => {
                if let Some(c) = closure_of(init)
                    && let syn::Pat::Ident(pi) = pat
                {
                    env.closures.insert(pi.ident.to_string(), c.clone());
                    continue;
                }
                expr_guess(ctx, f, &env, init, 0)
            }
            (None, None) => None,
        };
        bind_pat(ctx, f, &mut env, pat, guess);
    }
    for (pat, ty) in collector.closure_params {
        let guess = ty.map(|t| type_guess(ctx, f, t));
        bind_pat(ctx, f, &mut env, pat, guess);
        let path = ty.and_then(|t| type_path(ctx, f, t));
        bind_extern_type(&mut env, pat, path);
    }
    env
}

/// Records (or, on rebinding, forgets) the other crate's type of a
/// variable bound by a simple pattern (`x`, `mut x`, `&x`, `x: T`).
fn bind_extern_type(env: &mut Env, pat: &syn::Pat, path: Option<String>) {
    match pat {
        syn::Pat::Ident(pi) if pi.subpat.is_none() => {
            let name = pi.ident.to_string();
            match path {
                Some(p) => env.extern_types.insert(name, p),
                None => env.extern_types.remove(&name),
            };
        }
        syn::Pat::Reference(r) => bind_extern_type(env, &r.pat, path),
        syn::Pat::Paren(p) => bind_extern_type(env, &p.pat, path),
        syn::Pat::Type(pt) => bind_extern_type(env, &pt.pat, path),
        _ => {}
    }
}

/// The full path of a written type when it names another crate's type
/// (`outside_dep::FixedVec`, or `FixedVec` imported from there), through
/// references; `None` for the crate's own types, generics and `Self`.
pub(crate) fn type_path(ctx: &mut Ctx<'_>, f: &FnCtx, ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => type_path(ctx, f, &r.elem),
        syn::Type::Paren(p) => type_path(ctx, f, &p.elem),
        syn::Type::Group(g) => type_path(ctx, f, &g.elem),
        syn::Type::Path(p) if p.qself.is_none() => extern_path(ctx, f, &segments(&p.path)),
        _ => None,
    }
}

fn extern_path(ctx: &mut Ctx<'_>, f: &FnCtx, segs: &[String]) -> Option<String> {
    if segs.first().is_none_or(|s| s == "Self") {
        return None;
    }
    match resolve(ctx, f, segs) {
        Target::Extern(full) => Some(full),
        _ => None,
    }
}

/// The full path of an expression's type when the source says it is
/// another crate's: a variable bound with such a type, a constructor call
/// (`outside_dep::FixedVec::new()`, taken to return its type, as
/// [`expr_guess`] does), a struct literal.
pub(crate) fn extern_type_path(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    env: &Env,
    e: &syn::Expr,
    depth: usize,
) -> Option<String> {
    if depth > 16 {
        return None;
    }
    match strip(e) {
        syn::Expr::Reference(r) => extern_type_path(ctx, f, env, &r.expr, depth + 1),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
            extern_type_path(ctx, f, env, &u.expr, depth + 1)
        }
        syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let name = p.path.segments.first()?.ident.to_string();
            env.extern_types.get(&name).cloned()
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(p) = strip(&c.func) else {
                return None;
            };
            if p.qself.is_some() {
                return None;
            }
            let segs = segments(&p.path);
            let ty = match segs.as_slice() {
                [.., ty, _] if ty.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    segs.get(..segs.len() - 1)?
                }
                _ => return None,
            };
            extern_path(ctx, f, ty)
        }
        syn::Expr::Struct(s) if s.qself.is_none() => extern_path(ctx, f, &segments(&s.path)),
        syn::Expr::MethodCall(m) if m.method == "clone" => {
            extern_type_path(ctx, f, env, &m.receiver, depth + 1)
        }
        _ => None,
    }
}

fn bind_pat(ctx: &mut Ctx<'_>, f: &FnCtx, env: &mut Env, pat: &syn::Pat, guess: Option<TypeGuess>) {
    match pat {
        syn::Pat::Ident(pi) => {
            env.vars
                .insert(pi.ident.to_string(), guess.unwrap_or_default());
        }
        syn::Pat::Type(pt) => {
            let g = type_guess(ctx, f, &pt.ty);
            bind_pat(ctx, f, env, &pt.pat, Some(g));
        }
        syn::Pat::Reference(r) => bind_pat(ctx, f, env, &r.pat, guess),
        syn::Pat::Paren(p) => bind_pat(ctx, f, env, &p.pat, guess),
        syn::Pat::Tuple(t) => {
            for p in &t.elems {
                bind_pat(ctx, f, env, p, None);
            }
        }
        syn::Pat::TupleStruct(t) => {
            for p in &t.elems {
                bind_pat(ctx, f, env, p, None);
            }
        }
        syn::Pat::Struct(s) => {
            for fp in &s.fields {
                bind_pat(ctx, f, env, &fp.pat, None);
            }
        }
        _ => {}
    }
}

struct LetCollector<'a> {
    lets: Vec<(&'a syn::Pat, Option<&'a syn::Type>, Option<&'a syn::Expr>)>,
    closure_params: Vec<(&'a syn::Pat, Option<&'a syn::Type>)>,
}

impl<'a> Visit<'a> for LetCollector<'a> {
    fn visit_local(&mut self, l: &'a syn::Local) {
        let (pat, ty) = match &l.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            p => (p, None),
        };
        self.lets.push((pat, ty, l.init.as_ref().map(|i| &*i.expr)));
        syn::visit::visit_local(self, l);
    }
    fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
        for p in &c.inputs {
            match p {
                syn::Pat::Type(pt) => self.closure_params.push((&pt.pat, Some(&pt.ty))),
                p => self.closure_params.push((p, None)),
            }
        }
        syn::visit::visit_expr_closure(self, c);
    }
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

/// The closure an initialiser binds: `|| ..`, or one wrapped in a call
/// such as `Box::new(|| ..)`.
pub(crate) fn closure_of(e: &syn::Expr) -> Option<&syn::ExprClosure> {
    match strip(e) {
        syn::Expr::Closure(c) => Some(c),
        syn::Expr::Call(c) => c.args.iter().find_map(|a| match strip(a) {
            syn::Expr::Closure(c) => Some(c),
            _ => None,
        }),
        _ => None,
    }
}

/// Strips parentheses, groups and references.
pub(crate) fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        _ => e,
    }
}

/// The guess for a written type.
pub(crate) fn type_guess(ctx: &mut Ctx<'_>, f: &FnCtx, ty: &syn::Type) -> TypeGuess {
    let mut out = Vec::new();
    collect_type(ctx, f, ty, &mut out, 0);
    out
}

fn collect_type(ctx: &mut Ctx<'_>, f: &FnCtx, ty: &syn::Type, out: &mut TypeGuess, depth: usize) {
    if depth > 8 {
        return;
    }
    match ty {
        syn::Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return;
            };
            let mut name = last.ident.to_string();
            if p.path.segments.len() == 1 {
                if name == "Self"
                    && let Some(s) = &f.self_ty
                {
                    name = s.clone();
                } else if let Target::Extern(full) = resolve(ctx, f, &[name.clone()]) {
                    name = full.rsplit("::").next().unwrap_or(&name).to_string();
                } else if let Some(alias) = f.uses.get(&name).cloned().or_else(|| {
                    ctx.module_scope(&f.module)
                        .and_then(|s| s.uses.get(&name).cloned())
                }) && let Some(l) = alias.last()
                {
                    name = l.clone();
                }
            }
            out.push(name);
            if let syn::PathArguments::AngleBracketed(a) = &last.arguments {
                for arg in &a.args {
                    if let syn::GenericArgument::Type(t) = arg {
                        collect_type(ctx, f, t, out, depth + 1);
                    }
                }
            }
        }
        syn::Type::Reference(r) => collect_type(ctx, f, &r.elem, out, depth + 1),
        syn::Type::Paren(p) => collect_type(ctx, f, &p.elem, out, depth + 1),
        syn::Type::Group(g) => collect_type(ctx, f, &g.elem, out, depth + 1),
        syn::Type::Slice(_) | syn::Type::Array(_) => out.push("[T]".to_string()),
        _ => {}
    }
}

/// The guess for an expression's type, when the source says it.
pub(crate) fn expr_guess(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    env: &Env,
    e: &syn::Expr,
    depth: usize,
) -> Option<TypeGuess> {
    if depth > 16 {
        return None;
    }
    match e {
        syn::Expr::Paren(p) => expr_guess(ctx, f, env, &p.expr, depth + 1),
        syn::Expr::Group(g) => expr_guess(ctx, f, env, &g.expr, depth + 1),
        syn::Expr::Reference(r) => expr_guess(ctx, f, env, &r.expr, depth + 1),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
            expr_guess(ctx, f, env, &u.expr, depth + 1)
        }
        syn::Expr::Path(p) if p.qself.is_none() => {
            let name = p.path.segments.last()?.ident.to_string();
            if p.path.segments.len() == 1 && env.vars.contains_key(&name) {
                return env.vars.get(&name).filter(|g| !g.is_empty()).cloned();
            }
            // A `static`/`const` item (SCREAMING_CASE by convention): its
            // declared type.
            if name.starts_with(|c: char| c.is_ascii_uppercase())
                && !name.chars().any(|c| c.is_ascii_lowercase())
            {
                let ty = ctx.static_type(&name)?;
                return Some(type_guess(ctx, f, &ty));
            }
            // A unit struct written as a value (`let hook = Logger;`), or a
            // unit variant (`Kind::Plain`): its type.
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                let ty = match p.path.segments.len() {
                    1 => name,
                    n => p.path.segments.get(n - 2)?.ident.to_string(),
                };
                // (A tuple struct's name as a value is its constructor.)
                if ty.starts_with(|c: char| c.is_ascii_uppercase())
                    && ctx.struct_field(&ty, "0").is_none()
                {
                    return Some(vec![ty]);
                }
            }
            None
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(p) = strip(&c.func) else {
                return None;
            };
            let segs = segments(&p.path);
            let ty = match segs.as_slice() {
                [one] if one.starts_with(|c: char| c.is_ascii_uppercase()) => one.clone(),
                [.., ty, _] if ty.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    if ty == "Self" {
                        f.self_ty.clone()?
                    } else {
                        ty.clone()
                    }
                }
                _ => return None,
            };
            let ty = match resolve(ctx, f, std::slice::from_ref(&ty)) {
                Target::Extern(full) => full.rsplit("::").next().unwrap_or(&ty).to_string(),
                _ => ty,
            };
            let mut out = vec![ty];
            if let Some(arg) = c.args.first()
                && let Some(inner) = expr_guess(ctx, f, env, arg, depth + 1)
            {
                out.extend(inner);
            }
            Some(out)
        }
        syn::Expr::Struct(s) => Some(vec![s.path.segments.last()?.ident.to_string()]),
        syn::Expr::Macro(m) => {
            // Type facts of two std macros (not safety verdicts).
            match m.mac.path.segments.last()?.ident.to_string().as_str() {
                "vec" => Some(vec!["Vec".to_string()]),
                "format" => Some(vec!["String".to_string()]),
                _ => None,
            }
        }
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(_) => Some(vec!["str".to_string()]),
            syn::Lit::ByteStr(_) => Some(vec!["[u8]".to_string()]),
            syn::Lit::CStr(_) => Some(vec!["CStr".to_string()]),
            _ => None,
        },
        syn::Expr::Cast(c) => Some(type_guess(ctx, f, &c.ty)),
        syn::Expr::Field(fe) => {
            let base = expr_guess(ctx, f, env, &fe.base, depth + 1)?;
            let owner = base.first()?;
            let field = match &fe.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            };
            let ty = ctx.struct_field(owner, &field)?;
            Some(type_guess(ctx, f, &ty))
        }
        syn::Expr::MethodCall(m) if m.method == "clone" => {
            expr_guess(ctx, f, env, &m.receiver, depth + 1)
        }
        _ => None,
    }
}

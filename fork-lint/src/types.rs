//! Receiver type guesses for method calls. `syn` has no type information, so
//! the analysis reads what the source says: `let x: T`, constructor calls
//! (`T::new(..)`, `T::from(..)`, `T { .. }`), `vec![..]`/`format!(..)`,
//! literals, fn parameter types, `self` and `self.field` where the struct is
//! visible. A guess is a list of type names: the outer type first, then its
//! generic arguments (`Arc<Mutex<u8>>` -> `[Arc, Mutex, u8]`), so a method the
//! outer type does not have can be looked up on what it derefs to.

use std::collections::{HashMap, HashSet};

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
    /// Locals bound once to `Some(..)` and emptied only by one `.take()`:
    /// that `take()` returns `Some` (`let mut w = Some(w);` then
    /// `w.take().unwrap()` in a callback that runs once in the child).
    pub taken_once: HashSet<String>,
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
        takes: HashMap::new(),
        mutations: HashMap::new(),
    };
    collector.visit_block(body);
    env.taken_once = collector.taken_once();
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
    /// Per local `x`: the calls `x.take()` and the other ways of emptying
    /// it (`x = ..`, `&mut x`, `x.replace(..)`, `x.as_mut()`...).
    takes: HashMap<String, usize>,
    mutations: HashMap<String, usize>,
}

impl LetCollector<'_> {
    /// See [`Env::taken_once`].
    fn taken_once(&self) -> HashSet<String> {
        let mut lets: HashMap<String, usize> = HashMap::new();
        let mut some = HashSet::new();
        for (pat, _, init) in &self.lets {
            if let syn::Pat::Ident(pi) = pat {
                let name = pi.ident.to_string();
                *lets.entry(name.clone()).or_default() += 1;
                if let Some(syn::Expr::Call(c)) = init.map(strip)
                    && matches!(strip(&c.func), syn::Expr::Path(p) if p.path.is_ident("Some"))
                {
                    some.insert(name);
                }
            }
        }
        some.into_iter()
            .filter(|n| {
                lets.get(n) == Some(&1)
                    && self.takes.get(n) == Some(&1)
                    && !self.mutations.contains_key(n)
            })
            .collect()
    }

    fn mutated(&mut self, e: &syn::Expr) {
        if let syn::Expr::Path(p) = strip(e)
            && let Some(i) = p.path.get_ident()
        {
            *self.mutations.entry(i.to_string()).or_default() += 1;
        }
    }
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
    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        let name = m.method.to_string();
        if name == "take"
            && m.args.is_empty()
            && let syn::Expr::Path(p) = strip(&m.receiver)
            && let Some(i) = p.path.get_ident()
        {
            *self.takes.entry(i.to_string()).or_default() += 1;
        } else if matches!(
            name.as_str(),
            "take"
                | "replace"
                | "insert"
                | "get_or_insert"
                | "get_or_insert_with"
                | "as_mut"
                | "as_deref_mut"
                | "take_if"
                | "iter_mut"
        ) {
            self.mutated(&m.receiver);
        }
        syn::visit::visit_expr_method_call(self, m);
    }
    fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
        self.mutated(&a.left);
        syn::visit::visit_expr_assign(self, a);
    }
    fn visit_expr_reference(&mut self, r: &'a syn::ExprReference) {
        if r.mutability.is_some() {
            self.mutated(&r.expr);
        }
        syn::visit::visit_expr_reference(self, r);
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
            let name = m.mac.path.segments.last()?.ident.to_string();
            crate::knowledge::type_facts::macro_type(&name).map(|t| vec![t.to_string()])
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
        syn::Expr::MethodCall(m) => method_return(ctx, f, env, m, depth),
        _ => None,
    }
}

/// The type a method call returns, when the receiver's type is known and
/// either the knowledge table says the method returns its receiver (std
/// builders: `OpenOptions::new().write(true)`), or the crate defines the
/// method with a written return type (`-> Self`, `-> &mut Self`, `-> Foo`).
fn method_return(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    env: &Env,
    m: &syn::ExprMethodCall,
    depth: usize,
) -> Option<TypeGuess> {
    let recv = expr_guess(ctx, f, env, &m.receiver, depth + 1)?;
    let ty = recv.first()?.clone();
    let method = m.method.to_string();
    if crate::knowledge::type_facts::returns_receiver(&ty, &method) {
        return Some(recv);
    }
    // A crate method, when exactly one definition answers (no guessing).
    let [id] = ctx.methods_of(&ty, &method)[..] else {
        return None;
    };
    let def = ctx.fn_def(id)?;
    let syn::ReturnType::Type(_, out) = &def.sig.output else {
        return None;
    };
    let mut out: &syn::Type = out;
    while let syn::Type::Reference(r) = out {
        out = &r.elem;
    }
    if let syn::Type::Path(p) = out
        && p.qself.is_none()
        && p.path.is_ident("Self")
    {
        return Some(recv);
    }
    let guess = type_guess(ctx, &FnCtx::of(&def), out);
    (!guess.is_empty()).then_some(guess)
}

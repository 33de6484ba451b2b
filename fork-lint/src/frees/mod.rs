//! Implicit frees: heap memory freed in child code without a call that
//! says so.
//!
//! `free` takes malloc's arena lock just as `malloc` does, so in the child
//! of a multithreaded process a free is as hazardous as an allocation (rule
//! `alloc`). Explicit calls (`drop(buf)` of a `Vec`) are the knowledge
//! table's business; this module finds the frees that Rust inserts:
//!
//! - a value that goes out of scope at the end of a block or a `match` arm
//!   (a `let` binding, `Err(e)` in an arm, `Some(x)` in an `if let`),
//!   when the child reaches that end and nothing moved the value away;
//! - a value a statement discards: `make_string();`, `let _ = f();`,
//!   `_ = f();`, `self.buf.take();`, `std::mem::take(&mut v);`;
//! - a temporary that a statement borrows and then drops:
//!   `Box::from_raw(p)()`, `make_path().display()`;
//! - a collection that a `for` loop consumes (`for x in v`), freed when
//!   the loop ends (`for x in &v` and `v.iter()` borrow);
//! - `drop(x)` of a crate type that owns heap fields (std's owning types
//!   are the knowledge table's).
//!
//! Whether a type owns heap memory is the knowledge table's
//! (`knowledge::heap`) for std and a few other crates, and read from the
//! fields of the crate's own structs and enums ([`ty`]). Whether a value is
//! moved away is read from the syntax ([`moves`]); when unsure it counts as
//! moved, which keeps the analysis quiet.
//!
//! Only what the child really does is reported: a scope end counts when
//! the child reaches it (the flow analysis records those, see
//! `flow::Marks::ends`), so locals alive at `_exit` or at an exec that
//! succeeds, which are never dropped, stay silent. A value whose
//! allocation is already reported in the child (made by `vec![..]` there,
//! grown by `push`) is not reported again where it is freed: one fix
//! removes both.
//!
//! Levels: a certain free (a `String`, a `Vec`, a crate struct with a
//! `Box` field) is an error; one that depends on the value (an `io::Error`
//! that holds a `Box` only when it is a custom error, an `Arc` that may not
//! be the last reference, a crate enum whose other variants own nothing)
//! is a warning, and the message says what it depends on. An `io::Error`
//! made by std holds no `Box`, so one is reported only when it comes from
//! code that may make custom errors (see [`Cache::may_make_custom`]).
//!
//! The hazard walker (`summaries::Walker`) calls in at each statement,
//! scope end, `match` arm and `for` loop, and turns each [`Free`] into a
//! finding.

pub(crate) mod moves;
pub(crate) mod ty;

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::diagnostic::Level;
use crate::index::{Ctx, FnId};
use crate::knowledge::heap::{self, Heap, MovedOut};
use crate::resolve::{FnCtx, Target, resolve, segments};
use crate::types::{Env, strip};
use ty::{Owned, Ty, article, owned};

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
    fn of(ty: Ty) -> Value {
        Value {
            ty,
            from: None,
            maker: None,
            reported: false,
            empty: false,
        }
    }
}

/// A name bound in the walked code.
#[derive(Debug, Clone)]
struct Binding {
    name: String,
    value: Value,
    /// The statement of its block after which it is in scope (`None`:
    /// the whole block, for `if let`/`while let` bindings).
    after: Option<usize>,
    /// `#[fork_guard::allow(alloc)]` on its `let`.
    allowed: bool,
    /// Bound `mut` (an empty value may grow).
    mutable: bool,
}

#[derive(Debug, Default)]
struct Scope {
    bindings: Vec<Binding>,
}

/// The bindings in scope where the walker is.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    stack: Vec<Scope>,
    /// Bindings of an `if let`/`while let` condition, for the block that
    /// comes next.
    pending: Vec<Binding>,
    /// The index of the statement being walked in the innermost block.
    pub stmt: usize,
}

impl Scopes {
    /// Opens a block's scope (with the bindings of a condition before it).
    pub fn enter(&mut self) {
        let bindings = std::mem::take(&mut self.pending);
        self.stack.push(Scope { bindings });
    }

    fn current(&mut self) -> &mut Scope {
        if self.stack.is_empty() {
            self.stack.push(Scope::default());
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.stack
            .iter()
            .rev()
            .find_map(|s| s.bindings.iter().rev().find(|b| b.name == name))
    }

    /// Records that an allocation into these bindings was reported.
    pub fn mark_reported(&mut self, names: &[String]) {
        for s in &mut self.stack {
            for b in &mut s.bindings {
                if names.contains(&b.name) {
                    b.value.reported = true;
                }
            }
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
                    // A closure or function pointer held in a variable.
                    Target::Unknown(name) => {
                        found =
                            segs.len() == 1 && !name.starts_with(|c: char| c.is_ascii_uppercase());
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

/// A free found in child code, for the walker to report.
#[derive(Debug, Clone)]
pub(crate) struct Free {
    pub span: Span,
    pub level: Level,
    /// The operation, for chains: "the drop of `e`".
    pub op: String,
    /// What it does, completing "`op` ..".
    pub reason: String,
    pub message: String,
    pub help: &'static str,
}

const HELP_SCOPE: &str = "keep the value from being dropped in the child: end the child with `_exit` (or exec) before the scope ends, or `std::mem::forget` it; or free it in the parent before fork";
const HELP_DISCARD: &str = "bind the value and `std::mem::forget` it instead of dropping it, or do this in the parent before fork";
const HELP_LOOP: &str =
    "iterate by reference (`for x in &v`) so that the collection is not freed in the child";
const HELP_DROP: &str =
    "use `std::mem::forget` instead of `drop` in the child, or drop the value in the parent";

/// The walker's view for one question: the crate, where the code is, and
/// the bindings in scope.
pub(crate) struct Frees<'a, 'o> {
    pub ctx: &'a mut Ctx<'o>,
    pub f: &'a FnCtx,
    pub env: &'a Env,
    pub scopes: &'a mut Scopes,
}

impl Frees<'_, '_> {
    // ---- values ----

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
                if let Some(b) = self.scopes.lookup(&name) {
                    let mut v = b.value.clone();
                    // A `mut` binding may have grown since.
                    v.empty &= !b.mutable;
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

    // ---- bindings ----

    /// Binds the names of a `let` in the current scope.
    pub fn bind_local(&mut self, l: &syn::Local, reported: bool, allowed: bool) {
        let (pat, declared) = match &l.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some(ty::of_type(self.ctx, Some(self.f), &pt.ty))),
            p => (p, None),
        };
        let value = match (declared, l.init.as_ref()) {
            (Some(t), init) => {
                let made = init.and_then(|i| self.value_of(&i.expr));
                Value {
                    ty: t,
                    ..made.unwrap_or_else(|| Value::of(Ty::Unknown))
                }
            }
            (None, Some(init)) => self
                .value_of(&init.expr)
                .unwrap_or_else(|| Value::of(Ty::Unknown)),
            (None, None) => Value::of(Ty::Unknown),
        };
        let after = Some(self.scopes.stmt);
        let mut names = Vec::new();
        ty::bind(self.ctx, pat, &value.ty, &mut names);
        let scope = self.scopes.current();
        for (ident, t, mutable) in names {
            scope.bindings.push(Binding {
                name: ident.to_string(),
                value: Value {
                    ty: t,
                    reported: value.reported || reported,
                    ..value.clone()
                },
                after,
                allowed,
                mutable,
            });
        }
    }

    /// The bindings of the `let`s of an `if`/`while` condition (`&&`
    /// chains included), for the block that follows.
    pub fn condition(&mut self, cond: &syn::Expr) {
        let mut lets = Vec::new();
        let_chain(cond, &mut lets);
        let mut out = Vec::new();
        for l in lets {
            out.extend(self.pattern_bindings(&l.pat, &l.expr));
        }
        self.scopes.pending = out;
    }

    fn pattern_bindings(&mut self, pat: &syn::Pat, scrutinee: &syn::Expr) -> Vec<Binding> {
        let Some(value) = self.value_of(scrutinee) else {
            return Vec::new();
        };
        let mut names = Vec::new();
        ty::bind(self.ctx, pat, &value.ty, &mut names);
        names
            .into_iter()
            .map(|(ident, t, mutable)| Binding {
                name: ident.to_string(),
                value: Value {
                    ty: t,
                    ..value.clone()
                },
                after: None,
                allowed: false,
                mutable,
            })
            .collect()
    }

    /// Opens the scope of a `match` arm, with the names its pattern binds.
    pub fn open_arm(&mut self, scrutinee: &syn::Expr, arm: &syn::Arm) {
        let bindings = self.pattern_bindings(&arm.pat, scrutinee);
        self.scopes.stack.push(Scope { bindings });
    }

    /// Closes a block's scope; `reached`: the child gets to its end. The
    /// frees of the values dropped there.
    pub fn close_block(&mut self, b: &syn::Block, reached: bool) -> Vec<Free> {
        let Some(scope) = self.scopes.stack.pop() else {
            return Vec::new();
        };
        if !reached {
            return Vec::new();
        }
        let end = b.brace_token.span.close();
        let mut out = Vec::new();
        for binding in scope.bindings.iter().rev() {
            let rest = match binding.after {
                Some(i) => b.stmts.get(i + 1..).unwrap_or(&[]),
                None => &b.stmts[..],
            };
            let uses = moves::in_stmts(&binding.name, rest);
            if let Some(fr) = self.scope_end_free(binding, uses, end) {
                out.push(fr);
            }
        }
        out
    }

    /// Closes a `match` arm's scope; `reached`: the child gets to its end.
    pub fn close_arm(&mut self, arm: &syn::Arm, reached: bool) -> Vec<Free> {
        let Some(scope) = self.scopes.stack.pop() else {
            return Vec::new();
        };
        if !reached {
            return Vec::new();
        }
        let end = match &*arm.body {
            syn::Expr::Block(b) => b.block.brace_token.span.close(),
            other => other.span(),
        };
        let mut out = Vec::new();
        for binding in scope.bindings.iter().rev() {
            let mut uses = moves::in_expr(&binding.name, &arm.body);
            if let Some((_, g)) = &arm.guard {
                let g = moves::in_expr(&binding.name, g);
                uses.moved |= g.moved;
                uses.methods.extend(g.methods);
            }
            if let Some(fr) = self.scope_end_free(binding, uses, end) {
                out.push(fr);
            }
        }
        out
    }

    fn scope_end_free(&mut self, b: &Binding, uses: moves::Uses, end: Span) -> Option<Free> {
        // An empty value that cannot grow frees nothing.
        let stays_empty = b.value.empty && !b.mutable;
        if b.allowed || b.value.reported || uses.moved || stays_empty || b.name == "_" {
            return None;
        }
        let owned = self.reportable(&b.value)?;
        if self.consumes(&b.value.ty, &uses.methods)
            || self.moves_heap_field(&b.value.ty, &uses.fields)
        {
            return None;
        }
        let what = match &b.value.from {
            Some(from) => format!(
                "{} `{}` {from}",
                article(&b.value.ty.display()),
                b.value.ty.display()
            ),
            None => format!(
                "{} `{}`",
                article(&b.value.ty.display()),
                b.value.ty.display()
            ),
        };
        let subject = format!("`{}` ({what})", b.name);
        Some(free(
            end,
            &owned,
            format!("the drop of `{}`", b.name),
            &format!("{subject} goes out of scope here in the child"),
            HELP_SCOPE,
        ))
    }

    /// Whether reading these fields by value may move heap memory out of a
    /// value of `ty` (a field whose type owns some, or is not known): then
    /// what is left may free nothing.
    fn moves_heap_field(&mut self, ty: &Ty, fields: &[String]) -> bool {
        fields.iter().any(|f| {
            let fty = match ty {
                Ty::Tuple(elems) => f.parse::<usize>().ok().and_then(|i| elems.get(i).cloned()),
                _ => ty
                    .name()
                    .map(str::to_string)
                    .and_then(|n| self.ctx.struct_field(&n, f))
                    .map(|t| ty::of_type(self.ctx, None, &t)),
            };
            match fty {
                Some(Ty::Unknown) | None => true,
                Some(t) => owned(self.ctx, &t).is_some(),
            }
        })
    }

    /// Whether one of these methods takes a value of `ty` by value: by the
    /// knowledge table's names, or by the crate method's `self`.
    fn consumes(&mut self, ty: &Ty, methods: &[String]) -> bool {
        let name = ty.name().map(str::to_string);
        methods.iter().any(|m| {
            heap::is_consuming_method(m)
                || name.as_ref().is_some_and(|t| {
                    self.ctx.methods_of(t, m).iter().any(|&id| {
                        self.ctx.fn_def(id).is_some_and(|d| {
                            d.sig
                                .receiver()
                                .is_some_and(|r| r.reference.is_none() && r.colon_token.is_none())
                        })
                    })
                })
        })
    }

    /// Whether dropping this value is worth a finding: it owns heap
    /// memory, and for a value that owns some only when made by code that
    /// is not std's (`io::Error`), it may come from such code.
    fn reportable(&mut self, v: &Value) -> Option<Owned> {
        let o = owned(self.ctx, &v.ty)?;
        if o.heap == Heap::Possible
            && o.std_values_own_nothing
            && !v
                .maker
                .is_some_and(|id| Cache::may_make_custom(self.ctx, id))
        {
            return None;
        }
        Some(o)
    }

    // ---- statements ----

    /// A statement that discards the value of `e` (`e;`, `let _ = e;`,
    /// `_ = e;`): the node whose value is dropped, and the free. Only nodes
    /// `in_child` are considered.
    pub fn discarded(
        &mut self,
        e: &syn::Expr,
        in_child: &dyn Fn(usize) -> bool,
    ) -> Option<(usize, Free)> {
        let node = value_node(e).filter(|&n| in_child(n))?;
        let v = self.value_of(e)?;
        if v.reported || v.empty {
            return None;
        }
        let owned = self.reportable(&v)?;
        let t = v.ty.display();
        let subject = match &v.from {
            Some(from) => format!("the `{t}` {from}"),
            None => format!("the `{t}` this returns"),
        };
        Some((
            node,
            free(
                e.span(),
                &owned,
                format!("the drop of the `{t}`"),
                &format!("{subject} is dropped here"),
                HELP_DISCARD,
            ),
        ))
    }

    /// Temporaries that a statement borrows and drops at its end
    /// (`Box::from_raw(p)()`, `make_path().display()`): their nodes and
    /// frees. Only nodes `in_child` are considered.
    pub fn temporaries(
        &mut self,
        e: &syn::Expr,
        in_child: &dyn Fn(usize) -> bool,
    ) -> Vec<(usize, Free)> {
        let mut temps = Vec::new();
        borrowed_temporaries(e, &mut temps);
        let mut out = Vec::new();
        for t in temps {
            let Some(node) = value_node(t).filter(|&n| in_child(n)) else {
                continue;
            };
            let Some(v) = self.value_of(t) else { continue };
            if v.reported || v.empty {
                continue;
            }
            let Some(owned) = self.reportable(&v) else {
                continue;
            };
            let ty = v.ty.display();
            let subject = match &v.from {
                Some(from) => format!("the temporary `{ty}` {from}"),
                None => format!("the temporary `{ty}`"),
            };
            out.push((
                node,
                free(
                    t.span(),
                    &owned,
                    format!("the drop of a temporary `{ty}`"),
                    &format!("{subject} is dropped at the end of this statement"),
                    HELP_DISCARD,
                ),
            ));
        }
        out
    }

    /// A `for` loop that consumes its collection, freed when it ends.
    pub fn for_loop(&mut self, fl: &syn::ExprForLoop) -> Option<Free> {
        let coll = match strip(&fl.expr) {
            syn::Expr::MethodCall(m)
                if heap::CONSUMING_ITERATION.contains(&m.method.to_string().as_str())
                    && m.args.is_empty() =>
            {
                &*m.receiver
            }
            e => e,
        };
        let v = self.value_of(coll)?;
        if v.reported || v.empty {
            return None;
        }
        let owned = self.reportable(&v)?;
        let t = v.ty.display();
        let subject = match strip(coll) {
            syn::Expr::Path(_) | syn::Expr::Field(_) => {
                format!("`{}` ({} `{t}`)", expr_text(coll), article(&t))
            }
            _ => match &v.from {
                Some(from) => format!("the `{t}` {from}"),
                None => format!("the `{t}`"),
            },
        };
        Some(free(
            fl.expr.span(),
            &owned,
            format!("the drop of the `{t}` a `for` loop consumes"),
            &format!("{subject} is consumed by this `for` loop and dropped when the loop ends"),
            HELP_LOOP,
        ))
    }

    /// `drop(arg)` of a value the knowledge table does not describe (a
    /// crate type, or a type only this module's bindings know).
    pub fn explicit_drop(&mut self, arg: &syn::Expr, span: Span) -> Option<Free> {
        let v = self.value_of(arg)?;
        if v.reported || v.empty {
            return None;
        }
        let owned = self.reportable(&v)?;
        let t = v.ty.display();
        let subject = match strip(arg) {
            syn::Expr::Path(_) | syn::Expr::Field(_) => {
                format!("`{}` ({} `{t}`)", expr_text(arg), article(&t))
            }
            _ => format!("the `{t}`"),
        };
        Some(free(
            span,
            &owned,
            format!("the drop of {} `{t}`", article(&t)),
            &format!("`drop` of {subject} runs here"),
            HELP_DROP,
        ))
    }
}

/// The finding for a free: "{what}: freeing it takes malloc's lock ({why})".
fn free(span: Span, owned: &Owned, op: String, what: &str, help: &'static str) -> Free {
    let (level, reason) = match owned.heap {
        Heap::Certain => (
            Level::Error,
            format!(
                "frees heap memory, and freeing takes malloc's lock ({})",
                owned.why()
            ),
        ),
        Heap::Possible => (
            Level::Warning,
            format!(
                "may free heap memory, and freeing takes malloc's lock ({})",
                owned.why()
            ),
        ),
    };
    let message = match owned.heap {
        Heap::Certain => format!("{what}: freeing it takes malloc's lock ({})", owned.why()),
        Heap::Possible => format!(
            "{what}: it may free heap memory, and freeing takes malloc's lock ({})",
            owned.why()
        ),
    };
    Free {
        span,
        level,
        op,
        reason,
        message,
        help,
    }
}

/// The call or method call whose value an expression is (through `?` and
/// parentheses): what the flow analysis marks.
fn value_node(e: &syn::Expr) -> Option<usize> {
    match e {
        syn::Expr::Paren(p) => value_node(&p.expr),
        syn::Expr::Group(g) => value_node(&g.expr),
        syn::Expr::Try(t) => value_node(&t.expr),
        syn::Expr::Call(c) => Some(c as *const syn::ExprCall as usize),
        syn::Expr::MethodCall(m) => Some(m as *const syn::ExprMethodCall as usize),
        _ => None,
    }
}

/// Calls whose value a statement borrows (a method receiver, the operand
/// of `&`, the callee of a call): temporaries dropped at its end. Blocks,
/// closures and branches are statements of their own and not entered.
fn borrowed_temporaries<'e>(e: &'e syn::Expr, out: &mut Vec<&'e syn::Expr>) {
    use syn::Expr as E;
    let is_call = |e: &syn::Expr| value_node(e).is_some() && !matches!(strip(e), E::Try(_));
    match e {
        E::Reference(r) => {
            let root = place_root(&r.expr);
            if is_call(root) {
                out.push(root);
            }
            borrowed_temporaries(&r.expr, out);
        }
        E::MethodCall(m) => {
            let root = place_root(&m.receiver);
            if is_call(root) && !heap::is_consuming_method(&m.method.to_string()) {
                out.push(root);
            }
            borrowed_temporaries(&m.receiver, out);
            for a in &m.args {
                borrowed_temporaries(a, out);
            }
        }
        E::Call(c) => {
            let root = place_root(&c.func);
            if is_call(root) {
                out.push(root);
            }
            borrowed_temporaries(&c.func, out);
            for a in &c.args {
                borrowed_temporaries(a, out);
            }
        }
        E::Paren(p) => borrowed_temporaries(&p.expr, out),
        E::Group(g) => borrowed_temporaries(&g.expr, out),
        E::Field(f) => borrowed_temporaries(&f.base, out),
        E::Index(i) => {
            borrowed_temporaries(&i.expr, out);
            borrowed_temporaries(&i.index, out);
        }
        E::Unary(u) => borrowed_temporaries(&u.expr, out),
        E::Binary(b) => {
            borrowed_temporaries(&b.left, out);
            borrowed_temporaries(&b.right, out);
        }
        E::Cast(c) => borrowed_temporaries(&c.expr, out),
        E::Try(t) => borrowed_temporaries(&t.expr, out),
        E::Assign(a) => borrowed_temporaries(&a.right, out),
        E::Tuple(t) => t.elems.iter().for_each(|e| borrowed_temporaries(e, out)),
        E::Array(a) => a.elems.iter().for_each(|e| borrowed_temporaries(e, out)),
        E::Return(r) => {
            if let Some(v) = &r.expr {
                borrowed_temporaries(v, out);
            }
        }
        // A scrutinee whose patterns bind nothing by value stays where it
        // is, a temporary, until the end of the statement.
        E::Match(m) => {
            if is_call(&m.expr) && !m.arms.iter().any(|a| moves::binds_by_value(&a.pat)) {
                out.push(strip(&m.expr));
            }
            borrowed_temporaries(&m.expr, out);
        }
        E::If(i) => {
            let mut lets = Vec::new();
            let_chain(&i.cond, &mut lets);
            for l in lets {
                if is_call(&l.expr) && !moves::binds_by_value(&l.pat) {
                    out.push(strip(&l.expr));
                }
                borrowed_temporaries(&l.expr, out);
            }
        }
        _ => {}
    }
}

/// The expression a place is rooted at (`f().x[0]` -> `f()`).
fn place_root(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => place_root(&p.expr),
        syn::Expr::Group(g) => place_root(&g.expr),
        syn::Expr::Field(f) => place_root(&f.base),
        syn::Expr::Index(i) => place_root(&i.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => place_root(&u.expr),
        e => e,
    }
}

/// The `let` expressions of a condition's `&&` chain.
fn let_chain<'e>(e: &'e syn::Expr, out: &mut Vec<&'e syn::ExprLet>) {
    match e {
        syn::Expr::Let(l) => out.push(l),
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            let_chain(&b.left, out);
            let_chain(&b.right, out);
        }
        syn::Expr::Paren(p) => let_chain(&p.expr, out),
        _ => {}
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

/// The names a statement mentions (paths of one segment, and identifiers
/// in macro arguments).
pub(crate) fn idents_of_stmt(s: &syn::Stmt) -> Vec<String> {
    use syn::visit::Visit;
    struct I(Vec<String>);
    impl<'a> Visit<'a> for I {
        fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
            if let Some(i) = p.path.get_ident() {
                self.0.push(i.to_string());
            }
        }
        fn visit_macro(&mut self, m: &'a syn::Macro) {
            fn idents(ts: proc_macro2::TokenStream, out: &mut Vec<String>) {
                for tt in ts {
                    match tt {
                        proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
                        proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
                        _ => {}
                    }
                }
            }
            idents(m.tokens.clone(), &mut self.0);
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut v = I(Vec::new());
    v.visit_stmt(s);
    v.0
}

/// A short source rendering of a place (`self.buf`, `v`).
fn expr_text(e: &syn::Expr) -> String {
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

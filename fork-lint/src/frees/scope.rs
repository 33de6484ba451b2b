//! The bindings in scope where the walker is, and the frees where they
//! go out of scope: a `let` at the end of its block, the bindings of an
//! `if let`/`while let` at the end of the block that follows, those of a
//! `match` arm at the arm's end.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::ty::{self, Ty, article, owned};
use super::value::Value;
use super::{Free, Frees, HELP_ERROR, HELP_SCOPE, free, let_chain, moves};
use crate::knowledge::heap;

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

    /// The value of the binding `name` in scope.
    pub(super) fn value_of(&self, name: &str) -> Option<Value> {
        let b = self
            .stack
            .iter()
            .rev()
            .find_map(|s| s.bindings.iter().rev().find(|b| b.name == name))?;
        let mut v = b.value.clone();
        // A `mut` binding may have grown since.
        v.empty &= !b.mutable;
        Some(v)
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

impl Frees<'_, '_> {
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
            if owned.std_values_own_nothing {
                HELP_ERROR
            } else {
                HELP_SCOPE
            },
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
}

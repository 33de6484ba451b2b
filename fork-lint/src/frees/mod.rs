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
//! fields of the crate's own structs and enums ([`ty`]). What an
//! expression's value is and who made it is [`value`]'s; the bindings in
//! scope and their drops at scope ends are [`scope`]'s. Whether a value is
//! moved away is read from the syntax ([`moves`]); when unsure it counts as
//! moved, which keeps the analysis quiet. This file has the walker's view
//! ([`Frees`]), the frees at the end of a statement, and the messages.
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
mod scope;
pub(crate) mod ty;
mod value;

pub(crate) use scope::Scopes;
pub(crate) use value::Cache;
use value::{Value, expr_text};

use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::diagnostic::Level;
use crate::index::Ctx;
use crate::knowledge::heap::{self, Heap};
use crate::resolve::FnCtx;
use crate::types::{Env, strip};
use ty::{Owned, article, owned};

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

const HELP_ERROR: &str = "read what the child needs from the error (`raw_os_error()`), then `std::mem::forget` it, or end the child with `_exit` before it goes out of scope";
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

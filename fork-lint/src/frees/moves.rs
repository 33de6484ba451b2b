//! Whether the code after a binding moves it away (then it is not dropped
//! where it goes out of scope), read from the syntax alone.
//!
//! A use borrows when it is the operand of `&`/`&mut`, a method receiver
//! (auto-referenced), compared, assigned to, or the scrutinee of a `match`
//! or `if let` whose patterns bind nothing by value. Every other use moves:
//! an argument, an initialiser, a returned or stored value, a capture by a
//! closure, a mention inside a macro (whose expansion we do not read). A
//! method call moves its receiver when it takes `self` by value; which
//! methods those are is decided by the caller (see
//! [`crate::frees`]), so this module only lists them. Guessing "moved" when
//! unsure keeps the analysis quiet, never noisy.

use syn::visit::Visit;

/// How the code after a binding uses it.
#[derive(Debug, Default)]
pub(crate) struct Uses {
    /// Some use moves it (or may).
    pub moved: bool,
    /// Methods called with it (or a field of it) as the receiver.
    pub methods: Vec<String>,
    /// Fields read by value (`x.fd`, `x.0.buf`: the first field named):
    /// copied, or moved out while the rest of the value stays.
    pub fields: Vec<String>,
}

/// The uses of `name` in `stmts`, up to a `let` that shadows it.
pub(crate) fn in_stmts(name: &str, stmts: &[syn::Stmt]) -> Uses {
    let mut v = V {
        name,
        uses: Uses::default(),
    };
    for s in stmts {
        v.visit_stmt(s);
        if let syn::Stmt::Local(l) = s
            && binds(&l.pat, name)
        {
            break;
        }
    }
    v.uses
}

/// The uses of `name` in an expression.
pub(crate) fn in_expr(name: &str, e: &syn::Expr) -> Uses {
    let mut v = V {
        name,
        uses: Uses::default(),
    };
    v.visit_expr(e);
    v.uses
}

/// Whether a pattern binds a name by value (not `ref`, not a constant).
pub(crate) fn binds_by_value(p: &syn::Pat) -> bool {
    struct B(bool);
    impl<'a> Visit<'a> for B {
        fn visit_pat_ident(&mut self, pi: &'a syn::PatIdent) {
            if pi.by_ref.is_none() && !super::ty::is_constant_like(&pi.ident) {
                self.0 = true;
            }
            syn::visit::visit_pat_ident(self, pi);
        }
        fn visit_pat_reference(&mut self, _: &'a syn::PatReference) {}
        fn visit_expr(&mut self, _: &'a syn::Expr) {}
    }
    let mut b = B(false);
    b.visit_pat(p);
    b.0
}

/// Whether a pattern binds `name`.
fn binds(p: &syn::Pat, name: &str) -> bool {
    struct B<'n>(&'n str, bool);
    impl<'a> Visit<'a> for B<'_> {
        fn visit_pat_ident(&mut self, pi: &'a syn::PatIdent) {
            if pi.ident == self.0 {
                self.1 = true;
            }
            syn::visit::visit_pat_ident(self, pi);
        }
        fn visit_expr(&mut self, _: &'a syn::Expr) {}
    }
    let mut b = B(name, false);
    b.visit_pat(p);
    b.1
}

/// Whether a token stream mentions the identifier `name`.
fn mentions(tokens: &proc_macro2::TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

struct V<'n> {
    name: &'n str,
    uses: Uses,
}

impl V<'_> {
    fn is_name(&self, e: &syn::Expr) -> bool {
        matches!(e, syn::Expr::Path(p) if p.qself.is_none() && p.path.is_ident(self.name))
    }

    /// The root binding of a place expression (`x`, `x.f`, `x[i]`, `*x`).
    fn rooted_here(&self, e: &syn::Expr) -> bool {
        match e {
            syn::Expr::Paren(p) => self.rooted_here(&p.expr),
            syn::Expr::Group(g) => self.rooted_here(&g.expr),
            syn::Expr::Field(f) => self.rooted_here(&f.base),
            syn::Expr::Index(i) => self.rooted_here(&i.expr),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.rooted_here(&u.expr),
            e => self.is_name(e),
        }
    }

    /// A place used where it is not moved (borrowed, compared, assigned,
    /// or matched without by-value bindings) unless `moves`.
    fn place(&mut self, e: &syn::Expr, moves: bool) {
        match e {
            syn::Expr::Paren(p) => self.place(&p.expr, moves),
            syn::Expr::Group(g) => self.place(&g.expr, moves),
            syn::Expr::Field(f) => self.place(&f.base, moves),
            syn::Expr::Index(i) => {
                self.place(&i.expr, moves);
                self.visit_expr(&i.index);
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.place(&u.expr, moves)
            }
            e if self.is_name(e) => self.uses.moved |= moves,
            e => self.visit_expr(e),
        }
    }
}

impl<'a> Visit<'a> for V<'_> {
    fn visit_expr(&mut self, e: &'a syn::Expr) {
        use syn::Expr as E;
        match e {
            E::Reference(r) => self.place(&r.expr, false),
            E::MethodCall(m) => {
                if self.rooted_here(&m.receiver) {
                    self.uses.methods.push(m.method.to_string());
                }
                self.place(&m.receiver, false);
                for a in &m.args {
                    self.visit_expr(a);
                }
            }
            E::Match(m) => {
                let by_value = m.arms.iter().any(|a| binds_by_value(&a.pat));
                self.place(&m.expr, by_value);
                for arm in &m.arms {
                    if let Some((_, g)) = &arm.guard {
                        self.visit_expr(g);
                    }
                    self.visit_expr(&arm.body);
                }
            }
            E::Let(l) => self.place(&l.expr, binds_by_value(&l.pat)),
            E::Binary(b) if compares_or_assigns(&b.op) => {
                self.place(&b.left, false);
                if is_comparison(&b.op) {
                    self.place(&b.right, false);
                } else {
                    self.visit_expr(&b.right);
                }
            }
            E::Assign(a) => {
                self.place(&a.left, false);
                self.visit_expr(&a.right);
            }
            E::Field(f) if self.is_name(strip_paren(&f.base)) || field_root(&f.base, self) => {
                self.uses.fields.push(first_field(e));
            }
            E::Field(_) | E::Index(_) => self.place(e, true),
            E::Closure(c) => {
                let mut inner = V {
                    name: self.name,
                    uses: Uses::default(),
                };
                inner.visit_expr(&c.body);
                if inner.uses.moved || !inner.uses.methods.is_empty() {
                    self.uses.moved = true;
                }
            }
            e if self.is_name(e) => self.uses.moved = true,
            e => syn::visit::visit_expr(self, e),
        }
    }

    fn visit_macro(&mut self, m: &'a syn::Macro) {
        if mentions(&m.tokens, self.name) {
            self.uses.moved = true;
        }
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}
}

fn strip_paren(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_paren(&p.expr),
        syn::Expr::Group(g) => strip_paren(&g.expr),
        e => e,
    }
}

/// Whether `e` is a chain of fields on the binding (`x.a`, `x.a.b`).
fn field_root(e: &syn::Expr, v: &V<'_>) -> bool {
    match strip_paren(e) {
        syn::Expr::Field(f) => {
            let base = strip_paren(&f.base);
            v.is_name(base) || field_root(base, v)
        }
        _ => false,
    }
}

/// The field next to the binding in a chain of fields (`a` of `x.a.b`).
fn first_field(e: &syn::Expr) -> String {
    match strip_paren(e) {
        syn::Expr::Field(f) => match strip_paren(&f.base) {
            syn::Expr::Field(_) => first_field(&f.base),
            _ => match &f.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            },
        },
        _ => String::new(),
    }
}

fn is_comparison(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::Eq(_) | B::Ne(_) | B::Lt(_) | B::Le(_) | B::Gt(_) | B::Ge(_)
    )
}

fn compares_or_assigns(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    is_comparison(op)
        || matches!(
            op,
            B::AddAssign(_)
                | B::SubAssign(_)
                | B::MulAssign(_)
                | B::DivAssign(_)
                | B::RemAssign(_)
                | B::BitXorAssign(_)
                | B::BitAndAssign(_)
                | B::BitOrAssign(_)
                | B::ShlAssign(_)
                | B::ShrAssign(_)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(code: &str) -> Uses {
        let b: syn::Block = syn::parse_str(&format!("{{ {code} }}")).unwrap();
        in_stmts("x", &b.stmts)
    }

    #[test]
    fn borrows_are_not_moves() {
        for code in [
            "f(&x);",
            "g(&mut x.field);",
            "let n = x.len();",
            "if x == y {}",
            "x += 1;",
            "x = other;",
            "match x { Err(_) => {} Ok(ref v) => {} }",
            "if let None = x {}",
            "let y = &x[0];",
        ] {
            let u = uses(code);
            assert!(!u.moved, "{code} moves");
        }
        assert_eq!(uses("x.raw_os_error();").methods, vec!["raw_os_error"]);
        let u = uses("close(x.fd); let y = x.inner.buf;");
        assert!(!u.moved);
        assert_eq!(u.fields, vec!["fd", "inner"]);
    }

    #[test]
    fn moves() {
        for code in [
            "f(x);",
            "let y = x;",
            "std::mem::forget(x);",
            "x",
            "return x;",
            "match x { Err(e) => {} _ => {} }",
            "if let Some(v) = x {}",
            "thread(move || x.len());",
            "println!(\"{}\", x);",
            "for a in x {}",
            "S { f: x };",
        ] {
            assert!(uses(code).moved, "{code} does not move");
        }
    }

    #[test]
    fn shadowing_ends_the_scan() {
        assert!(!uses("let x = 1; f(x);").moved);
        assert!(uses("let y = x; let x = 1;").moved);
    }
}

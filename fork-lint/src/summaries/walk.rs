//! The traversal: statements and expressions in evaluation order, whether
//! control can go on after each (`_exit`, a diverging call, `return`),
//! loops, branches (constant-argument branches taken alone), scope ends.

use syn::spanned::Spanned;

use super::*;

impl<'c, 'o> Walker<'c, 'o> {
    /// Walks a block; `true` when control can reach its end.
    pub fn block(&mut self, b: &syn::Block) -> bool {
        self.frees.enter();
        let saved = self.frees.stmt;
        let live = self.stmts(&b.stmts);
        self.frees.stmt = saved;
        let addr = b as *const syn::Block as usize;
        let reached = self.quiet_end != Some(addr) && self.reaches_end(addr, live);
        let frees = self.frees_view().close_block(b, reached);
        self.emit_frees(frees);
        live
    }

    pub fn stmts(&mut self, stmts: &[syn::Stmt]) -> bool {
        let mut live = true;
        for (i, s) in stmts.iter().enumerate() {
            self.frees.stmt = i;
            live &= self.stmt(s);
            // With marks, the flow analysis has decided what is reachable.
            if !live && self.marks.is_none() {
                return false;
            }
        }
        live
    }

    /// Walks a statement, then looks for the frees at its end: a value it
    /// discards or a temporary it borrows. A value whose allocation the
    /// statement reports is not reported again where it is freed.
    pub(super) fn stmt(&mut self, s: &syn::Stmt) -> bool {
        let before = self.events.len();
        let live = self.stmt_inner(s);
        let alloc = self
            .events
            .get(before..)
            .unwrap_or(&[])
            .iter()
            .any(|e| e.rule() == RuleId::Alloc);
        if alloc {
            self.frees.mark_reported(&crate::frees::idents_of_stmt(s));
        }
        if let syn::Stmt::Local(l) = s {
            let allowed = self.allowed.contains(&RuleId::Alloc)
                || allowed_rules(&l.attrs).contains(&RuleId::Alloc);
            self.frees_view().bind_local(l, alloc, allowed);
        }
        if live && !alloc {
            let n = self.push_allows(stmt_attrs(s));
            self.statement_frees(s);
            self.pop_allows(n);
        }
        live
    }

    /// The frees at the end of a statement the child completes.
    pub(super) fn statement_frees(&mut self, s: &syn::Stmt) {
        let (value, discards) = match s {
            syn::Stmt::Local(l) => match &l.init {
                Some(init) => (&*init.expr, matches!(l.pat, syn::Pat::Wild(_))),
                None => return,
            },
            syn::Stmt::Expr(e, semi) => match e {
                syn::Expr::Assign(a) if matches!(*a.left, syn::Expr::Infer(_)) => (&*a.right, true),
                e => (e, semi.is_some()),
            },
            _ => return,
        };
        // Only the nodes that run in a child are worth a look.
        let marks = if self.inherit {
            None
        } else {
            self.marks.clone()
        };
        let in_child = |node: usize| marks.as_ref().is_none_or(|m| m.nodes.contains_key(&node));
        let mut found = self.frees_view().temporaries(value, &in_child);
        if discards {
            found.extend(self.frees_view().discarded(value, &in_child));
        }
        for (node, fr) in found {
            if self.judged(node) {
                self.emit_free(fr);
            }
        }
    }

    pub(super) fn stmt_inner(&mut self, s: &syn::Stmt) -> bool {
        match s {
            syn::Stmt::Local(l) => {
                if self.marks.is_none()
                    && let syn::Pat::Ident(pi) = &l.pat
                    && l.init
                        .as_ref()
                        .is_some_and(|i| crate::types::closure_of(&i.expr).is_some())
                {
                    self.walked_closures.insert(pi.ident.to_string());
                }
                let pat = match &l.pat {
                    syn::Pat::Type(pt) => &*pt.pat,
                    p => p,
                };
                if let syn::Pat::Ident(pi) = pat
                    && let Some(n) = l.init.as_ref().and_then(|i| with_capacity(&i.expr))
                {
                    self.capacity
                        .insert(pi.ident.to_string(), (n, self.loop_depth));
                }
                let n = self.push_allows(&l.attrs);
                let mut live = true;
                if let Some(init) = &l.init {
                    live = self.expr(&init.expr);
                    if let Some((_, els)) = &init.diverge {
                        self.expr(els);
                    }
                }
                self.pop_allows(n);
                live
            }
            syn::Stmt::Item(_) => true,
            syn::Stmt::Expr(e, _) => self.expr(e),
            syn::Stmt::Macro(m) => {
                let n = self.push_allows(&m.attrs);
                let live = self.judged_mac(&m.mac);
                self.pop_allows(n);
                live
            }
        }
    }

    /// Walks an expression; `true` when control can continue after it.
    pub fn expr(&mut self, e: &syn::Expr) -> bool {
        if self.depth > MAX_EXPR_DEPTH {
            return true;
        }
        self.depth += 1;
        let n = self.push_allows(expr_attrs(e));
        let live = self.expr_inner(e);
        self.pop_allows(n);
        self.depth -= 1;
        live
    }

    pub(super) fn all<'a>(&mut self, exprs: impl IntoIterator<Item = &'a syn::Expr>) -> bool {
        let mut live = true;
        for e in exprs {
            live &= self.expr(e);
        }
        live
    }

    pub(super) fn expr_inner(&mut self, e: &syn::Expr) -> bool {
        use syn::Expr as E;
        match e {
            E::Call(c) => {
                let mut live = self.all(c.args.iter());
                if !matches!(strip(&c.func), E::Path(_)) {
                    live &= self.expr(&c.func);
                }
                let addr = c as *const syn::ExprCall as usize;
                if let Some(flow) = self
                    .marks
                    .as_ref()
                    .and_then(|m| m.callees.get(&addr))
                    .cloned()
                {
                    self.judged(addr);
                    return live && self.callee_flow(&flow, c.span());
                }
                live && (!self.judged(addr) || self.call(c))
            }
            E::MethodCall(m) => {
                let mut live = self.expr(&m.receiver);
                live &= self.all(m.args.iter());
                let addr = m as *const syn::ExprMethodCall as usize;
                live && (!self.judged(addr) || self.method_call(m))
            }
            E::Macro(m) => self.judged_mac(&m.mac),
            E::Closure(c) => {
                let saved = (self.escapes, self.loop_depth);
                self.loop_depth = 0;
                self.expr(&c.body);
                (self.escapes, self.loop_depth) = saved;
                true
            }
            E::Block(b) if b.label.is_some() => {
                // `'a: { .. break 'a .. }` goes on after the block.
                self.loop_depth += 1;
                let live = self.block(&b.block);
                self.loop_depth -= 1;
                live || has_break(&b.block)
            }
            E::Block(b) => self.block(&b.block),
            E::Unsafe(u) => self.block(&u.block),
            E::Const(_) => true,
            E::Async(_) => true,
            E::If(i) if const_cond(&self.consts, &i.cond).is_some() => {
                // `if flag` on a constant argument: only the branch taken.
                if const_cond(&self.consts, &i.cond) == Some(true) {
                    self.block(&i.then_branch)
                } else {
                    match &i.else_branch {
                        Some((_, els)) => self.expr(els),
                        None => true,
                    }
                }
            }
            E::If(i) => {
                if !self.expr(&i.cond) {
                    return false;
                }
                self.frees_view().condition(&i.cond);
                let then = self.block(&i.then_branch);
                match &i.else_branch {
                    Some((_, els)) => {
                        let els = self.expr(els);
                        then || els
                    }
                    None => true,
                }
            }
            E::Match(m) => {
                if !self.expr(&m.expr) {
                    return false;
                }
                let mut any = false;
                for arm in &m.arms {
                    self.frees_view().open_arm(&m.expr, arm);
                    if let Some((_, g)) = &arm.guard {
                        self.expr(g);
                    }
                    let live = self.expr(&arm.body);
                    any |= live;
                    let reached = self.reaches_end(arm as *const syn::Arm as usize, live);
                    let frees = self.frees_view().close_arm(arm, reached);
                    self.emit_frees(frees);
                }
                any
            }
            E::Loop(l) => {
                self.loop_depth += 1;
                self.block(&l.body);
                self.loop_depth -= 1;
                has_break(&l.body)
            }
            E::While(w) => {
                self.expr(&w.cond);
                self.frees_view().condition(&w.cond);
                self.loop_depth += 1;
                self.block(&w.body);
                self.loop_depth -= 1;
                true
            }
            E::ForLoop(fl) => {
                let before = self.events.len();
                self.expr(&fl.expr);
                let alloc = self
                    .events
                    .get(before..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|e| e.rule() == RuleId::Alloc);
                self.loop_depth += 1;
                let body = self.block(&fl.body);
                self.loop_depth -= 1;
                // The loop ends with a collection to free only after a pass
                // that went on (a body that always ends the child leaves
                // it unfreed, or frees nothing when it was empty).
                let body_end = match &self.marks {
                    Some(m) if !self.inherit => m
                        .ends
                        .contains_key(&(&fl.body as *const syn::Block as usize)),
                    _ => body,
                };
                let ends = body_end || has_break(&fl.body);
                if !alloc && ends && self.reaches_end(fl as *const syn::ExprForLoop as usize, ends)
                {
                    let found = self.frees_view().for_loop(fl);
                    self.emit_frees(found);
                }
                true
            }
            E::Return(r) => {
                if let Some(v) = &r.expr {
                    self.expr(v);
                }
                self.escapes = true;
                false
            }
            E::Break(b) => {
                if let Some(v) = &b.expr {
                    self.expr(v);
                }
                if self.loop_depth == 0 {
                    self.escapes = true;
                }
                false
            }
            E::Continue(_) => {
                if self.loop_depth == 0 {
                    self.escapes = true;
                }
                false
            }
            E::Try(t) => {
                let live = self.expr(&t.expr);
                self.escapes = true;
                live
            }
            E::Assign(a) => self.expr(&a.right) && self.expr(&a.left),
            E::Binary(b) => self.expr(&b.left) && self.expr(&b.right),
            E::Unary(u) => self.expr(&u.expr),
            E::Field(f) => self.expr(&f.base),
            E::Index(i) => self.expr(&i.expr) && self.expr(&i.index),
            E::Paren(p) => self.expr(&p.expr),
            E::Group(g) => self.expr(&g.expr),
            E::Reference(r) => self.expr(&r.expr),
            E::Cast(c) => self.expr(&c.expr),
            E::Array(a) => self.all(a.elems.iter()),
            E::Tuple(t) => self.all(t.elems.iter()),
            E::Struct(s) => {
                let mut live = true;
                for f in &s.fields {
                    live &= self.expr(&f.expr);
                }
                if let Some(rest) = &s.rest {
                    live &= self.expr(rest);
                }
                live
            }
            E::Range(r) => {
                let mut live = true;
                if let Some(s) = &r.start {
                    live &= self.expr(s);
                }
                if let Some(s) = &r.end {
                    live &= self.expr(s);
                }
                live
            }
            E::Let(l) => self.expr(&l.expr),
            E::Repeat(r) => self.expr(&r.expr),
            E::Await(a) => self.expr(&a.base),
            E::Yield(y) => {
                if let Some(v) = &y.expr {
                    self.expr(v);
                }
                true
            }
            _ => true,
        }
    }

    /// A `push` onto a local made with `Vec::with_capacity(N)` that still
    /// has room: it cannot reallocate (counts the push).
    pub(super) fn within_capacity(&mut self, receiver: &syn::Expr) -> bool {
        let syn::Expr::Path(p) = strip(receiver) else {
            return false;
        };
        let Some(name) = p.path.get_ident().map(|i| i.to_string()) else {
            return false;
        };
        match self.capacity.get_mut(&name) {
            Some((left, depth)) if *left > 0 && *depth == self.loop_depth => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Whether a loop body contains a `break` for this loop (not counting nested
/// loops and closures; labelled breaks count conservatively).
fn has_break(b: &syn::Block) -> bool {
    use syn::visit::Visit;
    struct V {
        found: bool,
        depth: usize,
    }
    impl<'a> Visit<'a> for V {
        fn visit_expr_break(&mut self, b: &'a syn::ExprBreak) {
            if self.depth == 0 || b.label.is_some() {
                self.found = true;
            }
        }
        fn visit_expr_loop(&mut self, l: &'a syn::ExprLoop) {
            self.depth += 1;
            syn::visit::visit_expr_loop(self, l);
            self.depth -= 1;
        }
        fn visit_expr_while(&mut self, l: &'a syn::ExprWhile) {
            self.depth += 1;
            syn::visit::visit_expr_while(self, l);
            self.depth -= 1;
        }
        fn visit_expr_for_loop(&mut self, l: &'a syn::ExprForLoop) {
            self.depth += 1;
            syn::visit::visit_expr_for_loop(self, l);
            self.depth -= 1;
        }
        fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut v = V {
        found: false,
        depth: 0,
    };
    v.visit_block(b);
    v.found
}

/// `N` of `Vec::with_capacity(N)` for an integer literal `N`.
fn with_capacity(e: &syn::Expr) -> Option<u64> {
    let syn::Expr::Call(c) = strip(e) else {
        return None;
    };
    let syn::Expr::Path(p) = strip(&c.func) else {
        return None;
    };
    let mut rev = p.path.segments.iter().rev();
    let (Some(f), Some(ty)) = (rev.next(), rev.next()) else {
        return None;
    };
    if f.ident != "with_capacity" || ty.ident != "Vec" {
        return None;
    }
    match c.args.first().map(strip) {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        })) => i.base10_parse().ok(),
        _ => None,
    }
}

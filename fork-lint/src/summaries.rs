//! The child-code walker and per-function summaries.
//!
//! [`Walker`] walks code that runs in a child (a region, or a function called
//! from one) statement by statement, asks the knowledge table about every
//! call, method call and macro, follows calls into the crate through
//! memoised [`Summary`]s (cycle-safe, depth-bounded), and tracks whether
//! control can reach the end (for `fallthrough`). Code after a call that
//! ends the region (`_exit`, `abort`, `exit`, a diverging local function) is
//! dead in the child and not walked.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use crate::diagnostic::Level;
use crate::flow::{CalleeFlow, Marks, OriginId};
use crate::index::{Ctx, FnDef, FnId, Site};
use crate::knowledge::{ApiEntry, Confidence, Verdict};
use crate::resolve::{FnCtx, Target, resolve, resolve_macro, segments};
use crate::rules::RuleId;
// Moved to `syntax` (shared with fork-guard-macros); re-exported for the
// callers here.
pub(crate) use crate::syntax::{allowed_rules, expr_attrs, method_span, stmt_attrs};
use crate::types::{Env, TypeGuess, env_of, expr_guess, extern_type_path, strip};

/// One step of a call chain.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub label: String,
    pub site: Site,
}

/// One hazard, as found where it is.
#[derive(Debug, Clone)]
pub(crate) struct Hazard {
    pub rule: RuleId,
    pub level: Level,
    /// The operation, e.g. `` `println!` `` or `` `std::env::var` ``.
    pub op: String,
    /// What `op` does, completing "`op` ...".
    pub reason: String,
    pub help: Option<String>,
    /// Where the hazard itself is.
    pub site: Site,
    /// Calls from the summarised function down to the hazard (the hazard
    /// itself not included).
    pub chain: Vec<Step>,
    /// The verdict came from the method name alone.
    pub guessed: bool,
    /// The message when reported where it is.
    pub message: String,
    /// A hazard inside a dependency, found at the call into it (`site`);
    /// `chain` then runs from inside the dependency down to the hazard.
    pub in_dependency: bool,
}

/// What calling a function of the crate means in a child.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    /// Every hazard it reaches, each once, with the chain from the
    /// function down to it (at most [`MAX_SUMMARY_HAZARDS`]).
    pub hazards: Vec<Hazard>,
    /// The function never returns (`-> !`, or every path ends the process).
    pub diverges: bool,
    /// Calls it makes that could not be followed: callee path and site.
    pub unresolved: Vec<(String, Site)>,
}

/// A hazard reported at a site of the walked code, directly or through a call.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub site: Site,
    pub hazard: Hazard,
    /// `Some(callee label)` when reached through a local call made at
    /// `site`; the hazard itself is then elsewhere.
    pub via: Option<String>,
    /// The child origin of the marked code it was found in (see
    /// [`Walker::marks`]).
    pub origin: Option<OriginId>,
}

impl Event {
    pub fn rule(&self) -> RuleId {
        self.hazard.rule
    }

    pub fn level(&self) -> Level {
        self.hazard.level
    }

    /// The message of the finding at the hazard's own location.
    pub fn message(&self) -> String {
        self.hazard.message.clone()
    }

    /// Where the finding is: the hazard itself.
    pub fn primary(&self) -> Site {
        self.hazard.site
    }

    /// The message of a finding at the call in the child code (for the
    /// proc macro, which can only point into the item it sees).
    pub fn call_message(&self) -> String {
        match &self.via {
            None => self.hazard.message.clone(),
            Some(callee) => {
                let h = &self.hazard;
                let mut m = format!("call to `{callee}` reaches {}, which {}", h.op, h.reason);
                if h.guessed {
                    m.push_str(" (guessed from the method name)");
                }
                m
            }
        }
    }

    /// The calls from the child code down to the hazard (empty when
    /// direct): the first is the call in the child code.
    pub fn chain(&self) -> Vec<Step> {
        match &self.via {
            // Direct: no chain, or the steps into a dependency.
            None => self.hazard.chain.clone(),
            Some(callee) => {
                let mut chain = vec![Step {
                    label: format!("child calls {callee}"),
                    site: self.site,
                }];
                chain.extend(self.hazard.chain.iter().cloned());
                chain
            }
        }
    }

    /// [`Event::chain`] with the hazard as its last step.
    pub fn call_chain(&self) -> Vec<Step> {
        let mut chain = self.chain();
        if self.via.is_some() {
            chain.push(Step {
                label: self.hazard.op.trim_matches('`').to_string(),
                site: self.hazard.site,
            });
        }
        chain
    }
}

const MAX_EXPR_DEPTH: usize = 160;
const MAX_SUMMARY_DEPTH: usize = 48;
const MAX_METHOD_CANDIDATES: usize = 4;
/// A summary keeps at most this many hazards (a flood is cut, not stored).
pub(crate) const MAX_SUMMARY_HAZARDS: usize = 512;

/// Walks child code.
pub(crate) struct Walker<'c, 'o> {
    pub ctx: &'c mut Ctx<'o>,
    pub f: FnCtx,
    pub env: Env,
    /// In a vfork child: everything but exec and `_exit` is reported.
    pub vfork: bool,
    allowed: Vec<RuleId>,
    pub events: Vec<Event>,
    /// Control can leave the walked code early (`return`, `?`, `break` out of
    /// it) without ending the process.
    pub escapes: bool,
    loop_depth: usize,
    depth: usize,
    pub unresolved: Vec<(String, Site)>,
    /// Closures bound by a `let` inside the walked code.
    walked_closures: HashSet<String>,
    /// `Some`: only the calls, method calls and macros the flow analysis
    /// marked run in a child; `None`: all the walked code does.
    pub marks: Option<Rc<Marks>>,
    /// Inside the arguments of a marked macro (parsed anew, so unmarked).
    inherit: bool,
    /// The origin of the marked node being judged.
    origin: Option<OriginId>,
    /// Inside a call followed by its method name alone (the receiver's type
    /// unknown): what it reaches is reported as a guess.
    guessed_call: Option<String>,
    /// Locals made with `Vec::with_capacity(N)` (a literal): the pushes
    /// left before one can reallocate, and the loop depth of the `let`
    /// (a push in a deeper loop may run any number of times).
    capacity: HashMap<String, (u64, usize)>,
    /// Parameters bound to constant booleans by the call being summarised.
    consts: HashMap<String, bool>,
    /// The constant boolean arguments of the path call being dispatched.
    call_consts: Consts,
    /// The bindings in scope, for the frees Rust inserts (see
    /// [`crate::frees`]).
    frees: crate::frees::Scopes,
    /// The block (by address) whose scope-end frees are not reported: a
    /// function's body that a child falls out of, reported as a
    /// `fallthrough` instead.
    pub quiet_end: Option<usize>,
}

impl<'c, 'o> Walker<'c, 'o> {
    pub fn new(ctx: &'c mut Ctx<'o>, f: FnCtx, env: Env, vfork: bool) -> Self {
        Walker {
            ctx,
            f,
            env,
            vfork,
            allowed: Vec::new(),
            events: Vec::new(),
            escapes: false,
            loop_depth: 0,
            depth: 0,
            unresolved: Vec::new(),
            walked_closures: HashSet::new(),
            marks: None,
            inherit: false,
            origin: None,
            guessed_call: None,
            capacity: HashMap::new(),
            consts: HashMap::new(),
            call_consts: Vec::new(),
            frees: crate::frees::Scopes::default(),
            quiet_end: None,
        }
    }

    /// A walker that judges only what `marks` says runs in a child.
    pub fn with_marks(ctx: &'c mut Ctx<'o>, f: FnCtx, env: Env, marks: Rc<Marks>) -> Self {
        let mut w = Walker::new(ctx, f, env, false);
        w.walked_closures = marks.walked_closures.clone();
        w.marks = Some(marks);
        w
    }

    /// Whether the node at `addr` runs in a child; sets the origin and the
    /// vfork mode for judging it.
    fn judged(&mut self, addr: usize) -> bool {
        let Some(marks) = &self.marks else {
            return true;
        };
        if self.inherit {
            return true;
        }
        match marks.nodes.get(&addr) {
            Some(&o) => {
                self.origin = Some(o);
                self.vfork = marks.origins.get(o as usize).is_some_and(|x| x.vfork);
                true
            }
            None => false,
        }
    }

    fn site(&self, span: proc_macro2::Span) -> Site {
        Site {
            file: self.f.file,
            span,
        }
    }

    /// Pushes the rules of `#[fork_guard::allow(..)]` attributes; returns how
    /// many were pushed.
    pub fn push_allows(&mut self, attrs: &[syn::Attribute]) -> usize {
        let rules = allowed_rules(attrs);
        let n = rules.len();
        self.allowed.extend(rules);
        n
    }

    fn pop_allows(&mut self, n: usize) {
        let keep = self.allowed.len().saturating_sub(n);
        self.allowed.truncate(keep);
    }

    fn push_event(&mut self, mut e: Event) {
        if self.allowed.contains(&e.rule()) {
            return;
        }
        if e.origin.is_none() {
            e.origin = self.origin;
        }
        if let Some(name) = &self.guessed_call {
            let h = &mut e.hazard;
            h.level = h.level.min(Level::Warning);
            if !h.guessed {
                h.guessed = true;
                h.message.push_str(&format!(
                    " (reached through `.{name}()`, matched to the crate's methods by name only)"
                ));
            }
        }
        self.events.push(e);
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        rule: RuleId,
        level: Level,
        op: String,
        reason: &str,
        help: &str,
        span: proc_macro2::Span,
        guessed: bool,
    ) {
        let mut message = format!("{op} {reason}");
        if guessed {
            message.push_str(" (guessed from the method name)");
        }
        let hazard = Hazard {
            rule,
            level,
            op,
            reason: reason.to_string(),
            help: (!help.is_empty()).then(|| help.to_string()),
            site: self.site(span),
            chain: Vec::new(),
            guessed,
            message,
            in_dependency: false,
        };
        self.push_event(Event {
            site: self.site(span),
            hazard,
            via: None,
            origin: None,
        });
    }

    fn emit_vfork(&mut self, op: &str, span: proc_macro2::Span) {
        self.emit(
            RuleId::Vfork,
            Level::Error,
            op.to_string(),
            "runs in a vfork child, which shares the parent's memory and stack until it calls exec or `_exit`",
            "call only an exec function or `_exit` after vfork, or use fork or `posix_spawn` instead",
            span,
            false,
        );
    }

    /// The implicit-free analysis's view of where the walker is.
    fn frees_view(&mut self) -> crate::frees::Frees<'_, 'o> {
        crate::frees::Frees {
            ctx: &mut *self.ctx,
            f: &self.f,
            env: &self.env,
            scopes: &mut self.frees,
        }
    }

    /// Whether the child reaches the scope end `node` (a block, an arm, a
    /// `for` loop): as the flow analysis recorded it when it marked the
    /// code, else whether control gets there (`live`).
    fn reaches_end(&mut self, node: usize, live: bool) -> bool {
        let Some(marks) = &self.marks else {
            return live;
        };
        if self.inherit {
            return live;
        }
        match marks.ends.get(&node) {
            Some(&o) => {
                self.origin = Some(o);
                self.vfork = marks.origins.get(o as usize).is_some_and(|x| x.vfork);
                true
            }
            None => false,
        }
    }

    fn emit_frees(&mut self, frees: impl IntoIterator<Item = crate::frees::Free>) {
        for fr in frees {
            self.emit_free(fr);
        }
    }

    /// Reports an implicit free (rule `alloc`).
    fn emit_free(&mut self, fr: crate::frees::Free) {
        let site = self.site(fr.span);
        let hazard = Hazard {
            rule: RuleId::Alloc,
            level: fr.level,
            op: fr.op,
            reason: fr.reason,
            help: Some(fr.help.to_string()),
            site,
            chain: Vec::new(),
            guessed: false,
            message: fr.message,
            in_dependency: false,
        };
        self.push_event(Event {
            site,
            hazard,
            via: None,
            origin: None,
        });
    }

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
    fn stmt(&mut self, s: &syn::Stmt) -> bool {
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
    fn statement_frees(&mut self, s: &syn::Stmt) {
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

    fn stmt_inner(&mut self, s: &syn::Stmt) -> bool {
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

    fn all<'a>(&mut self, exprs: impl IntoIterator<Item = &'a syn::Expr>) -> bool {
        let mut live = true;
        for e in exprs {
            live &= self.expr(e);
        }
        live
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> bool {
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

    /// A call through a qualified path, `<T as Trait>::method(..)`: the
    /// crate's impl of `method` for `T` when there is one, otherwise the
    /// crate trait's default method (a generic `T`, a blanket impl).
    fn qualified_call(
        &mut self,
        q: &syn::QSelf,
        path: &syn::Path,
        span: proc_macro2::Span,
    ) -> bool {
        let segs = segments(path);
        let Some(name) = segs.last() else {
            return true;
        };
        if let Some(ty) = crate::index::type_name(&q.ty) {
            let ids = self.ctx.methods_of(&ty, name);
            if !ids.is_empty() {
                return self.local_calls(&ids, span);
            }
        }
        // `<T>::f` (no trait), or a path too short to hold one.
        if q.position == 0 || q.position >= segs.len() {
            return true;
        }
        let trait_path = segs[..q.position].to_vec();
        let Some(tr) = trait_path.last().cloned() else {
            return true;
        };
        match resolve(self.ctx, &self.f, &trait_path) {
            Target::Extern(_) => true,
            _ => {
                let ids = self.ctx.methods_of(&tr, name);
                self.local_calls(&ids, span)
            }
        }
    }

    /// A call `f(args)`; `true` when control can continue after it.
    fn call(&mut self, c: &syn::ExprCall) -> bool {
        let syn::Expr::Path(p) = strip(&c.func) else {
            return true;
        };
        let span = c.span();
        if let Some(q) = &p.qself {
            return self.qualified_call(q, &p.path, span);
        }
        let segs = segments(&p.path);
        if let [one] = segs.as_slice()
            && (self.env.is_local(one) || one.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            // A closure bound outside the walked code: follow it like a
            // function. (One bound inside was walked where it is written.)
            if !self.walked_closures.contains(one)
                && let Some(closure) = self.env.closures.get(one).cloned()
            {
                return self.closure_call(one, &closure, span);
            }
            // A variable named like the function it is bound from
            // (`let recvmsg = recvmsg(..)?;`): the environment does not
            // know where a binding starts, so a name that resolves to a
            // function is that function unless the variable is a closure
            // or a fn pointer.
            let shadowing = !one.starts_with(|c: char| c.is_ascii_uppercase())
                && !self.env.closures.contains_key(one)
                && self
                    .env
                    .vars
                    .get(one)
                    .is_some_and(|g| !g.iter().any(|t| t == "fn" || t.starts_with("Fn")))
                && matches!(
                    resolve(self.ctx, &self.f, &segs),
                    Target::LocalFn(_) | Target::Extern(_)
                );
            if !shadowing {
                // A fn-pointer variable, or a tuple struct / variant.
                return true;
            }
        }
        match resolve(self.ctx, &self.f, &segs) {
            Target::LocalFn(id) => {
                let ids = self.ctx.variants_of(id);
                self.call_consts = bool_args(&c.args);
                self.local_calls(&ids, span)
            }
            Target::LocalMethod { ty, name } => {
                let ids = self.ctx.methods_of(&ty, &name);
                if ids.is_empty() {
                    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        self.unresolved
                            .push((format!("{ty}::{name}"), self.site(span)));
                    }
                    return true;
                }
                self.call_consts = bool_args(&c.args);
                self.local_calls(&ids, span)
            }
            Target::Extern(path) => {
                // `drop(x)` runs `x`'s destructor: judged as the method
                // `drop` on `x`'s type when the table lists one (freeing a
                // `Vec`/`String`/`Box` is a deallocation).
                if path == "std::mem::drop"
                    && let Some(arg) = c.args.first()
                {
                    if let Some(g) = expr_guess(self.ctx, &self.f, &self.env, arg, 0)
                        && let Some((entry, conf)) = g
                            .iter()
                            .find_map(|ty| self.ctx.opts.knowledge.lookup_method("drop", Some(ty)))
                    {
                        let ty = g.first().cloned().unwrap_or_default();
                        return self.apply(&entry, conf, format!("`drop` of a `{ty}`"), None, span);
                    }
                    // A crate type that owns heap fields, or a type only
                    // the bindings in scope know.
                    if let Some(fr) = self.frees_view().explicit_drop(arg, span) {
                        self.emit_free(fr);
                        return true;
                    }
                }
                self.extern_call(&path, c.args.first(), span)
            }
            Target::Unknown(name) => {
                if self.vfork {
                    self.emit_vfork(&format!("`{name}()`"), span);
                }
                self.unresolved.push((name.clone(), self.site(span)));
                self.emit(
                    RuleId::UnknownCall,
                    Level::Note,
                    format!("`{name}()`"),
                    "could not be resolved, so fork-lint cannot tell whether it is async-signal-safe",
                    "check that it only calls async-signal-safe functions",
                    span,
                    false,
                );
                true
            }
        }
    }

    fn extern_call(
        &mut self,
        path: &str,
        first_arg: Option<&syn::Expr>,
        span: proc_macro2::Span,
    ) -> bool {
        let entry = self.ctx.opts.knowledge.lookup_path(path);
        let op = format!("`{path}`");
        match entry {
            Some(entry) => self.apply(&entry, Confidence::Exact, op, first_arg, span),
            None => {
                let root = path
                    .trim_start_matches("::")
                    .split("::")
                    .next()
                    .unwrap_or("");
                if self.vfork {
                    self.emit_vfork(&op, span);
                } else if !self.ctx.opts.knowledge.is_known_crate(root)
                    && let Some((label, found)) = crate::external::hazards_of(self.ctx, path)
                {
                    self.dependency_hazards(path, &label, &found.hazards, span);
                } else if !self.ctx.opts.knowledge.is_known_crate(root)
                    && !root.starts_with(|c: char| c.is_ascii_uppercase())
                {
                    self.emit(
                        RuleId::UnknownCall,
                        Level::Note,
                        op,
                        &format!("is in crate `{root}`, whose async-signal safety fork-lint does not know"),
                        "check that it only calls async-signal-safe functions, or describe it in the `knowledge` section of the configuration",
                        span,
                        false,
                    );
                }
                true
            }
        }
    }

    /// A method call on a value of another crate's type `ty` (its full
    /// path): followed into that crate's inherent and trait impls like a
    /// path call (`outside_dep::FixedVec::push`); an `unknown-call` note
    /// when it cannot be followed (no sources, no such method there).
    fn dependency_method(&mut self, ty: &str, name: &str, span: proc_macro2::Span) -> bool {
        let root = ty.trim_start_matches("::").split("::").next().unwrap_or("");
        if self.ctx.opts.knowledge.is_known_crate(root) {
            return true;
        }
        let path = format!("{ty}::{name}");
        match crate::external::hazards_of(self.ctx, &path) {
            Some((label, found)) => self.dependency_hazards(&path, &label, &found.hazards, span),
            None => self.emit(
                RuleId::UnknownCall,
                Level::Note,
                format!("`{path}`"),
                &format!("is in crate `{root}`, whose async-signal safety fork-lint does not know"),
                "check that it only calls async-signal-safe functions, or describe it in the `knowledge` section of the configuration",
                span,
                false,
            ),
        }
        true
    }

    /// What a call into a dependency reaches, reported at the call (the
    /// code the user can change): per rule, the first hazard with the chain
    /// into the dependency, and how many more.
    fn dependency_hazards(
        &mut self,
        path: &str,
        label: &str,
        found: &[crate::input::DepHazard],
        span: proc_macro2::Span,
    ) {
        let mut rules: Vec<RuleId> = Vec::new();
        for h in found {
            if !rules.contains(&h.rule) {
                rules.push(h.rule);
            }
        }
        for rule in rules {
            let of_rule: Vec<&crate::input::DepHazard> =
                found.iter().filter(|h| h.rule == rule).collect();
            let Some(h) = of_rule.iter().max_by_key(|h| h.level).copied() else {
                continue;
            };
            let chain: Vec<Step> = h
                .steps
                .iter()
                .map(|s| Step {
                    label: s.label.clone(),
                    site: self.ctx.external_site(&s.location),
                })
                .collect();
            let mut message = format!(
                "call to `{path}` ({label}) reaches {}, which {}",
                h.op, h.reason
            );
            if of_rule.len() > 1 {
                message.push_str(&format!(
                    ", and {} more {rule} hazard{} in that crate",
                    of_rule.len() - 1,
                    if of_rule.len() > 2 { "s" } else { "" }
                ));
            }
            if h.guessed {
                message.push_str(" (guessed from the method name)");
            }
            let hazard = Hazard {
                rule,
                level: h.level,
                op: format!("`{path}`"),
                reason: format!("reaches {} in {label}", h.op),
                help: h.help.clone(),
                site: self.site(span),
                chain,
                guessed: h.guessed,
                message,
                in_dependency: true,
            };
            self.push_event(Event {
                site: self.site(span),
                hazard,
                via: None,
                origin: None,
            });
        }
    }

    /// Applies a knowledge verdict at `span`; `true` when control continues.
    fn apply(
        &mut self,
        entry: &ApiEntry,
        conf: Confidence,
        op: String,
        path_arg: Option<&syn::Expr>,
        span: proc_macro2::Span,
    ) -> bool {
        let guessed = conf == Confidence::NameOnly;
        if self.vfork {
            match entry.verdict {
                Verdict::Exec => return true,
                _ if entry.ends_region() && !matches!(entry.verdict, Verdict::Hazard(..)) => {
                    return false;
                }
                _ => {
                    self.emit_vfork(&op, span);
                    return !entry.ends_region();
                }
            }
        }
        match entry.verdict {
            Verdict::Safe | Verdict::Exec | Verdict::Fork(_) | Verdict::RunsInChild { .. } => true,
            Verdict::Terminates => false,
            Verdict::Hazard(rule, level) => {
                let level = if guessed {
                    level.min(Level::Warning)
                } else {
                    level
                };
                self.emit(rule, level, op, entry.reason, entry.fix, span, guessed);
                !entry.ends_region()
            }
            Verdict::PathArgument { limit } => {
                match path_arg.and_then(literal_len) {
                    Some(len) if len < limit => {}
                    Some(len) => {
                        let reason = format!(
                            "copies its {len}-byte path argument to the heap (paths of {limit} bytes or more are allocated)"
                        );
                        self.emit(
                            RuleId::Alloc,
                            Level::Error,
                            op,
                            &reason,
                            entry.fix,
                            span,
                            guessed,
                        );
                    }
                    None => {
                        let reason = format!(
                            "copies its path argument to the heap when it is {limit} bytes or longer, and its length is not known statically"
                        );
                        self.emit(
                            RuleId::Alloc,
                            Level::Warning,
                            op,
                            &reason,
                            entry.fix,
                            span,
                            guessed,
                        );
                    }
                }
                true
            }
        }
    }

    /// A call into the crate: the callee's hazards are reported here, once
    /// per rule, with the chain.
    fn local_call(&mut self, id: FnId, span: proc_macro2::Span) -> bool {
        let Some(def) = self.ctx.fn_def(id) else {
            return true;
        };
        let label = callee_label(&def);
        let consts = std::mem::take(&mut self.call_consts);
        let sum = summary_for(self.ctx, id, consts);
        if self.vfork {
            self.emit_vfork(&format!("`{}`", label), span);
            return !sum.diverges;
        }
        for h in &sum.hazards {
            let e = Event {
                site: self.site(span),
                hazard: h.clone(),
                via: Some(label.clone()),
                origin: None,
            };
            self.push_event(e);
        }
        self.unresolved.extend(sum.unresolved.iter().cloned());
        !sum.diverges
    }

    /// An invocation of the crate's own macro: its expansion is walked as
    /// child code, its hazards reported at the invocation with the macro as
    /// a step of the chain; `_exit` in it ends the region.
    fn expansion(&mut self, x: &crate::expansion::Expansion, span: proc_macro2::Span) -> bool {
        if self.ctx.summaries.depth > MAX_SUMMARY_DEPTH {
            return true;
        }
        self.ctx.summaries.depth += 1;
        let mut w = Walker::new(self.ctx, self.f.clone(), self.env.clone(), self.vfork);
        w.loop_depth = self.loop_depth;
        let live = w.stmts(&x.stmts);
        let escapes = w.escapes;
        let events = std::mem::take(&mut w.events);
        let unresolved = std::mem::take(&mut w.unresolved);
        self.ctx.summaries.depth -= 1;
        let step = Step {
            label: format!("in macro `{}!`", x.name),
            site: x.def_site,
        };
        for e in events {
            let mut hazard = e.hazard;
            let mut chain = vec![step.clone()];
            chain.append(&mut hazard.chain);
            hazard.chain = chain;
            if e.via.is_none() {
                // Written in the macro: reported at the invocation.
                let mut message = format!(
                    "`{}!` expands to {}, which {}",
                    x.name, hazard.op, hazard.reason
                );
                if hazard.guessed {
                    message.push_str(" (guessed from the method name)");
                }
                hazard.message = message;
                hazard.site = self.site(span);
            }
            // Reached through a call the macro makes: reported where it is,
            // the invocation first on its chain.
            self.push_event(Event {
                site: self.site(span),
                hazard,
                via: e.via,
                origin: None,
            });
        }
        self.unresolved.extend(unresolved);
        self.escapes |= escapes;
        live
    }

    /// A marked macro: judged, its arguments walked as child code.
    fn judged_mac(&mut self, mac: &syn::Macro) -> bool {
        let addr = mac as *const syn::Macro as usize;
        if !self.judged(addr) {
            return true;
        }
        let saved = self.inherit;
        self.inherit = true;
        let live = self.mac(mac);
        self.inherit = saved;
        live
    }

    /// A call the flow analysis followed with its arguments' values: the
    /// callee's marked code is judged, and its hazards are reported here.
    fn callee_flow(&mut self, flow: &CalleeFlow, span: proc_macro2::Span) -> bool {
        if self.ctx.summaries.depth > MAX_SUMMARY_DEPTH {
            return true;
        }
        let Some(def) = self.ctx.fn_def(flow.id) else {
            return true;
        };
        let label = callee_label(&def);
        self.ctx.summaries.depth += 1;
        let f = FnCtx::of(&def);
        let env = env_of(self.ctx, &f, Some(&def.sig), &def.block);
        let mut w = Walker::with_marks(self.ctx, f, env, flow.marks.clone());
        w.push_allows(&def.attrs);
        w.block(&def.block);
        let (events, unresolved) = (
            std::mem::take(&mut w.events),
            std::mem::take(&mut w.unresolved),
        );
        self.ctx.summaries.depth -= 1;
        self.reached_through(&label, events, unresolved, span);
        true
    }

    /// Reports what a followed call reached (a sub-walk's events) at the
    /// call: each hazard where it is, the call first on its chain.
    fn reached_through(
        &mut self,
        label: &str,
        events: Vec<Event>,
        unresolved: Vec<(String, Site)>,
        span: proc_macro2::Span,
    ) {
        for h in flatten(events) {
            self.push_event(Event {
                site: self.site(span),
                hazard: h,
                via: Some(label.to_string()),
                origin: None,
            });
        }
        self.unresolved.extend(unresolved);
    }

    /// A call of a closure bound to `name` outside the walked code.
    fn closure_call(
        &mut self,
        name: &str,
        closure: &syn::ExprClosure,
        span: proc_macro2::Span,
    ) -> bool {
        if self.ctx.summaries.depth > MAX_SUMMARY_DEPTH {
            return true;
        }
        let label = format!("{name}()");
        if self.vfork {
            self.emit_vfork(&format!("`{label}`"), span);
            return true;
        }
        self.ctx.summaries.depth += 1;
        let mut w = Walker::new(self.ctx, self.f.clone(), self.env.clone(), false);
        // The closure cannot call itself by name.
        w.walked_closures.insert(name.to_string());
        w.push_allows(&closure.attrs);
        let live = w.expr(&closure.body);
        let diverges = !live && !w.escapes;
        let (events, unresolved) = (
            std::mem::take(&mut w.events),
            std::mem::take(&mut w.unresolved),
        );
        self.ctx.summaries.depth -= 1;
        self.reached_through(&label, events, unresolved, span);
        !diverges
    }

    fn local_calls(&mut self, ids: &[FnId], span: proc_macro2::Span) -> bool {
        let mut live = false;
        let consts = std::mem::take(&mut self.call_consts);
        for &id in ids.iter().take(MAX_METHOD_CANDIDATES) {
            self.call_consts = consts.clone();
            live |= self.local_call(id, span);
        }
        live || ids.is_empty()
    }

    /// A `push` onto a local made with `Vec::with_capacity(N)` that still
    /// has room: it cannot reallocate (counts the push).
    fn within_capacity(&mut self, receiver: &syn::Expr) -> bool {
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

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> bool {
        let name = m.method.to_string();
        if matches!(name.as_str(), "unwrap" | "expect")
            && crate::infallible::cannot_fail(self.ctx, &self.f, &self.env, &m.receiver)
        {
            return true;
        }
        if name == "push" && self.within_capacity(&m.receiver) {
            return true;
        }
        let span = method_span(m);
        let guess: Option<TypeGuess> =
            expr_guess(self.ctx, &self.f, &self.env, &m.receiver, 0).filter(|g| !g.is_empty());
        let knowledge = &self.ctx.opts.knowledge;
        let hit = match &guess {
            // A known receiver: the crate's methods of that type first.
            Some(g) => {
                for ty in g.iter().take(3) {
                    let ids = self.ctx.methods_of(ty, &name);
                    if !ids.is_empty() {
                        return self.local_calls(&ids, span);
                    }
                }
                // A std trait's provided method that runs the crate's own
                // impl (`read_exact` -> the crate's `Read::read`).
                if let Some(ty) = g.first() {
                    let ids = self.ctx.provided_method_calls(ty, &name);
                    if !ids.is_empty() {
                        return self.local_calls(&ids, span);
                    }
                }
                let hit = g
                    .iter()
                    .find_map(|ty| self.ctx.opts.knowledge.lookup_method(&name, Some(ty)));
                let is_self =
                    matches!(strip(&m.receiver), syn::Expr::Path(p) if p.path.is_ident("self"));
                if hit.is_none() && is_self {
                    // A trait's default method, or one defined where we
                    // cannot see the impl.
                    let ids = self.ctx.methods_named(&name);
                    if !ids.is_empty() {
                        return self.local_calls(&ids, span);
                    }
                    self.unresolved
                        .push((format!("self.{name}"), self.site(span)));
                }
                hit
            }
            // An unknown receiver: a name the table calls unambiguous
            // (`unwrap`, `pre_exec`) wins; then the crate's methods of that
            // name (best effort for trait methods); then a name-only guess.
            None => {
                let hit = knowledge.lookup_method(&name, None);
                if !matches!(hit, Some((_, Confidence::Exact))) {
                    let ids = self.ctx.methods_named(&name);
                    if !ids.is_empty() {
                        // Which method this is, only its name says: what the
                        // crate's methods of that name reach is a guess, at
                        // most a warning.
                        let saved = self.guessed_call.replace(name.clone());
                        let live = self.local_calls(&ids, span);
                        self.guessed_call = saved;
                        return live;
                    }
                }
                hit
            }
        };
        // A method of another crate's type the table does not know: that
        // crate's impls say what it does.
        if hit.is_none()
            && !self.vfork
            && let Some(ty) = extern_type_path(self.ctx, &self.f, &self.env, &m.receiver, 0)
        {
            return self.dependency_method(&ty, &name, span);
        }
        let op = match guess.as_ref().and_then(|g| g.first()) {
            Some(ty) => format!("`{ty}::{name}`"),
            None => format!("`.{name}()`"),
        };
        match hit {
            // In a vfork child, methods the table knows to be harmless
            // (`as_ptr`, `len`) and unknown methods are not reported: they
            // are accessors far more often than calls into libc.
            Some((entry, _)) if self.vfork && entry.verdict == Verdict::Safe => true,
            Some((entry, conf)) => self.apply(&entry, conf, op, m.args.first(), span),
            None => true,
        }
    }

    /// Attribute macros on a called function that act on every call
    /// (`#[tracing::instrument]`): looked up as macros by resolved path.
    fn attributes(&mut self, attrs: &[syn::Attribute]) {
        for a in attrs {
            let Some(path) = resolve_macro(self.ctx, &self.f, a.path()) else {
                continue;
            };
            if !path.contains("::") {
                continue;
            }
            if let Some(entry) = self.ctx.opts.knowledge.lookup_macro(&path) {
                let op = format!("`#[{path}]`");
                self.apply(&entry, Confidence::Exact, op, None, a.span());
            }
        }
    }

    /// A macro invocation; its arguments are walked as expressions when they
    /// parse as a comma-separated list.
    fn mac(&mut self, mac: &syn::Macro) -> bool {
        let span = mac.span();
        if let Some(x) = crate::expansion::expand(self.ctx, self.f.file, mac) {
            return self.expansion(&x, span);
        }
        let args: Vec<syn::Expr> = mac
            .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            .map(|p| p.into_iter().collect())
            .unwrap_or_default();
        let mut live = true;
        for a in &args {
            live &= self.expr(a);
        }
        let Some(path) = resolve_macro(self.ctx, &self.f, &mac.path) else {
            return live;
        };
        let name = path.rsplit("::").next().unwrap_or(&path).to_string();
        // Expansion facts: `write!(dst, ..)` is `dst.write_fmt(..)`, and an
        // empty `vec![]` does not allocate.
        if name == "write" || name == "writeln" {
            if let Some(dst) = args.first() {
                let guess =
                    expr_guess(self.ctx, &self.f, &self.env, dst, 0).filter(|g| !g.is_empty());
                let hit = match &guess {
                    Some(g) => g.iter().find_map(|ty| {
                        self.ctx.opts.knowledge.lookup_method("write_fmt", Some(ty))
                    }),
                    None => self.ctx.opts.knowledge.lookup_method("write_fmt", None),
                };
                if let Some((entry, conf)) = hit {
                    return live && self.apply(&entry, conf, format!("`{name}!`"), None, span);
                }
            }
            return live;
        }
        if name == "vec" && mac.tokens.is_empty() {
            return live;
        }
        match self.ctx.opts.knowledge.lookup_macro(&path) {
            Some(entry) => {
                live && self.apply(
                    &entry,
                    Confidence::Exact,
                    format!("`{name}!`"),
                    args.first(),
                    span,
                )
            }
            None => live,
        }
    }
}

/// `Type::name()` or `name()`.
pub(crate) fn callee_label(def: &FnDef) -> String {
    match &def.self_ty {
        Some(t) => format!("{t}::{}()", def.name),
        None => format!("{}()", def.name),
    }
}

/// Constant boolean arguments of a call, by parameter position
/// (`new_impl(true)`): a summary made for them walks only the branches
/// that `if flag` takes.
pub(crate) type Consts = Vec<(usize, bool)>;

/// The summaries made, and the bookkeeping that keeps them finite.
#[derive(Default)]
pub(crate) struct Memo {
    done: HashMap<(FnId, Consts), Rc<Summary>>,
    in_progress: HashSet<FnId>,
    /// Summaries and macro expansions being walked, nested.
    pub depth: usize,
}

/// The summary of a function of the crate (memoised; a function already
/// being summarised, or one too deep in the call graph, counts as empty).
pub(crate) fn summary(ctx: &mut Ctx<'_>, id: FnId) -> Rc<Summary> {
    summary_for(ctx, id, Vec::new())
}

/// The summary of a function called with constant boolean arguments.
fn summary_for(ctx: &mut Ctx<'_>, id: FnId, consts: Consts) -> Rc<Summary> {
    let key = (id, consts);
    if let Some(s) = ctx.summaries.done.get(&key) {
        return s.clone();
    }
    if ctx.summaries.in_progress.contains(&id) || ctx.summaries.depth > MAX_SUMMARY_DEPTH {
        return Rc::new(Summary::default());
    }
    let Some(def) = ctx.fn_def(id) else {
        return Rc::new(Summary::default());
    };
    ctx.summaries.in_progress.insert(id);
    ctx.summaries.depth += 1;
    let f = FnCtx::of(&def);
    let env = env_of(ctx, &f, Some(&def.sig), &def.block);
    let mut w = Walker::new(ctx, f, env, false);
    w.consts = const_params(&def.sig, &key.1);
    w.push_allows(&def.attrs);
    w.attributes(&def.attrs);
    let cont = w.block(&def.block);
    let never = matches!(&def.sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)));
    let diverges = never || (!cont && !w.escapes);
    let events = std::mem::take(&mut w.events);
    let unresolved = std::mem::take(&mut w.unresolved);
    let sum = Rc::new(Summary {
        hazards: flatten(events),
        diverges,
        unresolved,
    });
    ctx.summaries.in_progress.remove(&id);
    ctx.summaries.depth -= 1;
    ctx.summaries.done.insert(key, sum.clone());
    sum
}

/// Parameter names bound to the constant arguments `consts`.
fn const_params(sig: &syn::Signature, consts: &Consts) -> HashMap<String, bool> {
    let mut out = HashMap::new();
    for &(i, b) in consts {
        if let Some(syn::FnArg::Typed(pt)) = sig.inputs.iter().nth(i)
            && let syn::Pat::Ident(pi) = &*pt.pat
            && pi.mutability.is_none()
        {
            out.insert(pi.ident.to_string(), b);
        }
    }
    out
}

/// The boolean literals among a path call's arguments, by position.
fn bool_args(args: &Punctuated<syn::Expr, syn::Token![,]>) -> Consts {
    args.iter()
        .enumerate()
        .filter_map(|(i, a)| match strip(a) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            }) => Some((i, b.value)),
            _ => None,
        })
        .collect()
}

/// The value of a condition made of constant parameters (`flag`,
/// `!flag`), when known.
fn const_cond(consts: &HashMap<String, bool>, e: &syn::Expr) -> Option<bool> {
    match strip(e) {
        syn::Expr::Path(p) => consts.get(&p.path.get_ident()?.to_string()).copied(),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
            const_cond(consts, &u.expr).map(|b| !b)
        }
        _ => None,
    }
}

/// A function's events as hazards seen from its caller: the call on the
/// way prepended to each chain, each hazard once (by site and rule).
fn flatten(events: Vec<Event>) -> Vec<Hazard> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in events {
        let mut h = e.hazard;
        if let Some(callee) = &e.via {
            h.chain.insert(
                0,
                Step {
                    label: format!("calls {callee}"),
                    site: e.site,
                },
            );
        }
        let (start, end) = (h.site.span.start(), h.site.span.end());
        let key = (
            h.site.file,
            start.line,
            start.column,
            end.line,
            end.column,
            h.rule,
        );
        // Without line information (inside a proc macro) spans cannot be
        // told apart: keep them all.
        if start.line != 0 && !seen.insert(key) {
            continue;
        }
        if out.len() >= MAX_SUMMARY_HAZARDS {
            break;
        }
        out.push(h);
    }
    out
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

/// The byte length of a literal path argument (`"..."`, `b"..."`, `c"..."`,
/// through `&`, parens and a one-argument constructor such as
/// `Path::new("..")`).
fn literal_len(e: &syn::Expr) -> Option<usize> {
    match strip(e) {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => Some(s.value().len()),
            syn::Lit::ByteStr(s) => Some(s.value().len()),
            syn::Lit::CStr(s) => Some(s.value().as_bytes().len()),
            _ => None,
        },
        syn::Expr::Reference(r) => literal_len(&r.expr),
        syn::Expr::Call(c) if c.args.len() == 1 => c.args.first().and_then(literal_len),
        _ => None,
    }
}

/// `N` of `Vec::with_capacity(N)` for an integer literal `N`.
fn with_capacity(e: &syn::Expr) -> Option<u64> {
    let syn::Expr::Call(c) = strip(e) else {
        return None;
    };
    let syn::Expr::Path(p) = strip(&c.func) else {
        return None;
    };
    let segs = segments(&p.path);
    if !segs.ends_with(&["Vec".to_string(), "with_capacity".to_string()]) {
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

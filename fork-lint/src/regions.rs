//! Child regions: fork sites and the branch of their result that runs in the
//! child, callbacks that run in a child (`pre_exec`, `clone`), and code
//! marked `#[fork_guard::child]` / `fork_guard::child_closure!(..)`.
//!
//! What is a fork site or a callback comes from the knowledge table. The only
//! names matched here are the shapes of a fork's result (`0`, `Child` in
//! `ForkResult::Child`/`Fork::Child`, `Ok(..)`, and `.unwrap()`/`.expect()`/`?`
//! that unwrap it), the fork-guard markers, and — in [`syscall_fork_kind`] —
//! the raw system call numbers and the `CLONE_VM` flag.

use std::collections::HashSet;

use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::diagnostic::Level;
use crate::index::{Ctx, FnId, Site};
use crate::knowledge::{ApiEntry, ForkKind, Verdict};
use crate::resolve::{FnCtx, Target, path_is, resolve, segments};
use crate::rules::RuleId;
use crate::summaries::{Step, Walker};
use crate::types::{Env, env_of, expr_guess, strip};

/// The marker attribute that declares a child function (or, on nightly, a
/// child closure).
pub(crate) const CHILD_MARKER: &[&str] = &["fork_guard::child"];
/// The marker macro that declares a child closure. (An attribute macro and a
/// function-like macro cannot share the name `child`.)
pub(crate) const CHILD_CLOSURE_MARKER: &[&str] = &["fork_guard::child_closure"];

/// A finding before its spans become locations.
#[derive(Debug, Clone)]
pub(crate) struct RawFinding {
    pub rule: RuleId,
    pub level: Level,
    pub site: Site,
    pub message: String,
    pub help: Option<String>,
    pub chain: Vec<Step>,
    pub region: Option<Step>,
}

/// The code of a region.
pub(crate) enum Body<'a> {
    Block(&'a syn::Block),
    Expr(&'a syn::Expr),
    /// The rest of a block after `let <child pattern> = fork() else { .. };`.
    Stmts(&'a [syn::Stmt]),
    Closure(&'a syn::ExprClosure),
    OwnedClosure(Box<syn::ExprClosure>),
    OwnedExpr(Box<syn::Expr>),
    /// A whole function of the crate (a marked fn, a callback by path).
    Fn(FnId),
}

pub(crate) struct Region<'a> {
    pub body: Body<'a>,
    pub vfork: bool,
    /// Report `fallthrough` when the body can complete.
    pub fallthrough: bool,
    /// e.g. `child process starts here (libc::fork)`.
    pub label: String,
    pub site: Site,
}

/// A fork call.
#[derive(Clone)]
struct ForkSite {
    /// The call expression, compared by address.
    call: *const syn::ExprCall,
    kind: ForkKind,
    path: String,
    span: proc_macro2::Span,
}

/// Finds the regions in one function body.
pub(crate) struct Finder<'a, 'c, 'o> {
    pub ctx: &'c mut Ctx<'o>,
    pub f: FnCtx,
    /// The function's variables, computed on first need (most functions
    /// have no region).
    env: Option<Env>,
    sig: Option<&'a syn::Signature>,
    body: Option<&'a syn::Block>,
    pub regions: Vec<Region<'a>>,
}

impl<'a, 'c, 'o> Finder<'a, 'c, 'o> {
    pub fn new(
        ctx: &'c mut Ctx<'o>,
        f: FnCtx,
        sig: Option<&'a syn::Signature>,
        body: Option<&'a syn::Block>,
    ) -> Self {
        Finder {
            ctx,
            f,
            env: None,
            sig,
            body,
            regions: Vec::new(),
        }
    }

    /// The environment of the function being searched.
    pub fn env(&mut self) -> &Env {
        if self.env.is_none() {
            let env = match self.body {
                Some(b) => env_of(self.ctx, &self.f, self.sig, b),
                None => Env::default(),
            };
            self.env = Some(env);
        }
        self.env.get_or_insert_with(Env::default)
    }

    fn site(&self, span: proc_macro2::Span) -> Site {
        Site {
            file: self.f.file,
            span,
        }
    }

    /// The fork call `e` is, through `unsafe { }`, parens, `?`, `.unwrap()`
    /// and `.expect(..)`.
    fn fork_site(&mut self, e: &syn::Expr) -> Option<ForkSite> {
        let (c, kind, path) = fork_call(self.ctx, &self.f, e, 0)?;
        Some(ForkSite {
            call: c,
            kind,
            path,
            span: c.span(),
        })
    }

    fn push(&mut self, fork: &ForkSite, body: Body<'a>) {
        self.regions.push(Region {
            body,
            vfork: fork.kind == ForkKind::Vfork,
            fallthrough: true,
            label: format!("child process starts here ({})", fork.path),
            site: self.site(fork.span),
        });
    }

    /// The child branch of an `if`/`else if` chain on a fork result
    /// (`is_subject` tells the fork result apart). The chain is read in
    /// order, so in `if pid > 0 {..} else if pid < 0 {..} else {..}` the
    /// last `else` is the child's.
    fn if_regions(
        &mut self,
        first: &'a syn::ExprIf,
        fork: &ForkSite,
        is_subject: &dyn Fn(&syn::Expr) -> bool,
    ) {
        let mut cur = first;
        // An earlier condition sent the child into the rest of the chain.
        let mut child_in_rest = false;
        for _ in 0..64 {
            let class = match strip(&cur.cond) {
                syn::Expr::Let(l) if is_subject(&l.expr) => match classify(&l.pat) {
                    PatClass::Child | PatClass::CatchAll => Cmp::ThenChild,
                    PatClass::Parent => Cmp::ElseChild,
                },
                syn::Expr::Binary(b) => comparison(b, is_subject).unwrap_or(Cmp::Neither),
                _ => Cmp::Neither,
            };
            if matches!(class, Cmp::ThenChild) {
                self.push(fork, Body::Block(&cur.then_branch));
                return;
            }
            child_in_rest |= matches!(class, Cmp::ElseChild);
            match cur.else_branch.as_ref().map(|(_, e)| &**e) {
                Some(syn::Expr::If(next)) => cur = next,
                Some(e) => {
                    if child_in_rest {
                        self.push(fork, Body::Expr(e));
                    }
                    return;
                }
                None => return,
            }
        }
    }

    fn match_regions(&mut self, m: &'a syn::ExprMatch, fork: &ForkSite) {
        if let Some(arm) = child_arm(&m.arms) {
            self.push(fork, Body::Expr(&arm.body));
        }
    }

    /// `let pid = fork();` followed by tests of `pid` in `rest`.
    fn var_regions(&mut self, var: &str, rest: &'a [syn::Stmt], fork: &ForkSite) {
        let mut scan = VarTests {
            var,
            chained: HashSet::new(),
            ifs: Vec::new(),
            matches: Vec::new(),
            let_elses: Vec::new(),
        };
        for s in rest {
            scan.visit_stmt(s);
        }
        let is_var = |e: &syn::Expr| is_var(e, var);
        for i in scan.ifs {
            self.if_regions(i, fork, &is_var);
        }
        for m in scan.matches {
            self.match_regions(m, fork);
        }
        for (pat, els, after) in scan.let_elses {
            self.let_else_regions(pat, els, after, fork);
        }
    }

    fn let_else_regions(
        &mut self,
        pat: &'a syn::Pat,
        els: &'a syn::Expr,
        after: &'a [syn::Stmt],
        fork: &ForkSite,
    ) {
        match classify(pat) {
            PatClass::Child => self.push(fork, Body::Stmts(after)),
            PatClass::Parent => self.push(fork, Body::Expr(els)),
            PatClass::CatchAll => {}
        }
    }

    /// A callback argument that runs in the child.
    fn callback(
        &mut self,
        arg: &'a syn::Expr,
        label: String,
        span: proc_macro2::Span,
        vfork: bool,
    ) {
        let body = match strip(arg) {
            syn::Expr::Closure(c) => Some(Body::Closure(c)),
            syn::Expr::Reference(r) => return self.callback(&r.expr, label, span, vfork),
            syn::Expr::Path(p) if p.qself.is_none() => {
                let segs = segments(&p.path);
                match segs.as_slice() {
                    [one] if self.env().closures.contains_key(one) => self
                        .env()
                        .closures
                        .get(one)
                        .map(|c| Body::OwnedClosure(Box::new(c.clone()))),
                    _ => match resolve(self.ctx, &self.f, &segs) {
                        Target::LocalFn(id) => Some(Body::Fn(id)),
                        Target::LocalMethod { ty, name } => self
                            .ctx
                            .methods_of(&ty, &name)
                            .first()
                            .map(|&id| Body::Fn(id)),
                        _ => None,
                    },
                }
            }
            // `Box::new(|| ..)` and similar wrappers.
            syn::Expr::Call(c) => {
                return if let Some(inner) = c
                    .args
                    .iter()
                    .find(|a| matches!(strip(a), syn::Expr::Closure(_)))
                {
                    self.callback(inner, label, span, vfork)
                } else {
                    // A wrapped function path, e.g. `Box::new(child_main)`.
                    if let Some(inner) = c.args.first() {
                        self.callback(inner, label, span, vfork);
                    }
                };
            }
            _ => None,
        };
        if let Some(body) = body {
            self.regions.push(Region {
                body,
                vfork,
                fallthrough: false,
                label,
                site: self.site(span),
            });
        }
    }
}

impl<'a> Visit<'a> for Finder<'a, '_, '_> {
    fn visit_block(&mut self, b: &'a syn::Block) {
        for (i, stmt) in b.stmts.iter().enumerate() {
            let rest = b.stmts.get(i + 1..).unwrap_or(&[]);
            if let syn::Stmt::Local(l) = stmt
                && let Some(init) = &l.init
                && let Some(fork) = self.fork_site(&init.expr)
            {
                if let Some((_, els)) = &init.diverge {
                    self.let_else_regions(&l.pat, els, rest, &fork);
                } else if let Some(var) = pat_var(&l.pat) {
                    self.var_regions(&var, rest, &fork);
                }
            }
        }
        syn::visit::visit_block(self, b);
    }

    fn visit_expr_if(&mut self, i: &'a syn::ExprIf) {
        let subject = match strip(&i.cond) {
            syn::Expr::Let(l) => Some(&*l.expr),
            syn::Expr::Binary(b) => Some(if literal_int(&b.left).is_some() {
                &*b.right
            } else {
                &*b.left
            }),
            _ => None,
        };
        if let Some(subject) = subject
            && let Some(fork) = self.fork_site(subject)
        {
            let target = fork.call;
            let is_fork = move |e: &syn::Expr| matches!(unwrap_result(e), syn::Expr::Call(c) if std::ptr::eq(c, target));
            self.if_regions(i, &fork, &is_fork);
        }
        syn::visit::visit_expr_if(self, i);
    }

    fn visit_expr_match(&mut self, m: &'a syn::ExprMatch) {
        if let Some(fork) = self.fork_site(&m.expr) {
            self.match_regions(m, &fork);
        }
        syn::visit::visit_expr_match(self, m);
    }

    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        if let syn::Expr::Path(p) = strip(&c.func)
            && let Target::Extern(path) = resolve(self.ctx, &self.f, &segments(&p.path))
            && let Some(entry) = self.ctx.opts.knowledge.lookup_path(&path)
            && let Verdict::RunsInChild { arg } = entry.verdict
            && let Some(a) = c.args.iter().nth(arg)
        {
            let vfork = entry.fork_kind().is_some() && c.args.iter().any(mentions_clone_vm);
            let label = format!("child code starts here ({path} callback)");
            self.callback(a, label, c.span(), vfork);
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        let name = m.method.to_string();
        if !self.ctx.child_methods.contains(&name) {
            syn::visit::visit_expr_method_call(self, m);
            return;
        }
        let env = self.env().clone();
        let guess = expr_guess(self.ctx, &self.f, &env, &m.receiver, 0).filter(|g| !g.is_empty());
        let hit = match &guess {
            Some(g) => g
                .iter()
                .find_map(|t| self.ctx.opts.knowledge.lookup_method(&name, Some(t)))
                .or_else(|| self.ctx.opts.knowledge.lookup_method(&name, None)),
            None => self.ctx.opts.knowledge.lookup_method(&name, None),
        };
        if let Some((entry, _)) = hit
            && let Verdict::RunsInChild { arg } = entry.verdict
            && let Some(a) = m.args.iter().nth(arg)
        {
            let label = format!("child code starts here ({name} closure)");
            self.callback(a, label, crate::summaries::method_span(m), false);
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
        if self.has_marker(&c.attrs) {
            self.regions.push(Region {
                body: Body::Closure(c),
                vfork: false,
                fallthrough: false,
                label: "child code starts here (#[fork_guard::child])".to_string(),
                site: self.site(c.span()),
            });
        }
        syn::visit::visit_expr_closure(self, c);
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        if path_is(self.ctx, &self.f, &mac.path, CHILD_CLOSURE_MARKER)
            && let Ok(e) = mac.parse_body::<syn::Expr>()
        {
            let body = match e {
                syn::Expr::Closure(c) => Body::OwnedClosure(Box::new(c)),
                e => Body::OwnedExpr(Box::new(e)),
            };
            self.regions.push(Region {
                body,
                vfork: false,
                fallthrough: false,
                label: "child code starts here (fork_guard::child_closure!)".to_string(),
                site: self.site(mac.span()),
            });
        }
        syn::visit::visit_macro(self, mac);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}
}

impl Finder<'_, '_, '_> {
    pub fn has_marker(&mut self, attrs: &[syn::Attribute]) -> bool {
        attrs
            .iter()
            .any(|a| path_is(self.ctx, &self.f, a.path(), CHILD_MARKER))
    }
}

/// The fork call `e` is (through [`unwrap_result`]): a fork function of the
/// table, a raw fork system call, or a call of a function of the crate that
/// returns a fork's result (`fn spawn() -> pid_t { unsafe { libc::fork() } }`).
/// Returns the call, the kind and the fork's path (for a wrapper:
/// `spawn() -> libc::fork`).
fn fork_call<'e>(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    e: &'e syn::Expr,
    depth: usize,
) -> Option<(&'e syn::ExprCall, ForkKind, String)> {
    let syn::Expr::Call(c) = unwrap_result(e) else {
        return None;
    };
    let syn::Expr::Path(p) = strip(&c.func) else {
        return None;
    };
    match resolve(ctx, f, &segments(&p.path)) {
        Target::Extern(path) => {
            let entry = ctx.opts.knowledge.lookup_path(&path);
            if let Some(ApiEntry {
                verdict: Verdict::Fork(kind),
                ..
            }) = entry
            {
                return Some((c, kind, path));
            }
            let kind = syscall_fork_kind(c)?;
            Some((c, kind, path))
        }
        Target::LocalFn(id) if depth < 4 => {
            let (kind, path) = fork_wrapper(ctx, id, depth + 1)?;
            Some((c, kind, path))
        }
        Target::Unknown(name) if ctx.bare_fork_sites && p.path.segments.len() == 1 => {
            let kind = ctx.opts.knowledge.bare_fork(&name)?;
            Some((c, kind, name))
        }
        _ => None,
    }
}

/// Whether the crate function `id` returns the result of a fork (its tail
/// expression or a `return` of one is a fork call); memoised.
pub(crate) fn fork_wrapper(
    ctx: &mut Ctx<'_>,
    id: FnId,
    depth: usize,
) -> Option<(ForkKind, String)> {
    if let Some(known) = ctx.fork_wrappers.get(&id) {
        return known.clone();
    }
    ctx.fork_wrappers.insert(id, None); // cycle guard
    let def = ctx.fn_def(id)?;
    let f = FnCtx::of(&def);
    let tail = match def.block.stmts.last() {
        Some(syn::Stmt::Expr(syn::Expr::Return(r), _)) => r.expr.as_deref(),
        Some(syn::Stmt::Expr(e, None)) => Some(e),
        _ => None,
    };
    let found = tail
        .and_then(|e| fork_call(ctx, &f, e, depth))
        .map(|(_, kind, path)| (kind, format!("{}() -> {path}", def.name)));
    ctx.fork_wrappers.insert(id, found.clone());
    found
}

/// Strips what unwraps a fork result to its `Ok` value or passes it
/// through: parens, `unsafe { fork() }`, `{ fork() }`, `?`, `.unwrap()`,
/// `.expect(..)`.
fn unwrap_result(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => unwrap_result(&p.expr),
        syn::Expr::Group(g) => unwrap_result(&g.expr),
        syn::Expr::Try(t) => unwrap_result(&t.expr),
        syn::Expr::Unsafe(syn::ExprUnsafe { block, .. })
        | syn::Expr::Block(syn::ExprBlock { block, .. }) => match block.stmts.as_slice() {
            [syn::Stmt::Expr(inner, None)] => unwrap_result(inner),
            _ => e,
        },
        syn::Expr::MethodCall(m) if m.method == "unwrap" || m.method == "expect" => {
            unwrap_result(&m.receiver)
        }
        _ => e,
    }
}

/// **The one place that inspects raw system calls:** a call whose first
/// argument is the number `SYS_fork`, `SYS_vfork`, `SYS_clone` or
/// `SYS_clone3` (any path ending so, e.g. `libc::SYS_fork`) creates a child;
/// with `CLONE_VM` in the flags (or `SYS_vfork`) the child shares the
/// parent's memory like `vfork`.
fn syscall_fork_kind(c: &syn::ExprCall) -> Option<ForkKind> {
    let syn::Expr::Path(p) = strip(c.args.first()?) else {
        return None;
    };
    let last = p.path.segments.last()?.ident.to_string();
    match last.as_str() {
        "SYS_fork" => Some(ForkKind::Fork),
        "SYS_vfork" => Some(ForkKind::Vfork),
        "SYS_clone" | "SYS_clone3" => {
            if c.args.iter().skip(1).any(mentions_clone_vm) {
                Some(ForkKind::Vfork)
            } else {
                Some(ForkKind::Fork)
            }
        }
        _ => None,
    }
}

/// Whether a flags expression names `CLONE_VM` (see [`syscall_fork_kind`]).
fn mentions_clone_vm(e: &syn::Expr) -> bool {
    struct V(bool);
    impl<'a> Visit<'a> for V {
        fn visit_path(&mut self, p: &'a syn::Path) {
            if p.segments.last().is_some_and(|s| s.ident == "CLONE_VM") {
                self.0 = true;
            }
        }
    }
    let mut v = V(false);
    v.visit_expr(e);
    v.0
}

/// The variable a pattern binds, for `let pid = fork()`.
fn pat_var(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::Ident(pi) if pi.subpat.is_none() => Some(pi.ident.to_string()),
        syn::Pat::Type(pt) => pat_var(&pt.pat),
        _ => None,
    }
}

/// Whether `e` is the variable `var` (through the result unwrapping of
/// [`unwrap_result`], `*` and `&`).
fn is_var(e: &syn::Expr, var: &str) -> bool {
    match unwrap_result(e) {
        syn::Expr::Path(p) => p.path.is_ident(var),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => is_var(&u.expr, var),
        syn::Expr::Reference(r) => is_var(&r.expr, var),
        _ => false,
    }
}

/// Tests of a variable in the statements after its binding.
struct VarTests<'a, 'v> {
    var: &'v str,
    /// `else if` links of chains already recorded (by address).
    chained: HashSet<*const syn::ExprIf>,
    ifs: Vec<&'a syn::ExprIf>,
    matches: Vec<&'a syn::ExprMatch>,
    let_elses: Vec<(&'a syn::Pat, &'a syn::Expr, &'a [syn::Stmt])>,
}

impl<'a> Visit<'a> for VarTests<'a, '_> {
    fn visit_expr_if(&mut self, i: &'a syn::ExprIf) {
        let tests_var = |i: &syn::ExprIf| match strip(&i.cond) {
            syn::Expr::Let(l) => is_var(&l.expr, self.var),
            syn::Expr::Binary(b) => is_var(&b.left, self.var) || is_var(&b.right, self.var),
            _ => false,
        };
        // The `else if`s of a chain are read with the chain's head.
        let in_chain = self.chained.contains(&(i as *const syn::ExprIf));
        let mut link = i;
        let mut any = tests_var(link);
        while let Some((_, e)) = &link.else_branch
            && let syn::Expr::If(next) = &**e
        {
            self.chained.insert(next as *const syn::ExprIf);
            any |= tests_var(next);
            link = next;
        }
        if any && !in_chain {
            self.ifs.push(i);
        }
        syn::visit::visit_expr_if(self, i);
    }

    fn visit_expr_match(&mut self, m: &'a syn::ExprMatch) {
        if is_var(&m.expr, self.var) {
            self.matches.push(m);
        }
        syn::visit::visit_expr_match(self, m);
    }

    fn visit_block(&mut self, b: &'a syn::Block) {
        for (i, s) in b.stmts.iter().enumerate() {
            if let syn::Stmt::Local(l) = s
                && let Some(init) = &l.init
                && let Some((_, els)) = &init.diverge
                && is_var(&init.expr, self.var)
            {
                self.let_elses
                    .push((&l.pat, els, b.stmts.get(i + 1..).unwrap_or(&[])));
            }
        }
        syn::visit::visit_block(self, b);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatClass {
    /// Matches the child's result.
    Child,
    /// Never matches the child's result.
    Parent,
    /// Matches anything (`_`, a binding).
    CatchAll,
}

/// What a pattern on a fork result matches.
fn classify(p: &syn::Pat) -> PatClass {
    match p {
        syn::Pat::Lit(l) => match &l.lit {
            syn::Lit::Int(i) if i.base10_digits() == "0" => PatClass::Child,
            _ => PatClass::Parent,
        },
        syn::Pat::Ident(pi) => match &pi.subpat {
            Some((_, sub)) => classify(sub),
            None if pi.ident == "Child" => PatClass::Child,
            None => PatClass::CatchAll,
        },
        syn::Pat::Wild(_) | syn::Pat::Rest(_) => PatClass::CatchAll,
        syn::Pat::Path(pp) => {
            if pp.path.segments.last().is_some_and(|s| s.ident == "Child") {
                PatClass::Child
            } else {
                PatClass::Parent
            }
        }
        syn::Pat::TupleStruct(ts) => {
            let last = ts
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            match last.as_str() {
                "Ok" => match ts.elems.first() {
                    Some(inner) if ts.elems.len() == 1 => classify(inner),
                    _ => PatClass::Parent,
                },
                "Child" => PatClass::Child,
                _ => PatClass::Parent,
            }
        }
        syn::Pat::Struct(s) => {
            if s.path.segments.last().is_some_and(|s| s.ident == "Child") {
                PatClass::Child
            } else {
                PatClass::Parent
            }
        }
        syn::Pat::Or(o) => {
            let classes: Vec<PatClass> = o.cases.iter().map(classify).collect();
            if classes.contains(&PatClass::Child) {
                PatClass::Child
            } else if classes.contains(&PatClass::CatchAll) {
                PatClass::CatchAll
            } else {
                PatClass::Parent
            }
        }
        syn::Pat::Paren(p) => classify(&p.pat),
        syn::Pat::Reference(r) => classify(&r.pat),
        syn::Pat::Type(t) => classify(&t.pat),
        _ => PatClass::Parent,
    }
}

/// The arm of a `match` on a fork result that the child takes: the first
/// arm whose pattern matches the child's result (a catch-all without a guard
/// counts, since it is reached first).
fn child_arm(arms: &[syn::Arm]) -> Option<&syn::Arm> {
    arms.iter().find(|arm| match classify(&arm.pat) {
        PatClass::Child => true,
        PatClass::CatchAll => arm.guard.is_none(),
        PatClass::Parent => false,
    })
}

enum Cmp {
    ThenChild,
    ElseChild,
    Neither,
}

/// `pid == 0`, `pid != 0`, `pid > 0`, `pid < 0`, `pid == -1`, mirrored too.
fn comparison(b: &syn::ExprBinary, is_subject: &dyn Fn(&syn::Expr) -> bool) -> Option<Cmp> {
    use syn::BinOp as B;
    let (lit, flipped) = if is_subject(&b.left) {
        (literal_int(&b.right)?, false)
    } else if is_subject(&b.right) {
        (literal_int(&b.left)?, true)
    } else {
        return None;
    };
    // Normalise to `subject OP lit`.
    let op = match (&b.op, flipped) {
        (B::Eq(_), _) => "==",
        (B::Ne(_), _) => "!=",
        (B::Gt(_), false) | (B::Lt(_), true) => ">",
        (B::Lt(_), false) | (B::Gt(_), true) => "<",
        (B::Ge(_), false) | (B::Le(_), true) => ">=",
        (B::Le(_), false) | (B::Ge(_), true) => "<=",
        _ => return None,
    };
    // Does the child's value 0 satisfy the condition, and is it the only
    // non-negative value that does?
    let holds = match op {
        "==" => lit == 0,
        "!=" => lit != 0,
        ">" => 0 > lit,
        "<" => 0 < lit,
        ">=" => 0 >= lit,
        _ => 0 <= lit,
    };
    Some(match (op, holds) {
        ("==", true) | ("<=", true) => Cmp::ThenChild,
        ("!=", false) | (">", false) | (">=", false) => Cmp::ElseChild,
        ("<", true) if lit == 1 => Cmp::ThenChild,
        _ => Cmp::Neither,
    })
}

/// An integer literal, possibly negative.
fn literal_int(e: &syn::Expr) -> Option<i128> {
    match strip(e) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<i128>().ok(),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            literal_int(&u.expr).map(|v| -v)
        }
        _ => None,
    }
}

/// Walks one region and turns what it finds into findings.
pub(crate) fn analyze(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    env: &Env,
    region: &Region<'_>,
) -> Vec<RawFinding> {
    let region_step = Step {
        label: region.label.clone(),
        site: region.site,
    };
    let (live, escapes, events) = match &region.body {
        Body::Fn(id) => {
            let Some(def) = ctx.fn_def(*id) else {
                return Vec::new();
            };
            let fctx = FnCtx::of(&def);
            let fenv = env_of(ctx, &fctx, Some(&def.sig), &def.block);
            let mut w = Walker::new(ctx, fctx, fenv, region.vfork);
            w.push_allows(&def.attrs);
            let live = w.block(&def.block);
            let unresolved = std::mem::take(&mut w.unresolved);
            let result = (live, w.escapes, std::mem::take(&mut w.events));
            ctx.unresolved.extend(unresolved);
            result
        }
        body => {
            let mut w = Walker::new(ctx, f.clone(), env.clone(), region.vfork);
            let live = match body {
                Body::Block(b) => w.block(b),
                Body::Expr(e) => w.expr(e),
                Body::Stmts(s) => w.stmts(s),
                Body::Closure(c) => {
                    w.push_allows(&c.attrs);
                    w.expr(&c.body)
                }
                Body::OwnedClosure(c) => {
                    w.push_allows(&c.attrs);
                    w.expr(&c.body)
                }
                Body::OwnedExpr(e) => w.expr(e),
                Body::Fn(_) => true,
            };
            let unresolved = std::mem::take(&mut w.unresolved);
            let result = (live, w.escapes, std::mem::take(&mut w.events));
            ctx.unresolved.extend(unresolved);
            result
        }
    };
    let mut out: Vec<RawFinding> = events
        .iter()
        .map(|e| RawFinding {
            rule: e.rule(),
            level: e.level(),
            site: e.site,
            message: e.message(),
            help: e.hazard.help.clone(),
            chain: e.chain(),
            region: Some(region_step.clone()),
        })
        .collect();
    if region.fallthrough && (live || escapes) {
        let message = if live {
            "the child branch can reach its end without exec or `_exit`, so the child goes on to run the parent's code and destructors"
        } else {
            "the child branch can leave early (`return`, `?`, `break`) without exec or `_exit`, so the child goes on to run the parent's code and destructors"
        };
        out.push(RawFinding {
            rule: RuleId::Fallthrough,
            level: Level::Error,
            site: region.site,
            message: message.to_string(),
            help: Some("end every path of the child branch with `libc::_exit(..)`, also after a failed exec".to_string()),
            chain: Vec::new(),
            region: Some(region_step),
        });
    }
    out
}

/// Finds and analyzes every region of one function of the crate.
pub(crate) fn check_fn(ctx: &mut Ctx<'_>, id: FnId) -> Vec<RawFinding> {
    let Some(def) = ctx.fn_def(id) else {
        return Vec::new();
    };
    let f = FnCtx::of(&def);
    let mut finder = Finder::new(ctx, f.clone(), Some(&def.sig), Some(&def.block));
    let marked = finder.has_marker(&def.attrs);
    finder.visit_block(&def.block);
    let mut regions = std::mem::take(&mut finder.regions);
    if regions.is_empty() && !marked {
        return Vec::new();
    }
    let env = finder.env().clone();
    if marked {
        regions.push(Region {
            body: Body::Fn(id),
            vfork: false,
            fallthrough: false,
            label: "child code starts here (#[fork_guard::child])".to_string(),
            site: Site {
                file: def.file,
                span: def.sig.ident.span(),
            },
        });
    }
    let mut out = Vec::new();
    for r in &regions {
        out.extend(analyze(ctx, &f, &env, r));
    }
    out
}

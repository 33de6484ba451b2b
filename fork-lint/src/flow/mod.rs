//! The flow-sensitive child-code analysis: which program points of a
//! function run in a forked child.
//!
//! The fact at each program point is a small set of [`World`]s: one per
//! process that can be there (the parent, or a child opened by a given fork
//! site), each with the [`Shape`]s of the fork-derived values it holds. A
//! fork call splits a world in two (the child sees `0`/`Ok(Child)`, the
//! parent the rest, as `knowledge::fork_results` says); tests on those values
//! (`pid == 0`, `match`, `if let`, `let .. else`, `?`, `.is_some()`,
//! `.is_child()`) refine the worlds on each edge; worlds of the same process
//! are joined where control merges. Code evaluated in a child world is child
//! code: its calls, method calls and macros are recorded in [`Marks`], which
//! the hazard walker (`summaries::Walker`) then judges.
//!
//! Calls into the crate are interprocedural: a function called with a
//! fork-derived argument, or one that may fork ([`Cache::fork_names`]), is
//! analysed in that context and its exits come back to the caller as worlds
//! ([`CalleeFlow`]), so wrappers such as `fn fork_checked() -> Result<Option<
//! pid_t>>` compose at any depth. A function that returns to its caller in
//! the child is a fork wrapper: its callers' handling decides. When the
//! child's return value cannot be told apart from the parent's, nobody can
//! decide, and the child's exit is a `fallthrough` at the line where it
//! leaves.
//!
//! Callbacks are learnt as the analysis goes ([`Cache::child_params`],
//! [`Cache::child_fields`]): a parameter or a field whose closure runs in a
//! child makes the closures given there child code, and the engine analyses
//! the roots again while this knowledge grows.
//!
//! The module is split in four: [`value`] (the lattice of shapes and how
//! patterns refine them), [`pointers`] (closures and functions that travel
//! as raw pointers or integers: `clone` trampolines, `f as usize`),
//! [`params`] (fork results received as parameters) and this
//! file (worlds, the interpreter over `syn`, the per-function results and
//! their cache).

mod params;
mod pointers;
pub(crate) mod value;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::index::{Ctx, FnId, Site};
use crate::knowledge::fork_results::{DIVERGING_MACROS, fork_result};
use crate::knowledge::{ApiEntry, ForkKind, Verdict};
use crate::resolve::{FnCtx, Target, path_is, resolve, resolve_macro, segments};
use crate::types::{Env, env_of, expr_guess, strip};
pub(crate) use value::Shape;

/// Identifies an [`Origin`] within one analysis.
pub(crate) type OriginId = u32;

/// Where a child starts: a fork site, a callback, a marker.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// e.g. `child process starts here (libc::fork)`.
    pub label: String,
    pub site: Site,
    pub vfork: bool,
    /// The fork function's path, for wrappers' labels (`None` for
    /// callbacks).
    pub fork_path: Option<String>,
    /// Its exits were already reported as `fallthrough` in a callee.
    pub reported: bool,
}

/// What the hazard walker needs to know about one function body.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    /// Calls, method calls and macros (by address) evaluated in a child,
    /// with the first child origin seen there.
    pub nodes: HashMap<usize, OriginId>,
    /// Calls analysed in the context of their arguments: the walker follows
    /// them with the callee's own marks instead of its whole-body summary.
    pub callees: HashMap<usize, Rc<CalleeFlow>>,
    pub origins: Vec<Origin>,
    /// Closures bound by a `let` in child code: walked where written, not
    /// followed where called.
    pub walked_closures: HashSet<String>,
    /// Scope ends a child reaches (by address: a block's closing brace, a
    /// `match` arm's end, a `for` loop's end), where the values that go out
    /// of scope are dropped in the child (see `crate::frees`).
    pub ends: HashMap<usize, OriginId>,
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.callees.is_empty()
    }
}

/// One way out of a function.
#[derive(Debug, Clone)]
pub(crate) struct Exit {
    /// Leaves in a child process.
    pub child: bool,
    /// The fork that made it a child, when that happened inside.
    pub fork_path: Option<String>,
    pub vfork: bool,
    /// The value returned.
    pub ret: Shape,
    /// Where it leaves: a `return`, a `?`, the end of a branch.
    pub site: Span,
    pub how: Leave,
    /// A child exit the caller cannot tell from a parent's: the child runs
    /// on in the caller by mistake (reported here, not followed there).
    pub fallthrough: bool,
}

/// How control leaves a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leave {
    Return,
    Question,
    End,
}

/// The result of analysing a function in one calling context.
#[derive(Debug)]
pub(crate) struct CalleeFlow {
    pub id: FnId,
    pub marks: Rc<Marks>,
    pub exits: Vec<Exit>,
}

/// The analysis of a function as a root (called from parent code).
pub(crate) struct RootFlow {
    pub marks: Rc<Marks>,
    /// Child exits that are not a wrapper's by design.
    pub fallthroughs: Vec<(Exit, OriginId)>,
    /// Functions that run whole in a child (callbacks by path).
    pub fn_regions: Vec<(FnId, Origin)>,
    /// Code the walker must judge whole, parsed from a marker macro.
    pub owned_regions: Vec<(syn::Expr, Origin)>,
}

/// Per-crate memo of the flow analysis.
#[derive(Default)]
pub(crate) struct Cache {
    /// Last path segments of functions that may fork: the knowledge table's
    /// fork functions and, learnt by [`learn_fork_names`], the crate's
    /// wrappers of them. A call by another name is not followed from parent
    /// code.
    pub fork_names: HashSet<String>,
    /// Last path segments of functions that run a callback in a child
    /// (`clone`, `pthread_atfork`): calls by these names are examined in
    /// parent code too.
    callback_names: HashSet<String>,
    learnt: HashSet<FnId>,
    /// Whether a closure bound to a name can return (by name, per function
    /// body analysed).
    closure_returns: HashMap<usize, bool>,
    callee: HashMap<(FnId, bool, Vec<Shape>), Rc<CalleeFlow>>,
    in_progress: HashSet<(FnId, bool, Vec<Shape>)>,
    /// What each expansion of the crate's own macros does to control flow
    /// (by the expansion's address; expansions are memoised in `Ctx`).
    macro_effects: HashMap<usize, MacroEffect>,
    /// Functions called from child code somewhere (see
    /// `regions::RawFinding::leaves_fn`).
    pub called_from_child: HashSet<FnId>,
    /// Parameters whose closure argument runs in a child: (function,
    /// position), learnt where child code calls a parameter or hands it
    /// to `pre_exec`/`clone`.
    pub child_params: HashSet<(FnId, usize)>,
    /// Parameters called in a child that the function did not open itself
    /// (it was called from child code, or runs whole in a child, like a
    /// `clone` trampoline): a closure argument runs in a child only where
    /// the call is made in one.
    pub inherited_params: HashSet<(FnId, usize)>,
    /// How a parameter of `child_params` reaches a child, when a region's
    /// label should say (via fn pointer `f as usize`).
    pub slot_notes: HashMap<(FnId, usize), String>,
    /// Fields whose closure runs in a child (called in child code, or handed
    /// to `pre_exec`/`clone`); closures stored into them are child code.
    pub child_fields: HashSet<String>,
    /// Signatures of the function pointers that child code makes from
    /// numbers with `transmute` and calls (see [`pointers`]).
    fn_ptr_calls: HashSet<pointers::FnSig>,
    /// `child_fields`, `inherited_params` or `fn_ptr_calls` grew since the
    /// engine last looked: the roots are worth analysing again.
    pub changed: bool,
    /// Names of the functions of `child_params` already handed to the
    /// engine (see [`take_new_slot_names`]).
    slot_names_given: HashSet<String>,
}

impl Cache {
    /// Whether something learnt since the last call makes the roots worth
    /// analysing again (resets the flag).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Whether child code somewhere calls `id` (its own exits are then not
    /// fallthroughs: see `regions::RawFinding::leaves_fn`).
    pub fn is_called_from_child(&self, id: FnId) -> bool {
        self.called_from_child.contains(&id)
    }
}

const MAX_CALL_DEPTH: usize = 12;
const MAX_EXPR_DEPTH: usize = 160;
const MAX_LOOP_ROUNDS: usize = 4;
const MAX_ARGS: usize = 8;

/// Seeds [`Cache::fork_names`] from the knowledge table.
pub(crate) fn seed_fork_names(ctx: &mut Ctx<'_>) {
    if !ctx.flow.fork_names.is_empty() {
        return;
    }
    let name = |e: &ApiEntry| {
        matches!(e.verdict, Verdict::Fork(_))
            .then(|| e.path.rsplit("::").next().map(str::to_string))
            .flatten()
    };
    let mut names: HashSet<String> = crate::knowledge::builtin().filter_map(&name).collect();
    names.extend(ctx.opts.knowledge.extra.iter().filter_map(name));
    let callback = |e: &ApiEntry| {
        (matches!(e.verdict, Verdict::RunsInChild { .. })
            && matches!(e.kind, crate::knowledge::ApiKind::Function))
        .then(|| e.path.rsplit("::").next().map(str::to_string))
        .flatten()
    };
    ctx.flow.callback_names = crate::knowledge::builtin().filter_map(&callback).collect();
    let extra: Vec<String> = ctx
        .opts
        .knowledge
        .extra
        .iter()
        .filter_map(callback)
        .collect();
    ctx.flow.callback_names.extend(extra);
    // `libc::syscall(SYS_fork, ..)`.
    names.insert("syscall".to_string());
    ctx.flow.fork_names = names;
}

/// Learns which of `fns` may fork (they call a function named in
/// [`Cache::fork_names`]), adding their names; returns the names learnt.
pub(crate) fn learn_fork_names(ctx: &mut Ctx<'_>, fns: &[FnId]) -> Vec<String> {
    seed_fork_names(ctx);
    let mut learnt = Vec::new();
    loop {
        let mut changed = false;
        for &id in fns {
            if ctx.flow.learnt.contains(&id) {
                continue;
            }
            let Some(def) = ctx.fn_def(id) else { continue };
            if calls_named(&def.block, &ctx.flow.fork_names) {
                ctx.flow.learnt.insert(id);
                if ctx.flow.fork_names.insert(def.name.clone()) {
                    learnt.push(def.name.clone());
                }
                changed = true;
            }
        }
        if !changed {
            return learnt;
        }
    }
}

/// Whether a block calls a function whose last path segment (or a method
/// whose name) is in `names`.
fn calls_named(b: &syn::Block, names: &HashSet<String>) -> bool {
    use syn::visit::Visit;
    struct V<'n> {
        names: &'n HashSet<String>,
        hit: bool,
    }
    impl<'a> Visit<'a> for V<'_> {
        fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
            if let syn::Expr::Path(p) = strip(&c.func)
                && p.path
                    .segments
                    .last()
                    .is_some_and(|s| self.names.contains(&s.ident.to_string()))
            {
                self.hit = true;
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            if matches!(strip(&m.receiver), syn::Expr::Path(p) if p.path.is_ident("self"))
                && self.names.contains(&m.method.to_string())
            {
                self.hit = true;
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut v = V { names, hit: false };
    v.visit_block(b);
    v.hit
}

/// Names of functions newly found to run a closure argument in a child.
pub(crate) fn take_new_slot_names(ctx: &mut Ctx<'_>) -> Vec<String> {
    let ids: Vec<FnId> = ctx.flow.child_params.iter().map(|(id, _)| *id).collect();
    let mut out = Vec::new();
    for id in ids {
        if let Some(def) = ctx.fn_def(id)
            && ctx.flow.slot_names_given.insert(def.name.clone())
        {
            // Calls by this name are examined in parent code from now on.
            ctx.flow.callback_names.insert(def.name.clone());
            out.push(def.name.clone());
        }
    }
    out.sort();
    out
}

/// The position of `name` among the parameters of the function `id`
/// (a receiver counts as position 0, as in call arguments of a path call).
fn param_index(ctx: &Ctx<'_>, id: Option<FnId>, name: &str) -> Option<usize> {
    let def = ctx.fn_def(id?)?;
    def.sig.inputs.iter().position(|a| match a {
        syn::FnArg::Typed(pt) => matches!(&*pt.pat, syn::Pat::Ident(pi) if pi.ident == name),
        syn::FnArg::Receiver(_) => false,
    })
}

/// Analyses a function of the crate as a root: entered from parent code,
/// its parameters unknown.
pub(crate) fn analyze_root(ctx: &mut Ctx<'_>, id: FnId) -> Option<RootFlow> {
    seed_fork_names(ctx);
    let def = ctx.fn_def(id)?;
    let f = FnCtx::of(&def);
    let mut it = Interp::new(ctx, f, Some(&def.sig), &def.block, 0);
    it.fn_id = Some(id);
    let st = params::root_worlds(&mut it, &def);
    let end = it.block(&def.block, st);
    let exits = it.exits(end, def.block.brace_token.span.close());
    let Interp {
        marks,
        fn_regions,
        owned_regions,
        ..
    } = it;
    let mut fallthroughs = Vec::new();
    for (exit, origin) in exits {
        if exit.fallthrough
            && let Some(o) = origin
        {
            fallthroughs.push((exit, o));
        }
    }
    Some(RootFlow {
        marks: Rc::new(marks),
        fallthroughs,
        fn_regions,
        owned_regions,
    })
}

/// Analyses a function entered in the given context (memoised).
fn analyze_callee(
    ctx: &mut Ctx<'_>,
    id: FnId,
    child: bool,
    args: Vec<Shape>,
    depth: usize,
) -> Option<Rc<CalleeFlow>> {
    let key = (id, child, args);
    if let Some(hit) = ctx.flow.callee.get(&key) {
        return Some(hit.clone());
    }
    if depth > MAX_CALL_DEPTH || ctx.flow.in_progress.contains(&key) {
        return None;
    }
    let def = ctx.fn_def(id)?;
    ctx.flow.in_progress.insert(key.clone());
    let f = FnCtx::of(&def);
    let mut it = Interp::new(ctx, f, Some(&def.sig), &def.block, depth);
    it.fn_id = Some(id);
    let mut w = if child {
        let o = it.origin(Origin {
            label: "child code starts here".to_string(),
            site: Site {
                file: def.file,
                span: def.sig.ident.span(),
            },
            vfork: false,
            fork_path: None,
            reported: false,
        });
        it.inherited = Some(o);
        World::child(o)
    } else {
        World::parent()
    };
    // Parameters, by position (a method's receiver is not tracked).
    // Parameters by position; a method's receiver is `self`.
    for (input, shape) in def.sig.inputs.iter().zip(key.2.iter()) {
        match input {
            syn::FnArg::Typed(pt) => {
                for (name, s) in shape.match_pat(&pt.pat).binds {
                    w.set(name, s);
                }
            }
            syn::FnArg::Receiver(_) => w.set("self".to_string(), shape.clone()),
        }
    }
    let end = it.block(&def.block, vec![w]);
    let exits = it.exits(end, def.block.brace_token.span.close());
    let flow = Rc::new(CalleeFlow {
        id,
        marks: Rc::new(std::mem::take(&mut it.marks)),
        exits: exits.into_iter().map(|(e, _)| e).collect(),
    });
    ctx.flow.in_progress.remove(&key);
    ctx.flow.callee.insert(key, flow.clone());
    Some(flow)
}

/// What an expansion of one of the crate's macros does to control flow.
#[derive(Debug, Clone)]
struct MacroEffect {
    /// Control can go on after it.
    continues: bool,
    /// It can leave the function (`return`, `?`), with these values.
    returns: Vec<(Shape, Leave)>,
}

/// One process that can be at a program point.
#[derive(Debug, Clone)]
struct World {
    /// `Some`: a child, opened at this origin; `None`: the parent (or a
    /// process that has not forked).
    child: Option<OriginId>,
    vars: BTreeMap<String, Shape>,
    /// The end of the last branch the child fell out of.
    leave: Option<Span>,
}

/// Equal processes with equal values (where they left a branch does not
/// matter for the fixpoint).
impl PartialEq for World {
    fn eq(&self, other: &World) -> bool {
        self.child == other.child && self.vars == other.vars
    }
}

impl World {
    fn parent() -> World {
        World {
            child: None,
            vars: BTreeMap::new(),
            leave: None,
        }
    }

    fn child(o: OriginId) -> World {
        World {
            child: Some(o),
            ..World::parent()
        }
    }

    fn set(&mut self, name: String, s: Shape) {
        if s.is_any() {
            self.vars.remove(&name);
        } else {
            self.vars.insert(name, s);
        }
    }

    /// Joins another world of the same process into this one.
    fn join(&mut self, other: &World) {
        let keys: Vec<String> = self.vars.keys().cloned().collect();
        for k in keys {
            let joined = match (self.vars.get(&k), other.vars.get(&k)) {
                (Some(a), Some(b)) => a.or(b),
                _ => Shape::Any,
            };
            self.set(k, joined);
        }
        if self.leave.is_none() {
            self.leave = other.leave;
        }
    }
}

type State = Vec<World>;
/// Worlds with the value of the expression in each.
type Flow = Vec<(World, Shape)>;

/// Joins worlds of the same process.
fn norm(st: State) -> State {
    let mut out: Vec<World> = Vec::new();
    for w in st {
        match out.iter_mut().find(|o| o.child == w.child) {
            Some(o) => o.join(&w),
            None => out.push(w),
        }
    }
    out
}

fn norm_flow(fl: Flow) -> Flow {
    let mut out: Flow = Vec::new();
    for (w, s) in fl {
        match out.iter_mut().find(|(o, _)| o.child == w.child) {
            Some((o, os)) => {
                o.join(&w);
                *os = os.or(&s);
            }
            None => out.push((w, s)),
        }
    }
    out
}

fn worlds(fl: Flow) -> State {
    norm(fl.into_iter().map(|(w, _)| w).collect())
}

fn with(st: State, s: Shape) -> Flow {
    st.into_iter().map(|w| (w, s.clone())).collect()
}

/// A loop or a labelled block.
struct Frame {
    label: Option<String>,
    is_loop: bool,
    breaks: Flow,
    continues: State,
}

/// The interpreter for one function body.
struct Interp<'a, 'c, 'o> {
    ctx: &'c mut Ctx<'o>,
    f: FnCtx,
    sig: Option<&'a syn::Signature>,
    body: &'a syn::Block,
    env: Option<Env>,
    marks: Marks,
    returns: Vec<(World, Shape, Span, Leave)>,
    frames: Vec<Frame>,
    closures: HashMap<String, &'a syn::ExprClosure>,
    fn_values: HashMap<String, FnId>,
    fn_regions: Vec<(FnId, Origin)>,
    owned_regions: Vec<(syn::Expr, Origin)>,
    /// A fork has happened in this body (calls in parent code matter then).
    forked: bool,
    /// Evaluating only to learn whether code returns: record no marks.
    quiet: bool,
    /// The function being analysed (for its parameters' closure slots).
    fn_id: Option<FnId>,
    /// Variables bound from a field (`let h = self.hook.take()`), by name.
    var_fields: HashMap<String, String>,
    /// Variables bound through a pointer to what it points at (`let f =
    /// Box::from_raw(arg as *mut F)`: `arg`), see [`pointers`].
    aliases: HashMap<String, &'a syn::Expr>,
    /// Variables holding a function pointer made by `transmute`.
    fn_ptr_vars: HashMap<String, pointers::FnSig>,
    /// The child this function was entered in, when analysed as called
    /// from child code (its parameters' closures are then the caller's).
    inherited: Option<OriginId>,
    call_depth: usize,
    expr_depth: usize,
}

impl<'a, 'c, 'o> Interp<'a, 'c, 'o> {
    fn new(
        ctx: &'c mut Ctx<'o>,
        f: FnCtx,
        sig: Option<&'a syn::Signature>,
        body: &'a syn::Block,
        call_depth: usize,
    ) -> Self {
        Interp {
            ctx,
            f,
            sig,
            body,
            env: None,
            marks: Marks::default(),
            returns: Vec::new(),
            frames: Vec::new(),
            closures: HashMap::new(),
            fn_values: HashMap::new(),
            fn_regions: Vec::new(),
            owned_regions: Vec::new(),
            forked: false,
            quiet: false,
            fn_id: None,
            var_fields: HashMap::new(),
            aliases: HashMap::new(),
            fn_ptr_vars: HashMap::new(),
            inherited: None,
            call_depth,
            expr_depth: 0,
        }
    }

    fn site(&self, span: Span) -> Site {
        Site {
            file: self.f.file,
            span,
        }
    }

    fn origin(&mut self, o: Origin) -> OriginId {
        if let Some(i) = self
            .marks
            .origins
            .iter()
            .position(|x| x.label == o.label && same_site(&x.site, &o.site))
        {
            return i as OriginId;
        }
        self.marks.origins.push(o);
        (self.marks.origins.len() - 1) as OriginId
    }

    fn env(&mut self) -> Env {
        if self.env.is_none() {
            let env = env_of(self.ctx, &self.f, self.sig, self.body);
            self.env = Some(env);
        }
        self.env.clone().unwrap_or_default()
    }

    /// Records that `node` runs in a child when some world is one.
    fn mark(&mut self, node: usize, st: &State) {
        if self.quiet {
            return;
        }
        if let Some(o) = st.iter().find_map(|w| w.child) {
            self.marks.nodes.entry(node).or_insert(o);
        }
    }

    /// Records that a child reaches the scope end `node` (see
    /// [`Marks::ends`]).
    fn mark_end(&mut self, node: usize, fl: &Flow) {
        if self.quiet {
            return;
        }
        if let Some(o) = fl.iter().find_map(|(w, _)| w.child) {
            self.marks.ends.entry(node).or_insert(o);
        }
    }

    /// The ways out of the function: the returns, and `end` (the worlds
    /// reaching the closing brace).
    fn exits(&mut self, end: Flow, close: Span) -> Vec<(Exit, Option<OriginId>)> {
        let mut all: Vec<(World, Shape, Span, Leave)> = std::mem::take(&mut self.returns);
        for (w, s) in end {
            let site = w.leave.unwrap_or(close);
            all.push((w, s, site, Leave::End));
        }
        let mut out: Vec<(Exit, Option<OriginId>)> = Vec::new();
        for (w, ret, site, how) in all {
            let origin = w.child.and_then(|o| self.marks.origins.get(o as usize));
            let fork_path = origin.and_then(|o| o.fork_path.clone());
            let vfork = origin.is_some_and(|o| o.vfork);
            let exit = Exit {
                child: w.child.is_some(),
                fork_path,
                vfork,
                ret,
                site,
                how,
                fallthrough: false,
            };
            match out.iter_mut().find(|(e, _)| {
                e.child == exit.child && e.site.start() == exit.site.start() && e.how == exit.how
            }) {
                Some((e, _)) => e.ret = e.ret.or(&exit.ret),
                None => out.push((exit, w.child)),
            }
        }
        // A child exit is a wrapper's by design when its value cannot be a
        // parent's (or the parent never returns).
        // A daemonizer's child is the program from then on: what it returns
        // is the daemon's business. Only values known on both sides count:
        // an unknown value may well tell them apart (precision first).
        let daemon = daemon_like(&out.iter().map(|e| e.0.clone()).collect::<Vec<_>>());
        let parents: Vec<Shape> = out
            .iter()
            .filter(|e| !e.0.child && !e.0.ret.is_any())
            .map(|e| e.0.ret.clone())
            .collect();
        if !parents.is_empty() && !daemon {
            let parent_rets = Shape::union(parents);
            for (e, o) in &mut out {
                let reported = o
                    .and_then(|o| self.marks.origins.get(o as usize))
                    .is_some_and(|o| o.reported);
                e.fallthrough =
                    e.child && !reported && !e.ret.is_any() && !e.ret.disjoint(&parent_rets);
            }
        }
        out
    }

    // ---- statements ----

    fn block(&mut self, b: &'a syn::Block, st: State) -> Flow {
        let fl = self.stmts(&b.stmts, st);
        self.mark_end(b as *const syn::Block as usize, &fl);
        fl
    }

    fn stmts(&mut self, stmts: &'a [syn::Stmt], mut st: State) -> Flow {
        let mut value = Shape::unit();
        for (i, s) in stmts.iter().enumerate() {
            if st.is_empty() {
                return Vec::new();
            }
            let last = i + 1 == stmts.len();
            match s {
                syn::Stmt::Local(l) => st = self.local(l, st),
                syn::Stmt::Item(_) => {}
                syn::Stmt::Expr(e, semi) => {
                    let fl = self.eval(e, st);
                    if last && semi.is_none() {
                        return fl;
                    }
                    st = worlds(fl);
                }
                syn::Stmt::Macro(m) => {
                    let fl = self.mac(&m.mac, st);
                    if last && m.semi_token.is_none() {
                        return fl;
                    }
                    st = worlds(fl);
                }
            }
            value = Shape::unit();
        }
        with(st, value)
    }

    fn local(&mut self, l: &'a syn::Local, st: State) -> State {
        let Some(init) = &l.init else {
            return st;
        };
        // Closures and functions bound to a name, for callbacks.
        if let syn::Pat::Ident(pi) = &l.pat {
            let name = pi.ident.to_string();
            match strip(&init.expr) {
                _ if crate::types::closure_of(&init.expr).is_some() => {
                    if let Some(c) = crate::types::closure_of(&init.expr) {
                        self.closures.insert(name.clone(), c);
                    }
                    if st.iter().any(|w| w.child.is_some()) {
                        self.marks.walked_closures.insert(name.clone());
                    }
                }
                syn::Expr::Path(p) if p.qself.is_none() => {
                    if let Target::LocalFn(id) = resolve(self.ctx, &self.f, &segments(&p.path)) {
                        self.fn_values.insert(name.clone(), id);
                    }
                }
                _ => {}
            }
        }
        self.bind_from_field(&l.pat, &init.expr);
        self.bind_pointer(&l.pat, &init.expr);
        let fl = self.eval(&init.expr, st);
        let mut out = Vec::new();
        let mut els_in = Vec::new();
        for (mut w, s) in fl {
            let m = s.match_pat(&l.pat);
            if m.yes.is_some() || init.diverge.is_none() {
                let mut yes = w.clone();
                for n in pat_names(&l.pat) {
                    yes.vars.remove(&n);
                }
                for (n, s) in m.binds {
                    yes.set(n, s);
                }
                out.push(yes);
            }
            if init.diverge.is_some() && m.no.is_some() {
                w.leave = None;
                els_in.push(w);
            }
        }
        if let Some((_, els)) = &init.diverge
            && !els_in.is_empty()
        {
            out.extend(worlds(self.eval(els, norm(els_in))));
        }
        norm(out)
    }

    // ---- expressions ----

    fn eval(&mut self, e: &'a syn::Expr, st: State) -> Flow {
        if st.is_empty() {
            return Vec::new();
        }
        if self.expr_depth > MAX_EXPR_DEPTH {
            return with(st, Shape::Any);
        }
        self.expr_depth += 1;
        let fl = self.eval_inner(e, st);
        self.expr_depth -= 1;
        norm_flow(fl)
    }

    /// Evaluates for the effect only.
    fn run(&mut self, e: &'a syn::Expr, st: State) -> State {
        worlds(self.eval(e, st))
    }

    fn eval_inner(&mut self, e: &'a syn::Expr, st: State) -> Flow {
        use syn::Expr as E;
        match e {
            E::Lit(l) => {
                let s = match &l.lit {
                    syn::Lit::Int(i) => i
                        .base10_parse::<i128>()
                        .map(Shape::int)
                        .unwrap_or(Shape::Any),
                    syn::Lit::Bool(b) => Shape::bool(b.value),
                    _ => Shape::Any,
                };
                with(st, s)
            }
            E::Path(p) => {
                if p.qself.is_none()
                    && let Some(id) = p.path.get_ident()
                {
                    let name = id.to_string();
                    if is_variant_name(&name) {
                        return with(st, Shape::variant(&name, Vec::new()));
                    }
                    return st
                        .into_iter()
                        .map(|w| {
                            let s = w.vars.get(&name).cloned().unwrap_or(Shape::Any);
                            (w, s)
                        })
                        .collect();
                }
                let last = p
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if is_variant_name(&last) {
                    return with(st, Shape::variant(&last, Vec::new()));
                }
                with(st, Shape::Any)
            }
            E::Paren(p) => self.eval(&p.expr, st),
            E::Group(g) => self.eval(&g.expr, st),
            E::Reference(r) => self.eval(&r.expr, st),
            E::Cast(c) => {
                self.address_taken(c);
                self.eval(&c.expr, st)
            }
            E::Unary(u) => {
                let fl = self.eval(&u.expr, st);
                match u.op {
                    syn::UnOp::Deref(_) => fl,
                    syn::UnOp::Not(_) => fl.into_iter().map(|(w, s)| (w, s.not())).collect(),
                    _ => fl.into_iter().map(|(w, _)| (w, Shape::Any)).collect(),
                }
            }
            E::Block(b) => {
                if let Some(label) = &b.label {
                    self.frames.push(Frame {
                        label: Some(label.name.ident.to_string()),
                        is_loop: false,
                        breaks: Vec::new(),
                        continues: Vec::new(),
                    });
                    let mut fl = self.block(&b.block, st);
                    if let Some(frame) = self.frames.pop() {
                        fl.extend(frame.breaks);
                    }
                    return fl;
                }
                self.block(&b.block, st)
            }
            E::Unsafe(u) => self.block(&u.block, st),
            E::Const(c) => self.block(&c.block, st),
            E::Call(c) => self.call(c, st),
            E::MethodCall(m) => self.method_call(m, st),
            E::Macro(m) => self.mac(&m.mac, st),
            E::If(i) => self.if_expr(i, st),
            E::Match(m) => self.match_expr(m, st),
            E::Loop(l) => {
                let label = l.label.as_ref().map(|l| l.name.ident.to_string());
                self.looping(label, st, |it, st| worlds(it.block(&l.body, st)), false)
            }
            E::While(w) => {
                let label = w.label.as_ref().map(|l| l.name.ident.to_string());
                let (cond, body) = (&*w.cond, &w.body);
                self.looping(
                    label,
                    st,
                    |it, st| {
                        let (t, f) = it.cond(cond, st);
                        it.exits_here(f);
                        worlds(it.block(body, t))
                    },
                    false,
                )
            }
            E::ForLoop(fl) => {
                self.bind_from_field(&fl.pat, &fl.expr);
                let st = self.run(&fl.expr, st);
                let label = fl.label.as_ref().map(|l| l.name.ident.to_string());
                let (pat, body) = (&*fl.pat, &fl.body);
                let out = self.looping(
                    label,
                    st,
                    |it, mut st| {
                        for w in &mut st {
                            for n in pat_names(pat) {
                                w.vars.remove(&n);
                            }
                        }
                        worlds(it.block(body, st))
                    },
                    true,
                );
                self.mark_end(fl as *const syn::ExprForLoop as usize, &out);
                out
            }
            E::Return(r) => {
                let fl = match &r.expr {
                    Some(v) => self.eval(v, st),
                    None => with(st, Shape::unit()),
                };
                for (w, s) in fl {
                    self.returns.push((w, s, r.span(), Leave::Return));
                }
                Vec::new()
            }
            E::Break(b) => {
                let fl = match &b.expr {
                    Some(v) => self.eval(v, st),
                    None => with(st, Shape::unit()),
                };
                let label = b.label.as_ref().map(|l| l.ident.to_string());
                if let Some(frame) = self.frame(label.as_deref(), false) {
                    frame.breaks.extend(fl);
                }
                Vec::new()
            }
            E::Continue(c) => {
                let label = c.label.as_ref().map(|l| l.ident.to_string());
                if let Some(frame) = self.frame(label.as_deref(), true) {
                    frame.continues.extend(st);
                }
                Vec::new()
            }
            E::Try(t) => {
                let fl = self.eval(&t.expr, st);
                let mut out = Vec::new();
                for (w, s) in fl {
                    let (go, leave) = s.unwrap_ok();
                    if let Some(l) = leave {
                        self.returns
                            .push((w.clone(), l, t.question_token.span(), Leave::Question));
                    }
                    if let Some(g) = go {
                        out.push((w, g));
                    }
                }
                out
            }
            E::Assign(a) => {
                if let Some(field) = field_of(&a.left) {
                    self.store_into(&field, &a.right, a.span());
                }
                let fl = self.eval(&a.right, st);
                match strip(&a.left) {
                    syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                        let name = p.path.segments[0].ident.to_string();
                        fl.into_iter()
                            .map(|(mut w, s)| {
                                w.set(name.clone(), s);
                                (w, Shape::unit())
                            })
                            .collect()
                    }
                    left => {
                        let st = worlds(fl);
                        with(self.run(left, st), Shape::unit())
                    }
                }
            }
            E::Binary(b) if is_logic_or_compare(&b.op) => {
                let (t, f) = self.cond(e, st);
                let mut out = with(t, Shape::bool(true));
                out.extend(with(f, Shape::bool(false)));
                out
            }
            E::Let(_) => {
                let (t, f) = self.cond(e, st);
                let mut out = with(t, Shape::bool(true));
                out.extend(with(f, Shape::bool(false)));
                out
            }
            E::Binary(b) => {
                let st = self.run(&b.left, st);
                with(self.run(&b.right, st), Shape::Any)
            }
            E::Closure(c) => {
                // A closure written in child code runs there (when called).
                let child: State = st.iter().filter(|w| w.child.is_some()).cloned().collect();
                if !child.is_empty() {
                    self.closure_body(c, child);
                }
                with(st, Shape::Any)
            }
            E::Field(f) => with(self.run(&f.base, st), Shape::Any),
            E::Index(i) => {
                let st = self.run(&i.expr, st);
                with(self.run(&i.index, st), Shape::Any)
            }
            E::Tuple(t) if t.elems.is_empty() => with(st, Shape::unit()),
            E::Tuple(t) => with(self.run_all(t.elems.iter(), st), Shape::Any),
            E::Array(a) => with(self.run_all(a.elems.iter(), st), Shape::Any),
            E::Struct(s) => {
                for fv in &s.fields {
                    if let syn::Member::Named(n) = &fv.member {
                        self.store_into(&n.to_string(), &fv.expr, fv.expr.span());
                    }
                }
                let mut st = self.run_all(s.fields.iter().map(|f| &f.expr), st);
                if let Some(rest) = &s.rest {
                    st = self.run(rest, st);
                }
                with(st, Shape::Any)
            }
            E::Range(r) => {
                let mut st = st;
                if let Some(s) = &r.start {
                    st = self.run(s, st);
                }
                if let Some(s) = &r.end {
                    st = self.run(s, st);
                }
                with(st, Shape::Any)
            }
            E::Repeat(r) => with(self.run(&r.expr, st), Shape::Any),
            E::Await(a) => with(self.run(&a.base, st), Shape::Any),
            _ => with(st, Shape::Any),
        }
    }

    fn run_all(&mut self, es: impl IntoIterator<Item = &'a syn::Expr>, mut st: State) -> State {
        for e in es {
            st = self.run(e, st);
        }
        st
    }

    /// The innermost frame a `break`/`continue` with `label` goes to.
    fn frame(&mut self, label: Option<&str>, continue_: bool) -> Option<&mut Frame> {
        self.frames
            .iter_mut()
            .rev()
            .find(|f| match label {
                Some(l) => f.label.as_deref() == Some(l),
                None => f.is_loop,
            })
            .filter(|f| !continue_ || f.is_loop)
    }

    /// Worlds leaving a `while` loop by its condition.
    fn exits_here(&mut self, st: State) {
        if let Some(f) = self.frames.last_mut() {
            f.breaks.extend(with(st, Shape::unit()));
        }
    }

    /// Runs a loop body to a fixpoint of the worlds at its head.
    fn looping(
        &mut self,
        label: Option<String>,
        st: State,
        mut body: impl FnMut(&mut Self, State) -> State,
        falls_out: bool,
    ) -> Flow {
        let mut head = norm(st.clone());
        let mut out: Flow = Vec::new();
        for round in 0..MAX_LOOP_ROUNDS {
            self.frames.push(Frame {
                label: label.clone(),
                is_loop: true,
                breaks: Vec::new(),
                continues: Vec::new(),
            });
            let end = body(self, head.clone());
            let frame = self.frames.pop();
            let mut next = head.clone();
            next.extend(end);
            if let Some(frame) = frame {
                next.extend(frame.continues);
                out.extend(frame.breaks);
            }
            let mut next = norm(next);
            if round + 1 == MAX_LOOP_ROUNDS {
                // Not stable yet: forget the values, keep the processes.
                for w in &mut next {
                    w.vars.clear();
                }
            }
            if next == head {
                break;
            }
            head = next;
        }
        if falls_out {
            out.extend(with(head, Shape::unit()));
        }
        norm_flow(out)
    }

    fn if_expr(&mut self, i: &'a syn::ExprIf, st: State) -> Flow {
        let (t, f) = self.cond(&i.cond, st);
        let close = i.then_branch.brace_token.span.close();
        let mut out = leave_at(self.block(&i.then_branch, t), close);
        match &i.else_branch {
            Some((_, els)) => {
                let fl = self.eval(els, f);
                let fl = match &**els {
                    syn::Expr::Block(b) => leave_at(fl, b.block.brace_token.span.close()),
                    _ => fl,
                };
                out.extend(fl);
            }
            None => out.extend(with(f, Shape::unit())),
        }
        out
    }

    fn match_expr(&mut self, m: &'a syn::ExprMatch, st: State) -> Flow {
        let fl = self.eval(&m.expr, st);
        let var = var_name(&m.expr);
        let mut rest: Flow = fl;
        let mut out = Vec::new();
        for arm in &m.arms {
            if rest.is_empty() {
                break;
            }
            let mut yes = Vec::new();
            let mut no = Vec::new();
            for (w, s) in rest {
                let mt = s.match_pat(&arm.pat);
                if let Some(y) = &mt.yes {
                    let mut w2 = w.clone();
                    if let Some(v) = &var {
                        w2.set(v.clone(), y.clone());
                    }
                    for n in pat_names(&arm.pat) {
                        w2.vars.remove(&n);
                    }
                    for (n, b) in mt.binds {
                        w2.set(n, b);
                    }
                    yes.push((w2, y.clone()));
                }
                if let Some(n) = mt.no {
                    let mut w2 = w;
                    if let Some(v) = &var {
                        w2.set(v.clone(), n.clone());
                    }
                    no.push((w2, n));
                }
            }
            let mut yes = worlds(yes);
            if let Some((_, g)) = &arm.guard {
                // A guard that fails sends the world on to the next arms.
                let (t, f) = self.cond(g, yes);
                yes = t;
                for w in f {
                    no.push((w, Shape::Any));
                }
            }
            let body = self.eval(&arm.body, yes);
            self.mark_end(arm as *const syn::Arm as usize, &body);
            let body = match &*arm.body {
                syn::Expr::Block(b) => leave_at(body, b.block.brace_token.span.close()),
                syn::Expr::Unsafe(u) => leave_at(body, u.block.brace_token.span.close()),
                other => leave_at(body, other.span()),
            };
            out.extend(body);
            rest = norm_flow(no);
        }
        out
    }

    /// Splits the worlds on a condition: (where it holds, where it does
    /// not), refining the tested variable.
    fn cond(&mut self, e: &'a syn::Expr, st: State) -> (State, State) {
        use syn::Expr as E;
        if st.is_empty() {
            return (Vec::new(), Vec::new());
        }
        match e {
            E::Paren(p) => self.cond(&p.expr, st),
            E::Group(g) => self.cond(&g.expr, st),
            E::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                let (t, f) = self.cond(&u.expr, st);
                (f, t)
            }
            E::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            }) => {
                if b.value {
                    (st, Vec::new())
                } else {
                    (Vec::new(), st)
                }
            }
            E::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                let (t1, f1) = self.cond(&b.left, st);
                let (t2, f2) = self.cond(&b.right, t1);
                let mut f = f1;
                f.extend(f2);
                (t2, norm(f))
            }
            E::Binary(b) if matches!(b.op, syn::BinOp::Or(_)) => {
                let (t1, f1) = self.cond(&b.left, st);
                let (t2, f2) = self.cond(&b.right, f1);
                let mut t = t1;
                t.extend(t2);
                (norm(t), f2)
            }
            E::Binary(b) if compare_op(&b.op).is_some() => {
                let Some(op) = compare_op(&b.op) else {
                    return (st.clone(), st);
                };
                let (subject, k, op) =
                    match (value::literal_int(&b.left), value::literal_int(&b.right)) {
                        (_, Some(k)) => (&*b.left, k, op),
                        (Some(k), None) => (&*b.right, k, flip(op)),
                        (None, None) => {
                            // `x < T::default()`: a side known to be zero.
                            if is_zero_expr(&b.right) {
                                (&*b.left, 0, op)
                            } else if is_zero_expr(&b.left) {
                                (&*b.right, 0, flip(op))
                            } else {
                                let st = self.run(&b.left, st);
                                let st = self.run(&b.right, st);
                                return (st.clone(), st);
                            }
                        }
                    };
                let var = var_name(subject);
                let fl = self.eval(subject, st);
                let (mut t, mut f) = (Vec::new(), Vec::new());
                for (w, s) in fl {
                    let (y, n) = s.compare(op, k);
                    if let Some(y) = y {
                        let mut w2 = w.clone();
                        if let Some(v) = &var {
                            w2.set(v.clone(), y);
                        }
                        t.push(w2);
                    }
                    if let Some(n) = n {
                        let mut w2 = w;
                        if let Some(v) = &var {
                            w2.set(v.clone(), n);
                        }
                        f.push(w2);
                    }
                }
                (norm(t), norm(f))
            }
            E::Let(l) => {
                self.bind_from_field(&l.pat, &l.expr);
                let var = var_name(&l.expr);
                let fl = self.eval(&l.expr, st);
                let (mut t, mut f) = (Vec::new(), Vec::new());
                for (w, s) in fl {
                    let m = s.match_pat(&l.pat);
                    if let Some(y) = m.yes {
                        let mut w2 = w.clone();
                        if let Some(v) = &var {
                            w2.set(v.clone(), y);
                        }
                        for n in pat_names(&l.pat) {
                            w2.vars.remove(&n);
                        }
                        for (n, s) in m.binds {
                            w2.set(n, s);
                        }
                        t.push(w2);
                    }
                    if let Some(n) = m.no {
                        let mut w2 = w;
                        if let Some(v) = &var {
                            w2.set(v.clone(), n);
                        }
                        f.push(w2);
                    }
                }
                (norm(t), norm(f))
            }
            _ => {
                let fl = self.eval(e, st);
                let (mut t, mut f) = (Vec::new(), Vec::new());
                for (w, s) in fl {
                    let (ct, cf) = s.truth();
                    if ct {
                        t.push(w.clone());
                    }
                    if cf {
                        f.push(w);
                    }
                }
                (norm(t), norm(f))
            }
        }
    }

    // ---- calls ----

    /// Evaluates arguments in order; the shapes of each, per process.
    fn args(
        &mut self,
        args: impl IntoIterator<Item = &'a syn::Expr>,
        mut st: State,
    ) -> (State, Vec<HashMap<Option<OriginId>, Shape>>) {
        let mut shapes = Vec::new();
        for a in args {
            let fl = self.eval(a, st);
            let keep = derived(a);
            shapes.push(
                fl.iter()
                    .map(|(w, s)| (w.child, if keep { s.clone() } else { Shape::Any }))
                    .collect(),
            );
            st = worlds(fl);
        }
        (st, shapes)
    }

    fn call(&mut self, c: &'a syn::ExprCall, st: State) -> Flow {
        let node = c as *const syn::ExprCall as usize;
        // `Ok(x)`, `Some(true)`, `Forked::Parent(pid)`: a variant.
        if let syn::Expr::Path(p) = strip(&c.func)
            && let Some(last) = p.path.segments.last()
            && is_variant_name(&last.ident.to_string())
        {
            let name = last.ident.to_string();
            let mut fl: Vec<(World, Vec<Shape>)> =
                st.into_iter().map(|w| (w, Vec::new())).collect();
            for a in &c.args {
                let mut next = Vec::new();
                for (w, fields) in fl {
                    for (w2, s) in self.eval(a, vec![w]) {
                        let mut f2 = fields.clone();
                        f2.push(s);
                        next.push((w2, f2));
                    }
                }
                fl = next;
            }
            let out: Flow = fl
                .into_iter()
                .map(|(w, fields)| (w, Shape::variant(&name, fields)))
                .collect();
            let st: State = out.iter().map(|(w, _)| w.clone()).collect();
            self.mark(node, &st);
            return out;
        }
        let (st, shapes) = self.args(c.args.iter(), st);
        let syn::Expr::Path(p) = strip(&c.func) else {
            let st = self.run(&c.func, st);
            self.mark(node, &st);
            if st.iter().any(|w| w.child.is_some()) {
                // `(self.hook)()` in child code.
                if let Some(field) = field_of(&c.func) {
                    self.child_field(field);
                } else {
                    // `(*f)()`, `transmute::<usize, fn()>(n)()`.
                    self.pointer_call(&c.func, &st, c.span());
                }
            }
            return with(st, Shape::Any);
        };
        self.mark(node, &st);
        if p.qself.is_some() {
            return with(st, Shape::Any);
        }
        let segs = segments(&p.path);
        let last = segs.last().cloned().unwrap_or_default();
        let fork_args = shapes.iter().any(|m| m.values().any(|s| !s.is_any()));
        let any_child = st.iter().any(|w| w.child.is_some());
        // A call by a name that cannot fork, made in the parent before any
        // fork, with no fork-derived argument: nothing to learn.
        if !any_child
            && !fork_args
            && !self.forked
            && !self.ctx.flow.fork_names.contains(&last)
            && !self.ctx.flow.callback_names.contains(&last)
            && !self.imported(&segs)
        {
            return with(st, Shape::Any);
        }
        let child_call = any_child.then(|| self.own_child(&st));
        let target = match segs.as_slice() {
            [one] if self.fn_values.contains_key(one) => {
                self.fn_values.get(one).map(|&id| Target::LocalFn(id))
            }
            // A closure, parameter or field reached through a pointer, or a
            // function pointer made from a number.
            [_] if any_child && self.pointer_call(&c.func, &st, c.span()) => None,
            // A parameter called in a child this function opened: its
            // closure argument runs in the child, wherever the function is
            // called from. (In a child it was entered in, only where the
            // call is made in a child.)
            [one] if any_child && self.is_param(one) => {
                if child_call == Some(true) {
                    self.param_slot(one);
                } else {
                    self.inherited_slot(one);
                }
                None
            }
            [one] if any_child && self.var_fields.contains_key(one) => {
                if let Some(field) = self.var_fields.get(one).cloned() {
                    self.child_field(field);
                }
                None
            }
            [one] if self.closures.contains_key(one) => {
                let c = self.closures.get(one).copied();
                if let Some(c) = c
                    && !self.closure_returns(c)
                {
                    return Vec::new();
                }
                None
            }
            _ => Some(resolve(self.ctx, &self.f, &segs)),
        };
        match target {
            Some(Target::Extern(path)) => self.extern_call(c, &path, st, node),
            // In a proc macro, `fork()` imported by a `use` it cannot see.
            Some(Target::Unknown(name))
                if segs.len() == 1 && self.ctx.bare_fork_idents.is_some() =>
            {
                let idents = self.ctx.bare_fork_idents.as_ref();
                let found = self
                    .ctx
                    .opts
                    .knowledge
                    .bare_fork(&name, |t| idents.is_some_and(|i| i.contains(t)));
                match found {
                    Some((path, kind)) => self.fork(path, kind, c.span(), st),
                    None => with(st, Shape::Any),
                }
            }
            // The callee is analysed first: what it calls in the child it is
            // entered in decides the closure slots of a call made in one.
            Some(Target::LocalFn(id)) => {
                let out = self.local_call(id, &shapes, st, c.span(), node);
                self.closure_slots(id, c.args.iter().collect(), c.span(), child_call);
                out
            }
            Some(Target::LocalMethod { ty, name }) => {
                let ids = self.ctx.methods_of(&ty, &name);
                match ids.as_slice() {
                    [id] => {
                        let out = self.local_call(*id, &shapes, st, c.span(), node);
                        self.closure_slots(*id, c.args.iter().collect(), c.span(), child_call);
                        out
                    }
                    _ => with(st, Shape::Any),
                }
            }
            _ => with(st, Shape::Any),
        }
    }

    /// The names `pat` binds from `value` come from a field when `value`
    /// reads one (`let h = self.hook.take()`, `for h in &mut self.hooks`).
    fn bind_from_field(&mut self, pat: &syn::Pat, value: &syn::Expr) {
        if let Some(field) = self.field_of_expr(value) {
            for n in pat_names(pat) {
                self.var_fields.insert(n, field.clone());
            }
        }
    }

    /// [`field_of`], also through a variable bound from a field.
    fn field_of_expr(&self, e: &syn::Expr) -> Option<String> {
        field_of(e).or_else(|| {
            let mut cur = e;
            loop {
                cur = match cur {
                    syn::Expr::Reference(r) => &r.expr,
                    syn::Expr::Paren(p) => &p.expr,
                    syn::Expr::MethodCall(m) => &m.receiver,
                    syn::Expr::Path(p) => {
                        return p
                            .path
                            .get_ident()
                            .and_then(|i| self.var_fields.get(&i.to_string()).cloned());
                    }
                    _ => return None,
                }
            }
        })
    }

    /// Records that the closure in field `field` runs in a child.
    fn child_field(&mut self, field: String) {
        if !self.quiet && self.ctx.flow.child_fields.insert(field) {
            self.ctx.flow.changed = true;
        }
    }

    /// A value stored into field `field`: when that field's closure runs in
    /// a child, a closure stored there is child code, and a parameter
    /// stored there runs in a child.
    fn store_into(&mut self, field: &str, value: &'a syn::Expr, span: Span) {
        if !self.ctx.flow.child_fields.contains(field) {
            return;
        }
        if crate::types::closure_of(value).is_some() {
            let label =
                format!("child code starts here (closure stored in `{field}`, run in a child)");
            self.callback(value, label, span, false);
            return;
        }
        for name in idents_in(value) {
            if self.param_slot(&name) {
                return;
            }
        }
    }

    /// Records that parameter `name` of the function being analysed runs
    /// in a child (it is called there, or handed to `pre_exec`/`clone`);
    /// `true` when `name` is a parameter.
    fn param_slot(&mut self, name: &str) -> bool {
        let Some(id) = self.fn_id else {
            return false;
        };
        match param_index(self.ctx, Some(id), name) {
            Some(i) => {
                if !self.quiet {
                    self.ctx.flow.child_params.insert((id, i));
                }
                true
            }
            None => false,
        }
    }

    /// Records that parameter `name` is called in the child this function
    /// was entered in (see [`Cache::inherited_params`]).
    fn inherited_slot(&mut self, name: &str) {
        if self.quiet {
            return;
        }
        if let Some(id) = self.fn_id
            && let Some(i) = param_index(self.ctx, Some(id), name)
            && self.ctx.flow.inherited_params.insert((id, i))
        {
            self.ctx.flow.changed = true;
        }
    }

    fn is_param(&self, name: &str) -> bool {
        param_index(self.ctx, self.fn_id, name).is_some()
    }

    /// A call of `callee` whose parameter at some position runs in a child:
    /// a closure given there is child code; a parameter of ours given there
    /// runs in a child too. `child`: the call is made in a child (`Some`),
    /// opened by this function (`Some(true)`); then the parameters the
    /// callee calls in the child it is entered in count as well.
    fn closure_slots(
        &mut self,
        callee: FnId,
        args: Vec<&'a syn::Expr>,
        span: Span,
        child: Option<bool>,
    ) {
        let flow = &self.ctx.flow;
        let slots: Vec<(usize, bool)> = (0..args.len())
            .filter_map(|i| {
                if flow.child_params.contains(&(callee, i)) {
                    Some((i, true))
                } else if child.is_some() && flow.inherited_params.contains(&(callee, i)) {
                    Some((i, false))
                } else {
                    None
                }
            })
            .collect();
        if slots.is_empty() {
            return;
        }
        let name = self
            .ctx
            .fn_def(callee)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        for (i, every_call) in slots {
            let Some(&arg) = args.get(i) else { continue };
            let note = self.ctx.flow.slot_notes.get(&(callee, i)).cloned();
            if let syn::Expr::Path(p) = strip(arg)
                && let Some(one) = p.path.get_ident()
                && self.is_param(&one.to_string())
            {
                let one = one.to_string();
                if every_call || child == Some(true) {
                    self.param_slot(&one);
                    if let (Some(note), Some(id)) = (note, self.fn_id)
                        && let Some(at) = param_index(self.ctx, Some(id), &one)
                    {
                        self.ctx.flow.slot_notes.insert((id, at), note);
                    }
                } else {
                    self.inherited_slot(&one);
                }
                continue;
            }
            // A closure written at a call made in a child was walked as
            // child code where it is written.
            if !every_call && matches!(strip(arg), syn::Expr::Closure(_)) {
                continue;
            }
            let label = match note {
                Some(note) => {
                    format!("child code starts here (run in a child by {name}(), {note})")
                }
                None => format!("child code starts here (closure run in a child by {name}())"),
            };
            self.callback(arg, label, span, false);
        }
    }

    /// Whether a one-segment call names something a `use` renamed or
    /// re-exported (`use libc::fork as spawn;`): resolved even in parent
    /// code, since it may be a fork.
    fn imported(&mut self, segs: &[String]) -> bool {
        let [one] = segs else { return false };
        if self.f.uses.contains_key(one) {
            return true;
        }
        let module = self.f.module.clone();
        self.ctx.module_scope(&module).is_some_and(|s| {
            s.uses
                .get(one)
                .is_some_and(|p| p.last() != Some(one) || p.len() > 1)
        })
    }

    /// Whether calling the closure `c` can return (memoised).
    fn closure_returns(&mut self, c: &'a syn::ExprClosure) -> bool {
        let key = c as *const syn::ExprClosure as usize;
        if let Some(&r) = self.ctx.flow.closure_returns.get(&key) {
            return r;
        }
        self.ctx.flow.closure_returns.insert(key, true);
        let returns = std::mem::take(&mut self.returns);
        let frames = std::mem::take(&mut self.frames);
        let quiet = std::mem::replace(&mut self.quiet, true);
        let fl = self.eval(&c.body, vec![World::parent()]);
        let r = !fl.is_empty() || !self.returns.is_empty();
        self.returns = returns;
        self.frames = frames;
        self.quiet = quiet;
        self.ctx.flow.closure_returns.insert(key, r);
        r
    }

    /// Whether a local function never returns: `-> !`, or every path of
    /// its body ends the process.
    fn diverges(&mut self, id: FnId) -> bool {
        let never = self.ctx.fn_def(id).is_some_and(|def| {
            matches!(&def.sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)))
        });
        never || crate::summaries::summary(self.ctx, id).diverges
    }

    fn extern_call(&mut self, c: &'a syn::ExprCall, path: &str, st: State, node: usize) -> Flow {
        let entry = self.ctx.opts.knowledge.lookup_path(path);
        let kind = match entry {
            Some(ApiEntry {
                verdict: Verdict::Fork(kind),
                ..
            }) => Some(kind),
            _ => crate::child_sites::syscall_fork_kind(c),
        };
        if let Some(kind) = kind {
            return self.fork(path, kind, c.span(), st);
        }
        let Some(entry) = entry else {
            return with(st, Shape::Any);
        };
        if let Verdict::RunsInChild { arg } = entry.verdict
            && let Some(a) = c.args.iter().nth(arg)
        {
            let vfork = entry.fork_kind().is_some()
                && c.args.iter().any(crate::child_sites::mentions_clone_vm);
            let label = format!("child code starts here ({path} callback)");
            self.callback(a, label, c.span(), vfork);
            self.callback_data(path, c, a, vfork);
        }
        let _ = node;
        if entry.ends_region() {
            return Vec::new();
        }
        with(st, Shape::Any)
    }

    /// A fork: each world becomes a child and a parent.
    fn fork(&mut self, path: &str, kind: ForkKind, span: Span, st: State) -> Flow {
        self.forked = true;
        let shapes = fork_result(path);
        let (child, parent) = (Shape::parse(shapes.child), Shape::parse(shapes.parent));
        let origin = self.origin(Origin {
            label: format!("child process starts here ({path})"),
            site: self.site(span),
            vfork: kind == ForkKind::Vfork,
            fork_path: Some(path.to_string()),
            reported: false,
        });
        // A daemonizer's parent exits inside: the child goes on as the
        // program itself, not as a child of it.
        if parent.alts().iter().all(is_failure) {
            return with(st, child.or(&parent));
        }
        let mut out = Vec::new();
        for w in st {
            let mut c = w.clone();
            c.leave = None;
            if c.child.is_none() {
                c.child = Some(origin);
            }
            out.push((c, child.clone()));
            out.push((w, parent.clone()));
        }
        out
    }

    fn local_call(
        &mut self,
        id: FnId,
        shapes: &[HashMap<Option<OriginId>, Shape>],
        st: State,
        span: Span,
        node: usize,
    ) -> Flow {
        let mut out = Vec::new();
        let Some(def) = self.ctx.fn_def(id) else {
            return with(st, Shape::Any);
        };
        let any_child = st.iter().any(|w| w.child.is_some());
        if any_child && !self.quiet {
            self.ctx.flow.called_from_child.insert(id);
        }
        if (any_child || self.forked) && self.diverges(id) {
            // Analysed all the same, to learn what it runs in the child.
            if any_child && !self.quiet {
                let _ = analyze_callee(self.ctx, id, true, Vec::new(), self.call_depth + 1);
            }
            return Vec::new();
        }
        let may_fork = self.ctx.flow.fork_names.contains(&def.name);
        for w in st {
            let args: Vec<Shape> = shapes
                .iter()
                .take(MAX_ARGS)
                .map(|m| m.get(&w.child).cloned().unwrap_or(Shape::Any))
                .collect();
            let fork_args = args.iter().any(|s| !s.is_any());
            if !fork_args && !may_fork && w.child.is_none() {
                // Nothing fork-related flows in.
                out.push((w, Shape::Any));
                continue;
            }
            let Some(flow) =
                analyze_callee(self.ctx, id, w.child.is_some(), args, self.call_depth + 1)
            else {
                out.push((w, Shape::Any));
                continue;
            };
            // From the parent, the callee's own child code is its own
            // regions' (found when it is analysed as a root); from a child
            // without fork-derived arguments, all of it is child code, and
            // its summary says so.
            if fork_args && w.child.is_some() && !flow.marks.is_empty() {
                self.marks
                    .callees
                    .entry(node)
                    .or_insert_with(|| flow.clone());
            }
            let daemon = w.child.is_none() && daemon_like(&flow.exits);
            for exit in &flow.exits {
                let mut w2 = w.clone();
                if w2.child.is_none() && exit.child && !daemon {
                    self.forked = true;
                    let inner = exit.fork_path.clone().unwrap_or_else(|| "fork".to_string());
                    let label = format!("{}() -> {inner}", def.name);
                    let o = self.origin(Origin {
                        label: format!("child process starts here ({label})"),
                        site: self.site(span),
                        vfork: exit.vfork,
                        fork_path: Some(label),
                        // A child that leaves the callee by mistake is
                        // reported there: followed here, not reported again.
                        reported: exit.fallthrough,
                    });
                    w2.child = Some(o);
                    w2.leave = None;
                }
                out.push((w2, exit.ret.clone()));
            }
        }
        out
    }

    fn method_call(&mut self, m: &'a syn::ExprMethodCall, st: State) -> Flow {
        let node = m as *const syn::ExprMethodCall as usize;
        let fl = self.eval(&m.receiver, st);
        let recv: Vec<(Option<OriginId>, Shape)> =
            fl.iter().map(|(w, s)| (w.child, s.clone())).collect();
        let st = worlds(fl);
        // `self.hooks.iter_mut().try_for_each(|h| h())`: the closure's
        // parameters are read from the field.
        if let Some(field) = self.field_of_expr(&m.receiver) {
            for a in &m.args {
                if let syn::Expr::Closure(c) = strip(a) {
                    for n in c.inputs.iter().flat_map(pat_names) {
                        self.var_fields.insert(n, field.clone());
                    }
                }
            }
        }
        let (st, _) = self.args(m.args.iter(), st);
        let name = m.method.to_string();
        if matches!(
            name.as_str(),
            "push" | "push_back" | "insert" | "replace" | "get_or_insert" | "set"
        ) && let Some(field) = field_of(&m.receiver)
        {
            for a in &m.args {
                self.store_into(&field, a, m.span());
            }
        }
        // `.unwrap()` of a fork result that is `Ok` in every child cannot
        // panic there.
        let cannot_fail = matches!(name.as_str(), "unwrap" | "expect")
            && fresh_value(&m.receiver)
            && recv
                .iter()
                .filter(|(k, _)| k.is_some())
                .all(|(_, s)| s.unwrap_ok().1.is_none());
        if !cannot_fail {
            self.mark(node, &st);
        }
        let any_child = st.iter().any(|w| w.child.is_some());
        let own = if self.forked || any_child {
            self.own_methods(m)
        } else {
            Vec::new()
        };
        // The crate's methods called in a child, analysed there: what they
        // run in it (closures of fields, parameters) is learnt.
        if any_child && !self.quiet && own.len() <= 2 {
            for &id in &own {
                let _ = analyze_callee(self.ctx, id, true, Vec::new(), self.call_depth + 1);
            }
        }
        if !own.is_empty() && own.len() <= 4 && own.iter().all(|&id| self.diverges(id)) {
            return Vec::new();
        }
        // The crate's methods that run a closure argument in a child
        // (position 0 is the receiver).
        let child_call = any_child.then(|| self.own_child(&st));
        if !self.ctx.flow.child_params.is_empty()
            || (any_child && !self.ctx.flow.inherited_params.is_empty())
        {
            let ids = self.ctx.methods_named(&name);
            if ids.len() <= 4 {
                let mut args: Vec<&'a syn::Expr> = vec![&*m.receiver];
                args.extend(m.args.iter());
                for id in ids {
                    self.closure_slots(id, args.clone(), crate::syntax::method_span(m), child_call);
                }
            }
        }
        // Callbacks: `cmd.pre_exec(..)` and friends.
        if self.ctx.child_methods.contains(&name) {
            let env = self.env();
            let guess =
                expr_guess(self.ctx, &self.f, &env, &m.receiver, 0).filter(|g| !g.is_empty());
            // The crate's own method of that name (a builder's `pre_exec`)
            // is not std's: what it does with the closure is its own code.
            let own = guess.as_ref().is_some_and(|g| {
                g.iter()
                    .take(1)
                    .any(|t| !self.ctx.methods_of(t, &name).is_empty())
            });
            let knowledge = &self.ctx.opts.knowledge;
            let hit = guess
                .as_ref()
                .and_then(|g| {
                    g.iter()
                        .find_map(|t| knowledge.lookup_method(&name, Some(t)))
                })
                .or_else(|| knowledge.lookup_method(&name, None));
            if let Some((entry, _)) = hit
                && !own
                && let Verdict::RunsInChild { arg } = entry.verdict
                && let Some(a) = m.args.iter().nth(arg)
            {
                let label = format!("child code starts here ({name} closure)");
                self.callback(a, label, crate::syntax::method_span(m), false);
            }
        }
        let shape_of = |w: &World| {
            recv.iter()
                .find(|(k, _)| *k == w.child)
                .map(|(_, s)| s.clone())
                .unwrap_or(Shape::Any)
        };
        let mut out = Vec::new();
        for w in st {
            let s = shape_of(&w);
            let r = match name.as_str() {
                // On a boolean (`fork.is_child().is_ok()` where the
                // predicate returns a `Result`, modelled as its truth).
                "is_some" | "is_ok" if matches!(s, Shape::Bool(_)) => s.clone(),
                "is_none" | "is_err" if matches!(s, Shape::Bool(_)) => s.not(),
                "is_some" | "is_ok" => s.is_variant(&["Some", "Ok"], false),
                "is_none" | "is_err" => s.is_variant(&["None", "Err"], false),
                "is_child" => s.is_variant(&["Child"], false),
                "is_parent" => s.is_variant(&["Parent"], true),
                "unwrap" | "expect" | "unwrap_unchecked" => match s.unwrap_ok() {
                    (Some(g), _) => g,
                    // Always `Err`/`None`: it panics.
                    (None, _) => continue,
                },
                "map_err" | "context" | "with_context" | "wrap_err" => s.map_payloads(true, false),
                "map" => s.map_payloads(false, true),
                "ok" => s.ok(),
                "clone" | "to_owned" | "into" | "as_ref" | "as_mut" | "copied" | "cloned" => {
                    s.clone()
                }
                _ => Shape::Any,
            };
            // A method of the crate on a known integer (`ret.is_err()` of a
            // crate trait implemented for `c_int`): its body decides.
            let scalar = s
                .alts()
                .iter()
                .all(|a| matches!(a, Shape::Int(_) | Shape::Bool(_)));
            if scalar && !s.is_any() {
                let ids = self.ctx.methods_named(&name);
                if !ids.is_empty() && ids.len() <= 8 {
                    let mut rets = Vec::new();
                    let mut returns = false;
                    for id in ids {
                        match analyze_callee(
                            self.ctx,
                            id,
                            w.child.is_some(),
                            vec![s.clone()],
                            self.call_depth + 1,
                        ) {
                            Some(flow) => {
                                for e in &flow.exits {
                                    returns = true;
                                    rets.push(e.ret.clone());
                                }
                            }
                            None => {
                                returns = true;
                                rets.push(Shape::Any);
                            }
                        }
                    }
                    if returns {
                        out.push((w, Shape::union(rets)));
                    }
                    continue;
                }
            }
            out.push((w, r));
        }
        // A method of the crate on `self` that forks.
        if let syn::Expr::Path(p) = strip(&m.receiver)
            && p.path.is_ident("self")
            && self.ctx.flow.fork_names.contains(&name)
            && let Some(ty) = self.f.self_ty.clone()
            && let [id] = self.ctx.methods_of(&ty, &name).as_slice()
        {
            let st = worlds(out);
            return self.local_call(*id, &[], st, m.span(), node);
        }
        out
    }

    /// What an expansion does to control flow, found by running it alone
    /// (quietly: its code is judged by the walker where it is invoked).
    fn macro_effect(&mut self, x: &crate::expansion::Expansion) -> MacroEffect {
        let key = x as *const crate::expansion::Expansion as usize;
        if let Some(hit) = self.ctx.flow.macro_effects.get(&key) {
            return hit.clone();
        }
        // A macro that invokes itself: assume it returns normally.
        self.ctx.flow.macro_effects.insert(
            key,
            MacroEffect {
                continues: true,
                returns: Vec::new(),
            },
        );
        let block = syn::Block {
            brace_token: Default::default(),
            stmts: x.stmts.clone(),
        };
        let mut it = Interp::new(self.ctx, self.f.clone(), None, &block, self.call_depth + 1);
        it.quiet = true;
        it.forked = true;
        let end = it.block(&block, vec![World::parent()]);
        let effect = MacroEffect {
            continues: !end.is_empty(),
            returns: it
                .returns
                .iter()
                .map(|(_, s, _, how)| (s.clone(), *how))
                .collect(),
        };
        self.ctx.flow.macro_effects.insert(key, effect.clone());
        effect
    }

    /// The methods of the crate a method call resolves to by its
    /// receiver's type.
    fn own_methods(&mut self, m: &'a syn::ExprMethodCall) -> Vec<FnId> {
        let name = m.method.to_string();
        let env = self.env();
        match expr_guess(self.ctx, &self.f, &env, &m.receiver, 0) {
            Some(g) => g
                .iter()
                .take(3)
                .map(|ty| self.ctx.methods_of(ty, &name))
                .find(|ids| !ids.is_empty())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    fn mac(&mut self, mac: &'a syn::Macro, st: State) -> Flow {
        let node = mac as *const syn::Macro as usize;
        self.mark(node, &st);
        if path_is(
            self.ctx,
            &self.f,
            &mac.path,
            crate::child_sites::CHILD_CLOSURE_MARKER,
        ) && let Ok(e) = mac.parse_body::<syn::Expr>()
        {
            self.owned_regions.push((
                e,
                Origin {
                    label: "child code starts here (fork_guard::child_closure!)".to_string(),
                    site: self.site(mac.span()),
                    vfork: false,
                    fork_path: None,
                    reported: false,
                },
            ));
            return with(st, Shape::Any);
        }
        // The crate's own macro: what its expansion does to control flow
        // (an `_exit` ends the child, a `return` leaves the function).
        if (self.forked || st.iter().any(|w| w.child.is_some()))
            && let Some(x) = crate::expansion::expand(self.ctx, self.f.file, mac)
        {
            let effect = self.macro_effect(&x);
            for w in &st {
                for (ret, how) in &effect.returns {
                    self.returns
                        .push((w.clone(), ret.clone(), mac.span(), *how));
                }
            }
            return if effect.continues {
                with(st, Shape::Any)
            } else {
                Vec::new()
            };
        }
        let Some(path) = resolve_macro(self.ctx, &self.f, &mac.path) else {
            return with(st, Shape::Any);
        };
        let name = path.rsplit("::").next().unwrap_or(&path);
        let root = path.split("::").next().unwrap_or("");
        let std_or_bare = !path.contains("::") || matches!(root, "std" | "core" | "alloc");
        if std_or_bare && DIVERGING_MACROS.contains(&name) {
            return Vec::new();
        }
        with(st, Shape::Any)
    }

    // ---- callbacks ----

    /// A callback argument that runs in a child.
    fn callback(&mut self, arg: &'a syn::Expr, label: String, span: Span, vfork: bool) {
        let origin = Origin {
            label,
            site: self.site(span),
            vfork,
            fork_path: None,
            reported: false,
        };
        if let Some(field) = field_of(arg) {
            self.child_field(field);
            return;
        }
        match strip(arg) {
            syn::Expr::Closure(c) => {
                let o = self.origin(origin);
                self.closure_body(c, vec![World::child(o)]);
            }
            syn::Expr::Reference(r) => self.callback(&r.expr, origin.label, span, vfork),
            syn::Expr::Cast(c) => self.callback(&c.expr, origin.label, span, vfork),
            syn::Expr::Path(p) if p.qself.is_none() => {
                let segs = segments(&p.path);
                if let [one] = segs.as_slice() {
                    // A variable bound through a pointer: what it points at
                    // (its own value was written where `one` still meant
                    // what it shadows).
                    if let Some(target) = self.aliases.remove(one) {
                        self.callback(target, origin.label, span, vfork);
                        self.aliases.insert(one.clone(), target);
                        return;
                    }
                    if self.param_slot(one) {
                        return;
                    }
                    if let Some(field) = self.var_fields.get(one).cloned() {
                        self.child_field(field);
                        return;
                    }
                    if let Some(&c) = self.closures.get(one) {
                        let o = self.origin(origin);
                        self.closure_body(c, vec![World::child(o)]);
                        return;
                    }
                    if let Some(&id) = self.fn_values.get(one) {
                        self.fn_regions.push((id, origin));
                        self.learn_in_child(id);
                        return;
                    }
                }
                let id = match resolve(self.ctx, &self.f, &segs) {
                    Target::LocalFn(id) => Some(id),
                    Target::LocalMethod { ty, name } => {
                        self.ctx.methods_of(&ty, &name).first().copied()
                    }
                    _ => None,
                };
                if let Some(id) = id {
                    self.fn_regions.push((id, origin));
                    self.learn_in_child(id);
                }
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.callback(&u.expr, origin.label, span, vfork);
            }
            // `Box::new(|| ..)`, `Box::new(child_main)`.
            syn::Expr::Call(c) => {
                let inner = c
                    .args
                    .iter()
                    .find(|a| matches!(strip(a), syn::Expr::Closure(_)))
                    .or_else(|| c.args.first());
                if let Some(inner) = inner {
                    self.callback(inner, origin.label, span, vfork);
                }
            }
            _ => {}
        }
    }

    /// Walks a closure body in the given worlds; its `return`s and `?`s
    /// leave the closure, not the function.
    fn closure_body(&mut self, c: &'a syn::ExprClosure, st: State) {
        let returns = std::mem::take(&mut self.returns);
        let frames = std::mem::take(&mut self.frames);
        let mut st = st;
        for w in &mut st {
            for p in &c.inputs {
                for n in pat_names(p) {
                    w.vars.remove(&n);
                }
            }
        }
        self.eval(&c.body, st);
        self.returns = returns;
        self.frames = frames;
    }
}

/// Marks child worlds flowing out of a branch with the branch's end.
fn leave_at(fl: Flow, end: Span) -> Flow {
    fl.into_iter()
        .map(|(mut w, s)| {
            if w.child.is_some() && w.leave.is_none() {
                w.leave = Some(end);
            }
            (w, s)
        })
        .collect()
}

/// `T::default()`, `Default::default()`, `0 as T`: zero for the integers
/// a pid is compared with.
fn is_zero_expr(e: &syn::Expr) -> bool {
    match strip(e) {
        syn::Expr::Call(c) if c.args.is_empty() => {
            matches!(strip(&c.func), syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "default"))
        }
        other => value::literal_int(other) == Some(0),
    }
}

/// Whether an argument can carry a value derived from a fork (a variable,
/// a call's result), rather than a constant written there.
fn derived(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Path(p) => p.path.get_ident().is_some(),
        syn::Expr::Call(c) => match strip(&c.func) {
            syn::Expr::Path(p)
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| is_variant_name(&s.ident.to_string())) =>
            {
                c.args.iter().any(derived)
            }
            _ => true,
        },
        syn::Expr::MethodCall(_) | syn::Expr::Try(_) | syn::Expr::Field(_) => true,
        syn::Expr::Paren(p) => derived(&p.expr),
        syn::Expr::Group(g) => derived(&g.expr),
        syn::Expr::Reference(r) => derived(&r.expr),
        syn::Expr::Cast(c) => derived(&c.expr),
        syn::Expr::Unary(u) => derived(&u.expr),
        syn::Expr::Unsafe(_) | syn::Expr::Block(_) => true,
        _ => false,
    }
}

/// The field an expression reads, through `&`, `*`, parens, `Some(..)`,
/// `Box::new(..)` and method calls on it (`self.hook.take()`,
/// `&mut self.hooks`, `self.hooks.iter_mut()`).
fn field_of(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Field(f) => match &f.member {
            syn::Member::Named(n) => Some(n.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        syn::Expr::Paren(p) => field_of(&p.expr),
        syn::Expr::Group(g) => field_of(&g.expr),
        syn::Expr::Reference(r) => field_of(&r.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => field_of(&u.expr),
        syn::Expr::MethodCall(m) => field_of(&m.receiver),
        // `std::mem::take(&mut self.hooks)`, `Some(self.hook)`.
        syn::Expr::Call(c) if c.args.len() <= 2 => c.args.first().and_then(field_of),
        _ => None,
    }
}

/// Single-segment paths (variables) in an expression.
fn idents_in(e: &syn::Expr) -> Vec<String> {
    use syn::visit::Visit;
    struct V(Vec<String>);
    impl<'a> Visit<'a> for V {
        fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
            if let Some(i) = p.path.get_ident() {
                self.0.push(i.to_string());
            }
        }
        fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
    }
    let mut v = V(Vec::new());
    v.visit_expr(e);
    v.0
}

/// A value made right there (a call), not read from a variable.
fn fresh_value(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Call(_) | syn::Expr::MethodCall(_) => true,
        syn::Expr::Paren(p) => fresh_value(&p.expr),
        syn::Expr::Group(g) => fresh_value(&g.expr),
        syn::Expr::Unsafe(u) => {
            matches!(u.block.stmts.as_slice(), [syn::Stmt::Expr(e, None)] if fresh_value(e))
        }
        _ => false,
    }
}

/// A value that reports failure: `Err(_)`, `None`, a negative integer.
fn is_failure(s: &Shape) -> bool {
    match s {
        Shape::Int(b) => *b == value::NEG,
        Shape::Variant(n, _) => &**n == "Err" || &**n == "None",
        _ => false,
    }
}

/// A function whose only returns in the parent report failure: a
/// daemonizer (its parent exits inside). Its caller goes on as the daemon.
fn daemon_like(exits: &[Exit]) -> bool {
    exits.iter().any(|e| e.child)
        && exits
            .iter()
            .filter(|e| !e.child)
            .all(|e| e.ret.alts().iter().all(is_failure))
}

fn same_site(a: &Site, b: &Site) -> bool {
    a.file == b.file && a.span.start() == b.span.start() && a.span.end() == b.span.end()
}

/// A variant's name in an expression: capitalised like a pattern's
/// ([`value::is_variant_name`]) but not a SCREAMING_CASE constant.
fn is_variant_name(name: &str) -> bool {
    value::is_variant_name(name) && name.chars().any(|c| c.is_ascii_lowercase())
}

fn is_logic_or_compare(op: &syn::BinOp) -> bool {
    matches!(op, syn::BinOp::And(_) | syn::BinOp::Or(_)) || compare_op(op).is_some()
}

fn compare_op(op: &syn::BinOp) -> Option<&'static str> {
    Some(match op {
        syn::BinOp::Eq(_) => "==",
        syn::BinOp::Ne(_) => "!=",
        syn::BinOp::Lt(_) => "<",
        syn::BinOp::Le(_) => "<=",
        syn::BinOp::Gt(_) => ">",
        syn::BinOp::Ge(_) => ">=",
        _ => return None,
    })
}

/// `k OP x` as `x OP' k`.
fn flip(op: &'static str) -> &'static str {
    match op {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        other => other,
    }
}

/// The variable an expression reads, through parens, `&`, `*`, casts and
/// `unsafe { x }`.
fn var_name(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() => p
            .path
            .get_ident()
            .map(|i| i.to_string())
            .filter(|n| !is_variant_name(n)),
        syn::Expr::Paren(p) => var_name(&p.expr),
        syn::Expr::Group(g) => var_name(&g.expr),
        syn::Expr::Reference(r) => var_name(&r.expr),
        syn::Expr::Cast(c) => var_name(&c.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => var_name(&u.expr),
        _ => None,
    }
}

/// The names a pattern binds.
fn pat_names(p: &syn::Pat) -> Vec<String> {
    use syn::visit::Visit;
    struct V(Vec<String>);
    impl<'a> Visit<'a> for V {
        fn visit_pat_ident(&mut self, pi: &'a syn::PatIdent) {
            self.0.push(pi.ident.to_string());
            syn::visit::visit_pat_ident(self, pi);
        }
    }
    let mut v = V(Vec::new());
    v.visit_pat(p);
    v.0
}

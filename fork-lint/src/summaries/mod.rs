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

mod calls;
mod deps;
mod report;
mod walk;

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

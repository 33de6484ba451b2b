//! Calls into dependencies: child code that calls a function of another
//! crate the knowledge table does not describe is followed into that
//! crate's sources, with the same engine.
//!
//! The caller says where dependencies are ([`Dependencies`]: the CLI
//! answers from `cargo metadata`, never building anything) and reads their
//! files; the engine keeps one lazily parsed [`Ctx`] per dependency in a
//! [`World`] shared by the crate being checked and every dependency it
//! reaches, and memoises what each called function reaches
//! ([`DepHazard`]s, independent of the calling crate). The knowledge table
//! keeps priority: std, libc, nix, log... are judged by it, and calls into
//! C (`extern` blocks) end there.
//!
//! A hazard inside a dependency is reported at the call in the checked
//! crate (the code its author can change), with the chain crossing into the
//! dependency as notes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use proc_macro2::Span;

use crate::diagnostic::Level;
use crate::index::{Ctx, FnId, Site};
use crate::input::{Dependencies, Options};
use crate::resolve::{FnCtx, Target, resolve};
use crate::rules::RuleId;

/// At most this many dependency hops from the checked crate.
const MAX_DEPTH: usize = 8;

/// One hazard a function of a dependency reaches, located by file path and
/// span (spans stay valid on the analysis thread, which parsed them).
#[derive(Debug, Clone)]
pub(crate) struct DepHazard {
    pub rule: RuleId,
    pub level: Level,
    /// The operation, e.g. `` `String::from` ``.
    pub op: String,
    pub reason: String,
    pub help: Option<String>,
    pub guessed: bool,
    /// From the called function down to the hazard (the hazard last).
    pub steps: Vec<(String, PathBuf, Span)>,
}

/// `(importing package, extern name)` to `(package key, label)`.
type CrateMemo = HashMap<(Option<String>, String), Option<(String, String)>>;
/// `(package key, path inside it)` to what calling it reaches.
type HazardMemo = HashMap<(String, String), Rc<Vec<DepHazard>>>;

/// The dependencies reached from one checked crate.
pub(crate) struct World<'o> {
    source: &'o dyn Dependencies,
    options: &'o Options,
    ctxs: RefCell<HashMap<String, Rc<RefCell<Ctx<'o>>>>>,
    crates: RefCell<CrateMemo>,
    memo: RefCell<HazardMemo>,
}

/// A crate's link to the [`World`]: which package it is.
#[derive(Clone)]
pub(crate) struct Link<'o> {
    pub world: Rc<World<'o>>,
    /// The package key of this crate (`None`: the crate being checked).
    pub from: Option<String>,
    pub depth: usize,
}

impl<'o> World<'o> {
    pub fn new(source: &'o dyn Dependencies, options: &'o Options) -> Rc<World<'o>> {
        Rc::new(World {
            source,
            options,
            ctxs: RefCell::new(HashMap::new()),
            crates: RefCell::new(HashMap::new()),
            memo: RefCell::new(HashMap::new()),
        })
    }
}

/// What the dependency function at `path` (`gethostname::gethostname`)
/// reaches when called from child code of `ctx`'s crate; `None` when the
/// path is not in a dependency with sources (then the caller judges it as
/// before: an unknown call).
pub(crate) fn hazards_of(ctx: &mut Ctx<'_>, path: &str) -> Option<(String, Rc<Vec<DepHazard>>)> {
    let link = ctx.deps.clone()?;
    if link.depth >= MAX_DEPTH {
        return None;
    }
    let path = path.trim_start_matches("::");
    let (root, rest) = path.split_once("::")?;
    let world = link.world.clone();
    let (key, label) = crate_of(&world, link.from.as_deref(), root)?;
    let memo_key = (key.clone(), rest.to_string());
    if let Some(hit) = world.memo.borrow().get(&memo_key) {
        return Some((label, hit.clone()));
    }
    let dep = dep_ctx(&world, &key, link.depth + 1)?;
    // A dependency reached again while it is being analysed (a cycle
    // through re-exports): nothing more to learn.
    let mut dctx = dep.try_borrow_mut().ok()?;
    let found = follow(&mut dctx, rest);
    drop(dctx);
    let found = Rc::new(found);
    world.memo.borrow_mut().insert(memo_key, found.clone());
    Some((label, found))
}

/// The package `name::` names in code of `from`, memoised.
fn crate_of(world: &World<'_>, from: Option<&str>, name: &str) -> Option<(String, String)> {
    let key = (from.map(str::to_string), name.to_string());
    if let Some(hit) = world.crates.borrow().get(&key) {
        return hit.clone();
    }
    let found = world.source.resolve(from, name).map(|d| (d.key, d.label));
    world.crates.borrow_mut().insert(key, found.clone());
    found
}

/// The lazily parsed context of a dependency.
fn dep_ctx<'o>(world: &Rc<World<'o>>, key: &str, depth: usize) -> Option<Rc<RefCell<Ctx<'o>>>> {
    if let Some(c) = world.ctxs.borrow().get(key) {
        return Some(c.clone());
    }
    let sources = world.source.sources(key)?;
    let mut ctx = Ctx::new(world.options);
    for f in &sources.files {
        let text = world.source.read(&f.path).ok();
        ctx.add_file(f.path.clone(), f.module.clone(), text);
    }
    ctx.deps = Some(Link {
        world: world.clone(),
        from: Some(key.to_string()),
        depth,
    });
    let rc = Rc::new(RefCell::new(ctx));
    world.ctxs.borrow_mut().insert(key.to_string(), rc.clone());
    Some(rc)
}

/// Resolves `rest` (a path inside the dependency's root module) and
/// collects what calling it reaches.
fn follow(dctx: &mut Ctx<'_>, rest: &str) -> Vec<DepHazard> {
    let segs: Vec<String> = rest.split("::").map(str::to_string).collect();
    // The crate root's scope (parsed on demand).
    dctx.module_scope(&[]);
    let root = FnCtx {
        file: 0,
        module: Vec::new(),
        self_ty: None,
        scope: Default::default(),
        uses: Default::default(),
    };
    let ids: Vec<FnId> = match resolve(dctx, &root, &segs) {
        Target::LocalFn(id) => dctx.variants_of(id),
        Target::LocalMethod { ty, name } => dctx.methods_of(&ty, &name),
        // A re-export of another crate's item: that crate's answer (the
        // knowledge table first, as for any call).
        Target::Extern(p) => {
            if dctx.opts.knowledge.lookup_path(&p).is_some() {
                return Vec::new();
            }
            return hazards_of(dctx, &p)
                .map(|(_, h)| h.as_ref().clone())
                .unwrap_or_default();
        }
        Target::Unknown(_) => Vec::new(),
    };
    let mut out = Vec::new();
    for id in ids.into_iter().take(4) {
        let sum = crate::summaries::summary(dctx, id);
        for h in &sum.hazards {
            let Some(p) = path_of(dctx, h.site) else {
                continue;
            };
            let mut steps = Vec::new();
            // Into a further dependency: the call first, then its chain.
            if h.in_dependency {
                steps.push((
                    format!("calls {}", h.op.trim_matches('`')),
                    p.clone(),
                    h.site.span,
                ));
            }
            for s in &h.chain {
                if let Some(sp) = path_of(dctx, s.site) {
                    steps.push((s.label.clone(), sp, s.site.span));
                }
            }
            if !h.in_dependency {
                steps.push((h.op.trim_matches('`').to_string(), p, h.site.span));
            }
            out.push(DepHazard {
                rule: h.rule,
                level: h.level,
                op: h.op.clone(),
                reason: h.reason.clone(),
                help: h.help.clone(),
                guessed: h.guessed,
                steps,
            });
        }
    }
    out
}

fn path_of(ctx: &Ctx<'_>, site: Site) -> Option<PathBuf> {
    ctx.files.get(site.file).map(|f| f.path.clone())
}

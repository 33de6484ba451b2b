//! Calls into dependencies: child code that calls a function of another
//! crate the knowledge table does not describe is followed into that
//! crate's sources, with the same engine.
//!
//! The caller says where dependencies are ([`Dependencies`]: the CLI
//! answers from `cargo metadata`, never building anything) and reads their
//! files; the engine keeps one lazily parsed [`Ctx`] per dependency in a
//! [`World`] shared by the crate being checked and every dependency it
//! reaches, and memoises what each called function reaches
//! ([`DepCall`]: its [`DepHazard`]s, independent of the calling crate). The
//! knowledge table keeps priority: std, libc, nix, log... are judged by it,
//! and calls into C (`extern` blocks) end there.
//!
//! Results outlive the run through the caller: before parsing a
//! dependency, the engine asks [`Dependencies::recall`] for what an earlier
//! run found, and hands every new result to [`Dependencies::remember`] (the
//! CLI keeps them on disk, see `deps::cache`; the engine itself does no
//! IO). That is why a [`DepHazard`]'s steps are [`Location`]s, not spans:
//! the chain of a finding is the same whether the dependency was analysed
//! in this run or in an earlier one.
//!
//! A hazard inside a dependency is reported at the call in the checked
//! crate (the code its author can change), with the chain crossing into the
//! dependency as notes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::diagnostic::ChainStep;
use crate::index::{Ctx, FnId};
use crate::input::{DepCall, DepHazard, Dependencies, Options};
use crate::knowledge::Verdict;
use crate::resolve::{FnCtx, Target, resolve};

/// At most this many dependency hops from the checked crate.
const MAX_DEPTH: usize = 8;

/// At most this many definitions of one called path are followed (`#[cfg]`
/// variants, impls of several types of one name).
const MAX_DEFINITIONS: usize = 4;

/// `(importing package, extern name)` to `(package key, label)`.
type CrateMemo = HashMap<(Option<String>, String), Option<(String, String)>>;
/// `(package key, path inside it)` to what calling it reaches.
type CallMemo = HashMap<(String, String), Rc<DepCall>>;

/// The dependencies reached from one checked crate.
pub(crate) struct World<'o> {
    source: &'o dyn Dependencies,
    options: &'o Options,
    ctxs: RefCell<HashMap<String, Rc<RefCell<Ctx<'o>>>>>,
    crates: RefCell<CrateMemo>,
    memo: RefCell<CallMemo>,
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

/// What the dependency function at `path` (`gethostname::gethostname`,
/// `outside_dep::FixedVec::push`) reaches when called from child code of
/// `ctx`'s crate, with the dependency's label; `None` when the path is not
/// in a dependency with sources, or names nothing there the engine can
/// follow (then the caller judges it as before: an unknown call).
pub(crate) fn hazards_of(ctx: &mut Ctx<'_>, path: &str) -> Option<(String, Rc<DepCall>)> {
    let link = ctx.deps.clone()?;
    if link.depth >= MAX_DEPTH {
        return None;
    }
    let path = path.trim_start_matches("::");
    let (root, rest) = path.split_once("::")?;
    let world = link.world.clone();
    let (key, label) = crate_of(&world, link.from.as_deref(), root)?;
    let memo_key = (key.clone(), rest.to_string());
    let hit = world.memo.borrow().get(&memo_key).cloned();
    let found = match hit {
        Some(hit) => hit,
        None => {
            let found = match world.source.recall(&key, rest) {
                Some(kept) => Rc::new(kept),
                None => {
                    let dep = dep_ctx(&world, &key, link.depth + 1)?;
                    // A dependency reached again while it is being analysed
                    // (a cycle through re-exports): nothing more to learn.
                    let mut dctx = dep.try_borrow_mut().ok()?;
                    let found = follow(&mut dctx, rest);
                    drop(dctx);
                    world.source.remember(&key, rest, &found);
                    Rc::new(found)
                }
            };
            world.memo.borrow_mut().insert(memo_key, found.clone());
            found
        }
    };
    found.resolved.then_some((label, found))
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
fn follow(dctx: &mut Ctx<'_>, rest: &str) -> DepCall {
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
        // A method of one of the crate's types: an inherent or trait impl,
        // else a default method of a trait implemented for the type.
        Target::LocalMethod { ty, name } => {
            let ids = dctx.methods_of(&ty, &name);
            if ids.is_empty() {
                dctx.trait_defaults_of(&ty, &name)
            } else {
                ids
            }
        }
        // A re-export of another crate's item: that crate's answer (the
        // knowledge table first, as for any call).
        Target::Extern(p) => return reexport(dctx, &p),
        Target::Unknown(_) => Vec::new(),
    };
    if ids.is_empty() {
        return DepCall::default();
    }
    let mut hazards = Vec::new();
    for id in ids.into_iter().take(MAX_DEFINITIONS) {
        let sum = crate::summaries::summary(dctx, id);
        for h in &sum.hazards {
            let Some(at) = dctx.locate(h.site) else {
                continue;
            };
            let mut steps = Vec::new();
            // Into a further dependency: the call first, then its chain.
            if h.in_dependency {
                steps.push(ChainStep {
                    label: format!("calls {}", h.op.trim_matches('`')),
                    location: at.clone(),
                });
            }
            for s in &h.chain {
                if let Some(location) = dctx.locate(s.site) {
                    steps.push(ChainStep {
                        label: s.label.clone(),
                        location,
                    });
                }
            }
            if !h.in_dependency {
                steps.push(ChainStep {
                    label: h.op.trim_matches('`').to_string(),
                    location: at,
                });
            }
            hazards.push(DepHazard {
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
    DepCall {
        resolved: true,
        hazards,
    }
}

/// A dependency's re-export of `path`, another crate's item: the knowledge
/// table's verdict when it has one (a hazard is reported as reached, with
/// no steps inside the re-exporting crate), else what following it into
/// that crate finds.
fn reexport(dctx: &mut Ctx<'_>, path: &str) -> DepCall {
    if let Some(entry) = dctx.opts.knowledge.lookup_path(path) {
        let hazards = match entry.verdict {
            Verdict::Hazard(rule, level) => vec![DepHazard {
                rule,
                level,
                op: format!("`{path}`"),
                reason: entry.reason.to_string(),
                help: (!entry.fix.is_empty()).then(|| entry.fix.to_string()),
                guessed: false,
                steps: Vec::new(),
            }],
            _ => Vec::new(),
        };
        return DepCall {
            resolved: true,
            hazards,
        };
    }
    match hazards_of(dctx, path) {
        Some((_, found)) => found.as_ref().clone(),
        None => DepCall::default(),
    }
}

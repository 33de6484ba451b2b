//! Child regions: what runs in a child, and turning it into findings.
//!
//! Which code runs in a child is decided by the flow analysis
//! ([`crate::flow`]); this module asks it about one function, then has the
//! hazard walker ([`crate::summaries::Walker`]) judge what it marked, the
//! functions that run whole in a child (callbacks by path, functions marked
//! `#[fork_guard::child]`) and the code of `fork_guard::child_closure!`, and
//! adds the `fallthrough` findings at the lines where a child leaves.

use syn::visit::Visit;

use crate::diagnostic::Level;
use crate::flow::{Leave, Marks, Origin, analyze_root};
use crate::index::{Ctx, FnId, Site};
use crate::resolve::{FnCtx, path_is};
use crate::rules::{RuleId, fallthrough};
use crate::summaries::{Event, Step, Walker};
use crate::types::{Env, env_of};

pub(crate) use crate::child_sites::CHILD_MARKER;

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
    /// For a hazard reached through calls: the call in the child code, the
    /// message and the chain as seen from there (the proc macro reports
    /// there: it sees only the item).
    pub at_call: Option<(Site, String, Vec<Step>)>,
    /// For a `fallthrough`: the function the child leaves. Dropped when
    /// that function is itself called from child code (then the exit is
    /// its caller's business, as for a daemonizer's helpers).
    pub leaves_fn: Option<FnId>,
}

/// Code that runs whole in a child.
pub(crate) enum Body<'a> {
    Closure(&'a syn::ExprClosure),
    OwnedExpr(Box<syn::Expr>),
    /// A whole function of the crate (a marked fn, a callback by path).
    Fn(FnId),
}

/// Code that runs whole in a child, with where its child starts.
pub(crate) struct Region<'a> {
    pub body: Body<'a>,
    pub origin: Origin,
}

impl<'a> Region<'a> {
    pub fn new(body: Body<'a>, label: &str, site: Site) -> Self {
        Region {
            body,
            origin: Origin {
                label: label.to_string(),
                site,
                vfork: false,
                fork_path: None,
                reported: false,
            },
        }
    }
}

fn step(o: &Origin) -> Step {
    Step {
        label: o.label.clone(),
        site: o.site,
    }
}

fn to_raw(events: Vec<Event>, region: impl Fn(&Event) -> Option<Step>) -> Vec<RawFinding> {
    events
        .iter()
        .map(|e| RawFinding {
            rule: e.rule(),
            level: e.level(),
            site: e.primary(),
            message: e.message(),
            help: e.hazard.help.clone(),
            chain: e.chain(),
            region: region(e),
            at_call: e
                .via
                .as_ref()
                .map(|_| (e.site, e.call_message(), e.call_chain())),
            leaves_fn: None,
        })
        .collect()
}

/// Walks code that runs whole in a child and turns what it finds into
/// findings.
pub(crate) fn analyze(
    ctx: &mut Ctx<'_>,
    f: &FnCtx,
    env: &Env,
    region: &Region<'_>,
) -> Vec<RawFinding> {
    let vfork = region.origin.vfork;
    let (events, unresolved) = match &region.body {
        Body::Fn(id) => {
            let Some(def) = ctx.fn_def(*id) else {
                return Vec::new();
            };
            let fctx = FnCtx::of(&def);
            let fenv = env_of(ctx, &fctx, Some(&def.sig), &def.block);
            let mut w = Walker::new(ctx, fctx, fenv, vfork);
            w.push_allows(&def.attrs);
            w.block(&def.block);
            (
                std::mem::take(&mut w.events),
                std::mem::take(&mut w.unresolved),
            )
        }
        Body::Closure(c) => {
            let mut w = Walker::new(ctx, f.clone(), env.clone(), vfork);
            w.push_allows(&c.attrs);
            w.expr(&c.body);
            (
                std::mem::take(&mut w.events),
                std::mem::take(&mut w.unresolved),
            )
        }
        Body::OwnedExpr(e) => {
            let mut w = Walker::new(ctx, f.clone(), env.clone(), vfork);
            match &**e {
                syn::Expr::Closure(c) => {
                    w.push_allows(&c.attrs);
                    w.expr(&c.body);
                }
                e => {
                    w.expr(e);
                }
            }
            (
                std::mem::take(&mut w.events),
                std::mem::take(&mut w.unresolved),
            )
        }
    };
    ctx.unresolved.extend(unresolved);
    let s = step(&region.origin);
    to_raw(events, |_| Some(s.clone()))
}

/// Judges the code of one function that the flow analysis marked. When a
/// child falls out of the function's end (a `fallthrough`, reported on its
/// own), the drops there are not reported again as frees.
fn analyze_marked(
    ctx: &mut Ctx<'_>,
    id: FnId,
    marks: std::rc::Rc<Marks>,
    falls_out: bool,
) -> Vec<RawFinding> {
    let Some(def) = ctx.fn_def(id) else {
        return Vec::new();
    };
    let f = FnCtx::of(&def);
    let env = env_of(ctx, &f, Some(&def.sig), &def.block);
    let mut w = Walker::with_marks(ctx, f, env, marks.clone());
    if falls_out {
        w.quiet_end = Some(&def.block as *const syn::Block as usize);
    }
    w.push_allows(&def.attrs);
    w.block(&def.block);
    let events = std::mem::take(&mut w.events);
    let unresolved = std::mem::take(&mut w.unresolved);
    ctx.unresolved.extend(unresolved);
    to_raw(events, |e| {
        e.origin
            .and_then(|o| marks.origins.get(o as usize))
            .map(step)
    })
}

/// Finds and analyses every child region of one function of the crate.
pub(crate) fn check_fn(ctx: &mut Ctx<'_>, id: FnId) -> Vec<RawFinding> {
    let Some(def) = ctx.fn_def(id) else {
        return Vec::new();
    };
    let f = FnCtx::of(&def);
    let mut out = Vec::new();
    // The function's variables, computed only when a whole-child region
    // needs them (most functions have none).
    let mut env: Option<Env> = None;
    if let Some(flow) = analyze_root(ctx, id) {
        if !flow.marks.is_empty() {
            let falls_out = flow.fallthroughs.iter().any(|(e, _)| e.how == Leave::End);
            out.extend(analyze_marked(ctx, id, flow.marks.clone(), falls_out));
        }
        for (exit, origin) in &flow.fallthroughs {
            let Some(o) = flow.marks.origins.get(*origin as usize) else {
                continue;
            };
            let how = match exit.how {
                Leave::Question => fallthrough::Exit::Question,
                Leave::Return => fallthrough::Exit::Return,
                Leave::End => fallthrough::Exit::End,
            };
            out.push(RawFinding {
                rule: RuleId::Fallthrough,
                level: Level::Error,
                site: Site {
                    file: def.file,
                    span: exit.site,
                },
                message: fallthrough::message(how),
                help: Some(fallthrough::HELP.to_string()),
                chain: Vec::new(),
                region: Some(step(o)),
                at_call: None,
                leaves_fn: Some(id),
            });
        }
        let regions = flow
            .fn_regions
            .into_iter()
            .map(|(fid, origin)| Region {
                body: Body::Fn(fid),
                origin,
            })
            .chain(flow.owned_regions.into_iter().map(|(e, origin)| Region {
                body: Body::OwnedExpr(Box::new(e)),
                origin,
            }));
        for r in regions {
            let env = env.get_or_insert_with(|| env_of(ctx, &f, Some(&def.sig), &def.block));
            out.extend(analyze(ctx, &f, env, &r));
        }
    }
    // `#[fork_guard::child]` on the function, or on a closure in it.
    let mut markers = Markers {
        ctx,
        f: &f,
        closures: Vec::new(),
    };
    markers.visit_block(&def.block);
    let closures = markers.closures;
    let marked = def
        .attrs
        .iter()
        .any(|a| path_is(ctx, &f, a.path(), CHILD_MARKER));
    if !closures.is_empty() || marked {
        let env = env.get_or_insert_with(|| env_of(ctx, &f, Some(&def.sig), &def.block));
        for c in closures {
            let site = Site {
                file: def.file,
                span: syn::spanned::Spanned::span(c),
            };
            let r = Region::new(
                Body::Closure(c),
                "child code starts here (#[fork_guard::child])",
                site,
            );
            out.extend(analyze(ctx, &f, env, &r));
        }
        if marked {
            let site = Site {
                file: def.file,
                span: def.sig.ident.span(),
            };
            let r = Region::new(
                Body::Fn(id),
                "child code starts here (#[fork_guard::child])",
                site,
            );
            out.extend(analyze(ctx, &f, env, &r));
        }
    }
    out
}

/// Closures marked `#[fork_guard::child]` (nightly).
struct Markers<'a, 'c, 'o> {
    ctx: &'c mut Ctx<'o>,
    f: &'c FnCtx,
    closures: Vec<&'a syn::ExprClosure>,
}

impl<'a> Visit<'a> for Markers<'a, '_, '_> {
    fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
        if c.attrs
            .iter()
            .any(|a| path_is(self.ctx, self.f, a.path(), CHILD_MARKER))
        {
            self.closures.push(c);
        }
        syn::visit::visit_expr_closure(self, c);
    }
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

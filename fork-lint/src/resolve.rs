//! Path resolution within one crate: `use` aliases and globs, `crate::`,
//! `self::`, `super::`, inline modules, nested functions, `Self::m`,
//! `Type::m`. A path that leaves the crate becomes an [`Target::Extern`]
//! path string for the knowledge table.

use std::collections::HashMap;
use std::rc::Rc;

use crate::index::{Ctx, FileId, FnDef, FnId};

/// What a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A function of this crate.
    LocalFn(FnId),
    /// `Type::name` for a type of this crate (or `Self::name`).
    LocalMethod { ty: String, name: String },
    /// A path outside the crate, e.g. `libc::fork`, `std::env::var`,
    /// `String::from`.
    Extern(String),
    /// A single name resolution could not place (a local variable, a
    /// function from a glob import of another crate, a macro-generated item).
    Unknown(String),
}

/// Where a piece of code sits: what its paths resolve against.
#[derive(Clone)]
pub(crate) struct FnCtx {
    pub file: FileId,
    pub module: Vec<String>,
    pub self_ty: Option<String>,
    /// Nested functions visible here.
    pub scope: Rc<HashMap<String, FnId>>,
    /// `use` declarations inside the function body.
    pub uses: Rc<HashMap<String, Vec<String>>>,
}

impl FnCtx {
    pub fn of(def: &FnDef) -> FnCtx {
        FnCtx {
            file: def.file,
            module: def.module.clone(),
            self_ty: def.self_ty.clone(),
            scope: def.scope.clone(),
            uses: def.uses.clone(),
        }
    }
}

/// The identifiers of a path's segments (generic arguments dropped).
pub(crate) fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

const MAX_DEPTH: usize = 24;

/// Resolves a path written inside `f`.
pub(crate) fn resolve(ctx: &mut Ctx<'_>, f: &FnCtx, segs: &[String]) -> Target {
    let Some(first) = segs.first() else {
        return Target::Unknown(String::new());
    };
    if segs.len() == 1
        && let Some(&id) = f.scope.get(first)
    {
        return Target::LocalFn(id);
    }
    if let Some(p) = f.uses.get(first)
        && p.as_slice() != [first.clone()]
        && !names_its_own_crate(first, p, segs.len())
    {
        let mut full = p.clone();
        full.extend(segs.iter().skip(1).cloned());
        return cached_lookup(ctx, &f.module, &full, Some(first));
    }
    if first == "Self"
        && let (Some(ty), Some(name), 2) = (&f.self_ty, segs.get(1), segs.len())
    {
        return Target::LocalMethod {
            ty: ty.clone(),
            name: name.clone(),
        };
    }
    cached_lookup(ctx, &f.module, segs, None)
}

/// True for `alias::rest` where `alias` was imported with `use
/// krate::..::krate;`, an item named like its own crate (`use
/// anyhow::anyhow;`, the macro; `use tempfile::tempfile;`): such an item is
/// a macro or a function, so `anyhow::Error::msg` names the crate `anyhow`,
/// not `anyhow::anyhow::Error::msg`.
fn names_its_own_crate(first: &str, target: &[String], len: usize) -> bool {
    len > 1
        && target.len() > 1
        && target.first().is_some_and(|s| s == first)
        && target.last().is_some_and(|s| s == first)
}

/// Resolutions made: (module, path, expanding an alias) -> target (held
/// by `Ctx`, touched only here).
#[derive(Default)]
pub(crate) struct Memo(HashMap<(Vec<String>, Vec<String>, bool), Target>);

/// [`lookup`] from the top, memoised per module and path.
fn cached_lookup(
    ctx: &mut Ctx<'_>,
    module: &[String],
    segs: &[String],
    skip: Option<&str>,
) -> Target {
    let key = (module.to_vec(), segs.to_vec(), skip.is_some());
    if let Some(t) = ctx.resolved.0.get(&key) {
        return t.clone();
    }
    let t = lookup(ctx, module, segs, 0, true, skip, true);
    ctx.resolved.0.insert(key, t.clone());
    t
}

/// Resolves `segs` as written in `module`. With `extern_ok`, a path that
/// names nothing local is taken as a path into another crate. `skip` is the
/// alias being expanded: `use fork::fork;` makes `fork` name `fork::fork`,
/// whose first segment is the crate, not the alias again.
fn lookup(
    ctx: &mut Ctx<'_>,
    module: &[String],
    segs: &[String],
    depth: usize,
    extern_ok: bool,
    skip: Option<&str>,
    globs_ok: bool,
) -> Target {
    let Some(first) = segs.first() else {
        return Target::Unknown(String::new());
    };
    if depth > MAX_DEPTH {
        return Target::Unknown(first.clone());
    }
    let rest = segs.get(1..).unwrap_or(&[]);
    // The crate's own name is an extern crate (integration tests, binaries)
    // unless the crate says `extern crate self as name;` (a `use` alias).
    if first == "crate" {
        return lookup(ctx, &[], rest, depth + 1, false, None, globs_ok);
    }
    if first == "self" {
        return lookup(ctx, module, rest, depth + 1, false, None, globs_ok);
    }
    if first == "super" {
        let parent = module.get(..module.len().saturating_sub(1)).unwrap_or(&[]);
        return lookup(ctx, parent, rest, depth + 1, false, None, globs_ok);
    }
    // What the module declares. Cloned out so the context can parse more.
    let (use_path, is_fn, is_mod, is_type, globs) = match ctx.module_scope(module) {
        Some(scope) => (
            scope.uses.get(first).cloned(),
            if segs.len() == 1 {
                scope.fns.get(first).copied()
            } else {
                None
            },
            scope.mods.contains(first),
            scope.types.contains(first),
            scope.globs.clone(),
        ),
        None => (None, None, false, false, Vec::new()),
    };
    if let Some(id) = is_fn {
        return Target::LocalFn(id);
    }
    if let Some(p) = use_path
        && p.as_slice() != [first.clone()]
        && skip != Some(first.as_str())
        && !names_its_own_crate(first, &p, segs.len())
    {
        let mut full = p;
        full.extend(rest.iter().cloned());
        return lookup(ctx, module, &full, depth + 1, true, Some(first), globs_ok);
    }
    if is_mod {
        let mut sub = module.to_vec();
        sub.push(first.clone());
        if rest.is_empty() {
            return Target::Unknown(first.clone());
        }
        return lookup(ctx, &sub, rest, depth + 1, false, None, globs_ok);
    }
    if is_type && let [_, name] = segs {
        return Target::LocalMethod {
            ty: first.clone(),
            name: name.clone(),
        };
    }
    // Globs are followed one level deep: a glob-imported module's own globs
    // (often `use super::*;`) would otherwise fan out combinatorially.
    for g in globs.iter().filter(|_| globs_ok) {
        let local = g
            .first()
            .is_some_and(|s| s == "crate" || s == "self" || s == "super")
            || ctx
                .module_scope(module)
                .is_some_and(|s| g.first().is_some_and(|f| s.mods.contains(f)));
        if local {
            let mut full = g.clone();
            full.extend(segs.iter().cloned());
            let t = lookup(ctx, module, &full, depth + 1, false, None, false);
            if !matches!(t, Target::Unknown(_)) {
                return t;
            }
        } else if !g.is_empty() {
            let cand = format!("{}::{}", g.join("::"), segs.join("::"));
            if ctx.opts.knowledge.lookup_path(&cand).is_some() {
                return Target::Extern(cand);
            }
        }
    }
    // Rust 2015: `use util;` or `util::f()` inside a module names the crate
    // root's module `util` (paths in `use` were crate-relative).
    if !module.is_empty()
        && segs.len() >= 2
        && !ctx.opts.knowledge.is_known_crate(first)
        && ctx
            .module_scope(&[])
            .is_some_and(|root| root.mods.contains(first))
    {
        let t = lookup(ctx, &[], segs, depth + 1, false, None, globs_ok);
        if !matches!(t, Target::Unknown(_)) {
            return t;
        }
    }
    if extern_ok && segs.len() >= 2 {
        return Target::Extern(segs.join("::"));
    }
    if extern_ok && let [one] = segs {
        // The functions of the std prelude (a fact of name resolution).
        if let Some((_, path)) = PRELUDE_FNS.iter().find(|(name, _)| name == one) {
            return Target::Extern(path.to_string());
        }
    }
    Target::Unknown(segs.join("::"))
}

/// Free functions in the std prelude, by the name code calls them with.
const PRELUDE_FNS: &[(&str, &str)] = &[("drop", "std::mem::drop")];

/// Resolves a macro or attribute path to the string the knowledge table and
/// the marker checks use: `println`, `std::println`, `fork_guard::child`.
/// `None` for a macro of this crate.
///
/// A bare name is resolved through, in order: a `use` alias (`use
/// log::info;` → `log::info`); a glob import of another crate whose macro of
/// that name the knowledge table lists (`use log::*;` → `log::info`); an
/// `extern crate` at the crate root whose listed macro it is (`#[macro_use]
/// extern crate log;` → `log::info`: the bare name of such a macro compiles
/// only through an import like these, or as the crate's own `macro_rules!`,
/// which the table does not list). Otherwise it stays bare (`println`).
pub(crate) fn resolve_macro(ctx: &mut Ctx<'_>, f: &FnCtx, path: &syn::Path) -> Option<String> {
    let segs = segments(path);
    let first = segs.first()?;
    if segs.len() == 1 {
        let alias = f.uses.get(first).cloned().or_else(|| {
            ctx.module_scope(&f.module)
                .and_then(|s| s.uses.get(first).cloned())
        });
        return Some(match alias {
            Some(p) => p.join("::"),
            None => imported_macro(ctx, &f.module, first).unwrap_or_else(|| first.clone()),
        });
    }
    match resolve(ctx, f, &segs) {
        Target::Extern(s) => Some(s),
        Target::Unknown(s) => Some(s),
        _ => None,
    }
}

/// `crate::name` for a bare macro `name` that a glob import of `crate` in
/// `module`, or an `extern crate` at the crate root, brings into scope, when
/// the knowledge table lists `crate::name` as a macro.
fn imported_macro(ctx: &mut Ctx<'_>, module: &[String], name: &str) -> Option<String> {
    if ctx.opts.knowledge.lookup_macro(name).is_some() {
        // A std macro (`println`, `format`): no other crate's macro listed.
        return None;
    }
    let mut candidates: Vec<Vec<String>> = Vec::new();
    if let Some(scope) = ctx.module_scope(module) {
        // Globs of this crate's own modules (`use self::log::*;`, `use
        // log::*;` next to `mod log;`) import no other crate's macro.
        candidates.extend(
            scope
                .globs
                .iter()
                .filter(|g| {
                    g.first().is_some_and(|s| {
                        s != "crate" && s != "self" && s != "super" && !scope.mods.contains(s)
                    })
                })
                .cloned(),
        );
    }
    if let Some(root) = ctx.module_scope(&[]) {
        // `extern crate log;` is recorded as the alias `log` -> `[log]`.
        let mut externs: Vec<Vec<String>> = root
            .uses
            .iter()
            .filter(|(alias, target)| target.len() == 1 && target[0] == **alias)
            .map(|(_, target)| target.clone())
            .collect();
        externs.sort();
        candidates.extend(externs);
    }
    candidates.iter().find_map(|krate| {
        let cand = format!("{}::{name}", krate.join("::"));
        ctx.opts.knowledge.lookup_macro(&cand).map(|_| cand)
    })
}

/// The canonical name of an attribute or macro path, resolved through `use`.
pub(crate) fn path_is(ctx: &mut Ctx<'_>, f: &FnCtx, path: &syn::Path, canonical: &[&str]) -> bool {
    resolve_macro(ctx, f, path).is_some_and(|p| {
        let p = p.trim_start_matches("::");
        canonical.contains(&p)
    })
}

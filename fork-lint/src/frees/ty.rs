//! The types of values as far as the source states them (`let x: T`,
//! function signatures, struct fields), kept with their structure so that
//! patterns can take them apart (`let (a, b) = pair()?`, `Err(e) => ..`),
//! and whether dropping a value of a type frees heap memory.
//!
//! [`crate::types`] guesses receiver types as flat name lists for method
//! lookup; a drop needs more: which field of a tuple a binding gets, what
//! `Err(e)` holds in a `Result`, which struct fields own memory.

use crate::index::Ctx;
use crate::knowledge::canonical_std;
use crate::knowledge::heap::{self, Heap};
use crate::resolve::{FnCtx, Target, resolve, segments};

const MAX_TYPE_DEPTH: usize = 8;
const MAX_FIELD_DEPTH: usize = 6;

/// A type, as far as the source says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A named type: its canonical path when it resolves outside the
    /// crate (`std::io::Error`), else as written (`Pipe`, `String`).
    Named {
        path: String,
        args: Vec<Ty>,
    },
    Tuple(Vec<Ty>),
    Array(Box<Ty>),
    /// A reference or a raw pointer: dropping it frees nothing.
    Ref,
    Unknown,
}

impl Ty {
    pub fn named(path: &str) -> Ty {
        Ty::Named {
            path: path.to_string(),
            args: Vec::new(),
        }
    }

    /// The last segment of a named type's path.
    pub fn name(&self) -> Option<&str> {
        match self {
            Ty::Named { path, .. } => Some(heap::last_segment(path)),
            _ => None,
        }
    }

    /// The `i`th type argument.
    pub fn arg(&self, i: usize) -> Ty {
        match self {
            Ty::Named { args, .. } => args.get(i).cloned().unwrap_or(Ty::Unknown),
            _ => Ty::Unknown,
        }
    }

    /// What `unwrap`, `expect` and `?` give: `T` of `Option<T>` and
    /// `Result<T, _>`.
    pub fn unwrapped(&self) -> Ty {
        match self.name() {
            Some("Option" | "Result") => self.arg(0),
            _ => Ty::Unknown,
        }
    }

    /// How messages name it: last segments, `io::Error` for the names
    /// that need their module.
    pub fn display(&self) -> String {
        match self {
            Ty::Named { path, args } => {
                let name = match heap::owning_type(path) {
                    Some(e) if e.qualified_only => {
                        let segs: Vec<&str> = e.path.rsplitn(3, "::").collect();
                        match segs.as_slice() {
                            [n, m, ..] => format!("{m}::{n}"),
                            _ => heap::last_segment(path).to_string(),
                        }
                    }
                    _ => heap::last_segment(path).to_string(),
                };
                if args.is_empty() {
                    name
                } else {
                    let args: Vec<String> = args.iter().map(Ty::display).collect();
                    format!("{name}<{}>", args.join(", "))
                }
            }
            Ty::Tuple(t) => {
                let t: Vec<String> = t.iter().map(Ty::display).collect();
                format!("({})", t.join(", "))
            }
            Ty::Array(t) => format!("[{}; _]", t.display()),
            Ty::Ref => "&_".to_string(),
            Ty::Unknown => "_".to_string(),
        }
    }
}

/// The type a written type names. With `f`, paths resolve as written in
/// that function (`use` aliases, `Self`); without, they stay as written
/// (struct fields, whose module the index does not keep).
pub(crate) fn of_type(ctx: &mut Ctx<'_>, f: Option<&FnCtx>, ty: &syn::Type) -> Ty {
    of_type_at(ctx, f, ty, 0)
}

fn of_type_at(ctx: &mut Ctx<'_>, f: Option<&FnCtx>, ty: &syn::Type, depth: usize) -> Ty {
    if depth > MAX_TYPE_DEPTH {
        return Ty::Unknown;
    }
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let segs = segments(&p.path);
            let path = canonical_path(ctx, f, &segs);
            let mut args = Vec::new();
            if let Some(last) = p.path.segments.last()
                && let syn::PathArguments::AngleBracketed(a) = &last.arguments
            {
                for arg in &a.args {
                    if let syn::GenericArgument::Type(t) = arg {
                        args.push(of_type_at(ctx, f, t, depth + 1));
                    }
                }
            }
            if let Some(err) = heap::result_alias_error(&path)
                && args.len() == 1
            {
                args.push(Ty::named(err));
                return Ty::Named {
                    path: "std::result::Result".to_string(),
                    args,
                };
            }
            Ty::Named { path, args }
        }
        syn::Type::Reference(_) | syn::Type::Ptr(_) | syn::Type::BareFn(_) => Ty::Ref,
        syn::Type::Tuple(t) => Ty::Tuple(
            t.elems
                .iter()
                .map(|e| of_type_at(ctx, f, e, depth + 1))
                .collect(),
        ),
        syn::Type::Array(a) => Ty::Array(Box::new(of_type_at(ctx, f, &a.elem, depth + 1))),
        syn::Type::Paren(p) => of_type_at(ctx, f, &p.elem, depth + 1),
        syn::Type::Group(g) => of_type_at(ctx, f, &g.elem, depth + 1),
        _ => Ty::Unknown,
    }
}

/// A type path as resolved in `f`: canonical when it leaves the crate.
fn canonical_path(ctx: &mut Ctx<'_>, f: Option<&FnCtx>, segs: &[String]) -> String {
    let Some(f) = f else {
        return segs.join("::");
    };
    if let [one] = segs
        && one == "Self"
    {
        return f.self_ty.clone().unwrap_or_else(|| one.clone());
    }
    match resolve(ctx, f, segs) {
        Target::Extern(p) => canonical_std(&p).into_owned(),
        _ => segs.join("::"),
    }
}

/// Why dropping a value frees heap memory.
#[derive(Debug, Clone)]
pub(crate) struct Owned {
    pub heap: Heap,
    /// From the value's type down to the owner: (type, the field that
    /// holds the next one).
    pub path: Vec<(String, String)>,
    /// What the last type owns ("owns a heap buffer").
    pub owns: &'static str,
    /// Values std makes of this type own nothing (`io::Error`).
    pub std_values_own_nothing: bool,
}

impl Owned {
    /// E.g. "a `Pipe` holds a `UnixStream` (field `0`), which holds a
    /// `Vec` (field `cmsg`), which owns a heap buffer".
    pub fn why(&self) -> String {
        let mut out = String::new();
        for (i, (ty, field)) in self.path.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("{} `{ty}`", article(ty)));
            } else {
                out.push_str(&format!(
                    " holds {} `{ty}` (field `{field}`), which",
                    article(ty)
                ));
            }
        }
        out.push(' ');
        out.push_str(self.owns);
        out
    }
}

/// "a" or "an" before a type name.
pub(crate) fn article(name: &str) -> &'static str {
    match name.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'a' | 'e' | 'i' | 'o') => "an",
        _ => "a",
    }
}

/// Whether dropping a value of `ty` frees heap memory, and why.
pub(crate) fn owned(ctx: &mut Ctx<'_>, ty: &Ty) -> Option<Owned> {
    owned_at(ctx, ty, 0, &mut Vec::new())
}

fn owned_at(ctx: &mut Ctx<'_>, ty: &Ty, depth: usize, seen: &mut Vec<String>) -> Option<Owned> {
    if depth > MAX_FIELD_DEPTH {
        return None;
    }
    match ty {
        Ty::Named { path, args } => {
            if heap::is_never_dropped(path) {
                return None;
            }
            let name = heap::last_segment(path).to_string();
            let into_std = path.starts_with("std::");
            let table = heap::owning_type(path);
            // A type of the crate shadows std's unqualified names.
            if !into_std
                && (table.is_none() || !path.contains("::"))
                && !seen.contains(&name)
                && let Some(fields) = ctx.type_fields(&name)
            {
                let is_enum = !ctx.structs.contains_key(&name);
                seen.push(name.clone());
                let mut best: Option<(Owned, String)> = None;
                for (field, fty) in fields {
                    let fty = of_type(ctx, None, &fty);
                    let Some(o) = owned_at(ctx, &fty, depth + 1, seen) else {
                        continue;
                    };
                    if best.as_ref().is_none_or(|(b, _)| o.heap > b.heap) {
                        best = Some((o, field));
                    }
                    if best.as_ref().is_some_and(|(b, _)| b.heap == Heap::Certain) {
                        break;
                    }
                }
                seen.pop();
                let (mut inner, field) = best?;
                if let Some(first) = inner.path.first_mut() {
                    first.1 = field;
                }
                inner.path.insert(0, (ty.display(), String::new()));
                if is_enum {
                    inner.heap = Heap::Possible;
                }
                inner.std_values_own_nothing = false;
                return Some(inner);
            }
            if let Some(e) = table {
                return Some(Owned {
                    heap: e.heap,
                    path: vec![(ty.display(), String::new())],
                    owns: e.owns,
                    std_values_own_nothing: e.std_values_own_nothing,
                });
            }
            if heap::is_container(path) {
                let mut best: Option<Owned> = None;
                for (i, a) in args.iter().enumerate() {
                    let Some(mut o) = owned_at(ctx, a, depth + 1, seen) else {
                        continue;
                    };
                    // The error of a `Result` is there only on failure.
                    if name == "Result" && i > 0 {
                        o.heap = Heap::Possible;
                    }
                    if best.as_ref().is_none_or(|b| o.heap > b.heap) {
                        best = Some(o);
                    }
                }
                return best;
            }
            None
        }
        Ty::Tuple(elems) => elems
            .iter()
            .filter_map(|e| owned_at(ctx, e, depth + 1, seen))
            .max_by_key(|o| o.heap),
        Ty::Array(e) => owned_at(ctx, e, depth + 1, seen),
        Ty::Ref | Ty::Unknown => None,
    }
}

/// A name a pattern binds: its type, and whether it is `mut`.
pub(crate) type Bound = (syn::Ident, Ty, bool);

/// The types the bindings of `pat` get from a value of type `ty`
/// (`Ty::Ref` for `ref` bindings and through `&` patterns). Names a
/// pattern binds where the type cannot be followed get `Ty::Unknown`.
pub(crate) fn bind(ctx: &mut Ctx<'_>, pat: &syn::Pat, ty: &Ty, out: &mut Vec<Bound>) {
    match pat {
        syn::Pat::Ident(pi) => {
            if is_constant_like(&pi.ident) && pi.subpat.is_none() {
                return;
            }
            let t = if pi.by_ref.is_some() {
                Ty::Ref
            } else {
                ty.clone()
            };
            out.push((pi.ident.clone(), t, pi.mutability.is_some()));
            if let Some((_, sub)) = &pi.subpat {
                bind(ctx, sub, &Ty::Ref, out);
            }
        }
        syn::Pat::Reference(r) => bind(ctx, &r.pat, &Ty::Ref, out),
        syn::Pat::Paren(p) => bind(ctx, &p.pat, ty, out),
        syn::Pat::Type(pt) => bind(ctx, &pt.pat, ty, out),
        syn::Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                bind(ctx, first, ty, out);
            }
        }
        syn::Pat::Tuple(t) => {
            for (i, p) in t.elems.iter().enumerate() {
                let et = match ty {
                    Ty::Tuple(elems) => elems.get(i).cloned().unwrap_or(Ty::Unknown),
                    Ty::Ref => Ty::Ref,
                    _ => Ty::Unknown,
                };
                bind(ctx, p, &et, out);
            }
        }
        syn::Pat::TupleStruct(ts) => {
            let variant = ts
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            for (i, p) in ts.elems.iter().enumerate() {
                let et = match (variant.as_str(), ty) {
                    (_, Ty::Ref) => Ty::Ref,
                    ("Some" | "Ok", _) if i == 0 => ty.arg(0),
                    ("Err", _) if i == 0 => ty.arg(1),
                    _ => field_type(ctx, ty, &variant, &i.to_string()),
                };
                bind(ctx, p, &et, out);
            }
        }
        syn::Pat::Struct(s) => {
            let variant = s
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            for fp in &s.fields {
                let field = match &fp.member {
                    syn::Member::Named(n) => n.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                let et = match ty {
                    Ty::Ref => Ty::Ref,
                    _ => field_type(ctx, ty, &variant, &field),
                };
                bind(ctx, &fp.pat, &et, out);
            }
        }
        syn::Pat::Slice(s) => {
            for p in &s.elems {
                bind(ctx, p, &Ty::Unknown, out);
            }
        }
        _ => {}
    }
}

/// The type of a field of a crate struct (or of a variant of a crate enum)
/// that a pattern names.
fn field_type(ctx: &mut Ctx<'_>, ty: &Ty, variant: &str, field: &str) -> Ty {
    let Some(name) = ty.name().map(str::to_string) else {
        return Ty::Unknown;
    };
    let Some(fields) = ctx.type_fields(&name) else {
        return Ty::Unknown;
    };
    let key_struct = field.to_string();
    let key_variant = format!("{variant}.{field}");
    fields
        .iter()
        .find(|(k, _)| *k == key_variant || *k == key_struct)
        .map(|(_, t)| t.clone())
        .map_or(Ty::Unknown, |t| of_type(ctx, None, &t))
}

/// `None`, `FOO`, `Variant`: identifier patterns that name a constant or a
/// unit variant rather than bind (by the naming convention).
pub(crate) fn is_constant_like(ident: &syn::Ident) -> bool {
    ident
        .to_string()
        .starts_with(|c: char| c.is_ascii_uppercase())
}

//! A Unix reading of `#[cfg(..)]`, used only to choose between several
//! definitions of one macro name (`#[cfg(unix)]` and `#[cfg(windows)]`
//! variants): fork exists only on Unix, so the Unix variant is the one the
//! child runs.

use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

/// What the `#[cfg]` attributes of a definition say on a Unix target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CfgTruth {
    /// Certainly compiled out on Unix (`windows`, `not(unix)`, ...).
    Disabled,
    /// Depends on something unknown (features, `test`, other OSes), or
    /// the attribute does not parse.
    Unknown,
    /// Certainly compiled on Unix (no `#[cfg]`, `unix`, `target_os = "linux"`).
    Enabled,
}

impl CfgTruth {
    /// All `#[cfg(..)]` attributes of an item, and-ed. `cfg_attr` is ignored.
    pub fn of_attrs(attrs: &[Attribute]) -> CfgTruth {
        let mut truth = CfgTruth::Enabled;
        for attr in attrs {
            if !attr.path().is_ident("cfg") {
                continue;
            }
            let t = attr
                .parse_args::<Meta>()
                .map(|m| eval(&m, 0))
                .unwrap_or(CfgTruth::Unknown);
            truth = and(truth, t);
        }
        truth
    }
}

fn and(a: CfgTruth, b: CfgTruth) -> CfgTruth {
    a.min(b)
}

fn or(a: CfgTruth, b: CfgTruth) -> CfgTruth {
    a.max(b)
}

fn not(a: CfgTruth) -> CfgTruth {
    match a {
        CfgTruth::Disabled => CfgTruth::Enabled,
        CfgTruth::Enabled => CfgTruth::Disabled,
        CfgTruth::Unknown => CfgTruth::Unknown,
    }
}

fn eval(meta: &Meta, depth: usize) -> CfgTruth {
    if depth > 32 {
        return CfgTruth::Unknown;
    }
    match meta {
        Meta::Path(p) => {
            if p.is_ident("unix") {
                CfgTruth::Enabled
            } else if p.is_ident("windows") {
                CfgTruth::Disabled
            } else {
                CfgTruth::Unknown
            }
        }
        Meta::NameValue(nv) => {
            let value = match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => s.value(),
                _ => return CfgTruth::Unknown,
            };
            if nv.path.is_ident("target_family") {
                match value.as_str() {
                    "unix" => CfgTruth::Enabled,
                    "windows" | "wasm" => CfgTruth::Disabled,
                    _ => CfgTruth::Unknown,
                }
            } else if nv.path.is_ident("target_os") {
                match value.as_str() {
                    "linux" => CfgTruth::Enabled,
                    "windows" => CfgTruth::Disabled,
                    _ => CfgTruth::Unknown,
                }
            } else {
                CfgTruth::Unknown
            }
        }
        Meta::List(list) => {
            let Ok(args) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            else {
                return CfgTruth::Unknown;
            };
            if list.path.is_ident("all") {
                args.iter()
                    .fold(CfgTruth::Enabled, |t, m| and(t, eval(m, depth + 1)))
            } else if list.path.is_ident("any") {
                args.iter()
                    .fold(CfgTruth::Disabled, |t, m| or(t, eval(m, depth + 1)))
            } else if list.path.is_ident("not") && args.len() == 1 {
                not(eval(&args[0], depth + 1))
            } else {
                CfgTruth::Unknown
            }
        }
    }
}

//! The knowledge base: what fork-lint knows about APIs outside the crate
//! being checked. **Architecture Invariant:** this table is the only place
//! that says what is async-signal-safe and what is a hazard; rules and the
//! analysis ask it, they never name an API themselves.
//!
//! Entries are data (`static` slices, one file per API family). Paths are
//! canonical, as written after `use` resolution: `std::env::var`,
//! `libc::malloc`, `nix::unistd::execv`. Re-exports are listed under every
//! public path users write (`std::process::exit` and `std::process::abort`,
//! `nix::unistd::fork`), and `core::`/`alloc::` paths are looked up as
//! `std::` ones (see [`canonical_std`]).

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, RwLock};

use crate::diagnostic::Level;
use crate::rules::RuleId;

pub mod fork_results;
pub mod heap;
pub mod pointers;
mod posix;
mod table_errors;
mod table_fork_crate;
mod table_host;
mod table_libc;
mod table_linux;
mod table_logging;
mod table_nix;
mod table_rustix;
mod table_std;
mod table_text;
pub mod type_facts;

pub use posix::{GLIBC_DEVIATIONS, POSIX_CHANGES, POSIX_EDITION, POSIX_SAFE, PosixChange};

/// What calling an API in a forked child means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Async-signal-safe (or pure computation): nothing to report.
    Safe,
    /// A hazard of the given rule at the given level.
    Hazard(RuleId, Level),
    /// Safe while the path argument is shorter than `limit` bytes, allocates
    /// above it (std 384, nix 1024, rustix 256 bytes). When the length is not
    /// known statically, reported as `alloc` at warning level, and the
    /// message says so.
    PathArgument { limit: usize },
    /// Replaces the process image; returns only on failure, so the child
    /// region continues after it.
    Exec,
    /// Ends the child region: `_exit`, `abort`, `exit_group`, `kill(self)`.
    /// (`std::process::exit` is a hazard of rule `exit`, and also ends it.)
    Terminates,
    /// Creates a child process: the start of a child region.
    Fork(ForkKind),
    /// Runs its argument (a closure or fn path) in a child: `pre_exec`,
    /// `before_exec`, `clone` callbacks. `arg` is the 0-based argument index.
    RunsInChild { arg: usize },
}

/// How the fork site shares memory with the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForkKind {
    /// `fork`, `_Fork`, `SYS_fork`, `clone` without `CLONE_VM`.
    Fork,
    /// `vfork`: the child borrows the parent's memory until exec/_exit.
    Vfork,
}

/// What shape of call an entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    /// A free function or associated function called by path
    /// (`std::env::var`, `String::from`, `libc::fork`).
    Function,
    /// A method called with `.name()`. `receivers` lists the type names the
    /// receiver may have (last path segment, e.g. `Mutex`); empty means any
    /// receiver (then a match is a name-only guess unless the name is unique).
    Method { receivers: &'static [&'static str] },
    /// A macro invocation `name!(..)`, keyed by its path (`std::println`,
    /// `println`).
    Macro,
}

/// One knowledge entry.
#[derive(Debug, Clone, Copy)]
pub struct ApiEntry {
    /// Canonical path for functions and macros; the bare method name for
    /// methods (`lock`).
    pub path: &'static str,
    pub kind: ApiKind,
    pub verdict: Verdict,
    /// Why, in a clause that completes "this call ...", lowercase, e.g.
    /// "allocates a `String` for the value".
    pub reason: &'static str,
    /// What to do instead, or "" when the verdict is `Safe`.
    pub fix: &'static str,
}

/// How sure a lookup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// The method name alone matched; the receiver type is unknown.
    NameOnly,
    /// The path or the receiver type matched.
    Exact,
}

/// The tables, in lookup order; `extra` (from configuration) comes first so a
/// project can override a built-in verdict.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub extra: Vec<ApiEntry>,
}

/// All built-in tables: std, libc, nix, rustix and the `fork` crate, then
/// the third-party crates people call in child code (logging, error
/// handling, Linux process set-up, users and hosts, text and formats).
pub fn builtin() -> impl Iterator<Item = &'static ApiEntry> {
    table_std::ENTRIES
        .iter()
        .chain(table_libc::ENTRIES)
        .chain(table_nix::ENTRIES)
        .chain(table_rustix::ENTRIES)
        .chain(table_fork_crate::ENTRIES)
        .chain(table_logging::ENTRIES)
        .chain(table_errors::ENTRIES)
        .chain(table_linux::ENTRIES)
        .chain(table_host::ENTRIES)
        .chain(table_text::ENTRIES)
}

impl ApiEntry {
    /// True when the call ends the child region: [`Verdict::Terminates`]
    /// (`_exit`, `abort`, `exit_group`) and hazards of rule `exit`
    /// (`exit`, `std::process::exit`: they run atexit handlers and
    /// destructors, which is the hazard, and then the process is gone).
    /// The analysis stops walking the region after such a call; code after
    /// it is dead in the child.
    pub fn ends_region(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::Terminates | Verdict::Hazard(RuleId::Exit, _)
        )
    }

    /// The kind of child process this call creates, if it creates one:
    /// every [`Verdict::Fork`], and the `clone` functions of
    /// [`CLONE_FUNCTIONS`], whose verdict is `RunsInChild { arg: 0 }` (the
    /// callback is the child region) and which also fork. For `clone` this
    /// says `Fork`; whether `CLONE_VM` makes it a `vfork` is read from the
    /// flags by the analysis.
    pub fn fork_kind(&self) -> Option<ForkKind> {
        match self.verdict {
            Verdict::Fork(kind) => Some(kind),
            Verdict::RunsInChild { .. } if CLONE_FUNCTIONS.contains(&self.path) => {
                Some(ForkKind::Fork)
            }
            _ => None,
        }
    }
}

/// Functions that run their callback in a new process and are fork sites.
pub const CLONE_FUNCTIONS: &[&str] = &["libc::clone", "nix::sched::clone"];

/// An unqualified name that a proc macro takes for a fork call when it
/// cannot resolve it: `#[fork_guard::checked]` sees one function, not the
/// `use nix::unistd::{fork, ForkResult};` above it, so a bare `fork()` there
/// names nothing it knows. Which crate's function it is, and so what it
/// returns, is read from the types the item mentions (`by_type`: a type
/// name and the path it implies), else `default`.
#[derive(Debug, Clone, Copy)]
pub struct BareFork {
    pub name: &'static str,
    pub by_type: &'static [(&'static str, &'static str)],
    pub default: &'static str,
}

/// The bare fork names (see [`BareFork`]). `daemon` is left out: the caller
/// of `daemon()` *is* the child, and a crate's own `daemon()` is too common
/// a name to guess about.
pub const BARE_FORKS: &[BareFork] = &[
    BareFork {
        name: "fork",
        by_type: &[("ForkResult", "nix::unistd::fork"), ("Fork", "fork::fork")],
        default: "libc::fork",
    },
    BareFork {
        name: "vfork",
        by_type: &[],
        default: "libc::vfork",
    },
    BareFork {
        name: "_Fork",
        by_type: &[],
        default: "libc::_Fork",
    },
    BareFork {
        name: "fork_process",
        by_type: &[],
        default: "fork::fork_process",
    },
    BareFork {
        name: "kernel_fork",
        by_type: &[],
        default: "rustix::runtime::kernel_fork",
    },
];

/// Crates whose public API the tables cover. A call into one of them that
/// has no entry is not an unknown call: `libc` falls back to the POSIX list
/// (see [`Knowledge::lookup_path`]); for `std`/`core`/`alloc`, `nix`,
/// `rustix` and `fork` the tables list every hazardous item users call, and
/// for `prctl`, `close_fds`, `errno`, `itoa` and `ryu` every public
/// function, so an unlisted item is not reported. The other third-party
/// crates of the tables (`log`, `anyhow`, `procfs`, ...) are covered for
/// the items people call in child code only: an unlisted call into them
/// stays an `unknown-call`.
pub const KNOWN_CRATES: &[&str] = &[
    "alloc",
    "close_fds",
    "core",
    "errno",
    "fork",
    "itoa",
    "libc",
    "nix",
    "prctl",
    "rustix",
    "ryu",
    "std",
];

impl Knowledge {
    /// What an unresolved, unqualified call `name()` is taken for (see
    /// [`BareFork`]): the fork function's path and kind, given whether the
    /// item mentions a type name; `None` for any other name.
    pub fn bare_fork(
        &self,
        name: &str,
        mentions: impl Fn(&str) -> bool,
    ) -> Option<(&'static str, ForkKind)> {
        let b = BARE_FORKS.iter().find(|b| b.name == name)?;
        let path = b
            .by_type
            .iter()
            .find(|(ty, _)| mentions(ty))
            .map_or(b.default, |(_, p)| *p);
        match self.lookup_path(path)?.verdict {
            Verdict::Fork(kind) => Some((path, kind)),
            _ => None,
        }
    }

    /// The entry for a call by path: a free function, an associated function,
    /// a tuple-struct or enum-variant constructor.
    ///
    /// Keys:
    /// - `core::`/`alloc::` are read as `std::` ([`canonical_std`]); turbofish
    ///   generics are ignored (`Vec::<u8>::with_capacity`).
    /// - The full canonical path is tried first (`std::env::var`,
    ///   `std::string::String::from`, `nix::unistd::execv`).
    /// - Type-associated functions of `std` are also keyed by their last two
    ///   segments, because prelude types are written unqualified: `String::from`,
    ///   `Box::new`, `Vec::with_capacity` find the entries of
    ///   `std::string::String::from` etc. This short key is used only for a
    ///   two-segment path whose first segment is capitalised (a type), or for
    ///   a `std` path that has no entry of its own; `tokio::fs::File::open`
    ///   never matches `std::fs::File::open`.
    /// - `libc::name` without an explicit entry falls back to the POSIX list:
    ///   on it → `Safe`; not on it → `Hazard(LibcUnsafe, Error)` naming the
    ///   edition.
    ///
    /// [`Knowledge::extra`] entries come first and are matched on the same
    /// keys (their full path, or their last two segments for a two-segment
    /// call).
    pub fn lookup_path(&self, path: &str) -> Option<ApiEntry> {
        let path = strip_generics(path);
        let path = canonical_std(&path);
        let path: &str = &path;
        let short = short_key(path);
        if let Some(e) = self.extra.iter().find(|e| {
            matches!(e.kind, ApiKind::Function)
                && (e.path == path
                    || (path.matches("::").count() == 1
                        && short.is_some()
                        && short_key(e.path) == short))
        }) {
            return Some(*e);
        }
        let idx = &*INDEX;
        if let Some(e) = idx.paths.get(path) {
            return Some(**e);
        }
        if let Some(short) = short {
            let root = path.split("::").next().unwrap_or("");
            if (path.matches("::").count() == 1 || root == "std")
                && let Some(e) = idx.short.get(short)
            {
                return Some(**e);
            }
        }
        if let Some(name) = path.strip_prefix("libc::")
            && !name.contains("::")
            && !name.is_empty()
        {
            return Some(libc_fallback(name));
        }
        None
    }

    /// The entry for a method call `.name(..)`. `receiver` is the last
    /// segment of the receiver's type when the analysis knows it (`Mutex`,
    /// `Vec`, `Stdout`), `None` otherwise.
    ///
    /// - An entry whose receiver list names `receiver` matches with
    ///   [`Confidence::Exact`].
    /// - An entry with an empty receiver list matches any receiver with
    ///   `Exact`: the table uses it only for names that are unambiguous
    ///   (`pre_exec`, `unwrap`, `as_raw_fd`).
    /// - With `receiver == None`, entries with receiver lists match by name
    ///   with [`Confidence::NameOnly`], but only when no entry for that name
    ///   is `Safe`: `.lock()` is a hazard whatever it locks (the first entry
    ///   in table order is returned: `Mutex::lock`), while `write` is safe on
    ///   a `File` and a hazard on `Stdout` or `RwLock`, so it needs the
    ///   receiver and yields `None` without it.
    /// - With a known receiver that no entry lists, `None`: `.lock()` on a
    ///   user type is not `Mutex::lock`.
    ///
    /// [`Knowledge::extra`] entries come first.
    pub fn lookup_method(
        &self,
        name: &str,
        receiver: Option<&str>,
    ) -> Option<(ApiEntry, Confidence)> {
        let extra: Vec<&ApiEntry> = self
            .extra
            .iter()
            .filter(|e| e.path == name && matches!(e.kind, ApiKind::Method { .. }))
            .collect();
        if let Some(hit) = match_method(&extra, receiver) {
            return Some(hit);
        }
        let candidates = INDEX.methods.get(name)?;
        match_method(candidates, receiver)
    }

    /// The entry for a macro invocation by path: `println`, `std::println`,
    /// `core::panic`, `vec`, `format`, `log::info`, `anyhow::bail`.
    ///
    /// - A bare name or a `std`/`core`/`alloc`/`$crate` path is keyed by its
    ///   last segment and finds only std's macros (`println`, `format`).
    /// - Any other path is keyed by its full path: the macros of other
    ///   crates are listed under their crate's path (`log::info`,
    ///   `tracing::debug`, `anyhow::anyhow`) and never by bare name, because
    ///   a bare `info!` or `bail!` may be the crate's own `macro_rules!`.
    ///   The analysis turns `use log::info; info!(..)` and `use log::*;
    ///   info!(..)` into `log::info` before asking (`resolve_macro`).
    ///
    /// `write!`/`writeln!` are `Safe` here: they expand to
    /// `$dst.write_fmt(format_args!(..))`, which formats without allocating,
    /// so the verdict belongs to the destination. The analysis judges them
    /// as the method call `write_fmt` on the first argument
    /// ([`Knowledge::lookup_method`]`("write_fmt", ..)`: `Stdout`/`Stderr`
    /// → `stdio`, `String` → `alloc`; a fixed buffer such as `&mut [u8]`
    /// or a raw-fd `File` is fine).
    ///
    /// `vec![]` with no elements does not allocate; the entry describes
    /// `vec![..]` with elements, and the analysis skips the empty form.
    pub fn lookup_macro(&self, path: &str) -> Option<ApiEntry> {
        let path = path.trim_end_matches('!').trim_start_matches("::");
        if let Some(e) = self
            .extra
            .iter()
            .find(|e| matches!(e.kind, ApiKind::Macro) && e.path == path)
        {
            return Some(*e);
        }
        let name = match path.rsplit_once("::") {
            None => path,
            Some((prefix, name)) => {
                let root = prefix.split("::").next().unwrap_or("");
                if !matches!(root, "std" | "core" | "alloc" | "$crate") {
                    return INDEX.macros.get(path).map(|e| **e);
                }
                name
            }
        };
        if let Some(e) = self
            .extra
            .iter()
            .find(|e| matches!(e.kind, ApiKind::Macro) && e.path == name)
        {
            return Some(*e);
        }
        INDEX.macros.get(name).map(|e| **e)
    }

    /// True for crates the tables cover ([`KNOWN_CRATES`]): `std`, `core`,
    /// `alloc`, `libc`, `nix`, `rustix`, `fork`, `prctl`, `close_fds`,
    /// `errno`, `itoa`, `ryu`. A call into such a crate
    /// with no entry is judged by the crate's fallback (libc: the POSIX
    /// list), not reported as `unknown-call`.
    pub fn is_known_crate(&self, root: &str) -> bool {
        KNOWN_CRATES.contains(&root.trim_start_matches("::"))
    }
}

/// Picks the method entry for `receiver` among `candidates` (see
/// [`Knowledge::lookup_method`]).
fn match_method(
    candidates: &[&ApiEntry],
    receiver: Option<&str>,
) -> Option<(ApiEntry, Confidence)> {
    let receivers_of = |e: &ApiEntry| match e.kind {
        ApiKind::Method { receivers } => receivers,
        _ => &[],
    };
    if let Some(r) = receiver
        && let Some(e) = candidates.iter().find(|e| receivers_of(e).contains(&r))
    {
        return Some((**e, Confidence::Exact));
    }
    if let Some(e) = candidates.iter().find(|e| receivers_of(e).is_empty()) {
        return Some((**e, Confidence::Exact));
    }
    if receiver.is_some() {
        return None;
    }
    // Name only: every reading must be a hazard (the first in table order
    // is reported); if any type makes the call safe, the name proves nothing.
    let first = candidates.first()?;
    if candidates.iter().all(|e| e.verdict != Verdict::Safe) {
        Some((**first, Confidence::NameOnly))
    } else {
        None
    }
}

/// `Type::name` for a path whose second-to-last segment is capitalised
/// (a type), e.g. `String::from` for `std::string::String::from`.
fn short_key(path: &str) -> Option<&str> {
    let (head, _) = path.rsplit_once("::")?;
    let ty = head.rsplit("::").next()?;
    if !ty.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    Some(&path[head.len() - ty.len()..])
}

/// Removes turbofish generics: `Vec::<u8>::new` → `Vec::new`, and a leading
/// `::`.
fn strip_generics(path: &str) -> std::borrow::Cow<'_, str> {
    let path = path.trim_start_matches("::");
    if !path.contains('<') && !path.contains(' ') {
        return path.into();
    }
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ' ' => {}
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    while out.contains("::::") {
        out = out.replace("::::", "::");
    }
    out.trim_end_matches("::").to_string().into()
}

/// The indexes over the built-in tables, built once.
struct Index {
    /// Functions by canonical path.
    paths: HashMap<&'static str, &'static ApiEntry>,
    /// `std` type-associated functions by `Type::name`.
    short: HashMap<&'static str, &'static ApiEntry>,
    /// Methods by name, in table order.
    methods: HashMap<&'static str, Vec<&'static ApiEntry>>,
    /// Macros: std's by name (`println`), other crates' by full path
    /// (`log::info`).
    macros: HashMap<&'static str, &'static ApiEntry>,
    /// Synthesised `Safe` entries for the POSIX list, by bare name.
    posix: HashMap<&'static str, ApiEntry>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut idx = Index {
        paths: HashMap::new(),
        short: HashMap::new(),
        methods: HashMap::new(),
        macros: HashMap::new(),
        posix: HashMap::new(),
    };
    for e in builtin() {
        match e.kind {
            ApiKind::Function => {
                idx.paths.entry(e.path).or_insert(e);
                if e.path.starts_with("std::")
                    && let Some(short) = short_key(e.path)
                {
                    idx.short.entry(short).or_insert(e);
                }
            }
            ApiKind::Method { .. } => idx.methods.entry(e.path).or_default().push(e),
            ApiKind::Macro => {
                idx.macros.entry(e.path).or_insert(e);
            }
        }
    }
    for &name in POSIX_SAFE {
        let path: &'static str = format!("libc::{name}").leak();
        idx.posix.insert(
            name,
            ApiEntry {
                path,
                kind: ApiKind::Function,
                verdict: Verdict::Safe,
                reason: "is on the async-signal-safe list of POSIX.1-2024 (XSH 2.4.3)",
                fix: "",
            },
        );
    }
    idx
});

/// Interned `libc::name` paths of functions that are not on the POSIX list,
/// so the synthesised entry can carry a `&'static str` path. Bounded by the
/// number of distinct libc functions the checked code calls.
static INTERNED: LazyLock<RwLock<HashSet<&'static str>>> = LazyLock::new(Default::default);

fn intern(path: &str) -> &'static str {
    if let Some(p) = INTERNED.read().unwrap_or_else(|e| e.into_inner()).get(path) {
        return p;
    }
    let mut set = INTERNED.write().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = set.get(path) {
        return p;
    }
    let p: &'static str = path.to_string().leak();
    set.insert(p);
    p
}

/// The verdict for `libc::name` when no table lists it: the POSIX list.
fn libc_fallback(name: &str) -> ApiEntry {
    if let Some(e) = INDEX.posix.get(name) {
        return *e;
    }
    ApiEntry {
        path: intern(&format!("libc::{name}")),
        kind: ApiKind::Function,
        verdict: Verdict::Hazard(RuleId::LibcUnsafe, Level::Error),
        reason: "is not on the async-signal-safe list of POSIX.1-2024 (XSH 2.4.3)",
        fix: "call only async-signal-safe functions between fork and exec: do this work in the parent before fork, or use an async-signal-safe equivalent",
    }
}

/// Shorthands for the tables, so each entry reads as one line of data.
pub(crate) mod build {
    use super::{ApiEntry, ApiKind, ForkKind, Verdict};
    use crate::diagnostic::Level;
    use crate::rules::RuleId;

    pub const SAFE: Verdict = Verdict::Safe;
    pub const ALLOC: Verdict = Verdict::Hazard(RuleId::Alloc, Level::Error);
    pub const ALLOC_WRAPPER: Verdict = Verdict::Hazard(RuleId::AllocatingWrapper, Level::Error);
    pub const STDIO: Verdict = Verdict::Hazard(RuleId::Stdio, Level::Error);
    pub const LOCK: Verdict = Verdict::Hazard(RuleId::Lock, Level::Error);
    pub const LOCK_WARN: Verdict = Verdict::Hazard(RuleId::Lock, Level::Warning);
    pub const ENV: Verdict = Verdict::Hazard(RuleId::Env, Level::Error);
    pub const EXIT: Verdict = Verdict::Hazard(RuleId::Exit, Level::Error);
    pub const PANIC: Verdict = Verdict::Hazard(RuleId::Panic, Level::Warning);
    pub const THREAD: Verdict = Verdict::Hazard(RuleId::Thread, Level::Error);
    pub const LIBC_UNSAFE: Verdict = Verdict::Hazard(RuleId::LibcUnsafe, Level::Error);
    pub const LIBC_UNSAFE_WARN: Verdict = Verdict::Hazard(RuleId::LibcUnsafe, Level::Warning);
    pub const FORK: Verdict = Verdict::Fork(ForkKind::Fork);
    pub const VFORK: Verdict = Verdict::Fork(ForkKind::Vfork);
    pub const EXEC: Verdict = Verdict::Exec;
    pub const TERMINATES: Verdict = Verdict::Terminates;
    pub const RUNS_IN_CHILD: Verdict = Verdict::RunsInChild { arg: 0 };

    /// A function or associated function called by path.
    pub const fn func(
        path: &'static str,
        verdict: Verdict,
        reason: &'static str,
        fix: &'static str,
    ) -> ApiEntry {
        ApiEntry {
            path,
            kind: ApiKind::Function,
            verdict,
            reason,
            fix,
        }
    }

    /// A `Safe` function, with the reason it is safe.
    pub const fn safe(path: &'static str, reason: &'static str) -> ApiEntry {
        func(path, SAFE, reason, "")
    }

    /// A method on one of `receivers` (empty: any receiver).
    pub const fn method(
        name: &'static str,
        receivers: &'static [&'static str],
        verdict: Verdict,
        reason: &'static str,
        fix: &'static str,
    ) -> ApiEntry {
        ApiEntry {
            path: name,
            kind: ApiKind::Method { receivers },
            verdict,
            reason,
            fix,
        }
    }

    /// A `Safe` method.
    pub const fn safe_method(
        name: &'static str,
        receivers: &'static [&'static str],
        reason: &'static str,
    ) -> ApiEntry {
        method(name, receivers, SAFE, reason, "")
    }

    /// A macro, keyed by its name (std's: `println`) or by its full path
    /// (other crates': `log::info`).
    pub const fn mac(
        name: &'static str,
        verdict: Verdict,
        reason: &'static str,
        fix: &'static str,
    ) -> ApiEntry {
        ApiEntry {
            path: name,
            kind: ApiKind::Macro,
            verdict,
            reason,
            fix,
        }
    }
}

/// `core::x` and `alloc::x` are the same items as `std::x`.
pub fn canonical_std(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["core::", "alloc::"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return format!("std::{rest}").into();
        }
    }
    path.into()
}

#[cfg(test)]
mod tests;

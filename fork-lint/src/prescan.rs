//! The byte-level pre-scan that decides which files to parse.
//!
//! A file can open a child region only if its text names the thing that
//! opens it: a fork function or callback API of the knowledge table (its
//! last path segment, together with its crate's name, since a path into
//! another crate must name the crate in a `use` or in the path itself), a
//! raw fork system-call number, or the fork-guard marker. **Soundness:** the
//! pre-scan never skips a file in which the full analysis finds a region:
//! names brought in through renaming re-exports (`pub use libc::fork as
//! spawn;`) are learnt from the parsed files and the scan is repeated
//! (see [`Prescan::learn_aliases`]). The fixture test
//! `prescan_matches_exhaustive` checks this against parsing everything.

use std::collections::HashSet;

use memchr::memmem::Finder;

use crate::index::Ctx;
use crate::input::Options;
use crate::knowledge::{ApiEntry, ApiKind, Verdict, builtin};

/// Names of the raw system calls that create a child (the analysis side is
/// `child_sites::syscall_fork_kind`).
const SYSCALL_NEEDLES: &[&str] = &["SYS_fork", "SYS_vfork", "SYS_clone", "SYS_clone3"];
const MARKER_NEEDLE: &str = "fork_guard";

/// One needle: an item's name, and the crate name that must also appear
/// (`None` for methods and raw needles).
struct Needle {
    name: Finder<'static>,
    root: Option<Finder<'static>>,
}

pub(crate) struct Prescan {
    needles: Vec<Needle>,
    /// `(name, root)` pairs already present.
    known: HashSet<(String, Option<String>)>,
    /// Fork-like item names and their roots, for alias learning.
    items: Vec<(String, Option<String>)>,
}

impl Prescan {
    pub fn new(options: &Options) -> Self {
        let mut p = Prescan {
            needles: Vec::new(),
            known: HashSet::new(),
            items: Vec::new(),
        };
        let mut entries: Vec<&ApiEntry> = options.knowledge.extra.iter().collect();
        for e in builtin() {
            entries.push(e);
        }
        for e in entries {
            if !matches!(e.verdict, Verdict::Fork(_) | Verdict::RunsInChild { .. }) {
                continue;
            }
            let path = e.path.trim_start_matches("::");
            match e.kind {
                ApiKind::Method { .. } => {
                    p.add(path, None);
                }
                _ => {
                    let name = path.rsplit("::").next().unwrap_or(path);
                    let root = path.split("::").next().filter(|_| path.contains("::"));
                    p.add(name, root);
                }
            }
        }
        // A function receiving a fork result opens a region too.
        for t in crate::knowledge::fork_results::FORK_RESULT_TYPES {
            let name = t.path.rsplit("::").next().unwrap_or(t.path);
            p.add(name, t.path.split("::").next());
        }
        for s in SYSCALL_NEEDLES {
            p.add(s, None);
        }
        p.add(MARKER_NEEDLE, None);
        p
    }

    fn add(&mut self, name: &str, root: Option<&str>) -> bool {
        let k = (name.to_string(), root.map(str::to_string));
        if !self.known.insert(k.clone()) {
            return false;
        }
        self.items.push(k);
        let name = Finder::new(name.as_bytes()).into_owned();
        let root = root.map(|r| Finder::new(r.as_bytes()).into_owned());
        self.needles.push(Needle { name, root });
        true
    }

    /// Whether the file may contain a region: it names one of the items as
    /// a whole identifier, and the item's crate as the start of a path
    /// (`libc::`), in a rename (`libc as c`) or in `use libc;`.
    pub fn is_candidate(&self, text: &[u8]) -> bool {
        self.needles.iter().any(|n| {
            idents(&n.name, text).next().is_some()
                && n.root
                    .as_ref()
                    .is_none_or(|r| idents(r, text).any(|end| names_crate(text, end)))
        })
    }

    /// Drops the crate-name condition for crates that some file of the crate
    /// glob-imports (`use libc::*;`, possibly re-exported to other modules
    /// as `pub use libc::*;`): their items may then be named bare anywhere.
    pub fn learn_globs(&mut self, texts: &[&[u8]]) {
        let roots: HashSet<String> = self.items.iter().filter_map(|(_, r)| r.clone()).collect();
        let mut roots: Vec<String> = roots.into_iter().collect();
        roots.sort();
        for root in roots {
            let glob = format!("{root}::*");
            let finder = Finder::new(glob.as_bytes());
            let found = texts.iter().any(|t| {
                finder.find_iter(t).any(|pos| {
                    pos.checked_sub(1)
                        .and_then(|i| t.get(i))
                        .is_none_or(|b| !crate::index::is_ident_byte(*b))
                })
            });
            if found {
                let names: Vec<String> = self
                    .items
                    .iter()
                    .filter(|(_, r)| r.as_deref() == Some(root.as_str()))
                    .map(|(n, _)| n.clone())
                    .collect();
                for n in names {
                    self.add(&n, None);
                }
            }
        }
    }

    /// Learns the crate's own functions that may fork (found by
    /// `flow::learn_fork_names`): calls of them are fork sites too.
    pub fn learn_names(&mut self, names: &[String]) -> bool {
        let mut learnt = false;
        for n in names {
            learnt |= self.add(n, None);
        }
        learnt
    }

    /// Learns names that the parsed files bring in under another name:
    /// `use libc::fork as spawn;` (a new item needle) and `use libc as c;`
    /// (a new crate root). Returns whether anything was learnt.
    pub fn learn_aliases(&mut self, ctx: &Ctx<'_>) -> bool {
        let mut new = Vec::new();
        for scope in ctx.modules.values() {
            for (alias, path) in &scope.uses {
                let Some(last) = path.last() else { continue };
                if last == alias {
                    continue;
                }
                for (name, root) in &self.items {
                    if name == last {
                        new.push((alias.clone(), None));
                    }
                    if path.len() == 1 && root.as_deref() == Some(last.as_str()) {
                        new.push((name.clone(), Some(alias.clone())));
                    }
                }
            }
        }
        let mut learnt = false;
        for (name, root) in new {
            learnt |= self.add(&name, root.as_deref());
        }
        learnt
    }
}

/// End offsets of the occurrences of `finder`'s needle in `text` that are
/// whole identifiers.
fn idents<'a>(finder: &'a Finder<'static>, text: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let len = finder.needle().len();
    finder.find_iter(text).filter_map(move |pos| {
        let before = pos.checked_sub(1).and_then(|i| text.get(i)).copied();
        let after = text.get(pos + len).copied();
        let whole = !before.is_some_and(crate::index::is_ident_byte)
            && !after.is_some_and(crate::index::is_ident_byte);
        whole.then_some(pos + len)
    })
}

/// Whether the identifier ending at `end` is used as a crate name: followed
/// by `::`, `as` or `;` (after whitespace).
fn names_crate(text: &[u8], end: usize) -> bool {
    let rest = text.get(end..).unwrap_or(&[]);
    let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let rest = rest.get(skip..).unwrap_or(&[]);
    rest.starts_with(b"::")
        || rest.starts_with(b";")
        || (rest.starts_with(b"as")
            && !rest
                .get(2)
                .copied()
                .is_some_and(crate::index::is_ident_byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_need_the_item_and_its_crate() {
        let p = Prescan::new(&Options::default());
        assert!(p.is_candidate(b"fn f() { unsafe { libc::fork() }; }"));
        assert!(p.is_candidate(b"use libc as c; fn f() { c::fork(); }"));
        assert!(p.is_candidate(b"use nix::unistd::{fork, ForkResult};"));
        assert!(p.is_candidate(b"cmd.pre_exec(|| Ok(()))"));
        assert!(p.is_candidate(b"#[fork_guard::child] fn f() {}"));
        assert!(p.is_candidate(b"libc::syscall(libc::SYS_clone3, 0)"));
        // `fork` as a method of another type; `unix` contains `nix`.
        assert!(!p.is_candidate(b"let f = input.fork(); use std::os::unix::x;"));
        assert!(!p.is_candidate(b"fn forked() {} use libc::c_int;"));
        assert!(!p.is_candidate(b"let v = x.clone(); use std::os::unix::io;"));
    }

    #[test]
    fn glob_imports_drop_the_crate_condition() {
        let mut p = Prescan::new(&Options::default());
        assert!(!p.is_candidate(b"fn f() { fork(); }"));
        p.learn_globs(&[b"pub use libc::*;"]);
        assert!(p.is_candidate(b"fn f() { fork(); }"));
    }
}

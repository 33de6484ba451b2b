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
/// `regions::syscall_fork_kind`); `SYS_clone` also covers `SYS_clone3`.
const SYSCALL_NEEDLES: &[&str] = &["SYS_fork", "SYS_vfork", "SYS_clone"];
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
                    let root = path.split("::").next().filter(|r| *r != name);
                    p.add(name, root);
                }
            }
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

    /// Whether the file may contain a region.
    pub fn is_candidate(&self, text: &[u8]) -> bool {
        self.needles.iter().any(|n| {
            n.name.find(text).is_some() && n.root.as_ref().is_none_or(|r| r.find(text).is_some())
        })
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

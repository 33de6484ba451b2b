//! The `macro_rules!` definitions of one crate and which one an invocation
//! names.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Delimiter, LineColumn, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::Visit;

use super::cfg::CfgTruth;
use super::parse::MacroRules;
use super::{Error, Limits, parse_items};

/// A place in the crate: the index of a file in the order the files were
/// given to [`MacroTable::build`], and a line (1-based) and column
/// (0-based, in characters) as `proc_macro2` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Index of the file.
    pub file: usize,
    /// Line and column in that file.
    pub at: LineColumn,
}

impl Position {
    /// Where `span` starts, in file `file`.
    pub fn of_span(file: usize, span: Span) -> Position {
        Position {
            file,
            at: span.start(),
        }
    }
}

/// Where a definition becomes visible: a source position, then a sequence
/// number for definitions produced by expanding the invocation at that
/// position (1, 2, ... in the order the expansion writes them).
type Pos = (LineColumn, u32);

/// Most item-level invocations [`MacroTable::build`] expands in one crate.
const MAX_TABLE_EXPANSIONS: usize = 10_000;

const END: LineColumn = LineColumn {
    line: usize::MAX,
    column: usize::MAX,
};

#[derive(Debug)]
struct Def {
    rules: MacroRules,
    file: usize,
    pos: Pos,
    /// Where its textual scope ends in its file (`None`: the end of the
    /// file, and on into the child modules declared after it).
    scope_end: Option<LineColumn>,
    /// Its module's path: file module plus inline `mod`s.
    module: Vec<String>,
}

#[derive(Debug)]
struct ModDecl {
    /// The declared module's full path.
    path: Vec<String>,
    pos: LineColumn,
    scope_end: Option<LineColumn>,
    macro_use: bool,
}

#[derive(Debug, Clone)]
struct Invocation {
    file: usize,
    pos: Pos,
    scope_end: Option<LineColumn>,
    module: Vec<String>,
    mac: syn::Macro,
    depth: usize,
}

#[derive(Debug, Default)]
struct FileInfo {
    module: Vec<String>,
    mod_decls: Vec<ModDecl>,
    /// The file that declares this one's module, where, and whether with
    /// `#[macro_use]`.
    parent: Option<(usize, LineColumn)>,
}

/// The `macro_rules!` definitions of a crate, and which of them an
/// invocation names.
///
/// # Scoping, as approximated
///
/// Rust has two scopes for `macro_rules!` macros; the lookup tries them in
/// rustc's order.
///
/// 1. **Textual scope**, for a bare name (`die!`). In the invocation's
///    file, the candidates are the definitions before the invocation whose
///    scope still holds there (an item-level definition holds to the end of
///    its module, or of its parent's when the inline module is
///    `#[macro_use]`; one in a function body to the end of its block), and
///    the file-level definitions of child modules declared before the
///    invocation with `#[macro_use] mod child;` (recursively). The latest
///    candidate wins (shadowing). Without one, the search moves to the file
///    that declares the invocation's module, at the `mod` declaration, and
///    so on up to the crate root. A file whose `mod` declaration is not
///    found (a `#[path]` trick, a module declared inside a macro) is treated
///    as declared at the end of its parent module's file.
/// 2. **Path-based scope**. A bare name not found textually is taken to be
///    a `#[macro_export]` macro (they live at the crate root), then a macro
///    re-exported with `use` somewhere in the crate (`pub(crate) use die;`).
///    A path whose first segment is `crate`, `$crate`, `self`, `super` or
///    one of the crate's module names resolves by its last segment: first
///    the definitions in the module the path names, then `#[macro_export]`
///    ones, then re-exported ones, then any. Other paths (`std::println!`,
///    `log::info!`) name other crates: `None`.
///
/// Several definitions of one name (under different `#[cfg]`): a
/// definition whose `#[cfg]` is false on Unix ([`CfgTruth::Disabled`]) is
/// taken only when nothing else matches. Among equals, textual scope takes
/// the latest before the invocation, path-based scope the first in crate
/// order (file order as given, then position in the file).
///
/// Macros that define macros: [`MacroTable::build`] expands item-level
/// invocations of the crate's own macros (in file order, repeating while
/// new definitions appear, within [`Limits`], at most 10 000 expansions and
/// ten times [`Limits::max_tokens`] tokens in all) and adds the definitions
/// they produce as if written at the invocation. Definitions written inside an
/// invocation of a macro the table does not know (`cfg_if! { .. }`) are
/// collected too, at the invocation's position.
#[derive(Debug, Default)]
pub struct MacroTable {
    files: Vec<FileInfo>,
    defs: Vec<Def>,
    by_name: HashMap<String, Vec<usize>>,
    reexported: HashSet<String>,
    module_names: HashSet<String>,
    errors: Vec<(usize, Error)>,
    limits: Limits,
}

impl MacroTable {
    /// Collects the definitions of a crate from its parsed files, each with
    /// its module path (`[]` for the crate root, `["net", "tcp"]` for
    /// `src/net/tcp.rs`), with the default [`Limits`].
    pub fn build<'a>(files: impl IntoIterator<Item = (&'a [String], &'a syn::File)>) -> MacroTable {
        MacroTable::build_with(files, Limits::default())
    }

    /// [`MacroTable::build`] with explicit limits for the expansions it
    /// performs.
    pub fn build_with<'a>(
        files: impl IntoIterator<Item = (&'a [String], &'a syn::File)>,
        limits: Limits,
    ) -> MacroTable {
        let mut table = MacroTable {
            limits,
            ..MacroTable::default()
        };
        let mut invocations = Vec::new();
        for (module, file) in files {
            let index = table.files.len();
            table.files.push(FileInfo {
                module: module.to_vec(),
                ..FileInfo::default()
            });
            table.module_names.extend(module.iter().cloned());
            let mut c = Collector {
                table: &mut table,
                file: index,
                module: module.to_vec(),
                scope_end: None,
                in_block: 0,
                invocations: &mut invocations,
            };
            c.visit_file(file);
        }
        table.link_files();
        table.expand_invocations(invocations);
        table
    }

    /// Finds each file's parent: the file with the `mod` declaration of its
    /// module.
    fn link_files(&mut self) {
        let mut decls: HashMap<Vec<String>, (usize, LineColumn)> = HashMap::new();
        for (f, info) in self.files.iter().enumerate() {
            for d in &info.mod_decls {
                decls.entry(d.path.clone()).or_insert((f, d.pos));
            }
        }
        for f in 0..self.files.len() {
            let module = self.files[f].module.clone();
            if module.is_empty() {
                continue;
            }
            let parent = decls.get(&module).copied().or_else(|| {
                let up = &module[..module.len() - 1];
                self.files
                    .iter()
                    .position(|i| i.module == up)
                    .map(|p| (p, END))
            });
            if parent.is_some_and(|(p, _)| p != f) {
                self.files[f].parent = parent;
            }
        }
    }

    fn add_def(&mut self, def: Def) {
        let id = self.defs.len();
        self.by_name
            .entry(def.rules.name().to_string())
            .or_default()
            .push(id);
        self.defs.push(def);
    }

    /// Expands item-level invocations of the crate's own macros, in rounds,
    /// and adds the definitions their expansions contain.
    fn expand_invocations(&mut self, mut pending: Vec<Invocation>) {
        let crate_path: syn::Path = syn::parse_quote!(crate);
        // All expansions together, so that invocations expanding into
        // several invocations of themselves cannot grow without bound.
        let mut expansions_left = MAX_TABLE_EXPANSIONS;
        let mut tokens_left = self.limits.max_tokens.saturating_mul(10);
        for _round in 0..4 {
            let mut later = Vec::new();
            let mut added = false;
            let mut queue = std::mem::take(&mut pending);
            queue.reverse();
            while let Some(inv) = queue.pop() {
                let here = (inv.file, inv.pos);
                let Some(id) = self.lookup_at(&inv.mac.path, here) else {
                    later.push(inv);
                    continue;
                };
                if expansions_left == 0 || tokens_left == 0 {
                    continue;
                }
                expansions_left -= 1;
                let Ok(tokens) = self.defs[id].rules.expand_with(
                    &inv.mac.tokens,
                    &crate_path,
                    &self.limits,
                    inv.depth,
                ) else {
                    continue;
                };
                tokens_left = tokens_left.saturating_sub(super::transcribe::count_tokens(&tokens));
                let Ok(items) = parse_items(tokens) else {
                    continue;
                };
                let mut seq = inv.pos.1;
                let mut nested = Vec::new();
                for item in &items {
                    let syn::Item::Macro(m) = item else { continue };
                    seq = seq.saturating_add(1);
                    let pos = (inv.pos.0, seq);
                    if m.mac.path.is_ident("macro_rules") {
                        match MacroRules::parse(m) {
                            Ok(rules) => {
                                added = true;
                                self.add_def(Def {
                                    rules,
                                    file: inv.file,
                                    pos,
                                    scope_end: inv.scope_end,
                                    module: inv.module.clone(),
                                });
                            }
                            Err(e) => self.errors.push((inv.file, e)),
                        }
                    } else if inv.depth < self.limits.max_depth {
                        nested.push(Invocation {
                            pos,
                            mac: m.mac.clone(),
                            depth: inv.depth + 1,
                            ..inv.clone()
                        });
                    }
                }
                // Nested invocations run next, before the rest of the queue.
                queue.extend(nested.into_iter().rev());
            }
            pending = later;
            if !added || pending.is_empty() {
                break;
            }
        }
        // What stays unknown may still hold definitions (`cfg_if! { .. }`).
        for inv in pending {
            let mut seq = inv.pos.1;
            let mut found = Vec::new();
            scan_definitions(&inv.mac.tokens, 0, &mut found);
            for rules in found {
                seq = seq.saturating_add(1);
                self.add_def(Def {
                    rules,
                    file: inv.file,
                    pos: (inv.pos.0, seq),
                    scope_end: inv.scope_end,
                    module: inv.module.clone(),
                });
            }
        }
    }

    /// The definition `path!` names at `at`. `at` is where the invocation
    /// is written (the start of its path); for an invocation inside an
    /// expansion, pass the position of the invocation written in the source
    /// that led to it.
    pub fn lookup(&self, path: &syn::Path, at: Position) -> Option<&MacroRules> {
        self.lookup_at(path, (at.file, (at.at, 0)))
            .map(|id| &self.defs[id].rules)
    }

    /// [`MacroTable::lookup`], with the index of the file that holds the
    /// definition.
    pub fn lookup_in_file(&self, path: &syn::Path, at: Position) -> Option<(usize, &MacroRules)> {
        self.lookup_at(path, (at.file, (at.at, 0)))
            .map(|id| (self.defs[id].file, &self.defs[id].rules))
    }

    /// [`MacroTable::lookup`] with the path given as segments
    /// (`["crate", "die"]`, `["die"]`).
    pub fn lookup_name(&self, segments: &[&str], at: Position) -> Option<&MacroRules> {
        self.lookup_segments(segments, (at.file, (at.at, 0)))
            .map(|id| &self.defs[id].rules)
    }

    fn lookup_at(&self, path: &syn::Path, at: (usize, Pos)) -> Option<usize> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        self.lookup_segments(&refs, at)
    }

    fn lookup_segments(&self, segments: &[&str], (file, pos): (usize, Pos)) -> Option<usize> {
        let (&name, prefix) = segments.split_last()?;
        let candidates = self.by_name.get(name)?;
        if prefix.is_empty() {
            return self.textual(name, file, pos).or_else(|| {
                self.best_by_order(candidates, |d| d.rules.is_exported())
                    .or_else(|| {
                        self.best_by_order(candidates, |d| self.reexported.contains(d.rules.name()))
                    })
            });
        }
        let first = prefix[0];
        let ours = matches!(first, "crate" | "$crate" | "self" | "super")
            || self.module_names.contains(first);
        if !ours {
            return None;
        }
        let module: Vec<&str> = prefix
            .iter()
            .copied()
            .filter(|s| !matches!(*s, "crate" | "$crate" | "self" | "super"))
            .collect();
        let in_module = |d: &Def| {
            !module.is_empty() && d.module.len() >= module.len() && d.module.ends_with_strs(&module)
        };
        self.best_by_order(candidates, in_module)
            .or_else(|| self.best_by_order(candidates, |d| d.rules.is_exported()))
            .or_else(|| {
                self.best_by_order(candidates, |d| self.reexported.contains(d.rules.name()))
            })
            .or_else(|| self.best_by_order(candidates, |_| true))
    }

    /// The first of `candidates` that satisfies `keep`, in crate order,
    /// definitions disabled on Unix last.
    fn best_by_order(&self, candidates: &[usize], keep: impl Fn(&Def) -> bool) -> Option<usize> {
        candidates
            .iter()
            .copied()
            .filter(|&id| keep(&self.defs[id]))
            .min_by_key(|&id| {
                let d = &self.defs[id];
                (d.rules.cfg() == CfgTruth::Disabled, d.file, d.pos)
            })
    }

    /// Textual scope: the file, then the files that declare its module.
    fn textual(&self, name: &str, file: usize, pos: Pos) -> Option<usize> {
        let (mut file, mut pos) = (file, pos);
        for _ in 0..=self.files.len() {
            if let Some((_, id)) = self.in_file(name, file, pos, 0) {
                return Some(id);
            }
            let (parent, at) = self.files.get(file)?.parent?;
            file = parent;
            pos = (at, 0);
        }
        None
    }

    /// The definition of `name` textually visible at `pos` within `file`
    /// (and its `#[macro_use]` children), with the position it counts at.
    fn in_file(&self, name: &str, file: usize, pos: Pos, depth: usize) -> Option<(Pos, usize)> {
        let holds = |end: Option<LineColumn>| end.is_none_or(|e| pos.0 <= e);
        let mut candidates: Vec<(Pos, usize)> = Vec::new();
        for &id in self.by_name.get(name).into_iter().flatten() {
            let d = &self.defs[id];
            if d.file == file && d.pos < pos && holds(d.scope_end) {
                candidates.push((d.pos, id));
            }
        }
        if depth < 16 {
            for decl in &self.files.get(file)?.mod_decls {
                if !decl.macro_use || (decl.pos, 0) >= pos || !holds(decl.scope_end) {
                    continue;
                }
                let Some(child) = self.files.iter().position(|f| f.module == decl.path) else {
                    continue;
                };
                if child == file {
                    continue;
                }
                if let Some((_, id)) = self.in_file(name, child, (END, u32::MAX), depth + 1) {
                    candidates.push(((decl.pos, 0), id));
                }
            }
        }
        candidates
            .into_iter()
            .max_by_key(|&(p, id)| (self.defs[id].rules.cfg() != CfgTruth::Disabled, p))
    }

    /// All definitions, in the order they were found.
    pub fn definitions(&self) -> impl Iterator<Item = &MacroRules> {
        self.defs.iter().map(|d| &d.rules)
    }

    /// The definitions that did not parse, with the index of their file.
    pub fn errors(&self) -> &[(usize, Error)] {
        &self.errors
    }
}

trait EndsWithStrs {
    fn ends_with_strs(&self, suffix: &[&str]) -> bool;
}

impl EndsWithStrs for Vec<String> {
    fn ends_with_strs(&self, suffix: &[&str]) -> bool {
        self.len() >= suffix.len()
            && self[self.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(a, b)| a == b)
    }
}

/// `macro_rules! name { .. }` anywhere in `tokens`, groups included.
fn scan_definitions(tokens: &TokenStream, depth: usize, out: &mut Vec<MacroRules>) {
    if depth > 8 {
        return;
    }
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let (
            TokenTree::Ident(kw),
            Some(TokenTree::Punct(bang)),
            Some(TokenTree::Ident(_)),
            Some(TokenTree::Group(body)),
        ) = (
            &tokens[i],
            tokens.get(i + 1),
            tokens.get(i + 2),
            tokens.get(i + 3),
        ) && kw == "macro_rules"
            && bang.as_char() == '!'
            && body.delimiter() != Delimiter::None
        {
            let mac = syn::Macro {
                path: syn::Path::from(kw.clone()),
                bang_token: syn::Token![!](bang.span()),
                delimiter: syn::MacroDelimiter::Brace(syn::token::Brace::default()),
                tokens: tokens[i + 2..i + 4].iter().cloned().collect(),
            };
            if let Ok(rules) = MacroRules::from_macro(&mac, &[]) {
                out.push(rules);
            }
            i += 4;
            continue;
        }
        if let TokenTree::Group(g) = &tokens[i] {
            scan_definitions(&g.stream(), depth + 1, out);
        }
        i += 1;
    }
}

struct Collector<'t> {
    table: &'t mut MacroTable,
    file: usize,
    module: Vec<String>,
    scope_end: Option<LineColumn>,
    /// Inside a function body (or another block): invocations there are
    /// not expanded by the table.
    in_block: usize,
    invocations: &'t mut Vec<Invocation>,
}

impl Collector<'_> {
    fn definition(&mut self, result: Result<MacroRules, Error>, span: Span) {
        match result {
            Ok(rules) => self.table.add_def(Def {
                rules,
                file: self.file,
                pos: (span.start(), 0),
                scope_end: self.scope_end,
                module: self.module.clone(),
            }),
            Err(e) => self.table.errors.push((self.file, e)),
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let macro_use = m.attrs.iter().any(|a| a.path().is_ident("macro_use"));
        let mut path = self.module.clone();
        path.push(m.ident.to_string());
        self.table.module_names.insert(m.ident.to_string());
        match &m.content {
            None => self.table.files[self.file].mod_decls.push(ModDecl {
                path,
                pos: m.span().start(),
                scope_end: self.scope_end,
                macro_use,
            }),
            Some((brace, items)) => {
                let saved_module = std::mem::replace(&mut self.module, path);
                let saved_end = self.scope_end;
                if !macro_use {
                    self.scope_end = Some(brace.span.close().end());
                }
                for item in items {
                    self.visit_item(item);
                }
                self.module = saved_module;
                self.scope_end = saved_end;
            }
        }
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let saved = self.scope_end;
        self.scope_end = Some(b.brace_token.span.close().end());
        self.in_block += 1;
        syn::visit::visit_block(self, b);
        self.in_block -= 1;
        self.scope_end = saved;
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        if m.mac.path.is_ident("macro_rules") {
            self.definition(MacroRules::parse(m), m.mac.path.span());
        } else if self.in_block == 0 {
            self.invocations.push(Invocation {
                file: self.file,
                pos: (m.mac.path.span().start(), 0),
                scope_end: self.scope_end,
                module: self.module.clone(),
                mac: m.mac.clone(),
                depth: 0,
            });
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if m.mac.path.is_ident("macro_rules") {
            self.definition(MacroRules::from_macro(&m.mac, &m.attrs), m.mac.path.span());
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut stack = vec![&u.tree];
        while let Some(tree) = stack.pop() {
            match tree {
                syn::UseTree::Path(p) => stack.push(&p.tree),
                syn::UseTree::Name(n) => {
                    self.table.reexported.insert(n.ident.to_string());
                }
                syn::UseTree::Rename(r) => {
                    self.table.reexported.insert(r.ident.to_string());
                }
                syn::UseTree::Group(g) => stack.extend(g.items.iter()),
                syn::UseTree::Glob(_) => {}
            }
        }
    }
}

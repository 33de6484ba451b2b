//! The crate index: files, parsed on demand, and what they define (functions,
//! methods, modules, `use` declarations, struct fields).
//!
//! Parsing is lazy: the engine parses the files the pre-scan selected, and
//! call resolution parses more when it needs them (a module's file, the files
//! that textually contain `fn name`). Everything here lives on the thread
//! that parses (syn trees and spans are `!Send`); the engine converts spans
//! to [`Location`](crate::Location)s before it returns.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

use proc_macro2::Span;

use crate::diagnostic::Location;
use crate::input::Options;
// Moved to `syntax` (shared with fork-guard-macros).
pub(crate) use crate::syntax::flatten_use;

pub(crate) type FnId = usize;
pub(crate) type FileId = usize;

/// A position in one of the crate's files.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    pub file: FileId,
    pub span: Span,
}

/// One function, associated function, method or nested function.
pub(crate) struct FnDef {
    pub name: String,
    pub module: Vec<String>,
    /// The `Self` type (last path segment) for methods and trait items.
    pub self_ty: Option<String>,
    pub file: FileId,
    pub attrs: Vec<syn::Attribute>,
    pub sig: syn::Signature,
    pub block: syn::Block,
    /// Nested functions visible inside the body (own and enclosing ones).
    pub scope: Rc<HashMap<String, FnId>>,
    /// `use` declarations inside the body: alias -> path.
    pub uses: Rc<HashMap<String, Vec<String>>>,
}

/// What one module declares.
#[derive(Default)]
pub(crate) struct ModScope {
    /// `use a::b as c` -> `c` -> `[a, b]`.
    pub uses: HashMap<String, Vec<String>>,
    /// `use a::b::*` -> `[a, b]`.
    pub globs: Vec<Vec<String>>,
    pub fns: HashMap<String, FnId>,
    /// Structs, enums, unions, traits, type aliases.
    pub types: HashSet<String>,
    /// Child modules (inline or file modules).
    pub mods: HashSet<String>,
}

pub(crate) struct FileSlot {
    pub path: PathBuf,
    pub module: Vec<String>,
    pub text: Option<String>,
    pub parsed: bool,
    /// A place in another crate's file that a chain step points at (a
    /// dependency's), already located: never parsed, and a [`Site`] in it
    /// is this location whatever its span (see [`Ctx::external_site`]).
    pub located: Option<Location>,
}

/// A file that failed to parse: where and why.
pub(crate) struct ParseError {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// The whole per-crate state of one analysis run.
pub(crate) struct Ctx<'o> {
    pub opts: &'o Options,
    pub files: Vec<FileSlot>,
    fns: Vec<Option<Rc<FnDef>>>,
    pub fns_by_file: HashMap<FileId, Vec<FnId>>,
    pub modules: HashMap<Vec<String>, ModScope>,
    module_files: HashMap<Vec<String>, FileId>,
    /// `(type, method)` -> definitions.
    impls: HashMap<(String, String), Vec<FnId>>,
    /// Type -> the traits an `impl Trait for Type` of the parsed files
    /// implements for it (last path segments), for trait default methods.
    trait_impls: HashMap<String, Vec<String>>,
    /// Located chain steps in other crates' files (see [`Ctx::external_site`]).
    external_sites: HashMap<Location, FileId>,
    /// Method name -> definitions (any type).
    methods: HashMap<String, Vec<FnId>>,
    /// Struct name -> field name -> field type.
    pub structs: HashMap<String, HashMap<String, syn::Type>>,
    /// Enum name -> its variants' fields (`Variant.field` or `Variant.0`)
    /// and their types (crate-wide, like `structs`).
    pub enums: HashMap<String, Vec<(String, syn::Type)>>,
    /// `static`/`const` name -> its type (crate-wide, like `structs`).
    pub statics: HashMap<String, syn::Type>,
    searched_statics: HashSet<String>,
    searched_fn_names: HashSet<String>,
    searched_structs: HashSet<String>,
    searched_enums: HashSet<String>,
    keyword_index: HashMap<&'static str, HashMap<String, Vec<FileId>>>,
    /// Method names the knowledge table says run their argument in a child
    /// (`pre_exec`, `before_exec`): only these method calls can open a region.
    pub child_methods: HashSet<String>,
    /// Memoised path resolutions (owned by `resolve`).
    pub resolved: crate::resolve::Memo,
    pub parse_errors: Vec<ParseError>,
    /// Memoised function summaries (owned by `summaries`).
    pub summaries: crate::summaries::Memo,
    /// Calls in analysed regions that could not be followed (for the proc
    /// macro, which decides what to do with them).
    pub unresolved: Vec<(String, Site)>,
    /// The `#[cfg]` variants of a function, keyed by the one that name
    /// resolution finds (the last defined).
    pub variants: HashMap<FnId, Vec<FnId>>,
    /// The dependencies this crate's calls may lead into (see `external`).
    pub deps: Option<crate::external::Link<'o>>,
    /// The crate's `macro_rules!` table and the expansions made (owned by
    /// `expansion`).
    pub expansion: crate::expansion::Memo,
    /// The flow analysis's memo (owned by `flow`).
    pub flow: crate::flow::Cache,
    /// The implicit-free analysis's memo (owned by `frees`).
    pub frees: crate::frees::Cache,
    /// Take an unresolved, unqualified `fork()`/`vfork()` call for a fork
    /// site (see `knowledge::BareFork`), with the identifiers of the item
    /// (which tell nix's `ForkResult` from libc's pid). Set by the
    /// proc-macro entry points, which see one item and not the `use` that
    /// imported the name.
    pub bare_fork_idents: Option<HashSet<String>>,
}

impl<'o> Ctx<'o> {
    pub fn new(opts: &'o Options) -> Self {
        Ctx {
            opts,
            files: Vec::new(),
            fns: Vec::new(),
            fns_by_file: HashMap::new(),
            modules: HashMap::new(),
            module_files: HashMap::new(),
            impls: HashMap::new(),
            trait_impls: HashMap::new(),
            external_sites: HashMap::new(),
            methods: HashMap::new(),
            structs: HashMap::new(),
            enums: HashMap::new(),
            statics: HashMap::new(),
            searched_statics: HashSet::new(),
            searched_fn_names: HashSet::new(),
            searched_structs: HashSet::new(),
            searched_enums: HashSet::new(),
            keyword_index: HashMap::new(),
            child_methods: child_methods(opts),
            resolved: Default::default(),
            parse_errors: Vec::new(),
            summaries: Default::default(),
            unresolved: Vec::new(),
            variants: HashMap::new(),
            deps: None,
            expansion: Default::default(),
            flow: crate::flow::Cache::default(),
            frees: crate::frees::Cache::default(),
            bare_fork_idents: None,
        }
    }

    /// Adds a file; `text` is `None` when it could not be read.
    pub fn add_file(&mut self, path: PathBuf, module: Vec<String>, text: Option<String>) -> FileId {
        let id = self.files.len();
        if text.is_some() {
            self.module_files.entry(module.clone()).or_insert(id);
        }
        self.files.push(FileSlot {
            path,
            module,
            text,
            parsed: false,
            located: None,
        });
        id
    }

    /// A site at `location` in another crate's file (a dependency's, where
    /// a chain step points): a slot of its own, never parsed, that
    /// [`Ctx::locate`] turns back into `location`. Chain steps found in a
    /// dependency are kept as locations, so that the same finding comes out
    /// whether the dependency was analysed in this run or its results came
    /// from an earlier one.
    pub fn external_site(&mut self, location: &Location) -> Site {
        let span = Span::call_site();
        if let Some(&file) = self.external_sites.get(location) {
            return Site { file, span };
        }
        let file = self.files.len();
        self.files.push(FileSlot {
            path: location.file.clone(),
            module: Vec::new(),
            text: None,
            parsed: true,
            located: Some(location.clone()),
        });
        self.external_sites.insert(location.clone(), file);
        Site { file, span }
    }

    /// Where `site` is: its span in its file, or the location an
    /// [`Ctx::external_site`] stands for. Must run on the thread that
    /// parsed the file.
    pub fn locate(&self, site: Site) -> Option<Location> {
        let slot = self.files.get(site.file)?;
        Some(match &slot.located {
            Some(at) => at.clone(),
            None => Location::from_span(&slot.path, site.span),
        })
    }

    pub fn fn_def(&self, id: FnId) -> Option<Rc<FnDef>> {
        self.fns.get(id).and_then(|f| f.clone())
    }

    /// Parses a file (once) and indexes its items.
    pub fn ensure_parsed(&mut self, file: FileId) {
        let Some(slot) = self.files.get_mut(file) else {
            return;
        };
        if slot.parsed {
            return;
        }
        slot.parsed = true;
        let Some(text) = slot.text.as_deref() else {
            return;
        };
        let module = slot.module.clone();
        match crate::recover::parse_file(text) {
            Ok(parsed) => {
                for e in parsed.errors {
                    self.parse_errors.push(ParseError {
                        file,
                        span: e.span(),
                        message: format!(
                            "{e} (this item is skipped, the rest of the file is checked)"
                        ),
                    });
                }
                self.modules.entry(module.clone()).or_default();
                self.index_items(file, &module, parsed.items);
            }
            Err(e) => {
                self.parse_errors.push(ParseError {
                    file,
                    span: e.span(),
                    message: e.to_string(),
                });
            }
        }
    }

    /// Indexes items given directly (the proc-macro entry points).
    pub fn index_virtual(&mut self, file: FileId, items: Vec<syn::Item>) {
        if let Some(slot) = self.files.get_mut(file) {
            slot.parsed = true;
        }
        self.modules.entry(Vec::new()).or_default();
        self.index_items(file, &[], items);
    }

    fn index_items(&mut self, file: FileId, module: &[String], items: Vec<syn::Item>) {
        let module_vec = module.to_vec();
        for item in items {
            match item {
                syn::Item::Fn(f) => {
                    let name = f.sig.ident.to_string();
                    let id = self.add_fn(
                        file,
                        &module_vec,
                        None,
                        f.attrs,
                        f.sig,
                        *f.block,
                        &HashMap::new(),
                    );
                    if let Some(old) = self.scope_mut(module).fns.insert(name, id) {
                        // `#[cfg]` variants of one function: all of them
                        // are analysed, and a call may reach any.
                        let mut all = self.variants.remove(&old).unwrap_or_else(|| vec![old]);
                        all.push(id);
                        self.variants.insert(id, all);
                    }
                }
                syn::Item::ForeignMod(fm) => {
                    let scope = self.scope_mut(module);
                    foreign_fns(&fm, &mut scope.uses);
                }
                syn::Item::Impl(imp) => {
                    let Some(ty) = type_name(&imp.self_ty) else {
                        continue;
                    };
                    // `impl Shell for tty::Fork`: in this module, the bare
                    // name means that path (unless something else is
                    // imported under it), so `Self`'s type resolves.
                    if let syn::Type::Path(p) = &*imp.self_ty
                        && p.qself.is_none()
                        && p.path.segments.len() > 1
                    {
                        let path = crate::resolve::segments(&p.path);
                        self.scope_mut(module)
                            .uses
                            .entry(ty.clone())
                            .or_insert(path);
                    }
                    if let Some((_, tr, _)) = &imp.trait_
                        && let Some(last) = tr.segments.last()
                    {
                        let traits = self.trait_impls.entry(ty.clone()).or_default();
                        let tr = last.ident.to_string();
                        if !traits.contains(&tr) {
                            traits.push(tr);
                        }
                    }
                    for it in imp.items {
                        if let syn::ImplItem::Fn(m) = it {
                            let mut attrs = imp.attrs.clone();
                            attrs.extend(m.attrs);
                            let id = self.add_fn(
                                file,
                                &module_vec,
                                Some(ty.clone()),
                                attrs,
                                m.sig,
                                m.block,
                                &HashMap::new(),
                            );
                            self.register_method(&ty, id);
                        }
                    }
                }
                syn::Item::Trait(t) => {
                    let ty = t.ident.to_string();
                    self.scope_mut(module).types.insert(ty.clone());
                    for it in t.items {
                        if let syn::TraitItem::Fn(m) = it
                            && let Some(block) = m.default
                        {
                            let id = self.add_fn(
                                file,
                                &module_vec,
                                Some(ty.clone()),
                                m.attrs,
                                m.sig,
                                block,
                                &HashMap::new(),
                            );
                            self.register_method(&ty, id);
                        }
                    }
                }
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    self.scope_mut(module).mods.insert(name.clone());
                    if let Some((_, items)) = m.content {
                        let mut sub = module_vec.clone();
                        sub.push(name);
                        self.modules.entry(sub.clone()).or_default();
                        self.index_items(file, &sub, items);
                    }
                }
                syn::Item::Use(u) => {
                    let scope = self.scope_mut(module);
                    flatten_use(&u.tree, &mut Vec::new(), &mut scope.uses, &mut scope.globs);
                }
                syn::Item::ExternCrate(e) => {
                    let alias = e
                        .rename
                        .map(|(_, i)| i)
                        .unwrap_or_else(|| e.ident.clone())
                        .to_string();
                    let target = e.ident.to_string();
                    let target = if target == "self" {
                        "crate".to_string()
                    } else {
                        target
                    };
                    self.scope_mut(module).uses.insert(alias, vec![target]);
                }
                syn::Item::Struct(s) => {
                    let name = s.ident.to_string();
                    self.scope_mut(module).types.insert(name.clone());
                    let fields = self.structs.entry(name).or_default();
                    for (i, f) in s.fields.into_iter().enumerate() {
                        let key = f
                            .ident
                            .map(|i| i.to_string())
                            .unwrap_or_else(|| i.to_string());
                        fields.insert(key, f.ty);
                    }
                }
                syn::Item::Static(st) => {
                    self.statics.insert(st.ident.to_string(), *st.ty);
                }
                syn::Item::Const(c) => {
                    self.statics.insert(c.ident.to_string(), *c.ty);
                }
                syn::Item::Enum(e) => {
                    let name = e.ident.to_string();
                    self.scope_mut(module).types.insert(name.clone());
                    let fields = self.enums.entry(name).or_default();
                    for v in e.variants {
                        for (i, f) in v.fields.into_iter().enumerate() {
                            let key = f
                                .ident
                                .map(|i| i.to_string())
                                .unwrap_or_else(|| i.to_string());
                            fields.push((format!("{}.{key}", v.ident), f.ty));
                        }
                    }
                }
                syn::Item::Union(u) => {
                    self.scope_mut(module).types.insert(u.ident.to_string());
                }
                syn::Item::Type(t) => {
                    self.scope_mut(module).types.insert(t.ident.to_string());
                }
                _ => {}
            }
        }
    }

    fn scope_mut(&mut self, module: &[String]) -> &mut ModScope {
        self.modules.entry(module.to_vec()).or_default()
    }

    fn register_method(&mut self, ty: &str, id: FnId) {
        let Some(def) = self.fn_def(id) else { return };
        self.impls
            .entry((ty.to_string(), def.name.clone()))
            .or_default()
            .push(id);
        self.methods.entry(def.name.clone()).or_default().push(id);
    }

    /// Adds one function; nested `fn` items and `use` declarations at the top
    /// of its body are taken out and indexed with it.
    #[allow(clippy::too_many_arguments)]
    fn add_fn(
        &mut self,
        file: FileId,
        module: &[String],
        self_ty: Option<String>,
        attrs: Vec<syn::Attribute>,
        sig: syn::Signature,
        mut block: syn::Block,
        inherited: &HashMap<String, FnId>,
    ) -> FnId {
        let id = self.fns.len();
        self.fns.push(None);
        let mut nested = Vec::new();
        let mut uses = HashMap::new();
        let mut globs = Vec::new();
        block.stmts.retain_mut(|s| match s {
            syn::Stmt::Item(syn::Item::Fn(f)) => {
                nested.push(f.clone());
                false
            }
            syn::Stmt::Item(syn::Item::Use(u)) => {
                flatten_use(&u.tree, &mut Vec::new(), &mut uses, &mut globs);
                true
            }
            syn::Stmt::Item(syn::Item::ForeignMod(fm)) => {
                foreign_fns(fm, &mut uses);
                true
            }
            _ => true,
        });
        let mut scope = inherited.clone();
        let mut reserved = Vec::new();
        for f in &nested {
            let nid = self.fns.len();
            self.fns.push(None);
            scope.insert(f.sig.ident.to_string(), nid);
            reserved.push(nid);
        }
        for (f, nid) in nested.into_iter().zip(reserved) {
            self.fill_fn(nid, file, module, None, f.attrs, f.sig, *f.block, &scope);
        }
        let def = FnDef {
            name: sig.ident.to_string(),
            module: module.to_vec(),
            self_ty,
            file,
            attrs,
            sig,
            block,
            scope: Rc::new(scope),
            uses: Rc::new(uses),
        };
        if let Some(slot) = self.fns.get_mut(id) {
            *slot = Some(Rc::new(def));
        }
        self.fns_by_file.entry(file).or_default().push(id);
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn fill_fn(
        &mut self,
        id: FnId,
        file: FileId,
        module: &[String],
        self_ty: Option<String>,
        attrs: Vec<syn::Attribute>,
        sig: syn::Signature,
        block: syn::Block,
        inherited: &HashMap<String, FnId>,
    ) {
        // Index it as a fresh function, then move the definition to `id`.
        let tmp = self.add_fn(file, module, self_ty, attrs, sig, block, inherited);
        if let Some(def) = self.fns.get_mut(tmp).and_then(Option::take) {
            if let Some(slot) = self.fns.get_mut(id) {
                *slot = Some(def);
            }
            if let Some(list) = self.fns_by_file.get_mut(&file) {
                for f in list.iter_mut() {
                    if *f == tmp {
                        *f = id;
                    }
                }
            }
        }
    }

    /// The scope of `module`, parsing the file that declares it if needed.
    pub fn module_scope(&mut self, module: &[String]) -> Option<&ModScope> {
        if !self.modules.contains_key(module) {
            // The module's own file, else an ancestor's file (inline `mod`).
            for k in (0..=module.len()).rev() {
                let Some(prefix) = module.get(..k) else {
                    continue;
                };
                if let Some(&f) = self.module_files.get(prefix) {
                    self.ensure_parsed(f);
                    break;
                }
            }
        }
        self.modules.get(module)
    }

    /// Parses every unparsed file that textually defines `fn name`.
    fn load_fn_name(&mut self, name: &str) {
        if !self.searched_fn_names.insert(name.to_string()) {
            return;
        }
        let hits = self.files_defining("fn", name);
        for i in hits {
            self.ensure_parsed(i);
        }
    }

    /// Unparsed files whose text has `keyword name` (`fn`, `struct`), from an
    /// index built with one pass over the crate's text on first use.
    fn files_defining(&mut self, keyword: &'static str, name: &str) -> Vec<FileId> {
        if !self.keyword_index.contains_key(keyword) {
            let index = build_keyword_index(&self.files, keyword);
            self.keyword_index.insert(keyword, index);
        }
        let Some(files) = self.keyword_index.get(keyword).and_then(|m| m.get(name)) else {
            return Vec::new();
        };
        files
            .iter()
            .copied()
            .filter(|&i| self.files.get(i).is_some_and(|f| !f.parsed))
            .collect()
    }

    /// Definitions of method `name` on type `ty` (an inherent or trait impl,
    /// or a trait's default method).
    pub fn methods_of(&mut self, ty: &str, name: &str) -> Vec<FnId> {
        self.load_fn_name(name);
        self.impls
            .get(&(ty.to_string(), name.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    /// The traits implemented for `ty` (`impl Trait for Ty` in the files
    /// that say `for Ty`, parsed if needed), by last path segment.
    fn traits_of(&mut self, ty: &str) -> Vec<String> {
        for i in self.files_defining("for", ty) {
            self.ensure_parsed(i);
        }
        self.trait_impls.get(ty).cloned().unwrap_or_default()
    }

    /// The default methods `name` of the traits implemented for `ty`
    /// (`impl Trait for Ty`, in the files that say `for Ty`), when no impl
    /// of `ty` defines `name` itself.
    pub fn trait_defaults_of(&mut self, ty: &str, name: &str) -> Vec<FnId> {
        let traits = self.traits_of(ty);
        let mut out = Vec::new();
        for tr in traits {
            out.extend(self.methods_of(&tr, name));
        }
        out
    }

    /// The crate's methods that a std trait's provided method `name` runs
    /// on `ty` (`read_exact` on a type with `impl Read for Ty` runs its
    /// `read`; the table is `type_facts::PROVIDED_METHODS`).
    pub fn provided_method_calls(&mut self, ty: &str, name: &str) -> Vec<FnId> {
        if !crate::knowledge::type_facts::PROVIDED_METHODS
            .iter()
            .any(|(_, m, _)| *m == name)
        {
            return Vec::new();
        }
        let traits = self.traits_of(ty);
        let required: Vec<&str> =
            crate::knowledge::type_facts::provided_calls(&traits, name).collect();
        let mut out = Vec::new();
        for r in required {
            out.extend(self.methods_of(ty, r));
        }
        out
    }

    /// Every method named `name` in the crate (receiver unknown).
    pub fn methods_named(&mut self, name: &str) -> Vec<FnId> {
        self.load_fn_name(name);
        self.methods.get(name).cloned().unwrap_or_default()
    }

    /// Field types of struct `name`, parsing files that define it if needed.
    pub fn struct_field(&mut self, name: &str, field: &str) -> Option<syn::Type> {
        if !self.structs.contains_key(name) && self.searched_structs.insert(name.to_string()) {
            for i in self.files_defining("struct", name) {
                self.ensure_parsed(i);
            }
        }
        self.structs.get(name)?.get(field).cloned()
    }

    /// The fields of the crate's struct or enum `name` with their types
    /// (an enum's as `Variant.field`), sorted by name, parsing files that
    /// define it if needed; `None` when the crate defines no such type.
    pub fn type_fields(&mut self, name: &str) -> Option<Vec<(String, syn::Type)>> {
        // (Parses the files that define a struct of that name.)
        let _ = self.struct_field(name, "");
        if !self.structs.contains_key(name)
            && !self.enums.contains_key(name)
            && self.searched_enums.insert(name.to_string())
        {
            for i in self.files_defining("enum", name) {
                self.ensure_parsed(i);
            }
        }
        if let Some(fields) = self.structs.get(name) {
            let mut out: Vec<(String, syn::Type)> =
                fields.iter().map(|(k, t)| (k.clone(), t.clone())).collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            return Some(out);
        }
        self.enums.get(name).cloned()
    }

    /// The declared type of the `static` or `const` item `name`, parsing
    /// files that define it if needed (`static REQUESTS: Mutex<..>` makes
    /// `REQUESTS.lock()` a known `Mutex::lock`).
    pub fn static_type(&mut self, name: &str) -> Option<syn::Type> {
        if !self.statics.contains_key(name) && self.searched_statics.insert(name.to_string()) {
            let mut hits = self.files_defining("static", name);
            hits.extend(self.files_defining("const", name));
            for i in hits {
                self.ensure_parsed(i);
            }
        }
        self.statics.get(name).cloned()
    }
}

/// `name -> files` for every `keyword name` in the files' text (`fn foo`,
/// `struct Foo`); comments and strings included, which only costs a parse.
fn build_keyword_index(files: &[FileSlot], keyword: &str) -> HashMap<String, Vec<FileId>> {
    let finder = memchr::memmem::Finder::new(keyword.as_bytes());
    let mut index: HashMap<String, Vec<FileId>> = HashMap::new();
    for (i, slot) in files.iter().enumerate() {
        let Some(text) = slot.text.as_deref() else {
            continue;
        };
        let bytes = text.as_bytes();
        for pos in finder.find_iter(bytes) {
            if pos
                .checked_sub(1)
                .and_then(|p| bytes.get(p))
                .is_some_and(|b| is_ident_byte(*b))
            {
                continue;
            }
            let rest = bytes.get(pos + keyword.len()..).unwrap_or(&[]);
            let ws = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if ws == 0 {
                continue;
            }
            let rest = rest.get(ws..).unwrap_or(&[]);
            let rest = rest.strip_prefix(b"r#").unwrap_or(rest);
            let len = rest.iter().take_while(|b| is_ident_byte(**b)).count();
            let Some(mut name) = rest.get(..len).and_then(|n| std::str::from_utf8(n).ok()) else {
                continue;
            };
            if name == "mut" {
                // `static mut NAME`: the name is the next identifier.
                let after = rest.get(len..).unwrap_or(&[]);
                let ws = after.iter().take_while(|b| b.is_ascii_whitespace()).count();
                let after = after.get(ws..).unwrap_or(&[]);
                let n = after.iter().take_while(|b| is_ident_byte(**b)).count();
                match after.get(..n).and_then(|n| std::str::from_utf8(n).ok()) {
                    Some(next) if !next.is_empty() => name = next,
                    _ => continue,
                }
            }
            if name.is_empty() {
                continue;
            }
            let entry = index.entry(name.to_string()).or_default();
            if entry.last() != Some(&i) {
                entry.push(i);
            }
        }
    }
    index
}

/// Method names whose knowledge entry is `RunsInChild`.
fn child_methods(opts: &Options) -> HashSet<String> {
    let is_child_method = |e: &crate::knowledge::ApiEntry| {
        matches!(e.kind, crate::knowledge::ApiKind::Method { .. })
            && matches!(e.verdict, crate::knowledge::Verdict::RunsInChild { .. })
    };
    let mut out: HashSet<String> = opts
        .knowledge
        .extra
        .iter()
        .filter(|e| is_child_method(e))
        .map(|e| e.path.to_string())
        .collect();
    for e in crate::knowledge::builtin() {
        if is_child_method(e) {
            out.insert(e.path.to_string());
        }
    }
    out
}

/// The functions of an `extern "C" { .. }` block are C's: `fn getpwuid(..)`
/// there is `libc::getpwuid` (or its `#[link_name]`) for the knowledge table.
fn foreign_fns(fm: &syn::ItemForeignMod, uses: &mut HashMap<String, Vec<String>>) {
    for item in &fm.items {
        let syn::ForeignItem::Fn(f) = item else {
            continue;
        };
        let name = f.sig.ident.to_string();
        let link = f
            .attrs
            .iter()
            .find_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) if nv.path.is_ident("link_name") => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or_else(|| name.clone());
        uses.entry(name)
            .or_insert_with(|| vec!["libc".to_string(), link]);
    }
}

impl Ctx<'_> {
    /// `id` and its `#[cfg]` variants.
    pub fn variants_of(&self, id: FnId) -> Vec<FnId> {
        self.variants.get(&id).cloned().unwrap_or_else(|| vec![id])
    }
}

pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The last path segment of a type, through references, parens and groups:
/// `&mut Foo<T>` -> `Foo`.
pub(crate) fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

//! Call dispatch: path calls, qualified calls, method calls by receiver
//! type (or by name, as a guess), the crate's functions through their
//! summaries, closures, macros (the crate's own expanded, others' from the
//! knowledge table) and attribute macros on called functions.

use syn::spanned::Spanned;

use super::*;

impl<'c, 'o> Walker<'c, 'o> {
    /// A call `f(args)`; `true` when control can continue after it.
    pub(super) fn call(&mut self, c: &syn::ExprCall) -> bool {
        let syn::Expr::Path(p) = strip(&c.func) else {
            return true;
        };
        let span = c.span();
        if let Some(q) = &p.qself {
            return self.qualified_call(q, &p.path, span);
        }
        let segs = segments(&p.path);
        if let [one] = segs.as_slice()
            && (self.env.is_local(one) || one.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            // A closure bound outside the walked code: follow it like a
            // function. (One bound inside was walked where it is written.)
            if !self.walked_closures.contains(one)
                && let Some(closure) = self.env.closures.get(one).cloned()
            {
                return self.closure_call(one, &closure, span);
            }
            // A variable named like the function it is bound from
            // (`let recvmsg = recvmsg(..)?;`): the environment does not
            // know where a binding starts, so a name that resolves to a
            // function is that function unless the variable is a closure
            // or a fn pointer.
            let shadowing = !one.starts_with(|c: char| c.is_ascii_uppercase())
                && !self.env.closures.contains_key(one)
                && self
                    .env
                    .vars
                    .get(one)
                    .is_some_and(|g| !g.iter().any(|t| t == "fn" || t.starts_with("Fn")))
                && matches!(
                    resolve(self.ctx, &self.f, &segs),
                    Target::LocalFn(_) | Target::Extern(_)
                );
            if !shadowing {
                // A fn-pointer variable, or a tuple struct / variant.
                return true;
            }
        }
        match resolve(self.ctx, &self.f, &segs) {
            Target::LocalFn(id) => {
                let ids = self.ctx.variants_of(id);
                self.call_consts = bool_args(&c.args);
                self.local_calls(&ids, span)
            }
            Target::LocalMethod { ty, name } => {
                let ids = self.ctx.methods_of(&ty, &name);
                if ids.is_empty() {
                    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        self.unresolved
                            .push((format!("{ty}::{name}"), self.site(span)));
                    }
                    return true;
                }
                self.call_consts = bool_args(&c.args);
                self.local_calls(&ids, span)
            }
            Target::Extern(path) => {
                // `drop(x)` runs `x`'s destructor: judged as the method
                // `drop` on `x`'s type when the table lists one (freeing a
                // `Vec`/`String`/`Box` is a deallocation).
                if path == "std::mem::drop"
                    && let Some(arg) = c.args.first()
                {
                    if let Some(g) = expr_guess(self.ctx, &self.f, &self.env, arg, 0)
                        && let Some((entry, conf)) = g
                            .iter()
                            .find_map(|ty| self.ctx.opts.knowledge.lookup_method("drop", Some(ty)))
                    {
                        let ty = g.first().cloned().unwrap_or_default();
                        return self.apply(&entry, conf, format!("`drop` of a `{ty}`"), None, span);
                    }
                    // A crate type that owns heap fields, or a type only
                    // the bindings in scope know.
                    if let Some(fr) = self.frees_view().explicit_drop(arg, span) {
                        self.emit_free(fr);
                        return true;
                    }
                }
                self.extern_call(&path, c.args.first(), span)
            }
            Target::Unknown(name) => {
                if self.vfork {
                    self.emit_vfork(&format!("`{name}()`"), span);
                }
                self.unresolved.push((name.clone(), self.site(span)));
                self.emit(
                    RuleId::UnknownCall,
                    Level::Note,
                    format!("`{name}()`"),
                    "could not be resolved, so fork-lint cannot tell whether it is async-signal-safe",
                    "check that it only calls async-signal-safe functions",
                    span,
                    false,
                );
                true
            }
        }
    }

    /// A call through a qualified path, `<T as Trait>::method(..)`: the
    /// crate's impl of `method` for `T` when there is one, otherwise the
    /// crate trait's default method (a generic `T`, a blanket impl).
    pub(super) fn qualified_call(
        &mut self,
        q: &syn::QSelf,
        path: &syn::Path,
        span: proc_macro2::Span,
    ) -> bool {
        let segs = segments(path);
        let Some(name) = segs.last() else {
            return true;
        };
        if let Some(ty) = crate::index::type_name(&q.ty) {
            let ids = self.ctx.methods_of(&ty, name);
            if !ids.is_empty() {
                return self.local_calls(&ids, span);
            }
        }
        // `<T>::f` (no trait), or a path too short to hold one.
        if q.position == 0 || q.position >= segs.len() {
            return true;
        }
        let trait_path = segs[..q.position].to_vec();
        let Some(tr) = trait_path.last().cloned() else {
            return true;
        };
        match resolve(self.ctx, &self.f, &trait_path) {
            Target::Extern(_) => true,
            _ => {
                let ids = self.ctx.methods_of(&tr, name);
                self.local_calls(&ids, span)
            }
        }
    }

    pub(super) fn local_calls(&mut self, ids: &[FnId], span: proc_macro2::Span) -> bool {
        let mut live = false;
        let consts = std::mem::take(&mut self.call_consts);
        for &id in ids.iter().take(MAX_METHOD_CANDIDATES) {
            self.call_consts = consts.clone();
            live |= self.local_call(id, span);
        }
        live || ids.is_empty()
    }

    /// A call into the crate: the callee's hazards are reported here, once
    /// per rule, with the chain.
    pub(super) fn local_call(&mut self, id: FnId, span: proc_macro2::Span) -> bool {
        let Some(def) = self.ctx.fn_def(id) else {
            return true;
        };
        let label = callee_label(&def);
        let consts = std::mem::take(&mut self.call_consts);
        let sum = summary_for(self.ctx, id, consts);
        if self.vfork {
            self.emit_vfork(&format!("`{}`", label), span);
            return !sum.diverges;
        }
        for h in &sum.hazards {
            let e = Event {
                site: self.site(span),
                hazard: h.clone(),
                via: Some(label.clone()),
                origin: None,
            };
            self.push_event(e);
        }
        self.unresolved.extend(sum.unresolved.iter().cloned());
        !sum.diverges
    }

    /// A call of a closure bound to `name` outside the walked code.
    pub(super) fn closure_call(
        &mut self,
        name: &str,
        closure: &syn::ExprClosure,
        span: proc_macro2::Span,
    ) -> bool {
        if self.ctx.summaries.depth > MAX_SUMMARY_DEPTH {
            return true;
        }
        let label = format!("{name}()");
        if self.vfork {
            self.emit_vfork(&format!("`{label}`"), span);
            return true;
        }
        self.ctx.summaries.depth += 1;
        let mut w = Walker::new(self.ctx, self.f.clone(), self.env.clone(), false);
        // The closure cannot call itself by name.
        w.walked_closures.insert(name.to_string());
        w.push_allows(&closure.attrs);
        let live = w.expr(&closure.body);
        let diverges = !live && !w.escapes;
        let (events, unresolved) = (
            std::mem::take(&mut w.events),
            std::mem::take(&mut w.unresolved),
        );
        self.ctx.summaries.depth -= 1;
        self.reached_through(&label, events, unresolved, span);
        !diverges
    }

    /// A call the flow analysis followed with its arguments' values: the
    /// callee's marked code is judged, and its hazards are reported here.
    pub(super) fn callee_flow(&mut self, flow: &CalleeFlow, span: proc_macro2::Span) -> bool {
        if self.ctx.summaries.depth > MAX_SUMMARY_DEPTH {
            return true;
        }
        let Some(def) = self.ctx.fn_def(flow.id) else {
            return true;
        };
        let label = callee_label(&def);
        self.ctx.summaries.depth += 1;
        let f = FnCtx::of(&def);
        let env = env_of(self.ctx, &f, Some(&def.sig), &def.block);
        let mut w = Walker::with_marks(self.ctx, f, env, flow.marks.clone());
        w.push_allows(&def.attrs);
        w.block(&def.block);
        let (events, unresolved) = (
            std::mem::take(&mut w.events),
            std::mem::take(&mut w.unresolved),
        );
        self.ctx.summaries.depth -= 1;
        self.reached_through(&label, events, unresolved, span);
        true
    }

    /// Reports what a followed call reached (a sub-walk's events) at the
    /// call: each hazard where it is, the call first on its chain.
    pub(super) fn reached_through(
        &mut self,
        label: &str,
        events: Vec<Event>,
        unresolved: Vec<(String, Site)>,
        span: proc_macro2::Span,
    ) {
        for h in flatten(events) {
            self.push_event(Event {
                site: self.site(span),
                hazard: h,
                via: Some(label.to_string()),
                origin: None,
            });
        }
        self.unresolved.extend(unresolved);
    }

    pub(super) fn method_call(&mut self, m: &syn::ExprMethodCall) -> bool {
        let name = m.method.to_string();
        if matches!(name.as_str(), "unwrap" | "expect")
            && crate::infallible::cannot_fail(self.ctx, &self.f, &self.env, &m.receiver)
        {
            return true;
        }
        if name == "push" && self.within_capacity(&m.receiver) {
            return true;
        }
        let span = method_span(m);
        let guess: Option<TypeGuess> =
            expr_guess(self.ctx, &self.f, &self.env, &m.receiver, 0).filter(|g| !g.is_empty());
        let knowledge = &self.ctx.opts.knowledge;
        // The type (of the guess's layers, `LazyLock<Mutex<..>>`) whose
        // method the table knows: the operation is named after it.
        let mut matched: Option<String> = None;
        let hit = match &guess {
            // A known receiver: the crate's methods of that type first.
            Some(g) => {
                for ty in g.iter().take(3) {
                    let ids = self.ctx.methods_of(ty, &name);
                    if !ids.is_empty() {
                        return self.local_calls(&ids, span);
                    }
                }
                // A std trait's provided method that runs the crate's own
                // impl (`read_exact` -> the crate's `Read::read`).
                if let Some(ty) = g.first() {
                    let ids = self.ctx.provided_method_calls(ty, &name);
                    if !ids.is_empty() {
                        return self.local_calls(&ids, span);
                    }
                }
                let hit = g.iter().find_map(|ty| {
                    let hit = self.ctx.opts.knowledge.lookup_method(&name, Some(ty))?;
                    matched = Some(ty.clone());
                    Some(hit)
                });
                let is_self =
                    matches!(strip(&m.receiver), syn::Expr::Path(p) if p.path.is_ident("self"));
                if hit.is_none() && is_self {
                    // A trait's default method, or one defined where we
                    // cannot see the impl.
                    let ids = self.ctx.methods_named(&name);
                    if !ids.is_empty() {
                        return self.local_calls(&ids, span);
                    }
                    self.unresolved
                        .push((format!("self.{name}"), self.site(span)));
                }
                hit
            }
            // An unknown receiver: a name the table calls unambiguous
            // (`unwrap`, `pre_exec`) wins; then the crate's methods of that
            // name (best effort for trait methods); then a name-only guess.
            None => {
                let hit = knowledge.lookup_method(&name, None);
                if !matches!(hit, Some((_, Confidence::Exact))) {
                    let ids = self.ctx.methods_named(&name);
                    if !ids.is_empty() {
                        // Which method this is, only its name says: what the
                        // crate's methods of that name reach is a guess, at
                        // most a warning.
                        let saved = self.guessed_call.replace(name.clone());
                        let live = self.local_calls(&ids, span);
                        self.guessed_call = saved;
                        return live;
                    }
                }
                hit
            }
        };
        // A method of another crate's type the table does not know: that
        // crate's impls say what it does.
        if hit.is_none()
            && !self.vfork
            && let Some(ty) = extern_type_path(self.ctx, &self.f, &self.env, &m.receiver, 0)
        {
            return self.dependency_method(&ty, &name, span);
        }
        let op = match matched.as_ref().or(guess.as_ref().and_then(|g| g.first())) {
            Some(ty) => format!("`{ty}::{name}`"),
            None => format!("`.{name}()`"),
        };
        match hit {
            // In a vfork child, methods the table knows to be harmless
            // (`as_ptr`, `len`) and unknown methods are not reported: they
            // are accessors far more often than calls into libc.
            Some((entry, _)) if self.vfork && entry.verdict == Verdict::Safe => true,
            Some((entry, conf)) => self.apply(&entry, conf, op, m.args.first(), span),
            None => true,
        }
    }

    /// Attribute macros on a called function that act on every call
    /// (`#[tracing::instrument]`): looked up as macros by resolved path.
    pub(super) fn attributes(&mut self, attrs: &[syn::Attribute]) {
        for a in attrs {
            let Some(path) = resolve_macro(self.ctx, &self.f, a.path()) else {
                continue;
            };
            if !path.contains("::") {
                continue;
            }
            if let Some(entry) = self.ctx.opts.knowledge.lookup_macro(&path) {
                let op = format!("`#[{path}]`");
                self.apply(&entry, Confidence::Exact, op, None, a.span());
            }
        }
    }

    /// A macro invocation; its arguments are walked as expressions when they
    /// parse as a comma-separated list.
    pub(super) fn mac(&mut self, mac: &syn::Macro) -> bool {
        let span = mac.span();
        if let Some(x) = crate::expansion::expand(self.ctx, self.f.file, mac) {
            return self.expansion(&x, span);
        }
        let args: Vec<syn::Expr> = mac
            .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            .map(|p| p.into_iter().collect())
            .unwrap_or_default();
        let mut live = true;
        for a in &args {
            live &= self.expr(a);
        }
        let Some(path) = resolve_macro(self.ctx, &self.f, &mac.path) else {
            return live;
        };
        let name = path.rsplit("::").next().unwrap_or(&path).to_string();
        // Expansion facts: `write!(dst, ..)` is `dst.write_fmt(..)`, and an
        // empty `vec![]` does not allocate.
        if name == "write" || name == "writeln" {
            if let Some(dst) = args.first() {
                let guess =
                    expr_guess(self.ctx, &self.f, &self.env, dst, 0).filter(|g| !g.is_empty());
                let hit = match &guess {
                    Some(g) => g.iter().find_map(|ty| {
                        self.ctx.opts.knowledge.lookup_method("write_fmt", Some(ty))
                    }),
                    None => self.ctx.opts.knowledge.lookup_method("write_fmt", None),
                };
                if let Some((entry, conf)) = hit {
                    return live && self.apply(&entry, conf, format!("`{name}!`"), None, span);
                }
            }
            return live;
        }
        if name == "vec" && mac.tokens.is_empty() {
            return live;
        }
        match self.ctx.opts.knowledge.lookup_macro(&path) {
            Some(entry) => {
                live && self.apply(
                    &entry,
                    Confidence::Exact,
                    format!("`{name}!`"),
                    args.first(),
                    span,
                )
            }
            None => live,
        }
    }

    /// A marked macro: judged, its arguments walked as child code.
    pub(super) fn judged_mac(&mut self, mac: &syn::Macro) -> bool {
        let addr = mac as *const syn::Macro as usize;
        if !self.judged(addr) {
            return true;
        }
        let saved = self.inherit;
        self.inherit = true;
        let live = self.mac(mac);
        self.inherit = saved;
        live
    }

    /// An invocation of the crate's own macro: its expansion is walked as
    /// child code, its hazards reported at the invocation with the macro as
    /// a step of the chain; `_exit` in it ends the region.
    pub(super) fn expansion(
        &mut self,
        x: &crate::expansion::Expansion,
        span: proc_macro2::Span,
    ) -> bool {
        if self.ctx.summaries.depth > MAX_SUMMARY_DEPTH {
            return true;
        }
        self.ctx.summaries.depth += 1;
        let mut w = Walker::new(self.ctx, self.f.clone(), self.env.clone(), self.vfork);
        w.loop_depth = self.loop_depth;
        let live = w.stmts(&x.stmts);
        let escapes = w.escapes;
        let events = std::mem::take(&mut w.events);
        let unresolved = std::mem::take(&mut w.unresolved);
        self.ctx.summaries.depth -= 1;
        let step = Step {
            label: format!("in macro `{}!`", x.name),
            site: x.def_site,
        };
        for e in events {
            let mut hazard = e.hazard;
            let mut chain = vec![step.clone()];
            chain.append(&mut hazard.chain);
            hazard.chain = chain;
            if e.via.is_none() {
                // Written in the macro: reported at the invocation.
                let mut message = format!(
                    "`{}!` expands to {}, which {}",
                    x.name, hazard.op, hazard.reason
                );
                if hazard.guessed {
                    message.push_str(" (guessed from the method name)");
                }
                hazard.message = message;
                hazard.site = self.site(span);
            }
            // Reached through a call the macro makes: reported where it is,
            // the invocation first on its chain.
            self.push_event(Event {
                site: self.site(span),
                hazard,
                via: e.via,
                origin: None,
            });
        }
        self.unresolved.extend(unresolved);
        self.escapes |= escapes;
        live
    }
}

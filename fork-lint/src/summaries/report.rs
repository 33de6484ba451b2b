//! From verdicts to events: what the walker records for a hazard it meets
//! (the message, the chain, the `allow`s in force), vfork's stricter
//! reporting, and the implicit frees `crate::frees` finds.

use super::*;

impl<'c, 'o> Walker<'c, 'o> {
    pub(super) fn push_event(&mut self, mut e: Event) {
        if self.allowed.contains(&e.rule()) {
            return;
        }
        if e.origin.is_none() {
            e.origin = self.origin;
        }
        if let Some(name) = &self.guessed_call {
            let h = &mut e.hazard;
            h.level = h.level.min(Level::Warning);
            if !h.guessed {
                h.guessed = true;
                h.message.push_str(&format!(
                    " (reached through `.{name}()`, matched to the crate's methods by name only)"
                ));
            }
        }
        self.events.push(e);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit(
        &mut self,
        rule: RuleId,
        level: Level,
        op: String,
        reason: &str,
        help: &str,
        span: proc_macro2::Span,
        guessed: bool,
    ) {
        let mut message = format!("{op} {reason}");
        if guessed {
            message.push_str(" (guessed from the method name)");
        }
        let hazard = Hazard {
            rule,
            level,
            op,
            reason: reason.to_string(),
            help: (!help.is_empty()).then(|| help.to_string()),
            site: self.site(span),
            chain: Vec::new(),
            guessed,
            message,
            in_dependency: false,
        };
        self.push_event(Event {
            site: self.site(span),
            hazard,
            via: None,
            origin: None,
        });
    }

    pub(super) fn emit_vfork(&mut self, op: &str, span: proc_macro2::Span) {
        self.emit(
            RuleId::Vfork,
            Level::Error,
            op.to_string(),
            crate::rules::vfork::REASON,
            crate::rules::vfork::HELP,
            span,
            false,
        );
    }

    /// Applies a knowledge verdict at `span`; `true` when control continues.
    pub(super) fn apply(
        &mut self,
        entry: &ApiEntry,
        conf: Confidence,
        op: String,
        path_arg: Option<&syn::Expr>,
        span: proc_macro2::Span,
    ) -> bool {
        let guessed = conf == Confidence::NameOnly;
        if self.vfork {
            match entry.verdict {
                Verdict::Exec => return true,
                _ if entry.ends_region() && !matches!(entry.verdict, Verdict::Hazard(..)) => {
                    return false;
                }
                _ => {
                    self.emit_vfork(&op, span);
                    return !entry.ends_region();
                }
            }
        }
        match entry.verdict {
            Verdict::Safe | Verdict::Exec | Verdict::Fork(_) | Verdict::RunsInChild { .. } => true,
            Verdict::Terminates => false,
            Verdict::Hazard(rule, level) => {
                let level = if guessed {
                    level.min(Level::Warning)
                } else {
                    level
                };
                self.emit(rule, level, op, entry.reason, entry.fix, span, guessed);
                !entry.ends_region()
            }
            Verdict::PathArgument { limit } => {
                match path_arg.and_then(literal_len) {
                    Some(len) if len < limit => {}
                    Some(len) => {
                        let reason = format!(
                            "copies its {len}-byte path argument to the heap (paths of {limit} bytes or more are allocated)"
                        );
                        self.emit(
                            RuleId::Alloc,
                            Level::Error,
                            op,
                            &reason,
                            entry.fix,
                            span,
                            guessed,
                        );
                    }
                    None => {
                        let reason = format!(
                            "copies its path argument to the heap when it is {limit} bytes or longer, and its length is not known statically"
                        );
                        self.emit(
                            RuleId::Alloc,
                            Level::Warning,
                            op,
                            &reason,
                            entry.fix,
                            span,
                            guessed,
                        );
                    }
                }
                true
            }
        }
    }

    /// The implicit-free analysis's view of where the walker is.
    pub(super) fn frees_view(&mut self) -> crate::frees::Frees<'_, 'o> {
        crate::frees::Frees {
            ctx: &mut *self.ctx,
            f: &self.f,
            env: &self.env,
            scopes: &mut self.frees,
        }
    }

    /// Whether the child reaches the scope end `node` (a block, an arm, a
    /// `for` loop): as the flow analysis recorded it when it marked the
    /// code, else whether control gets there (`live`).
    pub(super) fn reaches_end(&mut self, node: usize, live: bool) -> bool {
        let Some(marks) = &self.marks else {
            return live;
        };
        if self.inherit {
            return live;
        }
        match marks.ends.get(&node) {
            Some(&o) => {
                self.origin = Some(o);
                self.vfork = marks.origins.get(o as usize).is_some_and(|x| x.vfork);
                true
            }
            None => false,
        }
    }

    pub(super) fn emit_frees(&mut self, frees: impl IntoIterator<Item = crate::frees::Free>) {
        for fr in frees {
            self.emit_free(fr);
        }
    }

    /// Reports an implicit free (rule `alloc`).
    pub(super) fn emit_free(&mut self, fr: crate::frees::Free) {
        let site = self.site(fr.span);
        let hazard = Hazard {
            rule: RuleId::Alloc,
            level: fr.level,
            op: fr.op,
            reason: fr.reason,
            help: Some(fr.help.to_string()),
            site,
            chain: Vec::new(),
            guessed: false,
            message: fr.message,
            in_dependency: false,
        };
        self.push_event(Event {
            site,
            hazard,
            via: None,
            origin: None,
        });
    }
}

/// The byte length of a literal path argument (`"..."`, `b"..."`, `c"..."`,
/// through `&`, parens and a one-argument constructor such as
/// `Path::new("..")`).
fn literal_len(e: &syn::Expr) -> Option<usize> {
    match strip(e) {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => Some(s.value().len()),
            syn::Lit::ByteStr(s) => Some(s.value().len()),
            syn::Lit::CStr(s) => Some(s.value().as_bytes().len()),
            _ => None,
        },
        syn::Expr::Reference(r) => literal_len(&r.expr),
        syn::Expr::Call(c) if c.args.len() == 1 => c.args.first().and_then(literal_len),
        _ => None,
    }
}

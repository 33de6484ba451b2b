//! Calls into other crates: the knowledge table first, then (when the
//! caller gave dependencies) the dependency's own sources through
//! `crate::external`.

use super::*;

impl<'c, 'o> Walker<'c, 'o> {
    pub(super) fn extern_call(
        &mut self,
        path: &str,
        first_arg: Option<&syn::Expr>,
        span: proc_macro2::Span,
    ) -> bool {
        let entry = self.ctx.opts.knowledge.lookup_path(path);
        let op = format!("`{path}`");
        match entry {
            Some(entry) => self.apply(&entry, Confidence::Exact, op, first_arg, span),
            None => {
                let root = path
                    .trim_start_matches("::")
                    .split("::")
                    .next()
                    .unwrap_or("");
                if self.vfork {
                    self.emit_vfork(&op, span);
                } else if !self.ctx.opts.knowledge.is_known_crate(root)
                    && let Some((label, found)) = crate::external::hazards_of(self.ctx, path)
                {
                    self.dependency_hazards(path, &label, &found.hazards, span);
                } else if !self.ctx.opts.knowledge.is_known_crate(root)
                    && !root.starts_with(|c: char| c.is_ascii_uppercase())
                {
                    self.emit(
                        RuleId::UnknownCall,
                        Level::Note,
                        op,
                        &format!("is in crate `{root}`, whose async-signal safety fork-lint does not know"),
                        "check that it only calls async-signal-safe functions, or describe it in the `knowledge` section of the configuration",
                        span,
                        false,
                    );
                }
                true
            }
        }
    }

    /// A method call on a value of another crate's type `ty` (its full
    /// path): followed into that crate's inherent and trait impls like a
    /// path call (`outside_dep::FixedVec::push`); an `unknown-call` note
    /// when it cannot be followed (no sources, no such method there).
    pub(super) fn dependency_method(
        &mut self,
        ty: &str,
        name: &str,
        span: proc_macro2::Span,
    ) -> bool {
        let root = ty.trim_start_matches("::").split("::").next().unwrap_or("");
        if self.ctx.opts.knowledge.is_known_crate(root) {
            return true;
        }
        let path = format!("{ty}::{name}");
        match crate::external::hazards_of(self.ctx, &path) {
            Some((label, found)) => self.dependency_hazards(&path, &label, &found.hazards, span),
            None => self.emit(
                RuleId::UnknownCall,
                Level::Note,
                format!("`{path}`"),
                &format!("is in crate `{root}`, whose async-signal safety fork-lint does not know"),
                "check that it only calls async-signal-safe functions, or describe it in the `knowledge` section of the configuration",
                span,
                false,
            ),
        }
        true
    }

    /// What a call into a dependency reaches, reported at the call (the
    /// code the user can change): per rule, the first hazard with the chain
    /// into the dependency, and how many more.
    pub(super) fn dependency_hazards(
        &mut self,
        path: &str,
        label: &str,
        found: &[crate::input::DepHazard],
        span: proc_macro2::Span,
    ) {
        let mut rules: Vec<RuleId> = Vec::new();
        for h in found {
            if !rules.contains(&h.rule) {
                rules.push(h.rule);
            }
        }
        for rule in rules {
            let of_rule: Vec<&crate::input::DepHazard> =
                found.iter().filter(|h| h.rule == rule).collect();
            let Some(h) = of_rule.iter().max_by_key(|h| h.level).copied() else {
                continue;
            };
            let chain: Vec<Step> = h
                .steps
                .iter()
                .map(|s| Step {
                    label: s.label.clone(),
                    site: self.ctx.external_site(&s.location),
                })
                .collect();
            let mut message = format!(
                "call to `{path}` ({label}) reaches {}, which {}",
                h.op, h.reason
            );
            if of_rule.len() > 1 {
                message.push_str(&format!(
                    ", and {} more {rule} hazard{} in that crate",
                    of_rule.len() - 1,
                    if of_rule.len() > 2 { "s" } else { "" }
                ));
            }
            if h.guessed {
                message.push_str(" (guessed from the method name)");
            }
            let hazard = Hazard {
                rule,
                level: h.level,
                op: format!("`{path}`"),
                reason: format!("reaches {} in {label}", h.op),
                help: h.help.clone(),
                site: self.site(span),
                chain,
                guessed: h.guessed,
                message,
                in_dependency: true,
            };
            self.push_event(Event {
                site: self.site(span),
                hazard,
                via: None,
                origin: None,
            });
        }
    }
}

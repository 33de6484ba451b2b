//! The transcriber: a rule's template with the matched fragments
//! substituted.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;

use super::ExpandError;
use super::matcher::{Bindings, Matcher};

/// A transcriber template.
#[derive(Debug, Clone)]
pub(crate) enum Tpl {
    /// A token that stands for itself (never a group).
    Tok(TokenTree),
    Group {
        delimiter: Delimiter,
        span: Span,
        body: Vec<Tpl>,
    },
    /// `$name`. When `name` is not bound by the matcher it stands for
    /// itself: that is how a macro writes the metavariables of a macro it
    /// defines.
    Var {
        name: String,
        dollar: Punct,
        ident: Ident,
    },
    /// `$( body ) sep op`. The operator is not checked against the count,
    /// as in rustc.
    Rep { body: Vec<Tpl>, sep: Vec<TokenTree> },
    /// `$crate`, with the span of `crate`.
    Crate(Span),
}

pub(crate) enum TranscribeError {
    Message(String),
    TokenLimit,
}

impl TranscribeError {
    pub(crate) fn into_expand_error(self, name: &str, limit: usize) -> ExpandError {
        match self {
            TranscribeError::Message(detail) => ExpandError::Transcribe {
                name: name.to_string(),
                detail,
            },
            TranscribeError::TokenLimit => ExpandError::TokenLimit {
                name: name.to_string(),
                limit,
            },
        }
    }
}

pub(crate) fn transcribe(
    template: &[Tpl],
    matcher: &Matcher,
    bindings: &Bindings,
    dollar_crate: &syn::Path,
    max_tokens: usize,
) -> Result<TokenStream, TranscribeError> {
    let mut cx = Cx {
        matcher,
        bindings,
        dollar_crate: dollar_crate.to_token_stream(),
        budget: max_tokens,
    };
    let mut out = Vec::new();
    cx.emit(template, &mut Vec::new(), &mut out)?;
    Ok(out.into_iter().collect())
}

struct Cx<'a> {
    matcher: &'a Matcher,
    bindings: &'a Bindings,
    dollar_crate: TokenStream,
    budget: usize,
}

impl Cx<'_> {
    fn spend(&mut self, n: usize) -> Result<(), TranscribeError> {
        self.budget = self
            .budget
            .checked_sub(n)
            .ok_or(TranscribeError::TokenLimit)?;
        Ok(())
    }

    fn var(&self, name: &str) -> Option<usize> {
        self.matcher.vars.iter().position(|v| v.name == name)
    }

    fn emit(
        &mut self,
        template: &[Tpl],
        idx: &mut Vec<usize>,
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        for t in template {
            match t {
                Tpl::Tok(tt) => {
                    self.spend(1)?;
                    out.push(tt.clone());
                }
                Tpl::Group {
                    delimiter,
                    span,
                    body,
                } => {
                    self.spend(1)?;
                    let mut inner = Vec::new();
                    self.emit(body, idx, &mut inner)?;
                    let mut g = Group::new(*delimiter, inner.into_iter().collect());
                    g.set_span(*span);
                    out.push(TokenTree::Group(g));
                }
                Tpl::Var {
                    name,
                    dollar,
                    ident,
                } => match self.var(name) {
                    None => {
                        self.spend(2)?;
                        out.push(TokenTree::Punct(dollar.clone()));
                        out.push(TokenTree::Ident(ident.clone()));
                    }
                    Some(v) => self.substitute(v, idx, out)?,
                },
                Tpl::Crate(span) => {
                    for mut tt in self.dollar_crate.clone() {
                        self.spend(1)?;
                        tt.set_span(*span);
                        out.push(tt);
                    }
                }
                Tpl::Rep { body, sep } => self.repeat(body, sep, idx, out)?,
            }
        }
        Ok(())
    }

    fn substitute(
        &mut self,
        v: usize,
        idx: &[usize],
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        let info = &self.matcher.vars[v];
        let depth = info.seqs.len();
        if idx.len() < depth {
            return Err(TranscribeError::Message(format!(
                "variable `{}` is still repeating at this depth",
                info.name
            )));
        }
        let Some(tokens) = self.bindings.fragments.get(&(v, idx[..depth].to_vec())) else {
            return Err(TranscribeError::Message(format!(
                "variable `{}` has no value here",
                info.name
            )));
        };
        self.spend(count_tokens(tokens))?;
        if info.kind.substituted_as_group(tokens) {
            let mut g = Group::new(Delimiter::None, tokens.clone());
            g.set_span(span_of(tokens));
            out.push(TokenTree::Group(g));
        } else {
            out.extend(tokens.clone());
        }
        Ok(())
    }

    fn repeat(
        &mut self,
        body: &[Tpl],
        sep: &[TokenTree],
        idx: &mut Vec<usize>,
        out: &mut Vec<TokenTree>,
    ) -> Result<(), TranscribeError> {
        let depth = idx.len();
        let mut names = Vec::new();
        var_names(body, &mut names);
        let mut count: Option<(usize, &str)> = None;
        for name in &names {
            let Some(v) = self.var(name) else { continue };
            let info = &self.matcher.vars[v];
            let Some(&seq) = info.seqs.get(depth) else {
                continue;
            };
            let n = self
                .bindings
                .counts
                .get(&(seq, idx.clone()))
                .copied()
                .unwrap_or(0);
            match count {
                None => count = Some((n, &info.name)),
                Some((m, other)) if m != n => {
                    return Err(TranscribeError::Message(format!(
                        "meta-variable `{other}` repeats {m} times, but `{}` repeats {n} times",
                        info.name
                    )));
                }
                Some(_) => {}
            }
        }
        let Some((n, _)) = count else {
            return Err(TranscribeError::Message(
                "attempted to repeat an expression containing no syntax variables matched as repeating at this depth".into(),
            ));
        };
        for i in 0..n {
            if i > 0 {
                self.spend(sep.len())?;
                out.extend(sep.iter().cloned());
                // The separator ends where the next iteration starts.
                if let Some(TokenTree::Punct(p)) = out.last_mut() {
                    let mut alone = Punct::new(p.as_char(), Spacing::Alone);
                    alone.set_span(p.span());
                    *p = alone;
                }
            }
            idx.push(i);
            let r = self.emit(body, idx, out);
            idx.pop();
            r?;
        }
        Ok(())
    }
}

/// The names of the metavariables a template uses, at any depth.
fn var_names(template: &[Tpl], names: &mut Vec<String>) {
    for t in template {
        match t {
            Tpl::Var { name, .. } => {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
            Tpl::Group { body, .. } | Tpl::Rep { body, .. } => var_names(body, names),
            Tpl::Tok(_) | Tpl::Crate(_) => {}
        }
    }
}

/// Tokens in a stream, groups counted with their contents.
pub(crate) fn count_tokens(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => 1 + count_tokens(&g.stream()),
            _ => 1,
        })
        .sum()
}

/// The span from the first to the last token of a fragment, when they can
/// be joined; the first token's span otherwise.
fn span_of(tokens: &TokenStream) -> Span {
    let mut iter = tokens.clone().into_iter();
    let Some(first) = iter.next() else {
        return Span::call_site();
    };
    match iter.last() {
        Some(last) => first.span().join(last.span()).unwrap_or(first.span()),
        None => first.span(),
    }
}

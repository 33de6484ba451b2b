//! Parsing a `macro_rules!` definition: its rules, each a matcher (compiled
//! by `matcher.rs`) and a transcriber template (applied by `transcribe.rs`).

use proc_macro2::{Delimiter, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;

use super::cfg::CfgTruth;
use super::fragment::FragmentKind;
use super::matcher::Matcher;
use super::transcribe::Tpl;
use super::{Error, ExpandError, Limits};

/// One `macro_rules!` definition.
#[derive(Debug, Clone)]
pub struct MacroRules {
    name: String,
    name_span: Span,
    exported: bool,
    cfg: CfgTruth,
    pub(crate) rules: Vec<Rule>,
}

/// One `(matcher) => { transcriber }` rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) matcher: Matcher,
    pub(crate) template: Vec<Tpl>,
}

impl MacroRules {
    /// Parses an item-level definition, `macro_rules! name { .. }` (with its
    /// attributes: `#[macro_export]`, `#[cfg]`).
    pub fn parse(def: &syn::ItemMacro) -> Result<MacroRules, Error> {
        if !def.mac.path.is_ident("macro_rules") {
            return Err(Error::new(
                def.mac.path.span(),
                "not a `macro_rules!` definition",
            ));
        }
        let Some(name) = &def.ident else {
            return Err(Error::new(
                def.mac.path.span(),
                "`macro_rules!` without a name",
            ));
        };
        let rules = parse_rules(&def.mac.tokens, def.mac.delimiter.span().join())?;
        Ok(MacroRules::new(name, &def.attrs, rules))
    }

    /// Parses a definition held as a macro invocation whose tokens are
    /// `name { rules }` (a `macro_rules!` in statement position, or one
    /// found in the tokens of another macro), with the attributes in front
    /// of it.
    pub fn from_macro(mac: &syn::Macro, attrs: &[syn::Attribute]) -> Result<MacroRules, Error> {
        if !mac.path.is_ident("macro_rules") {
            return Err(Error::new(
                mac.path.span(),
                "not a `macro_rules!` definition",
            ));
        }
        let mut tokens = mac.tokens.clone().into_iter();
        let name = match tokens.next() {
            Some(TokenTree::Ident(name)) => name,
            _ => return Err(Error::new(mac.path.span(), "`macro_rules!` without a name")),
        };
        let body = match tokens.next() {
            Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::None => g,
            _ => {
                return Err(Error::new(
                    name.span(),
                    "expected the rules of the macro in braces",
                ));
            }
        };
        let rules = parse_rules(&body.stream(), body.span())?;
        Ok(MacroRules::new(&name, attrs, rules))
    }

    fn new(name: &Ident, attrs: &[syn::Attribute], rules: Vec<Rule>) -> MacroRules {
        MacroRules {
            name: name.to_string(),
            name_span: name.span(),
            exported: attrs.iter().any(|a| a.path().is_ident("macro_export")),
            cfg: CfgTruth::of_attrs(attrs),
            rules,
        }
    }

    /// The macro's name (`die` for `macro_rules! die`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The span of the name in the definition.
    pub fn name_span(&self) -> Span {
        self.name_span
    }

    /// Whether the definition carries `#[macro_export]`.
    pub fn is_exported(&self) -> bool {
        self.exported
    }

    /// Its `#[cfg]` attributes read for a Unix target.
    pub fn cfg(&self) -> CfgTruth {
        self.cfg
    }

    /// The number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Expands an invocation written in the source (depth 0) with the
    /// default [`Limits`]. `input` is the invocation's tokens inside its
    /// delimiters (`syn::Macro::tokens`); `dollar_crate` replaces `$crate`
    /// (`crate` for the checked crate's own macros).
    pub fn expand(
        &self,
        input: &TokenStream,
        dollar_crate: &syn::Path,
    ) -> Result<TokenStream, ExpandError> {
        self.expand_with(input, dollar_crate, &Limits::default(), 0)
    }

    /// Expands an invocation found at expansion depth `depth` (0 for one
    /// written in the source, 1 for one inside an expansion, ...), within
    /// `limits`. The first rule whose matcher accepts the input is used.
    pub fn expand_with(
        &self,
        input: &TokenStream,
        dollar_crate: &syn::Path,
        limits: &Limits,
        depth: usize,
    ) -> Result<TokenStream, ExpandError> {
        if depth > limits.max_depth {
            return Err(ExpandError::RecursionLimit {
                name: self.name.clone(),
                limit: limits.max_depth,
            });
        }
        if nesting(input, limits.max_nesting) > limits.max_nesting {
            return Err(ExpandError::TooComplex {
                name: self.name.clone(),
            });
        }
        let mut steps = 0usize;
        let mut ambiguous = None;
        for rule in &self.rules {
            match rule
                .matcher
                .match_input(input, limits.max_steps, &mut steps)
            {
                Ok(bindings) => {
                    return super::transcribe::transcribe(
                        &rule.template,
                        &rule.matcher,
                        &bindings,
                        dollar_crate,
                        limits.max_tokens,
                    )
                    .map_err(|e| e.into_expand_error(&self.name, limits.max_tokens));
                }
                Err(super::matcher::MatchError::NoMatch) => {}
                Err(super::matcher::MatchError::Ambiguous(detail)) => {
                    ambiguous.get_or_insert(detail);
                }
                Err(super::matcher::MatchError::TooComplex) => {
                    return Err(ExpandError::TooComplex {
                        name: self.name.clone(),
                    });
                }
            }
        }
        Err(match ambiguous {
            Some(detail) => ExpandError::Ambiguous {
                name: self.name.clone(),
                detail,
            },
            None => ExpandError::NoMatchingRule {
                name: self.name.clone(),
            },
        })
    }
}

/// The delimiter nesting depth of `tokens`, counting stops above `cap`.
fn nesting(tokens: &TokenStream, cap: usize) -> usize {
    let mut max = 0;
    let mut stack = vec![(tokens.clone().into_iter(), 0usize)];
    while let Some((iter, depth)) = stack.last_mut() {
        let depth = *depth;
        match iter.next() {
            Some(TokenTree::Group(g)) => {
                max = max.max(depth + 1);
                if depth < cap {
                    stack.push((g.stream().into_iter(), depth + 1));
                }
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    max
}

/// `(matcher) => { transcriber };` repeated, the last `;` optional.
fn parse_rules(tokens: &TokenStream, span: Span) -> Result<Vec<Rule>, Error> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut rules = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let matcher = match &tokens[i] {
            TokenTree::Group(g) if g.delimiter() != Delimiter::None => g,
            other => return Err(Error::new(other.span(), "expected a rule's matcher")),
        };
        let arrow = matches!(
            (tokens.get(i + 1), tokens.get(i + 2)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == '=' && a.spacing() == Spacing::Joint && b.as_char() == '>'
        );
        if !arrow {
            return Err(Error::new(
                matcher.span(),
                "expected `=>` after the matcher",
            ));
        }
        let transcriber = match tokens.get(i + 3) {
            Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::None => g,
            _ => return Err(Error::new(matcher.span(), "expected a rule's transcriber")),
        };
        let pattern = parse_pattern(&matcher.stream())?;
        validate_pattern(&pattern, &mut Vec::new())?;
        rules.push(Rule {
            matcher: Matcher::compile(&pattern),
            template: parse_template(&transcriber.stream())?,
        });
        i += 4;
        match tokens.get(i) {
            Some(TokenTree::Punct(p)) if p.as_char() == ';' => i += 1,
            None => {}
            Some(other) => return Err(Error::new(other.span(), "expected `;` between rules")),
        }
    }
    if rules.is_empty() {
        return Err(Error::new(
            span,
            "a `macro_rules!` definition needs at least one rule",
        ));
    }
    Ok(rules)
}

/// A token of a matcher compared as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Leaf {
    Ident(String),
    Punct(char),
    Literal(String),
}

impl Leaf {
    pub(crate) fn of(tt: &TokenTree) -> Option<Leaf> {
        match tt {
            TokenTree::Ident(i) => Some(Leaf::Ident(ident_text(i))),
            TokenTree::Punct(p) => Some(Leaf::Punct(p.as_char())),
            TokenTree::Literal(l) => Some(Leaf::Literal(l.to_string())),
            TokenTree::Group(_) => None,
        }
    }
}

/// An identifier's text without `r#`: rustc matches `r#fn` and `fn` alike.
fn ident_text(i: &Ident) -> String {
    let s = i.to_string();
    match s.strip_prefix("r#") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// A repetition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RepOp {
    /// `*`
    ZeroOrMore,
    /// `+`
    OneOrMore,
    /// `?`
    ZeroOrOne,
}

/// A matcher as a tree, before compilation.
#[derive(Debug, Clone)]
pub(crate) enum PatTree {
    Tok(Leaf),
    Group(Delimiter, Vec<PatTree>),
    Var {
        name: String,
        kind: FragmentKind,
        span: Span,
    },
    Rep {
        body: Vec<PatTree>,
        sep: Vec<Leaf>,
        op: RepOp,
        span: Span,
    },
}

fn parse_pattern(tokens: &TokenStream) -> Result<Vec<PatTree>, Error> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            // An invisible group in a matcher (from a macro-defining macro):
            // its tokens stand for themselves.
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => {
                out.extend(parse_pattern(&g.stream())?);
                i += 1;
            }
            TokenTree::Group(g) => {
                out.push(PatTree::Group(g.delimiter(), parse_pattern(&g.stream())?));
                i += 1;
            }
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(id)) if id == "crate" => {
                    out.push(PatTree::Tok(Leaf::Punct('$')));
                    out.push(PatTree::Tok(Leaf::Ident("crate".into())));
                    i += 2;
                }
                Some(TokenTree::Ident(id)) => {
                    let kind = match (tokens.get(i + 2), tokens.get(i + 3)) {
                        (Some(TokenTree::Punct(colon)), Some(TokenTree::Ident(kind)))
                            if colon.as_char() == ':' =>
                        {
                            FragmentKind::from_name(&kind.to_string()).ok_or_else(|| {
                                Error::new(
                                    kind.span(),
                                    format!("unknown fragment specifier `{kind}`"),
                                )
                            })?
                        }
                        _ => {
                            return Err(Error::new(
                                id.span(),
                                format!("missing fragment specifier for `${id}`"),
                            ));
                        }
                    };
                    out.push(PatTree::Var {
                        name: ident_text(id),
                        kind,
                        span: id.span(),
                    });
                    i += 4;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let body = parse_pattern(&g.stream())?;
                    let (sep, op, next) = rep_suffix(&tokens, i + 2, g.span())?;
                    let sep = sep.iter().filter_map(Leaf::of).collect();
                    out.push(PatTree::Rep {
                        body,
                        sep,
                        op,
                        span: g.span(),
                    });
                    i = next;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                    return Err(Error::new(
                        g.span(),
                        "metavariable expressions (`${..}`) are not supported",
                    ));
                }
                Some(TokenTree::Punct(d)) if d.as_char() == '$' => {
                    out.push(PatTree::Tok(Leaf::Punct('$')));
                    i += 2;
                }
                // A lone `$` (`($mode:ident, $)` in syn) matches itself.
                _ => {
                    out.push(PatTree::Tok(Leaf::Punct('$')));
                    i += 1;
                }
            },
            other => {
                out.extend(Leaf::of(other).map(PatTree::Tok));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Rejects what rustc rejects at definition time and what would make the
/// matcher loop: a variable bound twice, a repetition whose body can match
/// nothing, a `?` repetition with a separator.
fn validate_pattern(pattern: &[PatTree], names: &mut Vec<String>) -> Result<(), Error> {
    for p in pattern {
        match p {
            PatTree::Tok(_) => {}
            PatTree::Group(_, body) => validate_pattern(body, names)?,
            PatTree::Var { name, span, .. } => {
                if names.contains(name) {
                    return Err(Error::new(
                        *span,
                        format!("duplicate matcher binding `${name}`"),
                    ));
                }
                names.push(name.clone());
            }
            PatTree::Rep {
                body,
                sep,
                op,
                span,
            } => {
                if nullable(body) {
                    return Err(Error::new(*span, "repetition matches empty token tree"));
                }
                if *op == RepOp::ZeroOrOne && !sep.is_empty() {
                    return Err(Error::new(
                        *span,
                        "the `?` repetition operator does not take a separator",
                    ));
                }
                validate_pattern(body, names)?;
            }
        }
    }
    Ok(())
}

/// Whether a matcher sequence can match no tokens.
fn nullable(pattern: &[PatTree]) -> bool {
    pattern.iter().all(|p| match p {
        PatTree::Tok(_) | PatTree::Group(..) => false,
        PatTree::Var { kind, .. } => kind.may_be_empty(),
        PatTree::Rep { body, op, .. } => *op != RepOp::OneOrMore || nullable(body),
    })
}

/// After `$( .. )`: an optional separator (one token, or a glued operator
/// such as `=>`), then `*`, `+` or `?`. Returns the separator's tokens, the
/// operator and the index after it.
fn rep_suffix(
    tokens: &[TokenTree],
    i: usize,
    span: Span,
) -> Result<(Vec<TokenTree>, RepOp, usize), Error> {
    let op_of = |tt: Option<&TokenTree>| match tt {
        Some(TokenTree::Punct(p)) => match p.as_char() {
            '*' => Some(RepOp::ZeroOrMore),
            '+' => Some(RepOp::OneOrMore),
            '?' => Some(RepOp::ZeroOrOne),
            _ => None,
        },
        _ => None,
    };
    if let Some(op) = op_of(tokens.get(i)) {
        return Ok((Vec::new(), op, i + 1));
    }
    let mut end = i + 1;
    match tokens.get(i) {
        Some(TokenTree::Punct(p)) if p.as_char() == '$' => {
            return Err(Error::new(p.span(), "`$` cannot be a separator"));
        }
        Some(TokenTree::Punct(_)) => {
            // A glued operator: the longest run of joint punctuation that
            // rustc lexes as one token.
            let mut text = String::new();
            let mut j = i;
            let mut best = i + 1;
            while let Some(TokenTree::Punct(p)) = tokens.get(j) {
                text.push(p.as_char());
                j += 1;
                if text.len() >= 2 && super::fragment::is_glued(&text) {
                    best = j;
                }
                if p.spacing() != Spacing::Joint || text.len() == 3 {
                    break;
                }
            }
            end = best;
        }
        Some(TokenTree::Ident(_) | TokenTree::Literal(_)) => {}
        _ => {
            return Err(Error::new(
                span,
                "expected `*`, `+` or `?` after a repetition",
            ));
        }
    }
    match op_of(tokens.get(end)) {
        Some(op) => Ok((tokens[i..end].to_vec(), op, end + 1)),
        None => Err(Error::new(
            span,
            "expected `*`, `+` or `?` after a repetition",
        )),
    }
}

fn parse_template(tokens: &TokenStream) -> Result<Vec<Tpl>, Error> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                out.push(Tpl::Group {
                    delimiter: g.delimiter(),
                    span: g.span(),
                    body: parse_template(&g.stream())?,
                });
                i += 1;
            }
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(id)) if id == "crate" => {
                    out.push(Tpl::Crate(id.span()));
                    i += 2;
                }
                Some(TokenTree::Ident(id)) => {
                    out.push(Tpl::Var {
                        name: ident_text(id),
                        dollar: p.clone(),
                        ident: id.clone(),
                    });
                    i += 2;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let body = parse_template(&g.stream())?;
                    let (sep, _op, next) = rep_suffix(&tokens, i + 2, g.span())?;
                    out.push(Tpl::Rep { body, sep });
                    i = next;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                    return Err(Error::new(
                        g.span(),
                        "metavariable expressions (`${..}`) are not supported",
                    ));
                }
                Some(TokenTree::Punct(d)) if d.as_char() == '$' => {
                    out.push(Tpl::Tok(TokenTree::Punct(Punct::new('$', d.spacing()))));
                    i += 2;
                }
                // A lone `$` stands for itself.
                _ => {
                    out.push(Tpl::Tok(TokenTree::Punct(p.clone())));
                    i += 1;
                }
            },
            other => {
                out.push(Tpl::Tok(other.clone()));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The `macro_rules!` definitions among `items` (an expansion parsed in item
/// position), in order. Definitions that do not parse are skipped.
pub fn definitions_in_items(items: &[syn::Item]) -> Vec<MacroRules> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => MacroRules::parse(m).ok(),
            _ => None,
        })
        .collect()
}

/// The `macro_rules!` definitions among `stmts` (an expansion parsed in
/// statement position), in order. Definitions that do not parse are skipped.
pub fn definitions_in_stmts(stmts: &[syn::Stmt]) -> Vec<MacroRules> {
    stmts
        .iter()
        .filter_map(|stmt| match stmt {
            syn::Stmt::Item(syn::Item::Macro(m)) if m.mac.path.is_ident("macro_rules") => {
                MacroRules::parse(m).ok()
            }
            syn::Stmt::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                MacroRules::from_macro(&m.mac, &m.attrs).ok()
            }
            _ => None,
        })
        .collect()
}

//! Fragment specifiers (`$x:expr`, `$t:tt`, ...) and how each one is
//! parsed from the input, with `syn`.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use syn::buffer::Cursor;
use syn::parse::ParseStream;
use syn::{Token, parse::discouraged::Speculative};

/// A fragment specifier: what a metavariable matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FragmentKind {
    /// `ident`: an identifier or keyword, not `_`.
    Ident,
    /// `expr`: an expression (edition 2024: `const {}` and `_` included).
    Expr,
    /// `expr_2021`: an expression, not starting with `const` or `_`.
    Expr2021,
    /// `ty`: a type.
    Ty,
    /// `tt`: one token tree (a group, a lifetime, a multi-character
    /// operator such as `::` or `=>`, or one token).
    Tt,
    /// `path`: a type-style path.
    Path,
    /// `literal`: a literal, optionally with a leading `-`, or `true`/`false`.
    Literal,
    /// `lifetime`: a lifetime.
    Lifetime,
    /// `pat`: a pattern, top-level `|` allowed (edition 2021 and later).
    Pat,
    /// `pat_param`: a pattern without top-level `|`.
    PatParam,
    /// `block`: a braced block.
    Block,
    /// `stmt`: a statement without its trailing `;`.
    Stmt,
    /// `item`: an item.
    Item,
    /// `meta`: the inside of an attribute.
    Meta,
    /// `vis`: a visibility, possibly empty.
    Vis,
}

impl FragmentKind {
    /// The specifier named `name`, as written after `$x:`.
    pub fn from_name(name: &str) -> Option<FragmentKind> {
        Some(match name {
            "ident" => FragmentKind::Ident,
            "expr" => FragmentKind::Expr,
            "expr_2021" => FragmentKind::Expr2021,
            "ty" => FragmentKind::Ty,
            "tt" => FragmentKind::Tt,
            "path" => FragmentKind::Path,
            "literal" => FragmentKind::Literal,
            "lifetime" => FragmentKind::Lifetime,
            "pat" => FragmentKind::Pat,
            "pat_param" => FragmentKind::PatParam,
            "block" => FragmentKind::Block,
            "stmt" => FragmentKind::Stmt,
            "item" => FragmentKind::Item,
            "meta" => FragmentKind::Meta,
            "vis" => FragmentKind::Vis,
            _ => return None,
        })
    }

    /// Whether the fragment can match no tokens at all.
    pub(crate) fn may_be_empty(self) -> bool {
        self == FragmentKind::Vis
    }

    /// rustc's `nonterminal_may_begin_with`, where it is stricter than a
    /// successful parse: an `expr` never starts with `let`, an `expr_2021`
    /// never with `const` or `_`, a `block` only with `{`, and a `vis`
    /// (which can match nothing) only before an identifier, a `,` or what
    /// can start a type.
    pub(crate) fn may_begin_with(self, cursor: Cursor) -> bool {
        let first = cursor.ident().map(|(i, _)| i);
        match self {
            FragmentKind::Expr => first.is_none_or(|i| i != "let"),
            FragmentKind::Expr2021 => {
                !first.is_some_and(|i| i == "let" || i == "const" || i == "_")
            }
            FragmentKind::Block => cursor.group(Delimiter::Brace).is_some(),
            // A visibility may be empty, so rustc only considers it where
            // the next token could start what follows one: an identifier,
            // a `,`, or a type.
            FragmentKind::Vis => match cursor.token_tree() {
                Some((TokenTree::Ident(_), _)) => true,
                Some((TokenTree::Punct(p), _)) => {
                    matches!(p.as_char(), ',' | '!' | '*' | '&' | '?' | '<' | ':' | '\'')
                }
                Some((TokenTree::Group(g), _)) => g.delimiter() != Delimiter::Brace,
                _ => false,
            },
            _ => true,
        }
    }

    /// Whether a fragment of this kind is substituted as an invisible group
    /// (so `$e * 2` keeps `$e`'s precedence, and the fragment stays opaque
    /// when forwarded to another macro). rustc does this for every kind but
    /// `ident`, `lifetime` and `tt`; here only for expressions, the kind
    /// where precedence matters most and that `syn` parses back from an
    /// invisible group in every position (it refuses one as the type of
    /// `1 as $t << 2`, so types stay bare), and not for block-like
    /// expressions (`{ .. }`, `if`, `match`, `loop`, `while`, `for`,
    /// `unsafe { .. }`), which in statement position must stay statements
    /// that need no `;`.
    pub(crate) fn substituted_as_group(self, tokens: &TokenStream) -> bool {
        if !matches!(self, FragmentKind::Expr | FragmentKind::Expr2021) {
            return false;
        }
        let mut iter = tokens.clone().into_iter();
        match (iter.next(), iter.next()) {
            (Some(TokenTree::Group(g)), None) => g.delimiter() != Delimiter::Brace,
            (Some(TokenTree::Ident(i)), _) => !["if", "match", "loop", "while", "for", "unsafe"]
                .iter()
                .any(|k| i == k),
            _ => true,
        }
    }

    /// Parses one fragment of this kind from the front of `input`.
    pub(crate) fn parse(self, input: ParseStream) -> syn::Result<()> {
        match self {
            FragmentKind::Ident => input.step(|c| match c.ident() {
                Some((i, rest)) if i != "_" => Ok(((), rest)),
                _ => Err(c.error("expected an identifier")),
            }),
            FragmentKind::Lifetime => input.parse::<syn::Lifetime>().map(drop),
            FragmentKind::Literal => input.parse::<syn::Lit>().map(drop),
            FragmentKind::Tt => input.step(|c| match one_tt(*c) {
                Some(rest) => Ok(((), rest)),
                None => Err(c.error("expected a token tree")),
            }),
            FragmentKind::Expr | FragmentKind::Expr2021 => input.parse::<syn::Expr>().map(drop),
            FragmentKind::Ty => input.parse::<syn::Type>().map(drop),
            FragmentKind::Path => input.parse::<syn::Path>().map(drop),
            FragmentKind::Pat => syn::Pat::parse_multi_with_leading_vert(input).map(drop),
            FragmentKind::PatParam => syn::Pat::parse_single(input).map(drop),
            FragmentKind::Block => input.parse::<syn::Block>().map(drop),
            FragmentKind::Stmt => parse_stmt(input),
            FragmentKind::Item => input.parse::<syn::Item>().map(drop),
            FragmentKind::Meta => input.parse::<syn::Meta>().map(drop),
            FragmentKind::Vis => input.parse::<syn::Visibility>().map(drop),
        }
    }
}

/// A statement without its trailing `;`: `let` (pattern, type, initialiser,
/// `else` block), an item (with its own `;` when it needs one), or an
/// expression.
fn parse_stmt(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![let]) {
        let _: Token![let] = input.parse()?;
        syn::Pat::parse_multi_with_leading_vert(input)?;
        if input.peek(Token![:]) {
            let _: Token![:] = input.parse()?;
            let _: syn::Type = input.parse()?;
        }
        if input.peek(Token![=]) {
            let _: Token![=] = input.parse()?;
            let _: syn::Expr = input.parse()?;
            if input.peek(Token![else]) {
                let _: Token![else] = input.parse()?;
                let _: syn::Block = input.parse()?;
            }
        }
        return Ok(());
    }
    let fork = input.fork();
    if let Ok(item) = fork.parse::<syn::Item>()
        && !matches!(item, syn::Item::Verbatim(_))
    {
        input.advance_to(&fork);
        return Ok(());
    }
    input.parse::<syn::Expr>().map(drop)
}

/// The operators rustc's lexer makes one token of, longest first.
const GLUED: [&str; 23] = [
    "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>",
];

/// One token tree as rustc counts them: a group, a lifetime (`'` and an
/// identifier), a glued operator, or one token. Returns the cursor after it.
pub(crate) fn one_tt(c: Cursor) -> Option<Cursor> {
    let (tt, rest) = c.token_tree()?;
    if let TokenTree::Punct(p) = &tt {
        if p.as_char() == '\''
            && p.spacing() == Spacing::Joint
            && let Some((TokenTree::Ident(_), after)) = rest.token_tree()
        {
            return Some(after);
        }
        return Some(glued_end(c).unwrap_or(rest));
    }
    Some(rest)
}

/// The end of the longest glued operator starting at `c`, if any.
pub(crate) fn glued_end(c: Cursor) -> Option<Cursor> {
    let mut chars = String::new();
    let mut ends = Vec::new();
    let mut cur = c;
    while chars.len() < 3 {
        let Some((TokenTree::Punct(p), rest)) = cur.token_tree() else {
            break;
        };
        chars.push(p.as_char());
        ends.push(rest);
        cur = rest;
        if p.spacing() != Spacing::Joint {
            break;
        }
    }
    while chars.len() >= 2 {
        if GLUED.contains(&chars.as_str()) {
            return ends.last().copied();
        }
        chars.pop();
        ends.pop();
    }
    None
}

/// The tokens from `from` up to (not including) `to`, taken whole at this
/// level. `None` when `to` is not at a token boundary of this level (a
/// parser that stopped inside an invisible group).
pub(crate) fn tokens_between(from: Cursor, to: Cursor) -> Option<TokenStream> {
    let mut out = TokenStream::new();
    let mut c = from;
    loop {
        match c.partial_cmp(&to) {
            Some(std::cmp::Ordering::Equal) => return Some(out),
            Some(std::cmp::Ordering::Less) => {}
            _ => return None,
        }
        let (tt, rest) = c.token_tree()?;
        out.extend([tt]);
        c = rest;
    }
}

/// Whether `text` is an operator rustc's lexer makes one token of.
pub(crate) fn is_glued(text: &str) -> bool {
    GLUED.contains(&text)
}

//! A lexical scanner for Rust source: just enough tokens to find comments,
//! brackets and `mod` items without a parse.
//!
//! It understands line and (nested) block comments, string, byte string,
//! C string and raw string literals, char and byte literals versus lifetimes,
//! raw identifiers and numbers, so a `mod` or `fork-lint:` inside a string or
//! a comment is never mistaken for code. It never fails: malformed input
//! (an unterminated string, a stray quote) yields tokens up to the end of the
//! text. Used by the suppression collector and by the module-tree walk of
//! `cargo fork-lint`, which must stay far cheaper than `syn::parse_file`.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword, raw identifiers included (`r#type`).
    Ident,
    /// A lifetime or loop label (`'a`).
    Lifetime,
    /// A string, char, byte or number literal.
    Literal,
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// Any other punctuation character (one byte, or one non-ASCII char).
    Punct(u8),
    /// `// ...` up to (not including) the line break; doc comments included.
    LineComment,
    /// `/* ... */`, nesting respected.
    BlockComment,
}

/// One token: its kind and byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Whether this is a comment (line or block).
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment)
    }
}

/// Splits `src` into tokens. Whitespace is dropped; comments are kept.
pub fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 5);
    let mut i = 0;
    // A shebang line is not Rust (but `#![attr]` is).
    if b.starts_with(b"#!") && b[2..].iter().find(|c| !c.is_ascii_whitespace()) != Some(&b'[') {
        i = memchr::memchr(b'\n', b).unwrap_or(b.len());
    }
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                // Keep a `\r` of a CRLF line ending out of the comment.
                if i > start && b[i - 1] == b'\r' {
                    out.push(Token {
                        kind: Kind::LineComment,
                        start,
                        end: i - 1,
                    });
                    continue;
                }
                Kind::LineComment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i);
                Kind::BlockComment
            }
            b'"' => {
                i = skip_quoted(b, i + 1, b'"');
                Kind::Literal
            }
            b'\'' => {
                let (end, kind) = char_or_lifetime(src, i);
                i = end;
                kind
            }
            b'0'..=b'9' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                Kind::Literal
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Kind::Open(c)
            }
            b')' | b']' | b'}' => {
                i += 1;
                Kind::Close(c)
            }
            c if is_ident_start(c) => {
                // Literal prefixes: r"..", r#".."#, b"..", br"..", c"..", cr"..", b'..'.
                if let Some(end) = prefixed_literal(b, i) {
                    i = end;
                    Kind::Literal
                } else {
                    if c == b'r'
                        && b.get(i + 1) == Some(&b'#')
                        && b.get(i + 2).is_some_and(|&c| is_ident_start(c))
                    {
                        i += 2;
                    }
                    while i < b.len() && is_ident_continue(b[i]) {
                        i += 1;
                    }
                    Kind::Ident
                }
            }
            _ => {
                i += utf8_len(c);
                Kind::Punct(c)
            }
        };
        out.push(Token {
            kind,
            start,
            end: i.min(b.len()),
        });
    }
    out
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn utf8_len(c: u8) -> usize {
    match c {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// End of a `/* .. */` comment starting at `i`, nesting respected.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// End (after the closing quote) of a quoted literal whose body starts at `i`.
fn skip_quoted(b: &[u8], mut i: usize, quote: u8) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// End of a raw string whose `r` is at `i` (`r"..."`, `r#"..."#`), or `None`
/// when `r` does not start a raw string.
fn skip_raw(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&b'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(b.len())
}

/// A literal with a letter prefix starting at `i`, if there is one; returns
/// its end.
fn prefixed_literal(b: &[u8], i: usize) -> Option<usize> {
    // A prefix must not be the tail of a longer identifier; the caller only
    // calls at identifier starts, so `i` is at a token boundary.
    match (b[i], b.get(i + 1).copied()) {
        (b'r', _) => skip_raw(b, i),
        (b'b' | b'c', Some(b'r')) => skip_raw(b, i + 1),
        (b'b' | b'c', Some(b'"')) => Some(skip_quoted(b, i + 2, b'"')),
        (b'b', Some(b'\'')) => Some(skip_quoted(b, i + 2, b'\'')),
        _ => None,
    }
}

/// At a `'`: a char literal (`'a'`, `'\n'`, `'\u{..}'`) or a lifetime (`'a`).
fn char_or_lifetime(src: &str, i: usize) -> (usize, Kind) {
    let b = src.as_bytes();
    match b.get(i + 1) {
        None => (b.len(), Kind::Punct(b'\'')),
        Some(b'\\') => (skip_quoted(b, i + 1, b'\''), Kind::Literal),
        Some(&c) => {
            let n = utf8_len(c);
            if b.get(i + 1 + n) == Some(&b'\'') {
                return (i + 2 + n, Kind::Literal);
            }
            if is_ident_start(c) {
                let mut j = i + 1;
                while j < b.len() && is_ident_continue(b[j]) {
                    j += 1;
                }
                (j, Kind::Lifetime)
            } else {
                (i + 1, Kind::Punct(b'\''))
            }
        }
    }
}

/// Maps byte offsets to 1-based lines and columns (columns count chars).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        (self.starts.partition_point(|&s| s <= offset)) as u32
    }

    /// The 1-based (line, column) of byte `offset`; the column counts chars.
    pub fn line_col(&self, src: &str, offset: usize) -> (u32, u32) {
        let line = self.line(offset);
        let start = self.starts[line as usize - 1];
        let offset = offset.min(src.len());
        let col = src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col as u32 + 1)
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Always false: a text has at least one (possibly empty) line.
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn strings_and_comments_hide_their_content() {
        let src = r####"let s = "mod a; // x"; /* mod b; /* nested */ mod c; */ r#"mod d;"# ; b"mod" c"x" br##"y"##"####;
        let idents: Vec<_> = kinds(src)
            .into_iter()
            .filter(|(k, _)| *k == Kind::Ident)
            .map(|(_, t)| t)
            .collect();
        assert_eq!(idents, ["let", "s"]);
        assert_eq!(
            kinds(src)
                .iter()
                .filter(|(k, _)| *k == Kind::BlockComment)
                .count(),
            1
        );
    }

    #[test]
    fn chars_versus_lifetimes() {
        let src =
            "fn f<'a>(x: &'a str) -> char { let c = '\\''; let d = '\"'; 'outer: loop {} 'é' }";
        let ks = kinds(src);
        assert!(ks.contains(&(Kind::Lifetime, "'a")));
        assert!(ks.contains(&(Kind::Literal, "'\\''")));
        assert!(ks.contains(&(Kind::Literal, "'\"'")));
        assert!(ks.contains(&(Kind::Lifetime, "'outer")));
        assert!(ks.contains(&(Kind::Literal, "'é'")));
        // The quote in '"' did not start a string: the braces still balance.
        let opens = ks
            .iter()
            .filter(|(k, _)| matches!(k, Kind::Open(b'{')))
            .count();
        let closes = ks
            .iter()
            .filter(|(k, _)| matches!(k, Kind::Close(b'}')))
            .count();
        assert_eq!(opens, closes);
    }

    #[test]
    fn raw_identifiers_and_line_comments() {
        let src = "mod r#type; // c\r\nx";
        assert_eq!(
            kinds(src),
            [
                (Kind::Ident, "mod"),
                (Kind::Ident, "r#type"),
                (Kind::Punct(b';'), ";"),
                (Kind::LineComment, "// c"),
                (Kind::Ident, "x")
            ]
        );
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for src in [
            "\"abc", "r#\"abc", "/* abc", "'", "b'", "'\\", "r###", "é'", "'é",
        ] {
            let _ = tokenize(src);
        }
    }

    #[test]
    fn line_index() {
        let src = "ab\né x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), (1, 1));
        assert_eq!(idx.line_col(src, 3), (2, 1));
        assert_eq!(idx.line_col(src, 6), (2, 3));
        assert_eq!(idx.line(src.len()), 3);
    }
}

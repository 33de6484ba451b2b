//! Error-tolerant parsing of a source file: one item that `syn` rejects
//! does not cost the rest of the file.
//!
//! `syn` parses today's Rust; published crates also hold syntax it no
//! longer accepts (Rust 2015's bare trait objects such as
//! `Box<FnMut(&[u8])>`), or syntax newer than it. `syn::parse_file` fails
//! on the first such token and the whole file would go unchecked, with its
//! fork sites and child code. Like rust-analyzer's parser, we recover at
//! item boundaries instead: the file is lexed (which only fails on
//! unbalanced delimiters or bad literals), then items are parsed one at a
//! time; an item that fails is skipped up to the next top-level `;` or
//! `{ .. }` block, and its error is kept so the caller can still say the
//! file was not fully understood.
//!
//! Recovery is top-level only: an error inside an inline `mod m { .. }`
//! skips that module, which keeps the rule simple and the item boundaries
//! unambiguous.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};

/// A file's items, and the errors of the items that were skipped (empty
/// when the whole file parsed).
pub(crate) struct Parsed {
    pub items: Vec<syn::Item>,
    pub errors: Vec<syn::Error>,
}

/// Parses `text` as a file, recovering at item boundaries. `Err` only when
/// the text cannot even be lexed.
pub(crate) fn parse_file(text: &str) -> Result<Parsed, syn::Error> {
    let first = match syn::parse_file(text) {
        Ok(file) => {
            return Ok(Parsed {
                items: file.items,
                errors: Vec::new(),
            });
        }
        Err(e) => e,
    };
    let tokens: TokenStream = match strip_shebang(text).parse() {
        Ok(tokens) => tokens,
        Err(_) => return Err(first),
    };
    let mut errors = Vec::new();
    let items = (|input: ParseStream| Ok(items_recovering(input, &mut errors)))
        .parse2(tokens)
        .map_err(|_| first.clone())?;
    if errors.is_empty() {
        // The items parse one by one but not as a file (a stray inner
        // attribute, say): report the original error, keep the items.
        errors.push(first);
    }
    Ok(Parsed { items, errors })
}

/// `#!...` on the first line, unless it starts an inner attribute `#![`.
fn strip_shebang(text: &str) -> &str {
    if text.starts_with("#!") && !text.starts_with("#![") {
        match text.find('\n') {
            Some(end) => &text[end..],
            None => "",
        }
    } else {
        text
    }
}

fn items_recovering(input: ParseStream, errors: &mut Vec<syn::Error>) -> Vec<syn::Item> {
    // Inner attributes of the file (`#![deny(..)]`): not needed, skipped.
    let _ = input.call(syn::Attribute::parse_inner);
    let mut items = Vec::new();
    while !input.is_empty() {
        let fork = input.fork();
        match fork.parse::<syn::Item>() {
            Ok(item) => {
                input.advance_to(&fork);
                items.push(item);
            }
            Err(e) => {
                errors.push(e);
                skip_item(input);
            }
        }
    }
    items
}

/// Consumes token trees up to and including the next top-level `;` or
/// brace-delimited group (the end of an item), or to the end.
fn skip_item(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            rest = next;
            match tt {
                TokenTree::Punct(p) if p.as_char() == ';' => break,
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    // `const X: T = T { .. };` ends at the `;`.
                    if let Some((TokenTree::Punct(p), after)) = rest.token_tree()
                        && p.as_char() == ';'
                    {
                        rest = after;
                    }
                    break;
                }
                _ => {}
            }
        }
        Ok(((), rest))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Parsed) -> Vec<String> {
        p.items
            .iter()
            .filter_map(|i| match i {
                syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                syn::Item::Impl(_) => Some("impl".into()),
                syn::Item::Const(c) => Some(c.ident.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_whole_file_has_no_errors() {
        let p = parse_file("fn a() {}\nstruct S;").unwrap();
        assert_eq!(names(&p), ["a", "S"]);
        assert!(p.errors.is_empty());
    }

    #[test]
    fn a_2015_bare_trait_object_skips_only_its_item() {
        let src = "#![deny(warnings)]\nfn before() {}\n\
                   pub struct Callbacks { input: Box<FnMut(&[u8])>, }\n\
                   impl Callbacks { fn run(&mut self) {} }\nfn after() { let x = 1; }\n";
        let p = parse_file(src).unwrap();
        assert_eq!(names(&p), ["before", "impl", "after"]);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].span().start().line, 3);
    }

    #[test]
    fn skipping_stops_after_a_struct_literal_and_its_semicolon() {
        let src = "const A: u8 = 1 +;\nconst B: T = T { x: Box<FnMut(&[u8])> };\nfn after() {}\n";
        let p = parse_file(src).unwrap();
        assert_eq!(names(&p), ["after"]);
        assert_eq!(p.errors.len(), 2);
    }

    #[test]
    fn unbalanced_delimiters_fail_as_before() {
        assert!(parse_file("fn a() { ").is_err());
    }

    #[test]
    fn shebang_is_skipped() {
        let p = parse_file(
            "#!/usr/bin/env run-cargo-script\nfn a() {}\nstruct X { f: Box<Fn(&[u8])> }",
        )
        .unwrap();
        assert_eq!(names(&p), ["a"]);
        assert_eq!(p.errors.len(), 1);
    }
}

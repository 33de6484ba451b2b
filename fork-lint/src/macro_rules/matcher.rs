//! The matcher: rustc's macro-by-example parser
//! (`rustc_expand::mbe::macro_parser`) on `syn` parse streams.
//!
//! A matcher is compiled into a flat list of locations ([`Loc`]). Every way
//! through the matcher is a [`Thread`] at one location; all threads advance
//! over the input together, one token at a time, so no input is ever
//! re-read and nothing backtracks. Repetitions fork threads without
//! consuming input (the epsilon closure). A fragment (`$e:expr`) is parsed
//! by `syn` only when exactly one thread wants it and no thread wants the
//! token itself; otherwise the input is ambiguous, as in rustc. Groups in
//! the input are entered with `syn`'s `parenthesized!`/`braced!`/
//! `bracketed!`, so the matcher recurses only as deep as the input nests.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseBuffer, ParseStream, Parser};
use syn::{braced, bracketed, parenthesized};

use super::fragment::{FragmentKind, tokens_between};
use super::parse::{Leaf, PatTree, RepOp};

/// A compiled matcher.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    locs: Vec<Loc>,
    pub(crate) vars: Vec<VarInfo>,
}

/// A metavariable declared in the matcher.
#[derive(Debug, Clone)]
pub(crate) struct VarInfo {
    pub(crate) name: String,
    pub(crate) kind: FragmentKind,
    /// The repetitions it sits in, outermost first (their `SeqStart`
    /// locations).
    pub(crate) seqs: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Loc {
    /// One token to match.
    Tok(Leaf),
    /// Entering a group with this delimiter.
    Open(Delimiter),
    /// The end of a group's contents.
    Close,
    /// `$(`: enter the body, or (unless `+`) skip to `after`.
    SeqStart { op: RepOp, after: usize },
    /// `)`: an iteration is complete; leave to `after`, or (unless `?`)
    /// repeat, through the separator tokens that follow when `has_sep`.
    SeqEnd {
        start: usize,
        op: RepOp,
        after: usize,
        has_sep: bool,
    },
    /// After the separator tokens: start the next iteration.
    SepEnd { start: usize },
    /// A metavariable (index into `vars`).
    Var(usize),
    /// The end of the matcher.
    Eof,
}

impl Matcher {
    pub(crate) fn compile(pattern: &[PatTree]) -> Matcher {
        let mut m = Matcher {
            locs: Vec::new(),
            vars: Vec::new(),
        };
        m.compile_seq(pattern, &mut Vec::new());
        m.locs.push(Loc::Eof);
        m
    }

    fn compile_seq(&mut self, pattern: &[PatTree], seqs: &mut Vec<usize>) {
        for p in pattern {
            match p {
                PatTree::Tok(leaf) => self.locs.push(Loc::Tok(leaf.clone())),
                PatTree::Group(d, body) => {
                    self.locs.push(Loc::Open(*d));
                    self.compile_seq(body, seqs);
                    self.locs.push(Loc::Close);
                }
                PatTree::Var { name, kind, .. } => {
                    self.locs.push(Loc::Var(self.vars.len()));
                    self.vars.push(VarInfo {
                        name: name.clone(),
                        kind: *kind,
                        seqs: seqs.clone(),
                    });
                }
                PatTree::Rep { body, sep, op, .. } => {
                    let start = self.locs.len();
                    self.locs.push(Loc::SeqStart { op: *op, after: 0 });
                    seqs.push(start);
                    self.compile_seq(body, seqs);
                    seqs.pop();
                    let end = self.locs.len();
                    self.locs.push(Loc::SeqEnd {
                        start,
                        op: *op,
                        after: 0,
                        has_sep: !sep.is_empty(),
                    });
                    if !sep.is_empty() {
                        self.locs.extend(sep.iter().cloned().map(Loc::Tok));
                        self.locs.push(Loc::SepEnd { start });
                    }
                    let after_idx = self.locs.len();
                    if let Loc::SeqStart { after, .. } = &mut self.locs[start] {
                        *after = after_idx;
                    }
                    if let Loc::SeqEnd { after, .. } = &mut self.locs[end] {
                        *after = after_idx;
                    }
                }
            }
        }
    }

    /// Matches the whole of `input`. `steps` counts matcher work across the
    /// rules of one expansion; past `max_steps` the match gives up.
    pub(crate) fn match_input(
        &self,
        input: &TokenStream,
        max_steps: usize,
        steps: &mut usize,
    ) -> Result<Bindings, MatchError> {
        let mut outcome = Err(MatchError::NoMatch);
        let mut run = Run {
            m: self,
            steps,
            max_steps,
        };
        let parser = |stream: ParseStream| {
            let start = Thread {
                idx: 0,
                reps: Vec::new(),
                log: Log(None),
            };
            outcome = run
                .level(stream, vec![start], true)
                .and_then(|threads| threads.into_iter().next().ok_or(MatchError::NoMatch));
            Ok(())
        };
        // The result of `parse2` only says whether all input was consumed,
        // which `outcome` already knows.
        let _ = parser.parse2(input.clone());
        outcome.map(|thread| Bindings::from_log(&thread.log))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MatchError {
    NoMatch,
    Ambiguous(String),
    TooComplex,
}

/// What a successful match bound.
#[derive(Debug, Default)]
pub(crate) struct Bindings {
    /// (variable, iteration indices of its repetitions) -> its tokens.
    pub(crate) fragments: HashMap<(usize, Vec<usize>), TokenStream>,
    /// (repetition's `SeqStart`, iteration indices of the repetitions
    /// around it) -> how many times it matched.
    pub(crate) counts: HashMap<(usize, Vec<usize>), usize>,
}

impl Bindings {
    fn from_log(log: &Log) -> Bindings {
        let mut b = Bindings::default();
        let mut cur = log.0.as_ref();
        while let Some(node) = cur {
            match &node.entry {
                Entry::Bind { var, path, tokens } => {
                    b.fragments
                        .entry((*var, path.clone()))
                        .or_insert_with(|| tokens.clone());
                }
                Entry::Count { seq, path, count } => {
                    b.counts.entry((*seq, path.clone())).or_insert(*count);
                }
            }
            cur = node.prev.0.as_ref();
        }
        b
    }
}

/// One way through the matcher.
#[derive(Debug, Clone)]
struct Thread {
    idx: usize,
    /// The iteration index in each enclosing repetition, outermost first.
    reps: Vec<usize>,
    log: Log,
}

impl Thread {
    fn record(&mut self, entry: Entry) {
        let prev = Log(self.log.0.take());
        self.log = Log(Some(Rc::new(LogNode { entry, prev })));
    }
}

/// What a thread has bound so far, newest first; shared between the
/// threads a repetition forks.
#[derive(Debug, Clone)]
struct Log(Option<Rc<LogNode>>);

#[derive(Debug)]
struct LogNode {
    entry: Entry,
    prev: Log,
}

#[derive(Debug)]
enum Entry {
    Bind {
        var: usize,
        path: Vec<usize>,
        tokens: TokenStream,
    },
    Count {
        seq: usize,
        path: Vec<usize>,
        count: usize,
    },
}

impl Drop for Log {
    /// Iterative, so that a long log cannot overflow the stack.
    fn drop(&mut self) {
        let mut cur = self.0.take();
        while let Some(rc) = cur {
            match Rc::try_unwrap(rc) {
                Ok(mut node) => cur = node.prev.0.take(),
                Err(_) => break,
            }
        }
    }
}

struct Run<'m, 's> {
    m: &'m Matcher,
    steps: &'s mut usize,
    max_steps: usize,
}

impl Run<'_, '_> {
    fn step(&mut self) -> Result<(), MatchError> {
        *self.steps += 1;
        if *self.steps > self.max_steps {
            Err(MatchError::TooComplex)
        } else {
            Ok(())
        }
    }

    /// Advances threads through the locations that consume no input, until
    /// each waits for a token, a group, a fragment or the end.
    fn closure(&mut self, threads: Vec<Thread>) -> Result<Vec<Thread>, MatchError> {
        let mut stack = threads;
        stack.reverse();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        while let Some(mut t) = stack.pop() {
            self.step()?;
            match self.m.locs[t.idx] {
                Loc::SeqStart { op, after } => {
                    let mut enter = t.clone();
                    enter.reps.push(0);
                    enter.idx += 1;
                    if op != RepOp::OneOrMore {
                        t.record(Entry::Count {
                            seq: t.idx,
                            path: t.reps.clone(),
                            count: 0,
                        });
                        t.idx = after;
                        stack.push(t);
                    }
                    stack.push(enter);
                }
                Loc::SeqEnd {
                    start,
                    op,
                    after,
                    has_sep,
                } => {
                    let n = t.reps.last().copied().unwrap_or(0);
                    if op != RepOp::ZeroOrOne {
                        let mut again = t.clone();
                        if has_sep {
                            again.idx += 1;
                        } else {
                            if let Some(last) = again.reps.last_mut() {
                                *last += 1;
                            }
                            again.idx = start + 1;
                        }
                        stack.push(again);
                    }
                    t.reps.pop();
                    t.record(Entry::Count {
                        seq: start,
                        path: t.reps.clone(),
                        count: n + 1,
                    });
                    t.idx = after;
                    stack.push(t);
                }
                Loc::SepEnd { start } => {
                    if let Some(last) = t.reps.last_mut() {
                        *last += 1;
                    }
                    t.idx = start + 1;
                    stack.push(t);
                }
                _ => {
                    if seen.insert((t.idx, t.reps.clone())) {
                        out.push(t);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Matches the tokens of one level (the whole input, or a group's
    /// contents). Returns the threads waiting at the level's end: `Eof` at
    /// the top, `Close` in a group.
    fn level(
        &mut self,
        input: ParseStream,
        mut threads: Vec<Thread>,
        top: bool,
    ) -> Result<Vec<Thread>, MatchError> {
        loop {
            let waiting = self.closure(threads)?;
            if waiting.is_empty() {
                return Ok(waiting);
            }
            let cursor = input.cursor();
            let Some((tt, _)) = cursor.token_tree() else {
                return Ok(waiting
                    .into_iter()
                    .filter(|t| match self.m.locs[t.idx] {
                        Loc::Eof => top,
                        Loc::Close => !top,
                        _ => false,
                    })
                    .collect());
            };
            let leaf = Leaf::of(&tt);
            let mut next = Vec::new();
            let mut fragments = Vec::new();
            for t in waiting {
                match &self.m.locs[t.idx] {
                    Loc::Tok(want) if leaf.as_ref() == Some(want) => next.push(t),
                    Loc::Open(d) => {
                        if matches!(&tt, TokenTree::Group(g) if g.delimiter() == *d) {
                            next.push(t);
                        }
                    }
                    Loc::Var(v) if self.m.vars[*v].kind.may_begin_with(cursor) => fragments.push(t),
                    _ => {}
                }
            }
            if !fragments.is_empty() && (!next.is_empty() || fragments.len() > 1) {
                // rustc gives up here. Keep the fragments that parse; only
                // if one still competes is the input really ambiguous.
                fragments.retain(|t| self.parse_fragment(input, t, false).is_some());
                if !fragments.is_empty() && (!next.is_empty() || fragments.len() > 1) {
                    let names: Vec<String> = fragments
                        .iter()
                        .filter_map(|t| match self.m.locs[t.idx] {
                            Loc::Var(v) => Some(format!("`${}`", self.m.vars[v].name)),
                            _ => None,
                        })
                        .collect();
                    return Err(MatchError::Ambiguous(format!(
                        "{} or {} other option(s) at `{tt}`",
                        names.join(", "),
                        next.len()
                    )));
                }
            }
            if let Some(mut t) = fragments.pop() {
                self.step()?;
                let Some((var, tokens)) = self.parse_fragment(input, &t, true) else {
                    return Ok(Vec::new());
                };
                t.record(Entry::Bind {
                    var,
                    path: t.reps.clone(),
                    tokens,
                });
                t.idx += 1;
                threads = vec![t];
                continue;
            }
            if next.is_empty() {
                return Ok(next);
            }
            for _ in &next {
                self.step()?;
            }
            match &tt {
                TokenTree::Group(g) => {
                    let Ok(content) = enter(input, g.delimiter()) else {
                        return Ok(Vec::new());
                    };
                    for t in &mut next {
                        t.idx += 1;
                    }
                    threads = self.level(&content, next, false)?;
                    if threads.is_empty() {
                        return Ok(threads);
                    }
                    // `content` is used up: the threads are at its `Close`.
                    for t in &mut threads {
                        t.idx += 1;
                    }
                }
                _ => {
                    if input.parse::<TokenTree>().is_err() {
                        return Ok(Vec::new());
                    }
                    for t in &mut next {
                        t.idx += 1;
                    }
                    threads = next;
                }
            }
        }
    }

    /// Parses the fragment thread `t` waits for, on a fork of `input`.
    /// With `commit`, `input` moves past it.
    fn parse_fragment(
        &self,
        input: ParseStream,
        t: &Thread,
        commit: bool,
    ) -> Option<(usize, TokenStream)> {
        let Loc::Var(v) = self.m.locs[t.idx] else {
            return None;
        };
        let fork = input.fork();
        self.m.vars[v].kind.parse(&fork).ok()?;
        let tokens = tokens_between(input.cursor(), fork.cursor())?;
        if commit {
            input.advance_to(&fork);
        }
        Some((v, tokens))
    }
}

/// Enters the group at the front of `input` (which moves past it).
fn enter<'a>(input: ParseStream<'a>, delimiter: Delimiter) -> syn::Result<ParseBuffer<'a>> {
    let content;
    match delimiter {
        Delimiter::Parenthesis => {
            parenthesized!(content in input);
        }
        Delimiter::Brace => {
            braced!(content in input);
        }
        Delimiter::Bracket => {
            bracketed!(content in input);
        }
        Delimiter::None => return Err(input.error("invisible groups are matched whole")),
    }
    Ok(content)
}

//! Abstract values: what the flow analysis knows about a value derived from
//! a fork's result.
//!
//! A [`Shape`] is a small set of concrete forms: an integer by sign (enough
//! for a pid: `0` in the child, positive or negative in the parent), a
//! boolean, an enum variant by name with the shapes of its fields, or
//! anything. Patterns and comparisons *refine* a shape on each outgoing edge
//! ([`Shape::match_pat`], [`Shape::compare`]), the way rustc's dataflow
//! framework refines a fact on the edges of a switch on a discriminant.
//! Variants are compared by the last segment of their path, so the crate's
//! own `enum Forked { Child, Parent(Pid) }` works like nix's `ForkResult`.

use std::rc::Rc;

/// An integer that is negative.
pub(crate) const NEG: u8 = 1;
/// An integer that is zero.
pub(crate) const ZERO: u8 = 2;
/// An integer that is positive.
pub(crate) const POS: u8 = 4;
const ALL_INT: u8 = NEG | ZERO | POS;
const FALSE: u8 = 1;
const TRUE: u8 = 2;

/// At most this many alternatives; more become [`Shape::Any`].
const MAX_ALTS: usize = 8;
/// Shapes nest at most this deep; deeper fields become [`Shape::Any`].
const MAX_NEST: usize = 6;

/// An abstract value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Shape {
    /// Nothing known.
    Any,
    /// An integer; the bits say which signs are possible (`NEG|ZERO|POS`).
    Int(u8),
    /// A boolean; bit 1 false, bit 2 true.
    Bool(u8),
    /// An enum variant (or `()`, named `()`) with its fields.
    Variant(Rc<str>, Vec<Shape>),
    /// One of several; never nested, never containing `Any`, at most one
    /// entry per variant name.
    Or(Vec<Shape>),
}

/// The result of testing a shape against a pattern.
#[derive(Debug, Clone, Default)]
pub(crate) struct Match {
    /// The shape on the edge where the pattern matches (`None`: it cannot).
    pub yes: Option<Shape>,
    /// The shape on the edge where it does not (`None`: it always matches).
    pub no: Option<Shape>,
    /// Variables the pattern binds, with their shapes (when it matches).
    pub binds: Vec<(String, Shape)>,
}

impl Shape {
    pub fn unit() -> Shape {
        Shape::variant("()", Vec::new())
    }

    pub fn variant(name: &str, fields: Vec<Shape>) -> Shape {
        Shape::Variant(Rc::from(name), fields)
    }

    pub fn bool(b: bool) -> Shape {
        Shape::Bool(if b { TRUE } else { FALSE })
    }

    /// The integer class of a literal.
    pub fn int(v: i128) -> Shape {
        Shape::Int(sign_bit(v))
    }

    pub fn is_any(&self) -> bool {
        matches!(self, Shape::Any)
    }

    /// The alternatives of this shape.
    pub fn alts(&self) -> &[Shape] {
        match self {
            Shape::Or(v) => v,
            other => std::slice::from_ref(other),
        }
    }

    /// Either `self` or `other`.
    pub fn or(&self, other: &Shape) -> Shape {
        Shape::union(self.alts().iter().chain(other.alts()).cloned())
    }

    /// The union of shapes, normalised (see [`Shape::Or`]).
    pub fn union(shapes: impl IntoIterator<Item = Shape>) -> Shape {
        let mut out: Vec<Shape> = Vec::new();
        for s in shapes {
            for a in s.alts().to_vec() {
                if a.is_any() {
                    return Shape::Any;
                }
                merge_into(&mut out, a);
            }
        }
        match out.len() {
            0 => Shape::Any,
            1 => out.pop().unwrap_or(Shape::Any),
            n if n > MAX_ALTS => Shape::Any,
            _ => {
                out.sort();
                Shape::Or(out)
            }
        }
    }

    /// Parses the pattern language of `knowledge::fork_results`. Malformed
    /// input gives [`Shape::Any`].
    pub fn parse(s: &str) -> Shape {
        let mut p = Parser {
            s: s.as_bytes(),
            i: 0,
            ok: true,
        };
        let shape = p.alts(0);
        p.skip_ws();
        if p.ok && p.i == p.s.len() {
            shape
        } else {
            Shape::Any
        }
    }

    /// Tests the shape against a pattern.
    pub fn match_pat(&self, pat: &syn::Pat) -> Match {
        let mut m = Match::default();
        let mut yes = Vec::new();
        let mut no = Vec::new();
        for alt in self.alts() {
            let one = match_alt(alt, pat, 0);
            yes.extend(one.yes);
            no.extend(one.no);
            for (name, s) in one.binds {
                match m.binds.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, prev)) => *prev = prev.or(&s),
                    None => m.binds.push((name, s)),
                }
            }
        }
        m.yes = (!yes.is_empty()).then(|| Shape::union(yes));
        m.no = (!no.is_empty()).then(|| Shape::union(no));
        m
    }

    /// `self OP k` for an integer literal `k`: the shapes on the edge where
    /// the comparison holds and where it does not (`None`: impossible).
    /// `op` is one of `== != < <= > >=`.
    pub fn compare(&self, op: &str, k: i128) -> (Option<Shape>, Option<Shape>) {
        let bits = match self {
            Shape::Int(b) => *b,
            Shape::Any => ALL_INT,
            _ => return (Some(self.clone()), Some(self.clone())),
        };
        let (mut t, mut f) = (0u8, 0u8);
        for class in [NEG, ZERO, POS] {
            if bits & class == 0 {
                continue;
            }
            for v in samples(class, k) {
                if holds(op, v, k) {
                    t |= class;
                } else {
                    f |= class;
                }
            }
        }
        let keep = |b: u8| {
            (b != 0).then_some(match self {
                Shape::Any if b == ALL_INT => Shape::Any,
                _ => Shape::Int(b),
            })
        };
        (keep(t), keep(f))
    }

    /// The truth of a boolean shape: (can be true, can be false).
    pub fn truth(&self) -> (bool, bool) {
        match self {
            Shape::Bool(b) => (b & TRUE != 0, b & FALSE != 0),
            _ => (true, true),
        }
    }

    /// Boolean negation (`Any` for a non-boolean).
    pub fn not(&self) -> Shape {
        match self {
            Shape::Bool(_) => {
                let (t, f) = self.truth();
                Shape::Bool(if f { TRUE } else { 0 } | if t { FALSE } else { 0 })
            }
            _ => Shape::Any,
        }
    }

    /// `.is_some()`, `.is_ok()`, `.is_child()`...: true for the variants
    /// `names` (by prefix when `prefix`), false for other variants.
    pub fn is_variant(&self, names: &[&str], prefix: bool) -> Shape {
        let mut bits = 0u8;
        for alt in self.alts() {
            match alt {
                Shape::Variant(n, _) => {
                    let hit = names
                        .iter()
                        .any(|w| if prefix { n.starts_with(w) } else { &**n == *w });
                    bits |= if hit { TRUE } else { FALSE };
                }
                _ => bits |= TRUE | FALSE,
            }
        }
        Shape::Bool(bits)
    }

    /// Unwrapping `Ok`/`Some` (`?`, `.unwrap()`): the payload's shape where
    /// it continues, and the shape of what leaves (`Err(_)`, `None`) where
    /// it does not. `None` on either side: that edge is impossible.
    pub fn unwrap_ok(&self) -> (Option<Shape>, Option<Shape>) {
        let mut go = Vec::new();
        let mut leave = Vec::new();
        for alt in self.alts() {
            match alt {
                Shape::Variant(n, f) if &**n == "Ok" || &**n == "Some" => {
                    go.push(f.first().cloned().unwrap_or(Shape::Any));
                }
                Shape::Variant(n, _) if &**n == "Err" => {
                    leave.push(Shape::variant("Err", vec![Shape::Any]));
                }
                Shape::Variant(n, _) if &**n == "None" => {
                    leave.push(Shape::variant("None", Vec::new()));
                }
                // A value of a type `?` does not know: it may go either way,
                // and what leaves is a failure.
                _ => {
                    go.push(Shape::Any);
                    leave.push(Shape::variant("Err", vec![Shape::Any]));
                    leave.push(Shape::variant("None", Vec::new()));
                }
            }
        }
        (
            (!go.is_empty()).then(|| Shape::union(go)),
            (!leave.is_empty()).then(|| Shape::union(leave)),
        )
    }

    /// Maps the `Err` payload away (`.map_err(..)`), the `Ok` one too for
    /// `.map(..)` (`ok_too`).
    pub fn map_payloads(&self, err: bool, ok: bool) -> Shape {
        Shape::union(self.alts().iter().map(|alt| match alt {
            Shape::Variant(n, f) if err && &**n == "Err" && f.len() == 1 => {
                Shape::variant("Err", vec![Shape::Any])
            }
            Shape::Variant(n, f) if ok && (&**n == "Ok" || &**n == "Some") && f.len() == 1 => {
                Shape::variant(n, vec![Shape::Any])
            }
            other => other.clone(),
        }))
    }

    /// `.ok()`: `Ok(x)` becomes `Some(x)`, `Err(_)` becomes `None`.
    pub fn ok(&self) -> Shape {
        // A predicate that returns a `Result` (`pty`'s `fork.is_parent()`),
        // modelled as its truth: `Some` where it holds.
        if let Shape::Bool(_) = self {
            let (t, f) = self.truth();
            let mut alts = Vec::new();
            if t {
                alts.push(Shape::variant("Some", vec![Shape::Any]));
            }
            if f {
                alts.push(Shape::variant("None", Vec::new()));
            }
            return Shape::union(alts);
        }
        Shape::union(self.alts().iter().map(|alt| match alt {
            Shape::Variant(n, f) if &**n == "Ok" => Shape::variant("Some", f.clone()),
            Shape::Variant(n, _) if &**n == "Err" => Shape::variant("None", Vec::new()),
            _ => Shape::Any,
        }))
    }

    /// Whether no value can have both shapes.
    pub fn disjoint(&self, other: &Shape) -> bool {
        self.alts()
            .iter()
            .all(|a| other.alts().iter().all(|b| alt_disjoint(a, b)))
    }
}

fn alt_disjoint(a: &Shape, b: &Shape) -> bool {
    match (a, b) {
        (Shape::Any, _) | (_, Shape::Any) => false,
        (Shape::Int(x), Shape::Int(y)) | (Shape::Bool(x), Shape::Bool(y)) => x & y == 0,
        (Shape::Variant(n, f), Shape::Variant(m, g)) => {
            n != m || f.iter().zip(g).any(|(x, y)| x.disjoint(y))
        }
        (Shape::Or(_), _) | (_, Shape::Or(_)) => a.disjoint(b),
        // Values of different kinds: types differ, nothing to compare.
        _ => false,
    }
}

/// Adds an alternative, merging it with one of the same kind and name.
fn merge_into(out: &mut Vec<Shape>, a: Shape) {
    for o in out.iter_mut() {
        match (&mut *o, &a) {
            (Shape::Int(x), Shape::Int(y)) | (Shape::Bool(x), Shape::Bool(y)) => {
                *x |= *y;
                return;
            }
            (Shape::Variant(n, f), Shape::Variant(m, g)) if n == m && f.len() == g.len() => {
                for (x, y) in f.iter_mut().zip(g) {
                    *x = x.or(y);
                }
                return;
            }
            _ => {}
        }
    }
    out.push(a);
}

fn sign_bit(v: i128) -> u8 {
    match v.signum() {
        -1 => NEG,
        0 => ZERO,
        _ => POS,
    }
}

/// Values of a sign class that decide any comparison with `k`.
fn samples(class: u8, k: i128) -> Vec<i128> {
    let cands = [
        k - 1,
        k,
        k + 1,
        -1,
        1,
        0,
        i128::from(i64::MAX),
        i128::from(i64::MIN),
    ];
    cands
        .into_iter()
        .filter(|v| sign_bit(*v) == class)
        .collect()
}

fn holds(op: &str, v: i128, k: i128) -> bool {
    match op {
        "==" => v == k,
        "!=" => v != k,
        "<" => v < k,
        "<=" => v <= k,
        ">" => v > k,
        _ => v >= k,
    }
}

/// An integer literal, possibly negative, through parens.
pub(crate) fn literal_int(e: &syn::Expr) -> Option<i128> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<i128>().ok(),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            literal_int(&u.expr).map(|v| -v)
        }
        syn::Expr::Paren(p) => literal_int(&p.expr),
        syn::Expr::Group(g) => literal_int(&g.expr),
        syn::Expr::Cast(c) => literal_int(&c.expr),
        _ => None,
    }
}

/// Whether a name written alone in a pattern is a variant or constant
/// (`None`, `Child`, `MAX`) rather than a new binding.
pub(crate) fn is_variant_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

fn last_segment(p: &syn::Path) -> String {
    p.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Matches one alternative (never an `Or`) against a pattern.
fn match_alt(alt: &Shape, pat: &syn::Pat, depth: usize) -> Match {
    let both = || Match {
        yes: Some(alt.clone()),
        no: Some(alt.clone()),
        binds: Vec::new(),
    };
    if depth > MAX_NEST {
        return both();
    }
    match pat {
        syn::Pat::Wild(_) | syn::Pat::Rest(_) => Match {
            yes: Some(alt.clone()),
            no: None,
            binds: Vec::new(),
        },
        syn::Pat::Ident(pi) => {
            let name = pi.ident.to_string();
            if let Some((_, sub)) = &pi.subpat {
                let mut m = match_alt(alt, sub, depth + 1);
                if let Some(y) = &m.yes {
                    m.binds.push((name, y.clone()));
                }
                return m;
            }
            if is_variant_name(&name) {
                return match_variant(alt, &name, None, depth);
            }
            Match {
                yes: Some(alt.clone()),
                no: None,
                binds: vec![(name, alt.clone())],
            }
        }
        syn::Pat::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => match i.base10_parse::<i128>() {
                Ok(k) => compare_match(alt, "==", k),
                Err(_) => both(),
            },
            syn::Lit::Bool(b) => match alt {
                Shape::Bool(bits) => {
                    let want = if b.value { TRUE } else { FALSE };
                    Match {
                        yes: (bits & want != 0).then_some(Shape::Bool(want)),
                        no: (bits & !want != 0).then_some(Shape::Bool(bits & !want)),
                        binds: Vec::new(),
                    }
                }
                _ => both(),
            },
            _ => both(),
        },
        // `-1` is an expression pattern in syn 2.
        syn::Pat::Range(r) => {
            let lo = r.start.as_deref().and_then(literal_int);
            let hi = r.end.as_deref().and_then(literal_int);
            let closed = matches!(r.limits, syn::RangeLimits::Closed(_));
            let bits = match alt {
                Shape::Int(b) => *b,
                Shape::Any => ALL_INT,
                _ => return both(),
            };
            let (mut t, mut f) = (0u8, 0u8);
            for class in [NEG, ZERO, POS] {
                if bits & class == 0 {
                    continue;
                }
                for v in samples(class, lo.unwrap_or(0))
                    .into_iter()
                    .chain(samples(class, hi.unwrap_or(0)))
                {
                    let in_lo = lo.is_none_or(|l| v >= l);
                    let in_hi = hi.is_none_or(|h| if closed { v <= h } else { v < h });
                    if in_lo && in_hi {
                        t |= class;
                    } else {
                        f |= class;
                    }
                }
            }
            Match {
                yes: (t != 0).then_some(Shape::Int(t)),
                no: (f != 0).then_some(Shape::Int(f)),
                binds: Vec::new(),
            }
        }
        syn::Pat::Path(pp) => match_variant(alt, &last_segment(&pp.path), None, depth),
        syn::Pat::TupleStruct(ts) => {
            let elems: Vec<&syn::Pat> = ts.elems.iter().collect();
            match_variant(alt, &last_segment(&ts.path), Some(&elems), depth)
        }
        syn::Pat::Struct(s) => match_variant(alt, &last_segment(&s.path), None, depth),
        syn::Pat::Or(o) => {
            let mut yes = Vec::new();
            let mut binds: Vec<(String, Shape)> = Vec::new();
            let mut rest = Some(alt.clone());
            for case in &o.cases {
                let Some(cur) = rest.take() else { break };
                let mut m = Shape::match_pat(&cur, case);
                yes.extend(m.yes.take());
                binds.append(&mut m.binds);
                rest = m.no;
            }
            Match {
                yes: (!yes.is_empty()).then(|| Shape::union(yes)),
                no: rest,
                binds,
            }
        }
        syn::Pat::Paren(p) => match_alt(alt, &p.pat, depth + 1),
        syn::Pat::Reference(r) => match_alt(alt, &r.pat, depth + 1),
        syn::Pat::Type(t) => match_alt(alt, &t.pat, depth + 1),
        syn::Pat::Macro(_) | syn::Pat::Const(_) => both(),
        syn::Pat::Tuple(t) => {
            // A tuple pattern of only bindings and `_` always matches.
            let binds: Vec<(String, Shape)> = t
                .elems
                .iter()
                .filter_map(|p| match p {
                    syn::Pat::Ident(pi) if pi.subpat.is_none() => {
                        Some((pi.ident.to_string(), Shape::Any))
                    }
                    _ => None,
                })
                .collect();
            let irrefutable = t.elems.iter().all(|p| {
                matches!(p, syn::Pat::Wild(_) | syn::Pat::Rest(_))
                    || matches!(p, syn::Pat::Ident(pi) if pi.subpat.is_none() && !is_variant_name(&pi.ident.to_string()))
            });
            Match {
                yes: Some(alt.clone()),
                no: (!irrefutable).then(|| alt.clone()),
                binds,
            }
        }
        _ => both(),
    }
}

/// `alt` against `x OP k`, as a pattern match.
fn compare_match(alt: &Shape, op: &str, k: i128) -> Match {
    let (yes, no) = alt.compare(op, k);
    Match {
        yes,
        no,
        binds: Vec::new(),
    }
}

/// `alt` against the variant `name` with field patterns `elems` (`None`:
/// fields not examined).
fn match_variant(alt: &Shape, name: &str, elems: Option<&[&syn::Pat]>, depth: usize) -> Match {
    match alt {
        Shape::Variant(n, fields) => {
            if &**n != name {
                return Match {
                    yes: None,
                    no: Some(alt.clone()),
                    binds: Vec::new(),
                };
            }
            let Some(elems) = elems else {
                return Match {
                    yes: Some(alt.clone()),
                    no: None,
                    binds: Vec::new(),
                };
            };
            let mut new_fields = fields.clone();
            let mut binds = Vec::new();
            let mut may_fail = false;
            for (i, p) in elems.iter().enumerate() {
                let field = fields.get(i).cloned().unwrap_or(Shape::Any);
                let m = field.match_pat(p);
                let Some(y) = m.yes else {
                    return Match {
                        yes: None,
                        no: Some(alt.clone()),
                        binds: Vec::new(),
                    };
                };
                may_fail |= m.no.is_some();
                if let Some(slot) = new_fields.get_mut(i) {
                    *slot = y;
                }
                binds.extend(m.binds);
            }
            Match {
                yes: Some(Shape::Variant(n.clone(), new_fields)),
                no: may_fail.then(|| alt.clone()),
                binds,
            }
        }
        Shape::Any => {
            let mut fields = Vec::new();
            let mut binds = Vec::new();
            for p in elems.unwrap_or(&[]) {
                let m = Shape::Any.match_pat(p);
                fields.push(m.yes.unwrap_or(Shape::Any));
                binds.extend(m.binds);
            }
            let _ = depth;
            Match {
                yes: Some(Shape::variant(name, fields)),
                no: Some(Shape::Any),
                binds,
            }
        }
        // A variant pattern on an integer or boolean: the types differ, so
        // nothing is known.
        _ => Match {
            yes: Some(alt.clone()),
            no: Some(alt.clone()),
            binds: Vec::new(),
        },
    }
}

struct Parser<'s> {
    s: &'s [u8],
    i: usize,
    ok: bool,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn alts(&mut self, depth: usize) -> Shape {
        let mut v = vec![self.one(depth)];
        while self.eat(b'|') {
            v.push(self.one(depth));
        }
        Shape::union(v)
    }

    fn one(&mut self, depth: usize) -> Shape {
        self.skip_ws();
        let Some(&c) = self.s.get(self.i) else {
            self.ok = false;
            return Shape::Any;
        };
        if depth > MAX_NEST {
            return Shape::Any;
        }
        self.i += 1;
        match c {
            b'_' => Shape::Any,
            b'0' => Shape::Int(ZERO),
            b'+' => Shape::Int(POS),
            b'-' => Shape::Int(NEG),
            c if c.is_ascii_alphabetic() => {
                let start = self.i - 1;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    self.i += 1;
                }
                let name =
                    String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or(&[])).into_owned();
                let mut fields = Vec::new();
                if self.eat(b'(') {
                    loop {
                        fields.push(self.alts(depth + 1));
                        if !self.eat(b',') {
                            break;
                        }
                    }
                    self.ok &= self.eat(b')');
                } else if self.eat(b'{') {
                    while self.s.get(self.i).is_some_and(|b| *b != b'}') {
                        self.i += 1;
                    }
                    self.eat(b'}');
                }
                Shape::variant(&name, fields)
            }
            _ => {
                self.ok = false;
                Shape::Any
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> syn::Pat {
        syn::parse::Parser::parse_str(syn::Pat::parse_multi, s).unwrap()
    }

    #[test]
    fn parse_the_table_language() {
        assert_eq!(Shape::parse("0"), Shape::Int(ZERO));
        assert_eq!(Shape::parse("+ | -"), Shape::Int(POS | NEG));
        let s = Shape::parse("Ok(Parent{..}) | Err(_)");
        assert_eq!(s.alts().len(), 2);
        assert_eq!(Shape::parse("Ok(("), Shape::Any);
    }

    #[test]
    fn pid_comparisons_split_child_and_parent() {
        let parent = Shape::parse("+ | -");
        let child = Shape::parse("0");
        assert_eq!(child.compare("==", 0), (Some(Shape::Int(ZERO)), None));
        assert_eq!(parent.compare("==", 0), (None, Some(parent.clone())));
        assert_eq!(
            parent.compare(">", 0),
            (Some(Shape::Int(POS)), Some(Shape::Int(NEG)))
        );
        assert_eq!(child.compare("<", 1), (Some(Shape::Int(ZERO)), None));
        assert_eq!(child.compare("!=", 0).0, None);
        assert_eq!(Shape::Int(NEG).compare("==", -1).1, Some(Shape::Int(NEG)));
    }

    #[test]
    fn patterns_on_variants() {
        let child = Shape::parse("Ok(Child)");
        let parent = Shape::parse("Ok(Parent{..}) | Err(_)");
        assert!(child.match_pat(&pat("Ok(ForkResult::Child)")).yes.is_some());
        assert!(child.match_pat(&pat("Ok(ForkResult::Child)")).no.is_none());
        assert!(
            parent
                .match_pat(&pat("Ok(ForkResult::Child)"))
                .yes
                .is_none()
        );
        let m = parent.match_pat(&pat("Ok(ForkResult::Parent { child })"));
        assert!(m.yes.is_some() && m.no.is_some());
        assert!(child.match_pat(&pat("_")).no.is_none());
        let m = Shape::parse("Ok(None)").match_pat(&pat("Ok(Some(pid))"));
        assert!(m.yes.is_none());
        let m = Shape::parse("Ok(Some(+))").match_pat(&pat("Ok(Some(pid))"));
        assert_eq!(m.binds, vec![("pid".to_string(), Shape::Int(POS))]);
        assert!(Shape::parse("0").match_pat(&pat("0")).no.is_none());
        assert!(Shape::parse("+|-").match_pat(&pat("0")).yes.is_none());
        assert!(Shape::parse("+|-").match_pat(&pat("1..")).no.is_some());
        assert!(Shape::parse("+").match_pat(&pat("1..")).no.is_none());
        assert!(
            Shape::parse("Child")
                .match_pat(&pat("Forked::Child"))
                .no
                .is_none()
        );
    }

    #[test]
    fn unwrapping_and_predicates() {
        let parent = Shape::parse("Ok(Some(+)) | Err(_)");
        let (go, leave) = parent.unwrap_ok();
        assert_eq!(go, Some(Shape::parse("Some(+)")));
        assert!(leave.is_some());
        let (go, leave) = Shape::parse("Ok(None)").unwrap_ok();
        assert_eq!(go, Some(Shape::parse("None")));
        assert!(leave.is_none());
        assert_eq!(
            Shape::parse("None").is_variant(&["Some"], false),
            Shape::bool(false)
        );
        assert_eq!(
            Shape::parse("Parent(+)").is_variant(&["Parent"], true),
            Shape::bool(true)
        );
    }

    #[test]
    fn disjointness() {
        assert!(Shape::parse("Ok(None)").disjoint(&Shape::parse("Ok(Some(_)) | Err(_)")));
        assert!(!Shape::parse("Err(_)").disjoint(&Shape::parse("Ok(_) | Err(_)")));
        assert!(!Shape::unit().disjoint(&Shape::unit()));
        assert!(Shape::parse("0").disjoint(&Shape::parse("+|-")));
        assert!(!Shape::Any.disjoint(&Shape::parse("0")));
    }
}

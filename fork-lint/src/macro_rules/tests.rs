//! Unit tests: small inline macros, one capability each.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::visit::Visit;

use super::*;

fn def(src: &str) -> MacroRules {
    let item: syn::ItemMacro = syn::parse_str(src).expect("definition parses as an item");
    MacroRules::parse(&item).expect("definition is accepted")
}

fn def_err(src: &str) -> String {
    let item: syn::ItemMacro = syn::parse_str(src).expect("definition parses as an item");
    MacroRules::parse(&item)
        .expect_err("definition is rejected")
        .message()
        .to_string()
}

fn ts(src: &str) -> TokenStream {
    src.parse().expect("tokens")
}

fn krate() -> syn::Path {
    syn::parse_quote!(crate)
}

/// Invisible groups flattened, so output compares as text.
fn flat(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|tt| match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => {
                flat(g.stream()).into_iter().collect::<Vec<_>>()
            }
            TokenTree::Group(g) => {
                let mut n = Group::new(g.delimiter(), flat(g.stream()));
                n.set_span(g.span());
                vec![TokenTree::Group(n)]
            }
            other => vec![other],
        })
        .collect()
}

fn expand(m: &MacroRules, input: &str) -> Result<String, ExpandError> {
    m.expand(&ts(input), &krate()).map(|t| flat(t).to_string())
}

fn same(actual: Result<String, ExpandError>, expected: &str) {
    assert_eq!(actual.expect("expands"), ts(expected).to_string());
}

/// Expands every invocation of a macro in `macros` inside `tokens`, to any
/// depth (a stand-in for the walker), within `limits`.
fn expand_deep(
    macros: &[MacroRules],
    tokens: TokenStream,
    depth: usize,
    limits: &Limits,
) -> Result<TokenStream, ExpandError> {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tts.len() {
        if let (TokenTree::Ident(name), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g))) =
            (&tts[i], tts.get(i + 1), tts.get(i + 2))
            && bang.as_char() == '!'
            && let Some(m) = macros.iter().find(|m| name == m.name())
        {
            let expanded = m.expand_with(&g.stream(), &krate(), limits, depth)?;
            out.extend(expand_deep(macros, expanded, depth + 1, limits)?);
            i += 3;
            continue;
        }
        match &tts[i] {
            TokenTree::Group(g) => {
                let inner = expand_deep(macros, g.stream(), depth, limits)?;
                let mut n = Group::new(g.delimiter(), inner);
                n.set_span(g.span());
                out.push(TokenTree::Group(n));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    Ok(out.into_iter().collect())
}

/// The paths of the calls and macro invocations in parsed code.
#[derive(Default)]
struct Calls(Vec<String>);

impl<'ast> Visit<'ast> for Calls {
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            self.0.push(path_text(&p.path));
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.0.push(format!("{}!", path_text(&m.path)));
    }
}

fn path_text(p: &syn::Path) -> String {
    p.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

// ---------------------------------------------------------------- fragments

#[test]
fn every_fragment_kind_matches_and_substitutes() {
    let m = def(r#"macro_rules! frag {
        (ident $x:ident) => { $x };
        (expr $x:expr) => { $x };
        (expr_2021 $x:expr_2021) => { $x };
        (ty $x:ty) => { $x };
        (tt $x:tt) => { $x };
        (path $x:path) => { $x };
        (literal $x:literal) => { $x };
        (lifetime $x:lifetime) => { $x };
        (pat $x:pat) => { $x };
        (pat_param $x:pat_param) => { $x };
        (block $x:block) => { $x };
        (stmt $x:stmt) => { $x };
        (item $x:item) => { $x };
        (meta $x:meta) => { $x };
        (vis $x:vis end) => { $x };
    }"#);
    let cases = [
        ("ident foo", "foo"),
        ("ident r#fn", "r#fn"),
        ("expr a + b * f(c)", "a + b * f(c)"),
        ("expr S { x: 1 }.y", "S { x: 1 }.y"),
        ("expr_2021 x.y()", "x.y()"),
        ("ty Vec<Option<&'a str>>", "Vec<Option<&'a str>>"),
        ("ty dyn Fn(u8) -> u8 + Send", "dyn Fn(u8) -> u8 + Send"),
        ("tt (a b c)", "(a b c)"),
        ("tt ::", "::"),
        ("tt 'a", "'a"),
        (
            "path std::collections::HashMap<K, V>",
            "std::collections::HashMap<K, V>",
        ),
        ("literal -1", "-1"),
        ("literal \"s\"", "\"s\""),
        ("literal true", "true"),
        ("lifetime 'static", "'static"),
        ("pat Some(x) | None", "Some(x) | None"),
        ("pat_param (a, _)", "(a, _)"),
        ("block { f(); g() }", "{ f(); g() }"),
        ("stmt let x: u8 = 1", "let x: u8 = 1"),
        ("stmt struct S;", "struct S;"),
        ("stmt f(x)", "f(x)"),
        ("item pub fn f() {}", "pub fn f() {}"),
        (
            "meta cfg(all(unix, not(test)))",
            "cfg(all(unix, not(test)))",
        ),
        ("meta path = \"x\"", "path = \"x\""),
        ("vis pub(crate) end", "pub(crate)"),
        ("vis end", ""),
    ];
    for (input, output) in cases {
        assert_eq!(
            expand(&m, input).map_err(|e| format!("{input}: {e}")),
            Ok(ts(output).to_string())
        );
    }
    // What a kind does not accept falls through to no rule.
    for input in [
        "ident _",
        "ident 1",
        "literal x",
        "lifetime x",
        "block x",
        "expr let x = 1",
        "expr_2021 _",
        "ty 1",
        "path 1",
        "tt",
    ] {
        assert!(
            matches!(expand(&m, input), Err(ExpandError::NoMatchingRule { .. })),
            "{input}"
        );
    }
}

#[test]
fn expr_fragments_keep_their_precedence() {
    let m = def("macro_rules! double { ($e:expr) => { $e * 2 } }");
    let out = m.expand(&ts("1 + 1"), &krate()).unwrap();
    let expr = parse_expr(out).unwrap();
    let syn::Expr::Binary(b) = expr else {
        panic!("not a binary expression")
    };
    assert!(matches!(b.op, syn::BinOp::Mul(_)));
    assert!(matches!(*b.left, syn::Expr::Group(_)));
}

#[test]
fn substituted_fragments_parse_in_every_position() {
    let m = def(r#"macro_rules! m {
        ($e:expr, $t:ty, $p:pat, $i:ident, $l:literal, $b:block, $path:path) => {
            $e;
            let $p: Vec<$t> = <$t>::new();
            let $i = $e.len() + $l;
            if $e { $b } else { match $e { $p => {} } }
            while $e {}
            for $p in $e {}
            f($e, $e);
            $path::g();
            let s = $path { a: $e };
            (|| $e)();
            $b
        };
    }"#);
    let out = m
        .expand(
            &ts("x + y, Option<u8>, (a, _), n, -1, { f() }, crate::S"),
            &krate(),
        )
        .unwrap();
    let stmts = parse_stmts(out).unwrap();
    assert_eq!(stmts.len(), 11);
}

#[test]
fn block_like_and_type_fragments() {
    // A block-like `$body` is a statement of its own (http's `probe_loop!`).
    let m = def(r#"macro_rules! probe_loop {
        ($label:tt: $i:ident < $len:expr, $body:expr) => {
            $label: loop { if $i < $len { $body $i += 1; } else { $i = 0; } }
        };
    }"#);
    let out = m
        .expand(
            &ts("'probe: probe < self.len(), { if f(probe) { break; } }"),
            &krate(),
        )
        .unwrap();
    assert!(parse_stmts(out).is_ok());
    let m = def("macro_rules! v { ($t:ty) => { Vec::<$t>::new() } }");
    assert!(parse_expr(m.expand(&ts("Option<u8>"), &krate()).unwrap()).is_ok());
}

#[test]
fn forwarded_fragments_are_opaque() {
    let outer = def("macro_rules! outer { ($e:expr) => { inner!($e) } }");
    let inner = def("macro_rules! inner { (1) => { one }; ($x:expr) => { other($x) } }");
    let out = expand_deep(
        &[outer, inner.clone()],
        ts("outer!(1)"),
        0,
        &Limits::default(),
    );
    assert_eq!(flat(out.unwrap()).to_string(), ts("other(1)").to_string());
    // Written directly, the literal rule wins.
    same(expand(&inner, "1"), "one");
}

// -------------------------------------------------------------- repetitions

#[test]
fn separators_and_operators() {
    let m = def(r#"macro_rules! seps {
        (comma $($x:expr),* $(,)?) => { [$($x);*] };
        (plus $($x:ident)+) => { $($x)-+ };
        (opt $($x:ident)?) => { $(Some($x))? };
        (arrow $($k:ident => $v:expr)=>*) => { $(($k, $v))* };
        (word $($x:ident)and*) => { $($x)or* };
    }"#);
    same(expand(&m, "comma 1, f(2), 3"), "[1; f(2); 3]");
    same(expand(&m, "comma 1, 2,"), "[1; 2]");
    same(expand(&m, "comma"), "[]");
    same(expand(&m, "plus a b c"), "a - b - c");
    assert!(expand(&m, "plus").is_err());
    same(expand(&m, "opt"), "");
    same(expand(&m, "opt a"), "Some(a)");
    assert!(expand(&m, "opt a b").is_err());
    same(expand(&m, "arrow a => 1 => b => 2"), "(a, 1) (b, 2)");
    same(expand(&m, "word a and b and c"), "a or b or c");
}

#[test]
fn nested_repetitions() {
    let m = def(r#"macro_rules! table {
        ($($name:ident : [$($v:expr),*]);* $(;)?) => {
            $( fn $name() -> usize { 0 $(+ $v)* } )*
            const ALL: &[&str] = &[$(stringify!($name)),*];
        }
    }"#);
    same(
        expand(&m, "a: [1, 2]; b: []; c: [3];"),
        "fn a() -> usize { 0 + 1 + 2 } fn b() -> usize { 0 } fn c() -> usize { 0 + 3 } \
         const ALL: &[&str] = &[stringify!(a), stringify!(b), stringify!(c)];",
    );
    // A variable of depth 1 inside a depth-2 repetition is held fixed.
    let m = def(r#"macro_rules! pairs {
        ($($a:ident [$($b:ident)*])*) => { $($(($a, $b))*)* }
    }"#);
    same(expand(&m, "x [p q] y [] z [r]"), "(x, p) (x, q) (z, r)");
}

#[test]
fn transcription_errors() {
    let no_vars = def("macro_rules! m { ($x:ident) => { $(a)* } }");
    assert!(matches!(
        expand(&no_vars, "x"),
        Err(ExpandError::Transcribe { .. })
    ));
    let lockstep = def("macro_rules! m { ($($a:ident)* ; $($b:ident)*) => { $(($a, $b))* } }");
    same(expand(&lockstep, "x y ; p q"), "(x, p) (y, q)");
    let err = expand(&lockstep, "x y ; p").unwrap_err();
    assert!(err.to_string().contains("repeats 2 times"), "{err}");
    let still = def("macro_rules! m { ($($a:ident)*) => { $a } }");
    assert!(
        expand(&still, "x")
            .unwrap_err()
            .to_string()
            .contains("still repeating")
    );
}

#[test]
fn ambiguous_input_is_an_error() {
    let m = def("macro_rules! m { ($($a:ident)* $b:ident) => {} }");
    assert!(matches!(
        expand(&m, "x y"),
        Err(ExpandError::Ambiguous { .. })
    ));
    // A fragment that cannot parse does not compete with a token.
    let m = def("macro_rules! m { ($($a:ident)* ; end) => { $($a)* } }");
    same(expand(&m, "x y ; end"), "x y");
}

// -------------------------------------------------------------------- rules

#[test]
fn empty_visibility_after_attributes() {
    // libc's `s!`, bitflags: attributes, then a visibility that may be
    // empty. At `#` the visibility is not a candidate (rustc's rule).
    let m = def(r#"macro_rules! s {
        ($(#[$attr:meta])* $pub:vis struct $name:ident;) => { $(#[$attr])* $pub struct $name; };
    }"#);
    same(expand(&m, "#[a] #[b] struct S;"), "#[a] #[b] struct S;");
    same(
        expand(&m, "#[a] pub(crate) struct S;"),
        "#[a] pub(crate) struct S;",
    );
    // A `?` in the transcriber may repeat a `*` variable (objc2 does).
    let m = def("macro_rules! m { ($($x:ident)*) => { $($x)? } }");
    same(expand(&m, "a b"), "a b");
}

#[test]
fn first_matching_rule_wins() {
    let m = def(r#"macro_rules! m {
        ($x:ident) => { ident };
        ($x:expr) => { expr };
        ($($t:tt)*) => { anything };
    }"#);
    same(expand(&m, "a"), "ident");
    same(expand(&m, "a + 1"), "expr");
    same(expand(&m, "a +"), "anything");
}

#[test]
fn no_rule_matches() {
    let m = def("macro_rules! m { (a) => {}; (b $x:ident) => {} }");
    let err = expand(&m, "c").unwrap_err();
    assert_eq!(
        err,
        ExpandError::NoMatchingRule {
            name: "m".to_string()
        }
    );
    assert_eq!(err.to_string(), "no rule of `m!` matches the invocation");
    assert!(expand(&m, "b").is_err());
    assert!(expand(&m, "b x y").is_err());
    assert!(expand(&m, "(a)").is_err());
}

#[test]
fn groups_and_delimiters_must_match() {
    let m = def("macro_rules! m { ([$x:ident] {$y:ident}) => { $x $y } }");
    same(expand(&m, "[a] {b}"), "a b");
    assert!(expand(&m, "(a) {b}").is_err());
    assert!(expand(&m, "[a b] {b}").is_err());
}

#[test]
fn dollar_crate_becomes_the_given_path() {
    let m = def("macro_rules! m { () => { $crate::util::f() } }");
    same(expand(&m, ""), "crate::util::f()");
    let out = m.expand(&ts(""), &syn::parse_quote!(::other)).unwrap();
    assert_eq!(out.to_string(), ts("::other::util::f()").to_string());
}

#[test]
fn definition_errors() {
    assert!(def_err("macro_rules! m { ($x) => {} }").contains("missing fragment specifier"));
    assert!(def_err("macro_rules! m { ($x:foo) => {} }").contains("unknown fragment specifier"));
    assert!(def_err("macro_rules! m { () => { ${count(x)} } }").contains("metavariable"));
    assert!(def_err("macro_rules! m { ($($x:vis)*) => {} }").contains("empty token tree"));
    assert!(def_err("macro_rules! m { ($x:ident $x:ident) => {} }").contains("duplicate"));
    assert!(def_err("macro_rules! m { ($($x:ident),?) => {} }").contains("separator"));
    assert!(def_err("macro_rules! m { ($($x:ident)) => {} }").contains("expected `*`"));
    assert!(def_err("macro_rules! m { () {} }").contains("`=>`"));
    assert!(def_err("macro_rules! m {}").contains("at least one rule"));
    // A lone `$` in a matcher matches itself (syn's `($mode:ident, $)`).
    let m = def("macro_rules! m { ($mode:ident, $) => { $mode } }");
    same(expand(&m, "x, $"), "x");
    // `$$` (unstable) stands for `$`.
    let m = def("macro_rules! m { ($$ $x:ident) => { $$ $x } }");
    same(expand(&m, "$ a"), "$ a");
}

#[test]
fn metadata_is_kept() {
    let item: syn::ItemMacro = syn::parse_str(
        "#[macro_export] #[cfg(not(unix))] macro_rules! die { () => {}; ($x:expr) => {} }",
    )
    .unwrap();
    let m = MacroRules::parse(&item).unwrap();
    assert_eq!(m.name(), "die");
    assert!(m.is_exported());
    assert_eq!(m.cfg(), CfgTruth::Disabled);
    assert_eq!(m.rule_count(), 2);
    let plain = def("#[cfg(any(unix, feature = \"x\"))] macro_rules! m { () => {} }");
    assert!(!plain.is_exported());
    assert_eq!(plain.cfg(), CfgTruth::Enabled);
    let feature = def("#[cfg(feature = \"x\")] macro_rules! m { () => {} }");
    assert_eq!(feature.cfg(), CfgTruth::Unknown);
}

#[test]
fn definitions_in_statement_position() {
    let block: syn::Block = syn::parse_str(
        "{ macro_rules! errno { () => { std::io::Error::last_os_error() } } let e = errno!(); }",
    )
    .unwrap();
    let defs = definitions_in_stmts(&block.stmts);
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].name(), "errno");
    let out = defs[0].expand(&TokenStream::new(), &krate()).unwrap();
    let mut calls = Calls::default();
    calls.visit_expr(&parse_expr(out).unwrap());
    assert_eq!(calls.0, ["std::io::Error::last_os_error"]);
}

// -------------------------------------------------------- macros that define

#[test]
fn macro_defining_macro() {
    let maker = def(r#"macro_rules! make_fatal {
        ($name:ident, $code:expr) => {
            macro_rules! $name {
                ($$($arg:tt)*) => {{ eprintln!($$($arg)*); std::process::exit($code) }};
            }
        };
    }"#);
    // Without `$$`, the classic trick: `$` passed in as a `tt`.
    let maker_tt = def(r#"macro_rules! make_fatal {
        ($d:tt $name:ident, $code:expr) => {
            macro_rules! $name {
                ($d($d arg:tt)*) => {{ eprintln!($d($d arg)*); std::process::exit($code) }};
            }
        };
    }"#);
    for (m, input) in [(maker, "fatal, 3"), (maker_tt, "$ fatal, 3")] {
        let items = parse_items(m.expand(&ts(input), &krate()).unwrap()).unwrap();
        let defs = definitions_in_items(&items);
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].name(), "fatal");
        let out = defs[0].expand(&ts("\"bad {}\", x"), &krate()).unwrap();
        let mut calls = Calls::default();
        calls.visit_expr(&parse_expr(out).unwrap());
        assert_eq!(calls.0, ["eprintln!", "std::process::exit"]);
    }
}

#[test]
fn unbound_metavariables_pass_through() {
    let m = def("macro_rules! m { ($x:ident) => { $x $y } }");
    same(expand(&m, "a"), "a $y");
}

// ---------------------------------------------------------------- recursion

#[test]
fn tt_muncher_recursion() {
    let count = def(r#"macro_rules! count {
        () => { 0usize };
        ($head:tt $($tail:tt)*) => { 1usize + count!($($tail)*) };
    }"#);
    let out = expand_deep(
        std::slice::from_ref(&count),
        ts("count!(a, (b c) :: 'x)"),
        0,
        &Limits::default(),
    )
    .unwrap();
    // `a` `,` `(b c)` `::` `'x`: five token trees as rustc counts them.
    assert_eq!(
        flat(out).to_string(),
        ts("1usize + 1usize + 1usize + 1usize + 1usize + 0usize").to_string()
    );
}

#[test]
fn recursion_limit_stops_runaway_macros() {
    let forever = def("macro_rules! forever { ($($t:tt)*) => { forever!($($t)* x) } }");
    let limits = Limits {
        max_depth: 20,
        ..Limits::default()
    };
    let err =
        expand_deep(std::slice::from_ref(&forever), ts("forever!()"), 0, &limits).unwrap_err();
    assert_eq!(
        err,
        ExpandError::RecursionLimit {
            name: "forever".into(),
            limit: 20
        }
    );
}

#[test]
fn token_limit_stops_exponential_growth() {
    let double = def(r#"macro_rules! double {
        (@ $($t:tt)*) => { $($t)* $($t)* };
        ($($t:tt)*) => { double!(@ double!(@ double!(@ double!(@ $($t)*)))) };
    }"#);
    // 2^4 copies of the input per round: a small limit must trip.
    let limits = Limits {
        max_tokens: 1000,
        ..Limits::default()
    };
    let input = "a ".repeat(600);
    let err = double.expand_with(&ts(&format!("@ {input}")), &krate(), &limits, 0);
    assert!(matches!(
        err,
        Err(ExpandError::TokenLimit { limit: 1000, .. })
    ));
    // Doubling at every level of recursion trips the token limit long
    // before the recursion limit.
    let grow = def("macro_rules! grow { ($($t:tt)*) => { grow!($($t)* $($t)*) } }");
    let err = expand_deep(std::slice::from_ref(&grow), ts("grow!(a b c)"), 0, &limits);
    assert!(
        matches!(err, Err(ExpandError::TokenLimit { limit: 1000, .. })),
        "{err:?}"
    );
}

#[test]
fn step_and_nesting_limits() {
    let m = def("macro_rules! m { ($($t:tt)*) => {} }");
    let limits = Limits {
        max_steps: 100,
        ..Limits::default()
    };
    let input = "a ".repeat(500);
    assert!(matches!(
        m.expand_with(&ts(&input), &krate(), &limits, 0),
        Err(ExpandError::TooComplex { .. })
    ));
    assert!(
        m.expand_with(&ts(&input), &krate(), &Limits::default(), 0)
            .is_ok()
    );
    let deep = format!("{}{}", "(".repeat(300), ")".repeat(300));
    assert!(matches!(
        m.expand(&ts(&deep), &krate()),
        Err(ExpandError::TooComplex { .. })
    ));
}

#[test]
fn long_inputs_are_linear_enough() {
    // 5 000 comma-separated expressions: the matcher never re-reads input.
    let m = def("macro_rules! list { ($($e:expr),* $(,)?) => { [$($e),*] } }");
    let input = (0..5_000)
        .map(|i| format!("f({i})"))
        .collect::<Vec<_>>()
        .join(", ");
    let out = m.expand(&ts(&input), &krate()).unwrap();
    let syn::Expr::Array(a) = parse_expr(out).unwrap() else {
        panic!("not an array")
    };
    assert_eq!(a.elems.len(), 5_000);
}

// ------------------------------------------------------- hazards in macros

#[test]
fn die_expands_to_statements_syn_parses() {
    let die = def(r#"macro_rules! die {
        ($($arg:tt)*) => {{ eprintln!($($arg)*); std::process::exit(1) }};
    }"#);
    let out = die
        .expand(&ts("\"cannot open {}: {}\", path, err"), &krate())
        .unwrap();
    let stmts = parse_stmts(out.clone()).unwrap();
    assert_eq!(stmts.len(), 1);
    let mut calls = Calls::default();
    for s in &stmts {
        calls.visit_stmt(s);
    }
    assert_eq!(calls.0, ["eprintln!", "std::process::exit"]);
    // The `eprintln!` arguments are the invocation's tokens.
    let expr = parse_expr(out).unwrap();
    let syn::Expr::Block(b) = expr else {
        panic!("not a block")
    };
    let syn::Stmt::Macro(m) = &b.block.stmts[0] else {
        panic!("not a macro statement")
    };
    assert_eq!(
        m.mac.tokens.to_string(),
        ts("\"cannot open {}: {}\", path, err").to_string()
    );
}

#[test]
fn macro_hiding_exit() {
    let bail = def(r#"macro_rules! bail {
        ($fd:expr, $msg:literal) => {
            unsafe {
                libc::write($fd, $msg.as_ptr().cast(), $msg.len());
                libc::_exit(1);
            }
        };
    }"#);
    let out = bail.expand(&ts("2, \"exec failed\\n\""), &krate()).unwrap();
    let stmts = parse_stmts(out).unwrap();
    let mut calls = Calls::default();
    for s in &stmts {
        calls.visit_stmt(s);
    }
    assert_eq!(calls.0, ["libc::write", "libc::_exit"]);
}

#[test]
fn spans_point_where_tokens_were_written() {
    let die = def("macro_rules! die {\n    ($e:expr) => {\n        report($e)\n    };\n}");
    let input = ts("\n\n\n\n\n\n\nvalue");
    let out: Vec<TokenTree> = die.expand(&input, &krate()).unwrap().into_iter().collect();
    // `report` comes from the definition (its line 3), `value` from the
    // invocation (its line 8).
    assert_eq!(out[0].to_string(), "report");
    assert_eq!(out[0].span().start().line, 3);
    let TokenTree::Group(args) = &out[1] else {
        panic!("no arguments")
    };
    let arg = args.stream().into_iter().next().unwrap();
    assert_eq!(arg.span().start().line, 8);
    let TokenTree::Group(inner) = arg else {
        panic!("expr not wrapped")
    };
    assert_eq!(inner.delimiter(), Delimiter::None);
}

// -------------------------------------------------------------------- table

fn table(files: &[(&[&str], &str)]) -> (MacroTable, Vec<syn::File>) {
    let parsed: Vec<syn::File> = files
        .iter()
        .map(|(_, src)| syn::parse_file(src).expect("file parses"))
        .collect();
    let modules: Vec<Vec<String>> = files
        .iter()
        .map(|(m, _)| m.iter().map(|s| s.to_string()).collect())
        .collect();
    let t = MacroTable::build(modules.iter().map(Vec::as_slice).zip(parsed.iter()));
    (t, parsed)
}

/// The position of the `n`th (0-based) occurrence of `needle` in `src`.
fn pos_of(file: usize, src: &str, needle: &str, n: usize) -> Position {
    let offset = src.match_indices(needle).nth(n).expect("needle").0;
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count();
    Position {
        file,
        at: proc_macro2::LineColumn { line, column },
    }
}

/// Which definition `name!` at `at` names, told by what it expands `()` to.
fn resolved(t: &MacroTable, path: &str, at: Position) -> Option<String> {
    let path: syn::Path = syn::parse_str(path).unwrap();
    t.lookup(&path, at)
        .map(|m| m.expand(&TokenStream::new(), &krate()).unwrap().to_string())
}

#[test]
fn textual_scope_in_one_file() {
    let src = r#"
        fn before() { m!(); }
        macro_rules! m { () => { first } }
        fn middle() { m!(); }
        macro_rules! m { () => { second } }
        fn after() { m!(); }
        mod inner {
            macro_rules! local { () => { local } }
            fn f() { local!(); m!(); }
        }
        fn outside() { local!(); }
        fn body() {
            macro_rules! in_fn { () => { in_fn } }
            in_fn!();
        }
        fn later() { in_fn!(); }
    "#;
    let (t, _) = table(&[(&[], src)]);
    assert_eq!(resolved(&t, "m", pos_of(0, src, "m!()", 0)), None);
    assert_eq!(
        resolved(&t, "m", pos_of(0, src, "m!()", 1)).as_deref(),
        Some("first")
    );
    assert_eq!(
        resolved(&t, "m", pos_of(0, src, "m!()", 2)).as_deref(),
        Some("second")
    );
    assert_eq!(
        resolved(&t, "local", pos_of(0, src, "local!()", 0)).as_deref(),
        Some("local")
    );
    assert_eq!(
        resolved(&t, "m", pos_of(0, src, "m!()", 3)).as_deref(),
        Some("second")
    );
    assert_eq!(resolved(&t, "local", pos_of(0, src, "local!()", 1)), None);
    assert_eq!(
        resolved(&t, "in_fn", pos_of(0, src, "in_fn!()", 0)).as_deref(),
        Some("in_fn")
    );
    assert_eq!(resolved(&t, "in_fn", pos_of(0, src, "in_fn!()", 1)), None);
}

#[test]
fn textual_scope_across_files_and_macro_use() {
    let lib = r#"
        mod early;
        #[macro_use]
        mod macros;
        macro_rules! root { () => { root } }
        mod late;
        fn f() { helper!(); }
    "#;
    let macros = "macro_rules! helper { () => { helper } }";
    let early = "fn f() { helper!(); root!(); }";
    let late = "fn f() { helper!(); root!(); }";
    let (t, _) = table(&[
        (&[], lib),
        (&["macros"], macros),
        (&["early"], early),
        (&["late"], late),
    ]);
    assert_eq!(
        resolved(&t, "helper", pos_of(0, lib, "helper!", 0)).as_deref(),
        Some("helper")
    );
    assert_eq!(resolved(&t, "helper", pos_of(2, early, "helper!", 0)), None);
    assert_eq!(resolved(&t, "root", pos_of(2, early, "root!", 0)), None);
    assert_eq!(
        resolved(&t, "helper", pos_of(3, late, "helper!", 0)).as_deref(),
        Some("helper")
    );
    assert_eq!(
        resolved(&t, "root", pos_of(3, late, "root!", 0)).as_deref(),
        Some("root")
    );
}

#[test]
fn macro_export_and_paths() {
    let lib = r#"
        mod util;
        fn f() { crate::die!(); util::quiet!(); std::println!(); log::info!(); }
    "#;
    let util = r#"
        #[macro_export]
        macro_rules! die { () => { $crate::fatal() } }
        macro_rules! quiet { () => { quiet } }
        pub(crate) use quiet;
    "#;
    let other = "fn g() { die!(); quiet!(); nothing!(); }";
    let (t, _) = table(&[(&[], lib), (&["util"], util), (&["other"], other)]);
    let at = pos_of(0, lib, "crate::die", 0);
    assert_eq!(
        resolved(&t, "crate::die", at).as_deref(),
        Some("crate :: fatal ()")
    );
    assert_eq!(
        t.lookup_name(&["$crate", "die"], at).map(|m| m.name()),
        Some("die")
    );
    assert_eq!(resolved(&t, "util::quiet", at).as_deref(), Some("quiet"));
    assert_eq!(resolved(&t, "std::println", at), None);
    assert_eq!(resolved(&t, "log::info", at), None);
    // Bare names outside textual scope: exported, then re-exported.
    let at = pos_of(2, other, "die!", 0);
    assert_eq!(
        resolved(&t, "die", at).as_deref(),
        Some("crate :: fatal ()")
    );
    assert_eq!(resolved(&t, "quiet", at).as_deref(), Some("quiet"));
    assert_eq!(resolved(&t, "nothing", at), None);
    assert_eq!(
        t.lookup_name(&["crate", "die"], at).map(|m| m.name()),
        Some("die")
    );
}

#[test]
fn cfg_variants_prefer_unix() {
    let src = r#"
        #[cfg(unix)]
        macro_rules! sys { () => { unix } }
        #[cfg(windows)]
        macro_rules! sys { () => { windows } }
        fn f() { sys!(); }
        #[cfg(windows)] #[macro_export] macro_rules! exp { () => { windows } }
        #[cfg(unix)] #[macro_export] macro_rules! exp { () => { unix } }
    "#;
    let (t, _) = table(&[(&[], src)]);
    assert_eq!(
        resolved(&t, "sys", pos_of(0, src, "sys!", 0)).as_deref(),
        Some("unix")
    );
    assert_eq!(
        resolved(&t, "crate::exp", pos_of(0, src, "sys!", 0)).as_deref(),
        Some("unix")
    );
}

#[test]
fn table_expands_macro_defining_invocations() {
    let lib = r#"
        macro_rules! make {
            ($name:ident => $body:expr) => { macro_rules! $name { () => { $body } } };
        }
        macro_rules! make_two {
            () => { make!(one => 1); make!(two => 2); };
        }
        make_two!();
        make!(three => 3);
        fn f() { one!(); two!(); three!(); }
        cfg_if::cfg_if! {
            if #[cfg(unix)] {
                macro_rules! hidden { () => { hidden } }
            }
        }
        fn g() { hidden!(); }
    "#;
    let (t, _) = table(&[(&[], lib)]);
    let at = pos_of(0, lib, "one!", 0);
    assert_eq!(resolved(&t, "one", at).as_deref(), Some("1"));
    assert_eq!(resolved(&t, "two", at).as_deref(), Some("2"));
    assert_eq!(resolved(&t, "three", at).as_deref(), Some("3"));
    assert_eq!(resolved(&t, "one", pos_of(0, lib, "make_two!()", 0)), None);
    assert_eq!(
        resolved(&t, "hidden", pos_of(0, lib, "hidden!()", 0)).as_deref(),
        Some("hidden")
    );
    assert!(t.errors().is_empty());
    assert_eq!(t.definitions().count(), 6);
}

#[test]
fn table_expansion_is_bounded() {
    // Each `boom!()` expands to two more: 2^64 expansions without a budget.
    let lib = r#"
        macro_rules! boom { () => { boom!(); boom!(); macro_rules! made { () => {} } } }
        boom!();
    "#;
    let (t, _) = table(&[(&[], lib)]);
    let made = t.definitions().filter(|m| m.name() == "made").count();
    assert!(made > 0 && made <= 10_000, "{made}");
}

#[test]
fn table_reports_definitions_that_do_not_parse() {
    let (t, _) = table(&[(
        &[],
        "macro_rules! bad { ($x) => {} } macro_rules! good { () => {} }",
    )]);
    assert_eq!(t.errors().len(), 1);
    assert_eq!(
        t.definitions().map(|m| m.name()).collect::<Vec<_>>(),
        ["good"]
    );
}

// --------------------------------------------------------------- no panics

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn leaf() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("$".to_string()),
            Just("$x".to_string()),
            Just("$x:expr".to_string()),
            Just("$y:tt".to_string()),
            Just("$z:ident".to_string()),
            Just("$v:vis".to_string()),
            Just("$crate".to_string()),
            Just(",".to_string()),
            Just(";".to_string()),
            Just("=>".to_string()),
            Just("::".to_string()),
            Just("*".to_string()),
            Just("+".to_string()),
            Just("?".to_string()),
            Just("'a".to_string()),
            Just("a".to_string()),
            Just("1".to_string()),
            Just("let".to_string()),
            Just("_".to_string()),
            Just("-".to_string()),
        ]
    }

    fn tree() -> impl Strategy<Value = String> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            (
                prop::collection::vec(inner, 0..6),
                0..4usize,
                prop::option::of(prop_oneof![Just("*"), Just(",*"), Just("+"), Just("?")]),
            )
                .prop_map(|(items, d, rep)| {
                    let body = items.join(" ");
                    let group = match d {
                        0 => format!("({body})"),
                        1 => format!("[{body}]"),
                        2 => format!("{{{body}}}"),
                        _ => body,
                    };
                    match rep {
                        Some(op) if d == 0 => format!("${group}{op}"),
                        _ => group,
                    }
                })
        })
    }

    fn stream() -> impl Strategy<Value = String> {
        prop::collection::vec(tree(), 0..8).prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn random_definitions_and_inputs_never_panic(
            rules in prop::collection::vec((stream(), stream()), 1..4),
            input in stream(),
        ) {
            let body = rules
                .iter()
                .map(|(m, t)| format!("({m}) => {{ {t} }}"))
                .collect::<Vec<_>>()
                .join(";");
            let Ok(item) = syn::parse_str::<syn::ItemMacro>(&format!("macro_rules! m {{ {body} }}")) else {
                return Ok(());
            };
            let Ok(m) = MacroRules::parse(&item) else { return Ok(()) };
            let Ok(input) = input.parse::<TokenStream>() else { return Ok(()) };
            // Small limits: the point is that nothing panics, not speed.
            let limits = Limits { max_steps: 20_000, max_tokens: 5_000, ..Limits::default() };
            if let Ok(out) = m.expand_with(&input, &krate(), &limits, 0) {
                let _ = parse_expr(out.clone());
                let _ = parse_stmts(out.clone());
                let _ = parse_items(out);
            }
        }

        #[test]
        fn random_inputs_to_real_macros_never_panic(input in stream()) {
            let Ok(input) = input.parse::<TokenStream>() else { return Ok(()) };
            for src in [
                "macro_rules! m { ($($k:ident => $v:expr),* $(,)?) => { $(($k, $v))* } }",
                "macro_rules! m { ($($t:tt)*) => { f($($t)*) } }",
                "macro_rules! m { (@ $a:ty ; $($b:pat)|+) => {}; ($s:stmt) => {}; ($i:item) => {}; ($v:vis $l:lifetime $m:meta) => {}; ($p:path, $b:block, $x:literal) => {} }",
            ] {
                let m = def(src);
                let _ = m.expand(&input, &krate());
            }
        }
    }
}

// ----------------------------------------------------------- real crates

/// On the real-world crates (when they are unpacked on this machine; more
/// folders of crates in `FORK_LINT_MACRO_CORPUS`, `:`-separated): every
/// `macro_rules!` definition parses, and every invocation of a crate's own
/// macro expands to tokens that parse in some position.
#[test]
fn real_world_macros() {
    let mut roots = vec![
        std::path::PathBuf::from("/tmp/fork-lint-realworld/crates"),
        std::path::PathBuf::from("/work/shared/bench/corpus"),
    ];
    if let Ok(extra) = std::env::var("FORK_LINT_MACRO_CORPUS") {
        roots.extend(extra.split(':').map(std::path::PathBuf::from));
    }
    let mut crates = Vec::new();
    for root in roots.iter().filter(|r| r.is_dir()) {
        if root.join("src").is_dir() {
            crates.push(root.clone());
        }
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        let mut dirs: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        dirs.sort();
        crates.extend(dirs.into_iter().filter(|d| d.join("src").is_dir()));
    }
    if crates.is_empty() {
        eprintln!("real_world_macros: no corpus on this machine, skipped");
        return;
    }
    let mut stats = RealWorld::default();
    for krate in &crates {
        if std::env::var_os("FORK_LINT_MACRO_PROGRESS").is_some() {
            eprintln!("{}", krate.display());
        }
        // A thread per crate, as the engine does: proc-macro2's span table
        // is per thread and dies with it.
        let krate = krate.clone();
        let one = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || {
                let mut one = RealWorld::default();
                one.check_crate(&krate);
                one
            })
            .expect("thread")
            .join()
            .expect("no panic");
        stats.add(one);
    }
    eprintln!(
        "real_world_macros: {} crates, {} definitions parsed, {} rejected; \
         {} invocations of own macros: {} expanded and parsed, {} expanded but unparsed, {} not expanded",
        crates.len(),
        stats.definitions,
        stats.bad_definitions.len(),
        stats.invocations,
        stats.parsed,
        stats.unparsed.len(),
        stats.not_expanded.len(),
    );
    assert!(
        stats.bad_definitions.is_empty(),
        "{:#?}",
        stats.bad_definitions
    );
    if std::env::var_os("FORK_LINT_MACRO_CORPUS").is_some() {
        // A survey of other crates: list what fails rather than fail.
        for place in stats.unparsed.iter().chain(&stats.not_expanded) {
            eprintln!("  {place}");
        }
    } else {
        assert!(stats.unparsed.is_empty(), "{:#?}", stats.unparsed);
        assert!(stats.not_expanded.is_empty(), "{:#?}", stats.not_expanded);
    }
}

#[derive(Default)]
struct RealWorld {
    definitions: usize,
    bad_definitions: Vec<String>,
    invocations: usize,
    parsed: usize,
    unparsed: Vec<String>,
    not_expanded: Vec<String>,
}

impl RealWorld {
    fn add(&mut self, other: RealWorld) {
        self.definitions += other.definitions;
        self.bad_definitions.extend(other.bad_definitions);
        self.invocations += other.invocations;
        self.parsed += other.parsed;
        self.unparsed.extend(other.unparsed);
        self.not_expanded.extend(other.not_expanded);
    }

    fn check_crate(&mut self, krate: &std::path::Path) {
        let src = krate.join("src");
        let mut paths = Vec::new();
        collect_rs(&src, &mut paths);
        // Generated bindings (windows, windows-sys) are too big to hold
        // parsed all at once, and hold no macros worth it.
        let size: u64 = paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        if size > 16 << 20 {
            return;
        }
        let mut files = Vec::new();
        for path in paths {
            // Generated bindings (windows-sys and the like) hold no macros
            // worth the memory of parsing them.
            if std::fs::metadata(&path).map_or(true, |m| m.len() > 512 * 1024) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(file) = syn::parse_file(&text) else {
                continue;
            };
            let rel = path.strip_prefix(&src).unwrap_or(&path);
            let mut module: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            files.push((path, module, file));
        }
        let table = MacroTable::build(files.iter().map(|(_, m, f)| (m.as_slice(), f)));
        self.definitions += table.definitions().count();
        for (file, e) in table.errors() {
            self.bad_definitions
                .push(format!("{}: {e}", files[*file].0.display()));
        }
        for (index, (path, _, file)) in files.iter().enumerate() {
            let mut v = Invocations(Vec::new());
            v.visit_file(file);
            for mac in v.0 {
                let at = Position::of_span(index, mac.path.segments[0].ident.span());
                let Some(rules) = table.lookup(&mac.path, at) else {
                    continue;
                };
                self.invocations += 1;
                let place = format!("{}:{}: {}!", path.display(), at.at.line, rules.name());
                match rules.expand(&mac.tokens, &krate_path()) {
                    Ok(out) => {
                        if parses_somewhere(out) {
                            self.parsed += 1;
                        } else {
                            self.unparsed.push(place);
                        }
                    }
                    Err(e) => self.not_expanded.push(format!("{place}: {e}")),
                }
            }
        }
    }
}

fn krate_path() -> syn::Path {
    syn::parse_quote!(crate)
}

fn parses_somewhere(out: TokenStream) -> bool {
    use syn::parse::Parser;
    parse_expr(out.clone()).is_ok()
        || parse_stmts(out.clone()).is_ok()
        || parse_items(out.clone()).is_ok()
        || syn::parse2::<syn::Type>(out.clone()).is_ok()
        || syn::Pat::parse_multi_with_leading_vert.parse2(out).is_ok()
}

/// Every macro invocation in a file, outside `macro_rules!` bodies.
struct Invocations(Vec<syn::Macro>);

impl<'ast> Visit<'ast> for Invocations {
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if !m.path.is_ident("macro_rules") {
            self.0.push(m.clone());
        }
    }
}

fn collect_rs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

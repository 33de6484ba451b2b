//! Compile-time behaviour of `#[fork_guard::child]`, `child_closure!` and
//! `#[fork_guard::checked]`: every engine rule has a failing case in
//! `tests/ui/*.rs` (golden output in the `.stderr` next to it) and a passing
//! twin in `tests/ui/pass/`, plus one file per misuse.
//!
//! Regenerate the golden files with
//! `TRYBUILD=overwrite cargo test -p fork-guard --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}

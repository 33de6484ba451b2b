//! Unit tests of the flow analysis live in the fixture corpus
//! (`tests/fixtures/flow/`); these check the work it does.

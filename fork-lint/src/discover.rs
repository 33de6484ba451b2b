//! From command-line paths to crates: walks `*.rs` files, splits them into
//! crates by their nearest `Cargo.toml`, assigns module paths.
//! (Work in progress.)

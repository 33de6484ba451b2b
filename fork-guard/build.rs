//! Decides once whether the guard is compiled in.
//!
//! The guard is active in builds with `debug_assertions` and, in release
//! builds, only with the `release` feature. Everything else compiles to the
//! inert, zero-cost variants (see `src/inert.rs`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(fork_guard_active)");
    println!("cargo::rerun-if-changed=build.rs");
    let debug_assertions = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    let release_feature = std::env::var_os("CARGO_FEATURE_RELEASE").is_some();
    if debug_assertions || release_feature {
        println!("cargo::rustc-cfg=fork_guard_active");
    }
}

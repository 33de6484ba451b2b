//! Decides once whether the guard is compiled in.
//!
//! The guard is active in builds with `debug_assertions` and, in release
//! builds, only with the `release` feature. Everything else compiles to the
//! inert, zero-cost variants (see `src/inert.rs`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(fork_guard_active)");
    println!("cargo::rustc-check-cfg=cfg(fork_guard_sentinel)");
    println!("cargo::rerun-if-changed=build.rs");
    let debug_assertions = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    let release_feature = std::env::var_os("CARGO_FEATURE_RELEASE").is_some();
    if debug_assertions || release_feature {
        println!("cargo::rustc-cfg=fork_guard_active");
        // The deadlock sentinel reads `/proc/<pid>/syscall` and a 64-bit
        // Linux `siginfo_t`: Linux on x86_64 and aarch64 only.
        let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
        let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
        if os == "linux" && (arch == "x86_64" || arch == "aarch64") {
            println!("cargo::rustc-cfg=fork_guard_sentinel");
        }
    }
}

//! The `auto-install` feature: the guard is installed before `main` by the
//! `.init_array` constructor, without any call to `install`.
//!
//! `cargo test -p fork-guard --features auto-install --test auto_install`

fn main() {
    // Nothing in this binary calls `install`.
    assert!(
        fork_guard::is_active(),
        "debug builds have the guard compiled in"
    );
    assert!(
        fork_guard::is_installed(),
        "the .init_array constructor installed the guard before main"
    );
    println!("test auto_install_runs_before_main ... ok");
}

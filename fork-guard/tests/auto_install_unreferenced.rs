//! The `auto-install` feature in a binary whose only mention of the crate is
//! `use fork_guard as _;` (what the docs ask for: an unmentioned dependency
//! is not linked, so its constructor would not exist). Evidence that
//! `install` ran, without calling into the crate: the wipe-on-fork page
//! (`wf` among the `VmFlags` in /proc/self/smaps).
//!
//! `cargo test -p fork-guard --features auto-install --test auto_install_unreferenced`

use fork_guard as _;

fn main() {
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("read /proc/self/smaps");
    let wf = smaps
        .lines()
        .any(|l| l.starts_with("VmFlags:") && l.split_whitespace().any(|f| f == "wf"));
    assert!(wf, "no wipe-on-fork mapping: the constructor did not run");
    println!("test auto_install_with_use_as_underscore ... ok");
}

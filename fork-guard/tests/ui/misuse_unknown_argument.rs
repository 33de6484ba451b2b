#[fork_guard::child(deny(alloc))]
fn child() {}

fn main() {}

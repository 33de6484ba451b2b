#[fork_guard::child(allow(aloc, reason = "typo"))]
fn child() {}

fn main() {}

#[fork_guard::checked]
struct S;

fn main() {}

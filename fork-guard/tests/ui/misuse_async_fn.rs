#[fork_guard::child]
async fn child() {}

fn main() {}

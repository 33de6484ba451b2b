#[fork_guard::child]
fn child() -> bool {
    std::env::var_os("HOME").is_some()
}

fn main() {
    let _ = child;
}

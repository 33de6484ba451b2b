#[fork_guard::child]
fn child() -> ! {
    std::process::exit(127)
}

fn main() {
    let _ = child;
}

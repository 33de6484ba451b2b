#[fork_guard::child]
fn child() {
    let pump = std::thread::spawn(|| ());
    let _ = pump;
}

fn main() {
    let _ = child;
}

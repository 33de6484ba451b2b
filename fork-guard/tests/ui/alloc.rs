#[fork_guard::child]
fn child(n: usize) -> usize {
    let v = vec![0u8; n];
    v.len()
}

fn main() {
    let _ = child;
}

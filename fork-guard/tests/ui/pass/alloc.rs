// The buffer is allocated before the fork; the child only reads it.
#[fork_guard::child]
fn child(buf: &[u8]) -> usize {
    buf.len()
}

fn main() {
    let _ = child;
}

#[fork_guard::child]
fn child(buf: &mut Vec<u8>) {
    #[fork_guard::allow(allocation, reason = "typo")]
    buf.push(1);
}

fn main() {}

#[fork_guard::child]
fn child(buf: &mut Vec<u8>) {
    #[fork_guard::allow(alloc, reason = "capacity reserved before fork")]
    buf.push(1);
}

#[fork_guard::child(allow(alloc, reason = "capacity reserved before fork"))]
fn child_whole(buf: &mut Vec<u8>) {
    buf.push(1);
    buf.push(2);
}

fn main() {
    let _ = (child, child_whole);
}

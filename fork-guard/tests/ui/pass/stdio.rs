#[fork_guard::child]
fn child() {
    const MSG: &[u8] = b"child: dropping privileges\n";
    // SAFETY: MSG is valid for MSG.len() bytes; write(2) is async-signal-safe.
    unsafe {
        libc::write(2, MSG.as_ptr().cast(), MSG.len());
    }
}

fn main() {
    let _ = child;
}

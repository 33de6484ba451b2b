#[fork_guard::child]
fn child() {
    eprintln!("child: dropping privileges");
}

fn main() {
    let _ = child;
}

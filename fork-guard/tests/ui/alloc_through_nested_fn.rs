// The engine follows calls into functions defined inside the item and shows
// the chain.
#[fork_guard::child]
fn child() -> usize {
    fn label() -> String {
        String::from("child")
    }
    label().len()
}

fn main() {
    let _ = child;
}

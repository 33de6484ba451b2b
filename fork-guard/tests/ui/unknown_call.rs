mod setup {
    pub fn logging() -> usize {
        let s = String::from("log");
        s.len()
    }
}

#[fork_guard::child]
fn child() -> usize {
    setup::logging()
}

fn main() {
    let _ = child;
}

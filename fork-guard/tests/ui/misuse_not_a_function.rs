#[fork_guard::child]
struct Config {
    uid: u32,
}

fn main() {}

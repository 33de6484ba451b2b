use std::sync::Mutex;

#[fork_guard::child]
fn child(config: &Mutex<u32>) -> u32 {
    let uid = *config.lock().unwrap_or_else(|e| e.into_inner());
    uid
}

fn main() {
    let _ = child;
}

fn main() {
    let _ = fork_guard::child_closure!(42);
}

// A function of a crate the knowledge table does not cover, and that is not
// marked #[fork_guard::child] by its authors.
#[fork_guard::child]
fn child() {
    backtrace::trace(|_frame| true);
}

fn main() {
    let _ = child;
}

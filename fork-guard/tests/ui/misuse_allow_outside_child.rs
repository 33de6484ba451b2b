// `#[fork_guard::allow]` is an inert marker read by #[fork_guard::child],
// #[fork_guard::checked] and child_closure!; on its own it names nothing.
// On the function itself, write #[fork_guard::child(allow(..))].
#[fork_guard::allow(alloc, reason = "misplaced")]
fn child() {}

fn main() {
    child();
}

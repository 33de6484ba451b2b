// The shape from nix's documentation: `fork` and `ForkResult` imported with
// `use`, out of the attribute's sight. The bare `fork()` is a fork site and
// the `Ok(ForkResult::Child)` arm is child code.
use nix::unistd::{fork, ForkResult};

#[fork_guard::checked]
fn spawn() {
    // SAFETY: test of a bare nix fork: the child allocates.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            let greeting = String::from("hello");
            std::hint::black_box(greeting);
            // SAFETY: ends the child.
            unsafe { libc::_exit(0) };
        }
        Ok(ForkResult::Parent { .. }) | Err(_) => {}
    }
}

fn main() {
    let _ = spawn;
}

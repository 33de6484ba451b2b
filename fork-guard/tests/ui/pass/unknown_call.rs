// A callee marked #[fork_guard::child] is checked where it is defined, and
// may be called through a module path or a `use` import.
mod setup {
    #[fork_guard::child]
    pub fn close_fds(from: libc::c_int) {
        // SAFETY: close is async-signal-safe; closing a closed descriptor
        // fails harmlessly.
        unsafe {
            libc::close(from);
        }
    }
}

use setup::close_fds;

#[fork_guard::child]
fn child() {
    setup::close_fds(3);
    close_fds(4);
}

// A reviewed unmarked call, accepted explicitly.
fn audited() {}

#[fork_guard::child]
fn child_with_audited_call() {
    #[fork_guard::allow(unknown_call, reason = "audited: does nothing")]
    audited();
}

fn main() {
    let _ = (child, child_with_audited_call);
}

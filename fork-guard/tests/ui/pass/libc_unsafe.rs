// The groups are looked up before the fork; the child makes the system call.
#[fork_guard::child]
fn child(groups: &[libc::gid_t]) -> libc::c_int {
    // SAFETY: `groups` is valid for `groups.len()` entries; setgroups is a
    // system call.
    unsafe { libc::setgroups(groups.len(), groups.as_ptr()) }
}

fn main() {
    let _ = child;
}

use std::ffi::CStr;

// HOME is read in the parent and passed in.
#[fork_guard::child]
fn child(home: &CStr) -> libc::c_int {
    // SAFETY: `home` is a valid NUL-terminated string; chdir is
    // async-signal-safe.
    unsafe { libc::chdir(home.as_ptr()) }
}

fn main() {
    let _ = child;
}

// nix is not a dependency of fork-guard: this stand-in has the signature of
// `nix::unistd::execv`. The macro judges the path as written, exactly as it
// would a call into the real crate.
mod nix {
    pub mod unistd {
        pub fn execv(_path: &std::ffi::CStr, _argv: &[std::ffi::CString]) -> Result<(), ()> {
            Err(())
        }
    }
}

#[fork_guard::child]
fn child(prog: &std::ffi::CStr, argv: &[std::ffi::CString]) -> ! {
    let _ = nix::unistd::execv(prog, argv);
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(127) }
}

fn main() {
    let _ = child;
}

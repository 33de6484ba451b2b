use std::os::unix::process::CommandExt;

fn main() {
    let dir = std::ffi::CString::new("/").unwrap();
    let mut cmd = std::process::Command::new("true");
    // SAFETY: the closure only calls async-signal-safe functions.
    unsafe {
        cmd.pre_exec(fork_guard::child_closure!(move || {
            if libc::chdir(dir.as_ptr()) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        }));
    }
}

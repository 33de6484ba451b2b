use std::os::unix::process::CommandExt;

fn main() {
    let mut cmd = std::process::Command::new("true");
    // SAFETY: this test only compiles the closure.
    unsafe {
        cmd.pre_exec(fork_guard::child_closure!(|| {
            let dir = format!("/proc/{}", 1);
            let _ = dir;
            Ok(())
        }));
    }
}

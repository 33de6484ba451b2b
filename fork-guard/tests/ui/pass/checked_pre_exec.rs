use std::os::unix::process::CommandExt;

#[fork_guard::checked]
fn spawn() -> std::io::Result<std::process::Child> {
    let mut cmd = std::process::Command::new("true");
    println!("in the parent: allowed");
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn()
}

fn main() {
    let _ = spawn;
}

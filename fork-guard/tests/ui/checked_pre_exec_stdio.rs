use std::os::unix::process::CommandExt;

#[fork_guard::checked]
fn spawn() -> std::io::Result<std::process::Child> {
    let mut cmd = std::process::Command::new("true");
    // SAFETY: test of a pre_exec closure.
    unsafe {
        cmd.pre_exec(|| {
            println!("in the child");
            Ok(())
        });
    }
    cmd.spawn()
}

fn main() {
    let _ = spawn;
}

use std::os::unix::process::CommandExt;
use std::process::Command;

fn bad() {
    let mut cmd = Command::new("true");
    unsafe {
        cmd.pre_exec(|| {
            let name = format!("child-{}", 1);
            std::env::set_var("NAME", &name);
            Ok(())
        });
    }
    let _ = cmd.status();
}

fn good() {
    let mut cmd = Command::new("true");
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let _ = cmd.status();
}

fn main() {
    bad();
    good();
}

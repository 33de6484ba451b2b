//! `pre_exec` with a closure checked by `fork_guard::child_closure!`.
//!
//! Everything the child needs (the C string, the descriptor) is prepared in
//! the parent; the closure only calls async-signal-safe functions, which the
//! macro verifies at compile time, and the runtime guard is armed in the
//! child while it runs.
//!
//! Run: `cargo run -p fork-guard --example pre_exec_child`

use std::ffi::CString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

#[global_allocator]
static ALLOC: fork_guard::GuardAlloc<std::alloc::System> =
    fork_guard::GuardAlloc::new(std::alloc::System);

/// Writes a fixed message to stderr: async-signal-safe, no allocation.
#[fork_guard::child]
fn note(msg: &[u8]) {
    // SAFETY: `msg` is valid for `msg.len()` bytes; write(2) is
    // async-signal-safe.
    unsafe {
        libc::write(2, msg.as_ptr().cast(), msg.len());
    }
}

fn main() -> io::Result<()> {
    fork_guard::install();
    // Prepared before the fork: allocation is fine here.
    let dir = CString::new("/").expect("no NUL byte");
    let worker = std::thread::spawn(|| {
        // Another thread alive at fork time: the situation fork-guard is for.
        std::thread::sleep(std::time::Duration::from_millis(200));
    });

    let mut cmd = Command::new("pwd");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: the closure only calls async-signal-safe functions (chdir,
    // setsid, write), as fork_guard::child_closure! checks at compile time;
    // `dir` was allocated before the fork and is only read.
    unsafe {
        cmd.pre_exec(fork_guard::child_closure!(move || {
            if libc::chdir(dir.as_ptr()) == -1 {
                return Err(io::Error::last_os_error());
            }
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            note(b"pre_exec_child: child ready to exec\n");
            Ok(())
        }));
    }
    let output = cmd.output()?;
    worker.join().expect("worker thread panicked");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    let cwd = String::from_utf8_lossy(&output.stdout);
    println!("child ran in {}", cwd.trim());
    if !output.status.success() || cwd.trim() != "/" {
        return Err(io::Error::other(format!(
            "unexpected child result: {:?}, cwd {:?}",
            output.status,
            cwd.trim()
        )));
    }
    Ok(())
}

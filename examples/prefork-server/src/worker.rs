//! The worker pool: each worker is a forked child that accepts connections.

use std::io::{Read, Write};
use std::net::TcpListener;

use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, fork};

use crate::{log, metrics};

/// Forks `count` workers that serve `listener`; returns their pids.
pub fn spawn_workers(listener: &TcpListener, count: usize) -> std::io::Result<Vec<Pid>> {
    let mut pids = Vec::with_capacity(count);
    for index in 0..count {
        // SAFETY: none. The children below break the rules of fork(2) in a
        // multithreaded process; this example exists to show fork-lint why.
        match unsafe { fork() } {
            Ok(ForkResult::Parent { child }) => pids.push(child),
            Ok(ForkResult::Child) => {
                // Bug: `child_started` prints with `println!` (stdout lock, allocation).
                log::child_started(index);
                // Bug: reads the environment (a `String` allocation, the env lock).
                let verbose = std::env::var("PREFORK_VERBOSE").is_ok();
                serve(listener, index, verbose);
                // Bug: `exit` runs atexit handlers and flushes stdio buffers
                // inherited from the parent; use `libc::_exit`.
                std::process::exit(0);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(pids)
}

/// Accepts and echoes connections until the listener fails.
fn serve(listener: &TcpListener, slot: usize, verbose: bool) {
    let mut buf = [0u8; 4096];
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { break };
        let n = stream.read(&mut buf).unwrap_or(0);
        let _ = stream.write_all(&buf[..n]);
        // Bug: locks a mutex another thread may have held at fork time.
        metrics::record(slot);
        if verbose {
            log::info(&format!("worker {slot} echoed {n} bytes"));
        }
    }
}

/// Waits for the workers.
pub fn supervise(workers: Vec<Pid>) {
    for pid in workers {
        let _ = waitpid(pid, None);
    }
}

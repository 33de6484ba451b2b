//! Logging helpers shared by the parent and the workers.

use std::io::Write;

/// Logs a line with the process id.
pub fn info(message: &str) {
    let line = format!("[{}] {message}", std::process::id());
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Called by each worker right after fork.
pub fn child_started(index: usize) {
    println!("worker {index} started as pid {}", std::process::id());
}

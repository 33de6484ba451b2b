//! A pre-forking echo server: the parent binds, starts a metrics thread,
//! forks a pool of workers and supervises them.
//!
//! It is multithreaded before it forks (the metrics thread, and whatever the
//! allocator and stdio hold), so every child may only call async-signal-safe
//! functions until it execs or `_exit`s. Run `fork-lint` on this folder to
//! see where it does not.

mod daemon;
mod hooks;
mod log;
mod metrics;
mod worker;

use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    hooks::run_start_hook("/usr/local/bin/on-start")?;
    daemon::spawn_log_shipper()?;
    let listener = TcpListener::bind("127.0.0.1:7878")?;
    metrics::start_reporter();
    let workers = worker::spawn_workers(&listener, 4)?;
    log::info(&format!("started {} workers", workers.len()));
    hooks::run_reload_hook("/usr/local/bin/on-reload")?;
    worker::supervise(workers);
    Ok(())
}

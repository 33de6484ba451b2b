//! Request counters, shared between threads, reported every few seconds.

use std::sync::Mutex;
use std::time::Duration;

/// Requests served, per worker slot.
pub static REQUESTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// Starts the thread that prints the counters: from here on the process is
/// multithreaded.
pub fn start_reporter() {
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            let counts = REQUESTS.lock().unwrap();
            crate::log::info(&format!("requests: {:?}", *counts));
        }
    });
}

/// Counts one request for worker `slot`.
pub fn record(slot: usize) {
    let mut counts = REQUESTS.lock().unwrap();
    if counts.len() <= slot {
        counts.resize(slot + 1, 0);
    }
    counts[slot] += 1;
}

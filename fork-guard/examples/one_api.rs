//! One lock API for every build: guards, a `Condvar` and a trait
//! implemented on both fork-guard's and std's guard types. Built and run by
//! `tests/release_inert.rs` in a debug build (guard active) and a release
//! build (guard compiled out); both must print the same.
//!
//! Before the guard types were fork-guard's in every build, this did not
//! compile in release (`fork_guard::MutexGuard` was std's, so the two impls
//! below conflicted, and std's `Condvar` took fork-guard's guard in release
//! only).

use std::sync::Arc;
use std::thread;

use fork_guard::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};

/// Something both kinds of guards can tell.
trait Describe {
    fn describe(&self) -> String;
}

impl Describe for MutexGuard<'_, Vec<u32>> {
    fn describe(&self) -> String {
        format!("fork_guard::MutexGuard of {} items", self.len())
    }
}

impl Describe for std::sync::MutexGuard<'_, Vec<u32>> {
    fn describe(&self) -> String {
        format!("std::sync::MutexGuard of {} items", self.len())
    }
}

impl Describe for RwLockReadGuard<'_, Vec<u32>> {
    fn describe(&self) -> String {
        format!("fork_guard::RwLockReadGuard of {} items", self.len())
    }
}

/// Generic code over the guard type.
fn total<G: std::ops::Deref<Target = Vec<u32>> + Describe>(g: &G) -> (u32, String) {
    (g.iter().sum(), g.describe())
}

static QUEUE: Mutex<Vec<u32>> = Mutex::with_name("queue", Vec::new());
static READY: Condvar = Condvar::new();

fn main() {
    fork_guard::install();
    // A producer and a consumer through fork_guard's Condvar.
    let consumer = thread::spawn(|| {
        let mut got = Vec::new();
        while got.len() < 10 {
            let mut q = READY
                .wait_while(QUEUE.lock().unwrap(), |q| q.is_empty())
                .unwrap();
            got.extend(q.drain(..));
        }
        got
    });
    for i in 1..=10 {
        QUEUE.lock().unwrap().push(i);
        READY.notify_all();
    }
    let got = consumer.join().unwrap();
    println!("condvar: consumed {got:?}");

    let tracked = Arc::new(Mutex::new(got.clone()));
    let plain = std::sync::Mutex::new(got.clone());
    let rw = RwLock::new(got);
    for line in [
        total(&tracked.lock().unwrap()),
        total(&plain.lock().unwrap()),
        total(&rw.read().unwrap()),
    ] {
        println!("{} = {}", line.1, line.0);
    }
    let (g, timeout) = READY
        .wait_timeout(tracked.lock().unwrap(), std::time::Duration::from_millis(1))
        .unwrap();
    println!(
        "wait_timeout: timed out {}, {}",
        timeout.timed_out(),
        g.describe()
    );
}

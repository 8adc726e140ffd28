//! Shared by the `blocking_*` tests: run a test once per compiled backend from a plain thread,
//! and a watchdog that ends the process if a test hangs instead of letting it hang CI.

#![allow(dead_code, unreachable_pub)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use txaio::{Config, Runtime, Txaio, with_config};

/// A generous bound for results that arrive at once: only reached if something is broken.
pub const LONG: Duration = Duration::from_secs(30);

/// Runs `test` once per compiled backend, on this (plain) thread, with that backend current so
/// that `txaio::blocking`'s free functions go to it; the `Txaio` is its background instance.
/// Panics naming every backend it failed on.
pub fn on_every_backend(test: impl Fn(&Txaio)) {
    let mut failures = Vec::new();
    for &runtime in Runtime::compiled() {
        let txaio = with_config(Config::background(runtime));
        let _entered = txaio::__private::enter(runtime);
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| test(&txaio))) {
            failures.push(format!(
                "on {runtime}: {}",
                txaio::Panic::from_payload(&*payload)
            ));
        }
    }
    assert!(failures.is_empty(), "failed {}", failures.join("; "));
}

/// Ends the process with a message if not dropped within `LONG`: a deadlock fails loudly.
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
}

pub fn watchdog(what: &'static str) -> Watchdog {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(LONG) {
            eprintln!("watchdog: `{what}` still blocked after {LONG:?}: a deadlock");
            std::process::exit(101);
        }
    });
    Watchdog { done: Some(done) }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.done.take());
    }
}

//! An ordinary multi-threaded program, with no async anywhere in it, calling a portable async
//! library through `txaio::blocking` (crochet's pattern): 8 worker threads, each handling
//! "requests" in a loop, each request a `run_in_runtime(..).wait(timeout)`. A request that
//! takes too long is reported and cancelled; the worker moves on.
//!
//! ```text
//! cargo run --example blocking_client
//! cargo run --example blocking_client --no-default-features --features smol
//! cargo run --example blocking_client --no-default-features --features async-std
//! cargo run --example blocking_client -- --workers 4 --requests 50 --timeout-ms 100
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

// ANCHOR: library
/// The library: portable async code, no runtime named, no blocking call.
mod directory {
    use std::time::Duration;

    use txaio::Failure;

    /// Looks a user up; every tenth lookup hits a slow backend that takes an hour.
    #[txaio::portable]
    pub(crate) async fn lookup(user: u32) -> Result<String, Failure> {
        let delay = if user % 10 == 9 {
            Duration::from_secs(3600)
        } else {
            Duration::from_millis(1)
        };
        txaio::sleep(delay).await?;
        Ok(format!("user-{user}@example.invalid"))
    }
}
// ANCHOR_END: library

/// What the workers saw, all together.
#[derive(Default)]
struct Tally {
    served: AtomicUsize,
    timed_out: AtomicUsize,
    failed: AtomicUsize,
    slowest: Mutex<Duration>,
}

struct Options {
    workers: u32,
    requests: u32,
    timeout: Duration,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        workers: 8,
        requests: 20,
        timeout: Duration::from_millis(200),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u32>()
                .map_err(|error| format!("{flag} {value}: {error}"))
        };
        match flag.as_str() {
            "--workers" => options.workers = number()?.max(1),
            "--requests" => options.requests = number()?,
            "--timeout-ms" => options.timeout = Duration::from_millis(number()?.into()),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

// ANCHOR: worker
/// One worker thread of a sync server: a plain loop of blocking calls into the library.
fn worker(id: u32, options: &Options, tally: &Tally) {
    for request in 0..options.requests {
        let user = id * options.requests + request;
        let started = Instant::now();
        let result = txaio::blocking::run_in_runtime(move || directory::lookup(user));
        match result.wait(options.timeout) {
            Ok(_address) => {
                tally.served.fetch_add(1, Ordering::Relaxed);
                let took = started.elapsed();
                let mut slowest = tally.slowest.lock().unwrap_or_else(PoisonError::into_inner);
                *slowest = (*slowest).max(took);
            }
            Err(failure) if failure.is::<txaio::TimeoutError>() => {
                // Give up on it: cancelling stops the lookup and releases its timer.
                result.cancel();
                tally.timed_out.fetch_add(1, Ordering::Relaxed);
                println!(
                    "worker {id}: lookup of user {user} timed out after {:?}; cancelled",
                    options.timeout
                );
            }
            Err(failure) => {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                println!(
                    "worker {id}: lookup of user {user} failed: {}",
                    txaio::failure_message(&failure)
                );
            }
        }
    }
}
// ANCHOR_END: worker

fn main() -> Result<(), String> {
    let options = Arc::new(options()?);
    // ANCHOR: setup
    txaio::blocking::setup();
    // ANCHOR_END: setup
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let workers: Vec<_> = (0..options.workers)
        .map(|id| {
            let (options, tally) = (options.clone(), tally.clone());
            std::thread::spawn(move || worker(id, &options, &tally))
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| "a worker thread panicked".to_owned())?;
    }
    let total = options.workers * options.requests;
    println!(
        "{} workers on {}: {} of {total} requests served, {} timed out, {} failed, in {:?} \
         (slowest served: {:?})",
        options.workers,
        txaio::runtime(),
        tally.served.load(Ordering::Relaxed),
        tally.timed_out.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        started.elapsed(),
        *tally.slowest.lock().unwrap_or_else(PoisonError::into_inner),
    );
    if tally.failed.load(Ordering::Relaxed) > 0 {
        return Err("some requests failed".to_owned());
    }
    Ok(())
}

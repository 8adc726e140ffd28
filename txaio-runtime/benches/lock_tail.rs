//! Throughput and tail latency of txaio's internal short lock under more threads than cores:
//! 16 OS threads on the coordination primitives, no runtime (and 1, for the uncontended cost).
//!
//! ```sh
//! cargo bench -p txaio-runtime --bench lock_tail
//! RUSTFLAGS='--cfg txaio_std_short_lock' \
//!     cargo bench -p txaio-runtime --bench lock_tail --target-dir target/std-short-lock
//! ```
//!
//! The second builds the same code with `std::sync::Mutex` as the short lock. Two workloads:
//!
//! - `queue`: each thread puts a value into a shared `DeferredQueue` and takes one back
//!   (`try_get`): two short critical sections per operation;
//! - `lock`: each thread calls `DeferredLock::run` with a trivial function and waits (yielding)
//!   until its result fires: the wait for the lock itself, hand-overs included.
//!
//! Prints operations per second and the p50, p99 and p99.9 latency of one operation.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use txaio_runtime::{DeferredLock, DeferredQueue, Failure};

const THREADS: usize = 16;
const OPS: usize = 20_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Runs `op` `OPS` times on each of `THREADS` threads, started together; prints the figures.
fn measure(name: &str, threads: usize, op: impl Fn() + Send + Sync + 'static) {
    let op = Arc::new(op);
    let start = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (op, start) = (Arc::clone(&op), Arc::clone(&start));
            thread::spawn(move || {
                let mut latencies = Vec::with_capacity(OPS);
                start.wait();
                for _ in 0..OPS {
                    let begun = Instant::now();
                    op();
                    latencies.push(begun.elapsed());
                }
                latencies
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut latencies: Vec<Duration> = handles
        .into_iter()
        .flat_map(|thread| thread.join().expect("a bench thread"))
        .collect();
    let elapsed = began.elapsed();
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let per_second = (threads * OPS) as f64 / elapsed.as_secs_f64();
    println!(
        "| {name} | {threads} | {} | {per_second:.0} | {:?} | {:?} | {:?} |",
        if cfg!(txaio_std_short_lock) {
            "std::sync::Mutex"
        } else {
            "spin (yield)"
        },
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.999),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, briefly, as a check.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("lock_tail: run with `cargo bench`");
        return;
    }
    println!("| workload | threads | short lock | ops/s | p50 | p99 | p99.9 |");
    println!("|---|---|---|---|---|---|---|");
    for threads in [1, THREADS] {
        let queue = DeferredQueue::new(None, None);
        measure("queue put + try_get", threads, move || {
            queue.put(7u64).expect("an unbounded queue");
            let _ = queue.try_get();
        });
        let lock = DeferredLock::new();
        measure("lock run, waited", threads, move || {
            let done = lock.run(|| Ok::<_, Failure>(()));
            while !txaio_runtime::is_called(&done) {
                thread::yield_now();
            }
        });
    }
}

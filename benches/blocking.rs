//! `cargo bench --bench blocking`: one round trip from a plain thread into the runtime and back.
//!
//! - `txaio::blocking::run_in_runtime(..).wait(..)` (tokio's background runtime, and the same
//!   through `Txaio` on smol and async-std)
//! - `tokio::runtime::Handle::block_on` of the same work: inline on the calling thread, and
//!   hopping to the runtime (`block_on(handle.spawn(..))`), as `run_in_runtime` does
//! - a `std::sync::mpsc` round trip to a worker thread
//!
//! After the timings it prints allocations per round trip.

mod support;

use std::hint::black_box;
use std::sync::mpsc;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use support::allocations_per_op;
use txaio::{Config, Failure, Runtime, with_config};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The work done on the other side: trivially small, so the round trip is what is measured.
fn work(n: u64) -> u64 {
    black_box(n).wrapping_mul(2)
}

type Job = Box<dyn FnOnce() -> u64 + Send>;

/// A worker thread fed by one channel and answering on another.
struct MpscWorker {
    jobs: mpsc::Sender<Job>,
    answers: mpsc::Receiver<u64>,
}

impl MpscWorker {
    fn start() -> MpscWorker {
        let (jobs, incoming) = mpsc::channel::<Job>();
        let (answer, answers) = mpsc::channel();
        std::thread::spawn(move || {
            for job in incoming {
                if answer.send(job()).is_err() {
                    break;
                }
            }
        });
        MpscWorker { jobs, answers }
    }

    fn round_trip(&self, n: u64) -> u64 {
        self.jobs.send(Box::new(move || work(n))).unwrap();
        self.answers.recv().unwrap()
    }
}

fn timings(c: &mut Criterion) {
    txaio::blocking::setup();
    let tokio_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let handle = tokio_runtime.handle().clone();
    let worker = MpscWorker::start();
    let mut group = c.benchmark_group("blocking/round-trip");
    group.bench_function("txaio-run_in_runtime-wait", |b| {
        b.iter(|| {
            txaio::blocking::run_in_runtime(|| Ok::<_, Failure>(work(21)))
                .wait(TIMEOUT)
                .unwrap()
        });
    });
    for &runtime in Runtime::compiled() {
        if runtime == Runtime::Tokio {
            continue;
        }
        let txaio = with_config(Config::background(runtime));
        group.bench_function(format!("txaio-run_in_runtime-wait/{runtime}"), |b| {
            b.iter(|| {
                txaio
                    .run_in_runtime(|| Ok::<_, Failure>(work(21)))
                    .wait(TIMEOUT)
                    .unwrap()
            });
        });
    }
    group.bench_function("tokio-block_on-inline", |b| {
        b.iter(|| handle.block_on(async { work(21) }));
    });
    group.bench_function("tokio-block_on-spawn", |b| {
        b.iter(|| handle.block_on(handle.spawn(async { work(21) })).unwrap());
    });
    group.bench_function("std-mpsc-worker", |b| b.iter(|| worker.round_trip(21)));
    group.finish();
}

fn allocations() {
    const ROUNDS: usize = 10_000;
    let worker = MpscWorker::start();
    println!("\nallocations per round trip ({ROUNDS} rounds):");
    println!("| round trip | allocations/op |");
    println!("|---|---|");
    let txaio = allocations_per_op(ROUNDS, || {
        black_box(
            txaio::blocking::run_in_runtime(|| Ok::<_, Failure>(work(21)))
                .wait(TIMEOUT)
                .unwrap(),
        );
    });
    println!("| txaio run_in_runtime + wait | {txaio:.2} |");
    let mpsc = allocations_per_op(ROUNDS, || {
        black_box(worker.round_trip(21));
    });
    println!("| std mpsc to a worker | {mpsc:.2} |");
}

criterion_group!(benches, timings);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    allocations();
}

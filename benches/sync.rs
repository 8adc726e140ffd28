//! `cargo bench --bench sync`: the coordination primitives beside their peers.
//!
//! - `DeferredQueue` put + get (a value stored, then taken and awaited), against
//!   `async-channel` and `tokio::sync::mpsc` (unbounded, send + recv awaited)
//! - the same with the get waiting first (put hands the value over)
//! - `DeferredLock::run` on a free lock, against `tokio::sync::Mutex` and `async_lock::Mutex`
//!   (lock awaited, a trivial critical section, unlock)
//!
//! - the floor both txaio figures stand on: one deferred created fired and awaited, as `get`
//!   and `run` return one
//!
//! Every future here is ready when polled, so each is polled once, without a runtime.

mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use support::{allocations_per_op, ready};

fn queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("sync/queue put+get");
    let queue = txaio::DeferredQueue::new(None, None);
    group.bench_function("txaio DeferredQueue", |b| {
        b.iter(|| {
            queue.put(black_box(7u64)).unwrap();
            ready(queue.get().unwrap()).unwrap()
        });
    });
    let (tx, rx) = async_channel::unbounded::<u64>();
    group.bench_function("async-channel", |b| {
        b.iter(|| {
            tx.try_send(black_box(7)).unwrap();
            ready(rx.recv()).unwrap()
        });
    });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    group.bench_function("tokio mpsc", |b| {
        b.iter(|| {
            tx.send(black_box(7)).unwrap();
            ready(rx.recv()).unwrap()
        });
    });
    group.bench_function("floor: txaio create_future_success + await", |b| {
        b.iter(|| ready(txaio::create_future_success(black_box(7u64))).unwrap());
    });
    group.finish();

    let mut group = c.benchmark_group("sync/queue get-waits+put");
    group.bench_function("txaio DeferredQueue", |b| {
        b.iter(|| {
            let get = queue.get().unwrap();
            queue.put(black_box(7u64)).unwrap();
            ready(get).unwrap()
        });
    });
    group.finish();
}

fn lock(c: &mut Criterion) {
    let mut group = c.benchmark_group("sync/lock run");
    let lock = txaio::DeferredLock::new();
    group.bench_function("txaio DeferredLock::run", |b| {
        b.iter(|| ready(lock.run(|| Ok::<_, txaio::Failure>(black_box(7u64)))).unwrap());
    });
    group.bench_function("floor: txaio create_future_success + await", |b| {
        b.iter(|| ready(txaio::create_future_success(black_box(7u64))).unwrap());
    });
    let mutex = tokio::sync::Mutex::new(0u64);
    group.bench_function("tokio Mutex", |b| {
        b.iter(|| {
            ready(async {
                let mut guard = mutex.lock().await;
                *guard += black_box(7);
                *guard
            })
        });
    });
    let mutex = async_lock::Mutex::new(0u64);
    group.bench_function("async-lock Mutex", |b| {
        b.iter(|| {
            ready(async {
                let mut guard = mutex.lock().await;
                *guard += black_box(7);
                *guard
            })
        });
    });
    group.finish();
}

fn allocations() {
    const ROUNDS: usize = 100_000;
    let queue = txaio::DeferredQueue::new(None, None);
    let lock = txaio::DeferredLock::new();
    println!("\nallocations per operation ({ROUNDS} rounds):");
    println!("| operation | allocations/op |");
    println!("|---|---|");
    let put_get = allocations_per_op(ROUNDS, || {
        queue.put(7u64).unwrap();
        black_box(ready(queue.get().unwrap()).unwrap());
    });
    println!("| txaio DeferredQueue put + get | {put_get:.2} |");
    let waiting = allocations_per_op(ROUNDS, || {
        let get = queue.get().unwrap();
        queue.put(7u64).unwrap();
        black_box(ready(get).unwrap());
    });
    println!("| txaio DeferredQueue get (waits) + put | {waiting:.2} |");
    let run = allocations_per_op(ROUNDS, || {
        black_box(ready(lock.run(|| Ok::<_, txaio::Failure>(7u64))).unwrap());
    });
    println!("| txaio DeferredLock::run | {run:.2} |");
}

criterion_group!(benches, queue, lock);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    allocations();
}

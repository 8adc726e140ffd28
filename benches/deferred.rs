//! `cargo bench --bench deferred`: the cost of one deferred, beside one-shot channels.
//!
//! - create + add_callbacks + resolve (callback style)
//! - create + resolve + await, against `futures::channel::oneshot` and `tokio::sync::oneshot`
//!
//! - create + add_callbacks + cancel: the cost of a cancel, whose `CancelledError` captures a
//!   backtrace only while debugging (`RUST_BACKTRACE` does not make every cancel pay for one)
//! - the same with `set_debugging` off and on
//!
//! After the timings it prints allocations per operation, counted by a counting allocator.

mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use support::{allocations_per_op, ready};

fn txaio_callbacks() {
    let d = txaio::create_future::<u64>();
    txaio::add_callbacks(
        &d,
        |value| {
            black_box(value);
        },
        |failure| {
            black_box(failure);
        },
    );
    txaio::resolve(&d, black_box(7)).unwrap();
}

fn txaio_await() -> u64 {
    let d = txaio::create_future::<u64>();
    txaio::resolve(&d, black_box(7)).unwrap();
    ready(d).unwrap()
}

fn txaio_cancel() {
    let d = txaio::create_future::<u64>();
    txaio::add_callbacks(
        &d,
        |value| {
            black_box(value);
        },
        |failure| {
            black_box(failure);
        },
    );
    txaio::cancel(&d);
}

fn futures_oneshot_await() -> u64 {
    let (tx, rx) = futures::channel::oneshot::channel::<u64>();
    tx.send(black_box(7)).unwrap();
    ready(rx).unwrap()
}

fn tokio_oneshot_await() -> u64 {
    let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
    tx.send(black_box(7)).unwrap();
    ready(rx).unwrap()
}

fn timings(c: &mut Criterion) {
    c.bench_function("deferred/create+add_callbacks+resolve/txaio", |b| {
        b.iter(txaio_callbacks);
    });
    c.bench_function("deferred/create+add_callbacks+cancel/txaio", |b| {
        b.iter(txaio_cancel);
    });
    let mut group = c.benchmark_group("deferred/create+resolve+await");
    group.bench_function("txaio", |b| b.iter(txaio_await));
    group.bench_function("futures-oneshot", |b| b.iter(futures_oneshot_await));
    group.bench_function("tokio-oneshot", |b| b.iter(tokio_oneshot_await));
    group.finish();
    // `set_debugging(true)` records creation and firing sites with backtraces: what that costs
    // when on, and that off it costs nothing beside the figures above.
    let mut group = c.benchmark_group("deferred/debugging");
    for on in [false, true] {
        let label = if on { "on" } else { "off" };
        txaio::set_debugging(on);
        group.bench_function(format!("create+add_callbacks+resolve/{label}"), |b| {
            b.iter(txaio_callbacks);
        });
        group.bench_function(format!("create+resolve+await/{label}"), |b| {
            b.iter(txaio_await);
        });
        group.bench_function(format!("create+add_callbacks+cancel/{label}"), |b| {
            b.iter(txaio_cancel);
        });
    }
    txaio::set_debugging(false);
    group.finish();
}

fn allocations() {
    const ROUNDS: usize = 100_000;
    println!("\nallocations per operation ({ROUNDS} rounds):");
    println!("| operation | allocations/op |");
    println!("|---|---|");
    let rows: [(&str, fn()); 5] = [
        ("txaio create + resolve (no callback)", || {
            let d = txaio::create_future::<u64>();
            txaio::resolve(&d, 1).unwrap();
        }),
        ("txaio create + add_callbacks + resolve", txaio_callbacks),
        ("txaio create + resolve + await", || {
            black_box(txaio_await());
        }),
        ("futures oneshot + send + await", || {
            black_box(futures_oneshot_await());
        }),
        ("tokio oneshot + send + await", || {
            black_box(tokio_oneshot_await());
        }),
    ];
    for (name, operation) in rows {
        println!("| {name} | {:.2} |", allocations_per_op(ROUNDS, operation));
    }
    txaio::set_debugging(true);
    let debugging = allocations_per_op(ROUNDS / 100, || {
        black_box(txaio_await());
    });
    txaio::set_debugging(false);
    println!("| txaio create + resolve + await, debugging on | {debugging:.2} |");
    let three_callbacks = allocations_per_op(ROUNDS, || {
        let d = txaio::create_future::<u64>();
        for _ in 0..3 {
            txaio::add_callback(&d, |v| {
                black_box(v);
            });
        }
        txaio::resolve(&d, 1).unwrap();
    });
    println!("| txaio create + 3 add_callback + resolve | {three_callbacks:.2} |");
}

criterion_group!(benches, timings);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    allocations();
}

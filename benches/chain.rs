//! `cargo bench --bench chain`: a 10,000-long `then` chain, built then fired from its source,
//! against the same chain of `futures::FutureExt::then` (boxed, as a chain whose length is
//! known only at run time must be).
//!
//! Both build every link, feed 0 in and read 10,000 out; neither needs a runtime.

mod support;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group};
use futures::FutureExt as _;
use futures::future::{BoxFuture, ready};
use support::allocations_per_op;

const LINKS: u64 = 10_000;

fn txaio_chain() -> u64 {
    let source = txaio::create_future::<u64>();
    let mut end = source.clone();
    for _ in 0..LINKS {
        end = txaio::then(&end, |n| Ok::<_, txaio::Failure>(n + 1));
    }
    txaio::resolve(&source, black_box(0)).unwrap();
    support::ready(end).unwrap()
}

fn futures_chain() -> u64 {
    let mut end: BoxFuture<'static, u64> = ready(black_box(0)).boxed();
    for _ in 0..LINKS {
        end = end.then(|n| ready(n + 1)).boxed();
    }
    futures::executor::block_on(end)
}

/// A chain whose every link returns a deferred (flattened), fired from its innermost end.
fn txaio_nested_chain() -> u64 {
    let innermost = txaio::create_future::<u64>();
    let mut end = innermost.clone();
    for _ in 0..LINKS {
        let next = end;
        end = txaio::then(&txaio::create_future_success(()), move |()| next);
    }
    txaio::resolve(&innermost, black_box(LINKS)).unwrap();
    support::ready(end.take()).unwrap()
}

fn timings(c: &mut Criterion) {
    assert_eq!(txaio_chain(), LINKS);
    assert_eq!(futures_chain(), LINKS);
    assert_eq!(txaio_nested_chain(), LINKS);
    let mut group = c.benchmark_group("chain/10000-then");
    group.bench_function("txaio-then", |b| {
        b.iter_batched(|| (), |()| txaio_chain(), BatchSize::SmallInput);
    });
    group.bench_function("futures-then-boxed", |b| {
        b.iter_batched(|| (), |()| futures_chain(), BatchSize::SmallInput);
    });
    group.bench_function("txaio-then-returning-deferreds", |b| {
        b.iter_batched(|| (), |()| txaio_nested_chain(), BatchSize::SmallInput);
    });
    group.finish();
}

fn allocations() {
    println!("\nallocations per link (10 chains of {LINKS}):");
    println!("| chain | allocations/link |");
    println!("|---|---|");
    let per_link = |f: fn() -> u64| {
        allocations_per_op(10, || {
            black_box(f());
        }) / LINKS as f64
    };
    println!("| txaio `then` | {:.2} |", per_link(txaio_chain));
    println!("| futures `then`, boxed | {:.2} |", per_link(futures_chain));
    println!(
        "| txaio `then` returning a deferred | {:.2} |",
        per_link(txaio_nested_chain)
    );
}

criterion_group!(benches, timings);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    allocations();
}

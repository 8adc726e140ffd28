//! `cargo bench --bench gather`: gathering 10,000 deferreds, beside `futures::future::join_all`
//! over the same deferreds.

mod support;

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Waker};

use criterion::{BatchSize, Criterion, criterion_group};
use support::{allocations_per_op, ready};

const INPUTS: usize = 10_000;

fn inputs() -> Vec<txaio::Deferred<u64>> {
    (0..INPUTS).map(|_| txaio::create_future()).collect()
}

fn txaio_gather(inputs: &[txaio::Deferred<u64>]) -> usize {
    let all = txaio::gather(inputs.iter().cloned(), true);
    for (i, d) in inputs.iter().enumerate() {
        txaio::resolve(d, i as u64).unwrap();
    }
    ready(all).unwrap().len()
}

fn join_all(inputs: &[txaio::Deferred<u64>]) -> usize {
    let all = futures::future::join_all(inputs.iter().cloned());
    let mut all = pin!(all);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(all.as_mut().poll(&mut cx).is_pending());
    for (i, d) in inputs.iter().enumerate() {
        txaio::resolve(d, i as u64).unwrap();
    }
    match all.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(results) => results.len(),
        std::task::Poll::Pending => panic!("every input fired"),
    }
}

fn timings(c: &mut Criterion) {
    let mut group = c.benchmark_group("gather/10000");
    group.bench_function("txaio-gather", |b| {
        b.iter_batched(
            inputs,
            |inputs| black_box(txaio_gather(&inputs)),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("futures-join_all", |b| {
        b.iter_batched(
            inputs,
            |inputs| black_box(join_all(&inputs)),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, timings);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("\nallocations per gathered input (creation of the inputs excluded):");
    let mut batch = Vec::new();
    let per_input = |f: fn(&[txaio::Deferred<u64>]) -> usize, batch: &mut Vec<_>| {
        *batch = (0..20).map(|_| inputs()).collect::<Vec<_>>();
        let total = allocations_per_op(19, || {
            black_box(f(&batch.pop().expect("a batch per round")));
        });
        total / INPUTS as f64
    };
    println!(
        "| txaio gather | {:.2} |",
        per_input(txaio_gather, &mut batch)
    );
    println!(
        "| futures join_all | {:.2} |",
        per_input(join_all, &mut batch)
    );
}

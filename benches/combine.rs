//! `cargo bench --bench combine`: `gather_results` and `race` over 10,000 deferreds, beside
//! `futures::future::try_join_all` and `futures::future::select_all` over the same deferreds.

mod support;

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{BatchSize, Criterion, criterion_group};
use support::{allocations_per_op, ready};

const INPUTS: usize = 10_000;
/// The input that wins a race: the middle one, neither side's best case.
const WINNER: usize = INPUTS / 2;

/// One contender: runs over the inputs, gives something to keep the work observable.
type Contender = fn(&[txaio::Deferred<u64>]) -> usize;

fn inputs() -> Vec<txaio::Deferred<u64>> {
    (0..INPUTS).map(|_| txaio::create_future()).collect()
}

fn txaio_gather_results(inputs: &[txaio::Deferred<u64>]) -> usize {
    let all = txaio::gather_results(inputs.iter().cloned(), false);
    for (i, d) in inputs.iter().enumerate() {
        txaio::resolve(d, i as u64).unwrap();
    }
    ready(all).unwrap().len()
}

fn try_join_all(inputs: &[txaio::Deferred<u64>]) -> usize {
    let all = futures::future::try_join_all(inputs.iter().cloned());
    let mut all = pin!(all);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(all.as_mut().poll(&mut cx).is_pending());
    for (i, d) in inputs.iter().enumerate() {
        txaio::resolve(d, i as u64).unwrap();
    }
    match all.as_mut().poll(&mut cx) {
        Poll::Ready(values) => values.unwrap().len(),
        Poll::Pending => panic!("every input fired"),
    }
}

/// The race is won by one input, and the 9,999 others are cancelled (txaio's `race` does that
/// as part of its job).
fn txaio_race(inputs: &[txaio::Deferred<u64>]) -> usize {
    let first = txaio::race(inputs.iter().cloned());
    txaio::resolve(&inputs[WINNER], 1).unwrap();
    ready(first).unwrap().0
}

/// `select_all` leaves the losers pending; it hands them back instead.
fn select_all(inputs: &[txaio::Deferred<u64>]) -> usize {
    let first = futures::future::select_all(inputs.iter().cloned());
    let mut first = pin!(first);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(first.as_mut().poll(&mut cx).is_pending());
    txaio::resolve(&inputs[WINNER], 1).unwrap();
    match first.as_mut().poll(&mut cx) {
        Poll::Ready((value, index, rest)) => {
            value.unwrap();
            drop(rest);
            index
        }
        Poll::Pending => panic!("the winner fired"),
    }
}

/// `select_all`, then the losers cancelled by hand: what `race` does.
fn select_all_then_cancel(inputs: &[txaio::Deferred<u64>]) -> usize {
    let index = select_all(inputs);
    for (i, d) in inputs.iter().enumerate() {
        if i != index {
            txaio::cancel(d);
        }
    }
    index
}

fn bench(c: &mut Criterion, group: &str, contenders: &[(&str, Contender)]) {
    let mut group = c.benchmark_group(group);
    for &(name, contender) in contenders {
        group.bench_function(name, |b| {
            b.iter_batched(
                inputs,
                |inputs| black_box(contender(&inputs)),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn timings(c: &mut Criterion) {
    bench(
        c,
        "gather_results/10000",
        &[
            ("txaio-gather_results", txaio_gather_results),
            ("futures-try_join_all", try_join_all),
        ],
    );
    bench(
        c,
        "race/10000",
        &[
            ("txaio-race", txaio_race),
            ("futures-select_all", select_all),
            ("futures-select_all+cancel", select_all_then_cancel),
        ],
    );
}

criterion_group!(benches, timings);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("\nallocations per input (creation of the inputs excluded):");
    let per_input = |name: &str, f: Contender| {
        let mut batch: Vec<_> = (0..20).map(|_| inputs()).collect();
        let total = allocations_per_op(19, || {
            black_box(f(&batch.pop().expect("a batch per round")));
        });
        println!("| {name} | {:.2} |", total / INPUTS as f64);
    };
    per_input("txaio gather_results", txaio_gather_results);
    per_input("futures try_join_all", try_join_all);
    per_input("txaio race", txaio_race);
    per_input("futures select_all", select_all);
    per_input("futures select_all + cancel", select_all_then_cancel);
}

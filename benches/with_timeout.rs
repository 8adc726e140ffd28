//! `cargo bench -p txaio-benches --bench with_timeout`: `txaio::with_timeout` on a future that
//! is ready at once, beside `tokio::time::timeout` (target: at most 1.2x). Both are made and
//! polled once inside an entered tokio runtime, with a no-op waker, so the figure is the
//! wrapper's own cost. Then a pending future that times out on the runtime, for scale.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use support::ready;

fn timings(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let _entered = runtime.enter();
    let _tokio = txaio::__private::enter(txaio::Runtime::Tokio);
    let after = Duration::from_secs(1);

    let mut group = c.benchmark_group("with_timeout/ready future");
    group.bench_function("txaio::with_timeout", |b| {
        b.iter(|| {
            ready(txaio::with_timeout(
                after,
                std::future::ready(black_box(7u64)),
            ))
        });
    });
    group.bench_function("tokio::time::timeout", |b| {
        b.iter(|| {
            ready(tokio::time::timeout(
                after,
                std::future::ready(black_box(7u64)),
            ))
        });
    });
    group.finish();

    let mut group = c.benchmark_group("with_timeout/expires after 0 s, awaited");
    group.bench_function("txaio::with_timeout", |b| {
        b.iter(|| {
            runtime.block_on(txaio::with_timeout(
                Duration::ZERO,
                std::future::pending::<()>(),
            ))
        });
    });
    group.bench_function("tokio::time::timeout", |b| {
        b.iter(|| {
            runtime.block_on(tokio::time::timeout(
                Duration::ZERO,
                std::future::pending::<()>(),
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, timings);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

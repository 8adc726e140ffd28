//! `cargo bench --bench portable --all-features`: calling and awaiting a `#[txaio::portable]`
//! async fn, against the same body spawned by hand on the backend (`tokio::spawn(..).await`,
//! `smol::spawn(..).await`, `async_std::task::spawn(..).await`). Each backend compiled in is
//! measured, with the function pinned to it. On tokio, two floor rows show what any design
//! returning a handle of its own (as a portable fn's `Deferred` is) costs at least.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

/// Runs `iterations` sequential call+await rounds inside one `block_on`, timing the whole.
macro_rules! timed_rounds {
    ($block_on:expr, $iterations:expr, $round:expr) => {{
        let iterations = $iterations;
        $block_on(async move {
            let started = Instant::now();
            for i in 0..iterations {
                black_box($round(black_box(i)).await);
            }
            started.elapsed()
        })
    }};
}

#[cfg(feature = "tokio")]
mod on_tokio {
    use std::future::Future;

    use super::{Criterion, Duration, Instant, black_box};

    #[txaio::portable(runtime = "tokio")]
    async fn add(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }

    /// Runs `future` as a tokio task on `runtime` and waits for its output.
    fn in_task<F>(runtime: &tokio::runtime::Runtime, future: F) -> Duration
    where
        F: Future<Output = Duration> + Send + 'static,
    {
        runtime.block_on(async { tokio::spawn(future).await.unwrap() })
    }

    pub(crate) fn bench(c: &mut Criterion) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut group = c.benchmark_group("portable/tokio");
        group.bench_function("txaio-portable", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(|f| runtime.block_on(f), n, |i| async move {
                    add(i, 1).await.unwrap()
                })
            });
        });
        group.bench_function("tokio-spawn", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(|f| runtime.block_on(f), n, |i: u64| async move {
                    tokio::spawn(async move { i.wrapping_add(1) })
                        .await
                        .unwrap()
                })
            });
        });
        // The same two, called from inside a tokio task rather than from `block_on`'s future
        // (where a library's code usually runs).
        group.bench_function("txaio-portable, in a task", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(|f| in_task(&runtime, f), n, |i| async move {
                    add(i, 1).await.unwrap()
                })
            });
        });
        group.bench_function("tokio-spawn, in a task", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(|f| in_task(&runtime, f), n, |i: u64| async move {
                    tokio::spawn(async move { i.wrapping_add(1) })
                        .await
                        .unwrap()
                })
            });
        });
        // Floors: a portable fn returns a `Deferred` of its own, so its result cannot stay in
        // tokio's task cell as a `JoinHandle`'s does. The least such a design costs is a task
        // whose result travels through a second allocation: a tokio one-shot channel, then a
        // txaio deferred resolved by the task by hand (no cancel cascade, no runtime context).
        group.bench_function("floor: tokio-spawn + tokio-oneshot", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(|f| runtime.block_on(f), n, |i: u64| async move {
                    let (sender, receiver) = tokio::sync::oneshot::channel();
                    drop(tokio::spawn(async move {
                        let _ = sender.send(i.wrapping_add(1));
                    }));
                    receiver.await.unwrap()
                })
            });
        });
        group.bench_function("floor: tokio-spawn + txaio-deferred", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(|f| runtime.block_on(f), n, |i: u64| async move {
                    let deferred = txaio::create_future();
                    let resolver = deferred.clone();
                    drop(tokio::spawn(async move {
                        let _ = txaio::resolve(&resolver, i.wrapping_add(1));
                    }));
                    deferred.await.unwrap()
                })
            });
        });
        group.finish();
    }
}

#[cfg(feature = "smol")]
mod on_smol {
    use super::{Criterion, Duration, Instant, black_box};

    #[txaio::portable(runtime = "smol")]
    async fn add(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }

    pub(crate) fn bench(c: &mut Criterion) {
        let mut group = c.benchmark_group("portable/smol");
        group.bench_function("txaio-portable", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(
                    smol::block_on,
                    n,
                    |i| async move { add(i, 1).await.unwrap() }
                )
            });
        });
        group.bench_function("smol-spawn", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(smol::block_on, n, |i: u64| async move {
                    smol::spawn(async move { i.wrapping_add(1) }).await
                })
            });
        });
        group.finish();
    }
}

#[cfg(feature = "async-std")]
mod on_async_std {
    use super::{Criterion, Duration, Instant, black_box};

    #[txaio::portable(runtime = "async-std")]
    async fn add(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }

    pub(crate) fn bench(c: &mut Criterion) {
        let mut group = c.benchmark_group("portable/async-std");
        group.bench_function("txaio-portable", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(async_std::task::block_on, n, |i| async move {
                    add(i, 1).await.unwrap()
                })
            });
        });
        group.bench_function("async-std-spawn", |b| {
            b.iter_custom(|n| -> Duration {
                timed_rounds!(async_std::task::block_on, n, |i: u64| async move {
                    async_std::task::spawn(async move { i.wrapping_add(1) }).await
                })
            });
        });
        group.finish();
    }
}

fn portable(c: &mut Criterion) {
    #[cfg(feature = "tokio")]
    on_tokio::bench(c);
    #[cfg(feature = "smol")]
    on_smol::bench(c);
    #[cfg(feature = "async-std")]
    on_async_std::bench(c);
}

criterion_group!(benches, portable);
criterion_main!(benches);

//! `cargo bench --bench timers`: one million pending timers with random delays in 1..60 s.
//!
//! For each contender: insert ns/timer and cancel ns/timer (criterion, each sample a whole
//! million), then bytes/timer (counting allocator, net bytes held while all are pending) and
//! how many real runtime timers it holds. Then the stall figure: the worst delay of a task
//! ticking every millisecond while 100,000 timers come due at once.
//!
//! Contenders: txaio's batched timer (1 s buckets), txaio `call_later`, one
//! `tokio::time::sleep` task per timer, `tokio_util::time::DelayQueue`, and one async-io
//! `Timer` task per timer on a smol executor.

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use support::bytes_held;

const TIMERS: usize = 1_000_000;

fn delays() -> Vec<Duration> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    (0..TIMERS)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            Duration::from_millis(1_000 + seed % 59_000)
        })
        .collect()
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Each contender: inserts every delay and returns what cancels them, plus the runtime timers.
trait Contender {
    const NAME: &'static str;
    type Pending;
    fn insert(&mut self, delays: &[Duration]) -> Self::Pending;
    fn cancel(&mut self, pending: Self::Pending);
    fn runtime_timers(&self, pending: &Self::Pending) -> usize;
}

/// Tasks are polled once, so that their timers are registered, before insertion counts as done.
async fn until_polled(polled: &AtomicUsize, count: usize) {
    while polled.load(Ordering::Relaxed) < count {
        tokio::task::yield_now().await;
    }
}

struct Batched(tokio::runtime::Runtime);

impl Contender for Batched {
    const NAME: &'static str = "txaio batched timer (1 s buckets)";
    type Pending = (txaio::BatchedTimer, Vec<txaio::DelayedCall>);

    fn insert(&mut self, delays: &[Duration]) -> Self::Pending {
        let _entered = self.0.enter();
        let timers = txaio::make_batched_timer(Duration::from_secs(1), 1000);
        let mut calls = Vec::with_capacity(delays.len());
        for delay in delays {
            calls.push(timers.call_later(*delay, || {}));
        }
        (timers, calls)
    }

    fn cancel(&mut self, (_, calls): Self::Pending) {
        for call in &calls {
            call.cancel();
        }
    }

    fn runtime_timers(&self, (timers, _): &Self::Pending) -> usize {
        timers.buckets()
    }
}

struct CallLater(tokio::runtime::Runtime);

impl Contender for CallLater {
    const NAME: &'static str = "txaio call_later";
    type Pending = Vec<txaio::DelayedCall>;

    fn insert(&mut self, delays: &[Duration]) -> Self::Pending {
        self.0.block_on(async {
            let calls: Vec<_> = delays
                .iter()
                .map(|delay| txaio::call_later(*delay, || {}))
                .collect();
            // Let every timer task register its runtime timer.
            tokio::task::yield_now().await;
            for _ in 0..64 {
                tokio::task::yield_now().await;
            }
            calls
        })
    }

    fn cancel(&mut self, calls: Self::Pending) {
        self.0.block_on(async {
            for call in &calls {
                call.cancel();
            }
            tokio::task::yield_now().await;
        });
    }

    fn runtime_timers(&self, calls: &Self::Pending) -> usize {
        calls.len()
    }
}

struct TokioTasks(tokio::runtime::Runtime);

impl Contender for TokioTasks {
    const NAME: &'static str = "one tokio::time::sleep task per timer";
    type Pending = Vec<tokio::task::JoinHandle<()>>;

    fn insert(&mut self, delays: &[Duration]) -> Self::Pending {
        self.0.block_on(async {
            let polled = Arc::new(AtomicUsize::new(0));
            let tasks = delays
                .iter()
                .map(|delay| {
                    let (delay, polled) = (*delay, polled.clone());
                    tokio::spawn(async move {
                        polled.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(delay).await;
                    })
                })
                .collect();
            until_polled(&polled, delays.len()).await;
            tasks
        })
    }

    fn cancel(&mut self, tasks: Self::Pending) {
        self.0.block_on(async {
            for task in &tasks {
                task.abort();
            }
            drop(tasks);
            tokio::task::yield_now().await;
        });
    }

    fn runtime_timers(&self, tasks: &Self::Pending) -> usize {
        tasks.len()
    }
}

struct DelayQueue(tokio::runtime::Runtime);

impl Contender for DelayQueue {
    const NAME: &'static str = "tokio_util DelayQueue";
    type Pending = (
        tokio_util::time::DelayQueue<()>,
        Vec<tokio_util::time::delay_queue::Key>,
    );

    fn insert(&mut self, delays: &[Duration]) -> Self::Pending {
        let _entered = self.0.enter();
        let mut queue = tokio_util::time::DelayQueue::new();
        let keys = delays
            .iter()
            .map(|delay| queue.insert((), *delay))
            .collect();
        (queue, keys)
    }

    fn cancel(&mut self, (mut queue, keys): Self::Pending) {
        let _entered = self.0.enter();
        for key in &keys {
            black_box(queue.remove(key));
        }
    }

    fn runtime_timers(&self, _: &Self::Pending) -> usize {
        1
    }
}

struct SmolTasks(smol::LocalExecutor<'static>);

impl Contender for SmolTasks {
    const NAME: &'static str = "one async-io Timer task per timer (smol)";
    type Pending = Vec<smol::Task<()>>;

    fn insert(&mut self, delays: &[Duration]) -> Self::Pending {
        let polled = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = delays
            .iter()
            .map(|delay| {
                let (delay, polled) = (*delay, polled.clone());
                self.0.spawn(async move {
                    polled.fetch_add(1, Ordering::Relaxed);
                    async_io::Timer::after(delay).await;
                })
            })
            .collect();
        while polled.load(Ordering::Relaxed) < delays.len() {
            self.0.try_tick();
        }
        tasks
    }

    fn cancel(&mut self, tasks: Self::Pending) {
        drop(tasks);
        while self.0.try_tick() {}
    }

    fn runtime_timers(&self, tasks: &Self::Pending) -> usize {
        tasks.len()
    }
}

fn time_contender<C: Contender>(c: &mut Criterion, contender: &mut C, delays: &[Duration]) {
    let mut group = c.benchmark_group("timers/1M");
    group.sample_size(10);
    group.bench_function(format!("insert/{}", C::NAME), |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let started = Instant::now();
                let pending = contender.insert(delays);
                total += started.elapsed();
                contender.cancel(pending);
            }
            total
        });
    });
    group.bench_function(format!("cancel/{}", C::NAME), |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let pending = contender.insert(delays);
                let started = Instant::now();
                contender.cancel(pending);
                total += started.elapsed();
            }
            total
        });
    });
    group.finish();
}

fn footprint<C: Contender>(contender: &mut C, delays: &[Duration]) {
    let (pending, bytes) = bytes_held(|| contender.insert(delays));
    let timers = contender.runtime_timers(&pending);
    println!(
        "| {} | {:.1} | {} |",
        C::NAME,
        bytes as f64 / delays.len() as f64,
        timers
    );
    contender.cancel(pending);
}

fn timings(c: &mut Criterion) {
    let delays = delays();
    time_contender(c, &mut Batched(tokio_runtime()), &delays);
    time_contender(c, &mut CallLater(tokio_runtime()), &delays);
    time_contender(c, &mut TokioTasks(tokio_runtime()), &delays);
    time_contender(c, &mut DelayQueue(tokio_runtime()), &delays);
    time_contender(c, &mut SmolTasks(smol::LocalExecutor::new()), &delays);
}

criterion_group!(benches, timings);

fn main() {
    // Memory first, in a fresh process: later, frees of the timing runs' leftovers would be
    // netted against the allocations measured.
    let delays = delays();
    println!("1,000,000 pending timers, random delays in 1..60 s:");
    println!("| contender | bytes/timer | real runtime timers |");
    println!("|---|---|---|");
    footprint(&mut Batched(tokio_runtime()), &delays);
    footprint(&mut CallLater(tokio_runtime()), &delays);
    footprint(&mut TokioTasks(tokio_runtime()), &delays);
    footprint(&mut DelayQueue(tokio_runtime()), &delays);
    footprint(&mut SmolTasks(smol::LocalExecutor::new()), &delays);
    stall::report();
    benches();
    Criterion::default().configure_from_args().final_summary();
}

/// The stall figure: how late a 1 ms ticker gets while 100,000 timers come due at once.
mod stall {
    use super::{Arc, AtomicUsize, Duration, Instant, Ordering, black_box};

    const DUE: usize = 100_000;

    /// What each timer does when it fires: a little work, as a real ping would.
    fn work(counter: &AtomicUsize) {
        let mut x = counter.fetch_add(1, Ordering::Relaxed) as u64;
        for _ in 0..400 {
            x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
        black_box(x);
    }

    /// Runs `arm` on a current-thread tokio runtime beside a ticker; returns the ticker's
    /// worst lateness over the window in which every timer fires.
    fn worst_tick(arm: impl FnOnce(Arc<AtomicUsize>)) -> Duration {
        let runtime = super::tokio_runtime();
        runtime.block_on(async {
            let fired = Arc::new(AtomicUsize::new(0));
            arm(fired.clone());
            let mut worst = Duration::ZERO;
            let started = Instant::now();
            while fired.load(Ordering::Relaxed) < DUE
                || started.elapsed() < Duration::from_millis(400)
            {
                let tick = Instant::now();
                tokio::time::sleep(Duration::from_millis(1)).await;
                worst = worst.max(tick.elapsed().saturating_sub(Duration::from_millis(1)));
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "timers did not fire"
                );
            }
            worst
        })
    }

    fn batched(chunk_size: usize) -> Duration {
        worst_tick(|fired| {
            let timers = txaio::make_batched_timer(Duration::from_millis(100), chunk_size);
            for _ in 0..DUE {
                let fired = fired.clone();
                timers.call_later(Duration::from_millis(150), move || work(&fired));
            }
        })
    }

    fn tokio_tasks() -> Duration {
        worst_tick(|fired| {
            let due = tokio::time::Instant::now() + Duration::from_millis(150);
            for _ in 0..DUE {
                let fired = fired.clone();
                tokio::spawn(async move {
                    tokio::time::sleep_until(due).await;
                    work(&fired);
                });
            }
        })
    }

    pub(super) fn report() {
        println!(
            "\nworst delay of a 1 ms ticker while 100,000 timers come due in one bucket (current-thread tokio):"
        );
        println!("| contender | worst tick delay |");
        println!("|---|---|");
        println!(
            "| txaio batched timer, 100 ms buckets, chunk_size 1,000 | {:.2?} |",
            batched(1_000)
        );
        println!(
            "| txaio batched timer, 100 ms buckets, one chunk of 100,000 | {:.2?} |",
            batched(DUE)
        );
        println!(
            "| 100,000 tokio::time::sleep tasks due at one instant | {:.2?} |",
            tokio_tasks()
        );
    }
}

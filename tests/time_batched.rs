//! The book, "Time": batched timers, on the virtual clock, on every backend.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use txaio::testutil::{VirtualClock, capture_logs, replace_loop};

const MS: Duration = Duration::from_millis(1);

/// A small deterministic generator, so that "random" delays are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

/// Advances the clock in `step`s until `until`, so that firing times are observed closely.
fn advance_in_steps(clock: &VirtualClock, step: Duration, until: Duration) {
    while clock.now() < until {
        clock.advance(step);
    }
}

#[txaio::test]
async fn never_early_and_at_most_two_buckets_late_across_random_delays() {
    replace_loop(|clock| {
        let bucket = 100 * MS;
        let timers = txaio::make_batched_timer(bucket, 7);
        let fired_at = Arc::new(Mutex::new(Vec::new()));
        let mut random = Lcg(42);
        let mut deadlines = Vec::new();
        // Start off a bucket boundary, as real programs do.
        clock.advance(Duration::from_micros(12_345));
        for index in 0..10_000 {
            let delay = Duration::from_micros(random.below(3_000_000));
            deadlines.push(clock.now() + delay);
            let fired_at = fired_at.clone();
            timers.call_later(delay, move || fired_at.lock().unwrap().push(index));
        }
        let mut seen = vec![None; deadlines.len()];
        let step = Duration::from_micros(500);
        let end = clock.now() + Duration::from_secs(4);
        while clock.now() < end {
            clock.advance(step);
            for index in fired_at.lock().unwrap().drain(..) {
                assert!(seen[index].is_none(), "timer {index} fired twice");
                seen[index] = Some(clock.now());
            }
        }
        for (index, (deadline, fired)) in deadlines.iter().zip(&seen).enumerate() {
            let fired = fired.unwrap_or_else(|| panic!("timer {index} never fired"));
            assert!(
                fired >= *deadline,
                "timer {index} fired early: {fired:?} < {deadline:?}"
            );
            // `fired` is observed at the end of a step, so allow that step's slack.
            assert!(
                fired <= *deadline + 2 * bucket + step,
                "timer {index} fired too late: {fired:?} for deadline {deadline:?}"
            );
        }
        assert_eq!(timers.pending(), 0);
        assert_eq!(timers.buckets(), 0);
    });
}

#[txaio::test]
async fn a_full_bucket_runs_in_chunks_spread_over_the_next_bucket_width() {
    replace_loop(|clock| {
        let bucket = 10 * MS;
        let timers = txaio::make_batched_timer(bucket, 3);
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..10 {
            let ran = ran.clone();
            timers.call_later(5 * MS, move || {
                ran.fetch_add(1, Ordering::SeqCst);
            });
        }
        clock.advance(9 * MS);
        assert_eq!(
            ran.load(Ordering::SeqCst),
            0,
            "nothing before the bucket's end"
        );
        clock.advance(MS); // the bucket's end, 10 ms
        assert_eq!(
            ran.load(Ordering::SeqCst),
            3,
            "one chunk at the bucket's time"
        );
        let mut counts = Vec::new();
        for _ in 0..10 {
            clock.advance(MS);
            counts.push(ran.load(Ordering::SeqCst));
        }
        assert!(
            counts.windows(2).all(|w| w[1] - w[0] <= 3),
            "chunks of at most 3: {counts:?}"
        );
        assert_eq!(
            ran.load(Ordering::SeqCst),
            10,
            "all within two bucket widths of the deadline"
        );
        assert!(clock.now() <= 5 * MS + 2 * bucket);
    });
}

#[txaio::test]
async fn cancelling_one_timer_leaves_the_rest_of_its_bucket() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(10 * MS, 100);
        let ran = Arc::new(Mutex::new(Vec::new()));
        let calls: Vec<_> = (0..5)
            .map(|i| {
                let ran = ran.clone();
                timers.call_later(3 * MS, move || ran.lock().unwrap().push(i))
            })
            .collect();
        assert!(calls[2].cancel());
        assert!(!calls[2].cancel(), "true once, false after");
        assert!(!calls[2].active());
        assert_eq!(timers.pending(), 4);
        clock.advance(20 * MS);
        assert_eq!(*ran.lock().unwrap(), [0, 1, 3, 4]);
        assert!(!calls[0].cancel(), "false after firing");
    });
}

#[txaio::test]
async fn cancelling_a_whole_bucket_releases_its_runtime_timer() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(10 * MS, 100);
        let calls: Vec<_> = (0..3)
            .map(|_| timers.call_later(5 * MS, || unreachable!()))
            .collect();
        let later = timers.call_later(25 * MS, || {});
        assert_eq!(timers.buckets(), 2);
        assert_eq!(clock.pending(), 2, "one runtime timer per non-empty bucket");
        for call in &calls {
            assert!(call.cancel());
        }
        assert_eq!(timers.buckets(), 1);
        assert_eq!(clock.pending(), 1);
        clock.advance(30 * MS);
        assert!(!later.active());
        assert_eq!(clock.pending(), 0);
    });
}

#[txaio::test]
async fn runtime_timers_never_outnumber_non_empty_buckets() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(Duration::from_secs(1), 1000);
        let mut random = Lcg(7);
        for _ in 0..50_000 {
            timers.call_later(Duration::from_millis(random.below(60_000)), || {});
        }
        assert_eq!(timers.pending(), 50_000);
        assert!(timers.buckets() <= 61, "{} buckets", timers.buckets());
        assert_eq!(clock.pending(), timers.buckets());
        clock.advance(Duration::from_secs(63));
        assert_eq!(timers.pending(), 0);
    });
}

#[txaio::test]
async fn a_million_timers_each_fire_exactly_once() {
    replace_loop(|clock| {
        const COUNT: usize = 1_000_000;
        let timers = txaio::make_batched_timer(Duration::from_secs(1), 10_000);
        let fired: Arc<Vec<AtomicU8>> = Arc::new((0..COUNT).map(|_| AtomicU8::new(0)).collect());
        let mut random = Lcg(1);
        for index in 0..COUNT {
            let fired = fired.clone();
            timers.call_later(Duration::from_millis(random.below(60_000)), move || {
                fired[index].fetch_add(1, Ordering::Relaxed);
            });
        }
        assert_eq!(timers.pending(), COUNT);
        advance_in_steps(clock, Duration::from_secs(1), Duration::from_secs(63));
        assert!(fired.iter().all(|count| count.load(Ordering::Relaxed) == 1));
        assert_eq!(timers.pending(), 0);
    });
}

#[txaio::test]
async fn a_panicking_callback_does_not_stop_the_rest_of_its_bucket() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(10 * MS, 2);
        let ran = Arc::new(AtomicUsize::new(0));
        for i in 0..5 {
            let ran = ran.clone();
            timers.call_later(MS, move || {
                assert!(i != 1, "batched timer {i} exploded");
                ran.fetch_add(1, Ordering::SeqCst);
            });
        }
        let ((), logs) = capture_logs(|| clock.advance(30 * MS));
        assert_eq!(ran.load(Ordering::SeqCst), 4);
        assert!(
            logs.iter()
                .any(|l| l.message.contains("batched timer 1 exploded")),
            "{logs:?}"
        );
    });
}

#[test]
#[should_panic(expected = "make_batched_timer: `bucket` must be a non-zero duration")]
fn a_zero_bucket_panics_naming_the_argument() {
    let _ = txaio::make_batched_timer(Duration::ZERO, 10);
}

#[test]
#[should_panic(expected = "make_batched_timer: `chunk_size` must be at least 1")]
fn a_zero_chunk_size_panics_naming_the_argument() {
    let _ = txaio::make_batched_timer(MS, 0);
}

#[test]
fn batched_timers_are_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync>() {}
    assert_traits::<txaio::BatchedTimer>();
}

#[txaio::test]
async fn cancel_racing_the_firing_runs_each_callback_at_most_once() {
    const TIMERS: usize = 400;
    for round in 0..10 {
        let timers = txaio::make_batched_timer(MS, 16);
        let runs: Arc<Vec<AtomicU8>> = Arc::new((0..TIMERS).map(|_| AtomicU8::new(0)).collect());
        let calls: Vec<_> = (0..TIMERS)
            .map(|index| {
                let runs = runs.clone();
                let delay = Duration::from_micros((index as u64 * 7 + round) % 3000);
                timers.call_later(delay, move || {
                    runs[index].fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        let calls = Arc::new(calls);
        let racers: Vec<_> = (0..2)
            .map(|parity| {
                let calls = calls.clone();
                std::thread::spawn(move || {
                    let mut cancelled = Vec::new();
                    for (index, call) in calls.iter().enumerate() {
                        if index % 2 == parity && call.cancel() {
                            cancelled.push(index);
                        }
                        if index % 50 == 0 {
                            std::thread::yield_now();
                        }
                    }
                    cancelled
                })
            })
            .collect();
        let cancelled: Vec<usize> = racers.into_iter().flat_map(|r| r.join().unwrap()).collect();
        while timers.pending() > 0 {
            txaio::sleep(2 * MS).await.unwrap();
        }
        // A bucket leaves `pending` when it starts firing; on a multi-threaded executor its
        // last callbacks may still be running on another thread: wait for them (bounded).
        for _ in 0..500 {
            let all_ran = runs.iter().enumerate().all(|(index, count)| {
                cancelled.contains(&index) || count.load(Ordering::SeqCst) > 0
            });
            if all_ran {
                break;
            }
            txaio::sleep(2 * MS).await.unwrap();
        }
        for (index, count) in runs.iter().enumerate() {
            let expected = u8::from(!cancelled.contains(&index));
            assert_eq!(
                count.load(Ordering::SeqCst),
                expected,
                "round {round}, timer {index}"
            );
        }
    }
}

#[test]
fn a_delayed_call_handle_is_small() {
    assert!(std::mem::size_of::<txaio::DelayedCall>() <= 24);
}

#[txaio::test]
async fn callbacks_may_cancel_insert_and_advance_re_entrantly() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(10 * MS, 2);
        let ran = Arc::new(Mutex::new(Vec::new()));
        let victim = {
            let ran = ran.clone();
            timers.call_later(25 * MS, move || ran.lock().unwrap().push("victim"))
        };
        let (canceller_ran, inserter_ran) = (ran.clone(), ran.clone());
        let (inner_timers, inner_ran) = (timers.clone(), ran.clone());
        let victim_handle = victim.clone();
        timers.call_later(5 * MS, move || {
            assert!(
                victim_handle.cancel(),
                "a callback cancels another bucket's timer"
            );
            canceller_ran.lock().unwrap().push("canceller");
        });
        timers.call_later(5 * MS, move || {
            inserter_ran.lock().unwrap().push("inserter");
            let inner_ran = inner_ran.clone();
            // Into a later bucket: the running one is closed to new timers.
            inner_timers.call_later(MS, move || inner_ran.lock().unwrap().push("inserted"));
        });
        let nested = clock.clone();
        let advanced = ran.clone();
        timers.call_later(5 * MS, move || {
            // Re-entrant advance from inside a callback: runs what is due, no deadlock.
            nested.advance(Duration::ZERO);
            advanced.lock().unwrap().push("advancer");
        });
        clock.advance(50 * MS);
        let ran = ran.lock().unwrap();
        assert_eq!(*ran, ["canceller", "inserter", "advancer", "inserted"]);
        assert!(!victim.active());
        assert_eq!(timers.pending(), 0);
        assert_eq!(clock.pending(), 0);
    });
}

#[test]
fn a_virtual_timeout_polled_on_another_thread_is_woken_by_advance() {
    use std::future::Future;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    replace_loop(|clock| {
        for round in 0..50u32 {
            let limited = txaio::with_timeout(MS * (round % 3), std::future::pending::<()>());
            let poller = std::thread::spawn(move || {
                let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
                let mut cx = Context::from_waker(&waker);
                let mut limited = Box::pin(limited);
                loop {
                    if let Poll::Ready(outcome) = limited.as_mut().poll(&mut cx) {
                        return outcome;
                    }
                    std::thread::park_timeout(Duration::from_secs(5));
                }
            });
            while !poller.is_finished() {
                clock.advance(MS);
                std::thread::yield_now();
            }
            assert_eq!(
                poller.join().unwrap(),
                Err(txaio::TimeoutError),
                "round {round}"
            );
        }
        assert_eq!(clock.pending(), 0);
    });
}

/// Makes the test's backend current on a plain thread (and, for tokio, its runtime).
fn enter_backend(
    runtime: txaio::Runtime,
    #[cfg(feature = "tokio")] handle: Option<&tokio::runtime::Handle>,
    f: impl FnOnce(),
) {
    let _backend = txaio::__private::enter(runtime);
    #[cfg(feature = "tokio")]
    let _tokio = handle.map(tokio::runtime::Handle::enter);
    f();
}

#[txaio::test]
async fn threads_inserting_and_cancelling_across_bucket_boundaries_lose_nothing() {
    use std::time::Instant;

    const THREADS: usize = 4;
    const PER_THREAD: usize = 1_500;
    let runtime = txaio::current_runtime();
    #[cfg(feature = "tokio")]
    let handle = tokio::runtime::Handle::try_current().ok();
    let timers = txaio::make_batched_timer(3 * MS, 3);
    // (deadline, fired at) per timer, and whether its cancel succeeded.
    let fired: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (timers, fired) = (timers.clone(), fired.clone());
            #[cfg(feature = "tokio")]
            let handle = handle.clone();
            std::thread::spawn(move || {
                let mut made = Vec::new();
                enter_backend(
                    runtime,
                    #[cfg(feature = "tokio")]
                    handle.as_ref(),
                    || {
                        let mut random = Lcg(thread as u64 + 1);
                        for i in 0..PER_THREAD {
                            let id = thread * PER_THREAD + i;
                            let delay = Duration::from_micros(random.below(20_000));
                            let deadline = Instant::now() + delay;
                            let fired = fired.clone();
                            let call = timers.call_later(delay, move || {
                                fired.lock().unwrap().push((id, Instant::now()));
                            });
                            made.push((id, deadline, call, false));
                            if i % 3 == 0 {
                                let pick =
                                    usize::try_from(random.below(made.len() as u64)).unwrap();
                                let (_, _, call, cancelled) = &mut made[pick];
                                *cancelled |= call.cancel();
                            }
                        }
                    },
                );
                made
            })
        })
        .collect();
    // Await while the threads work, so that a current-thread runtime drives the timers.
    while !workers.iter().all(std::thread::JoinHandle::is_finished) {
        txaio::sleep(MS).await.unwrap();
    }
    let made: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let start = Instant::now();
    while timers.pending() > 0 && start.elapsed() < Duration::from_secs(20) {
        txaio::sleep(2 * MS).await.unwrap();
    }
    txaio::sleep(20 * MS).await.unwrap(); // the last chunk's callbacks finish
    assert_eq!(timers.pending(), 0);
    assert_eq!(timers.buckets(), 0);
    let fired = fired.lock().unwrap();
    let mut runs = vec![0u8; THREADS * PER_THREAD];
    let deadlines: std::collections::HashMap<usize, Instant> = made
        .iter()
        .map(|(id, deadline, _, _)| (*id, *deadline))
        .collect();
    for &(id, at) in fired.iter() {
        runs[id] += 1;
        assert!(at >= deadlines[&id], "timer {id} fired early");
    }
    let mut cancelled_count = 0;
    for (id, _, call, cancelled) in &made {
        assert!(!call.active());
        assert!(!call.cancel(), "timer {id} is over");
        assert_eq!(
            runs[*id],
            u8::from(!cancelled),
            "timer {id}: ran once unless a cancel of it succeeded (cancelled: {cancelled})"
        );
        cancelled_count += usize::from(*cancelled);
    }
    assert!(cancelled_count > 0 && cancelled_count < made.len());
}

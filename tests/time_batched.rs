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

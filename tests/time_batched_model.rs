//! A model-based property test of `BatchedTimer` (and `call_later` beside it) on the virtual
//! clock: random sequences of inserts, cancels, re-cancels of ended handles, `active` checks
//! and advances, with delays up to `Duration::MAX`, checked against a plain model after every
//! step. The promises held (the book's "Time" chapter):
//!
//! - each timer runs at most once, and every timer within the horizon runs exactly once;
//! - never before its deadline; a batched timer at most two bucket widths after it, a
//!   `call_later` timer exactly at it;
//! - `cancel()` is true only for its own pending timer, `active()` only while it is pending;
//! - the counts (`pending`, `buckets`, the clock's runtime timers) drop to zero with the work.
//!
//! Cases: proptest's default (256), or `PROPTEST_CASES`; CI runs a large count once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use txaio::testutil::{VirtualClock, replace_loop};

#[derive(Debug, Clone)]
enum Op {
    /// A batched timer, or a plain `call_later` one.
    Insert {
        delay: Duration,
        batched: bool,
    },
    /// Cancel the handle at this index (mod the handles made so far), whatever its state.
    Cancel(usize),
    /// Check `active()` of the handle at this index.
    Active(usize),
    Advance(Duration),
}

fn delay() -> impl Strategy<Value = Duration> {
    prop_oneof![
        8 => (0u64..3_000).prop_map(Duration::from_millis),
        2 => (0u64..3_000_000).prop_map(Duration::from_micros),
        1 => Just(Duration::ZERO),
        1 => (0u64..1_000).prop_map(|n| Duration::MAX.saturating_sub(Duration::from_millis(n))),
        1 => Just(Duration::from_secs(u64::MAX)),
        1 => (0u64..64).prop_map(|shift| Duration::from_nanos(1u64 << shift)),
        1 => (1u64..2_000).prop_map(|years| Duration::from_secs(years * 365 * 24 * 3600)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (delay(), prop::bool::weighted(0.8)).prop_map(|(delay, batched)| Op::Insert { delay, batched }),
        3 => any::<usize>().prop_map(Op::Cancel),
        2 => any::<usize>().prop_map(Op::Active),
        4 => (0u64..2_500).prop_map(|ms| Op::Advance(Duration::from_millis(ms))),
        1 => (0u64..100_000).prop_map(|us| Op::Advance(Duration::from_micros(us))),
        1 => (1u64..1_000).prop_map(|years| Op::Advance(Duration::from_secs(years * 365 * 24 * 3600))),
    ]
}

fn setup() -> impl Strategy<Value = (Duration, usize, Vec<Op>)> {
    (
        prop_oneof![
            Just(Duration::from_millis(1)),
            Just(Duration::from_millis(7)),
            Just(Duration::from_millis(100)),
            Just(Duration::from_secs(1)),
            (1u64..5_000).prop_map(Duration::from_nanos),
        ],
        1usize..=8,
        prop::collection::vec(op(), 1..60),
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    Pending,
    Fired,
    Cancelled,
}

struct Timer {
    call: txaio::DelayedCall,
    batched: bool,
    /// The deadline in nanoseconds on the clock (`u128`: past `Duration::MAX` too).
    deadline: u128,
    model: Model,
}

/// One case: runs `ops` and checks the model after every step.
fn run_case(bucket: Duration, chunk_size: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(bucket, chunk_size);
        let fired: Arc<Mutex<Vec<(usize, Duration)>>> = Arc::new(Mutex::new(Vec::new()));
        let mut all: Vec<Timer> = Vec::new();
        let bucket_ns = bucket.as_nanos();
        // Past this, a timer may never fire: what `Duration` holds, and `u64` buckets.
        let horizon = Duration::MAX
            .as_nanos()
            .min(u128::from(u64::MAX - 1) * bucket_ns);
        for op in ops {
            match *op {
                Op::Insert { delay, batched } => {
                    let id = all.len();
                    let fired = fired.clone();
                    let now = clock.now();
                    let at = clock.clone();
                    let record = move || fired.lock().unwrap().push((id, at.now()));
                    let call = if batched {
                        timers.call_later(delay, record)
                    } else {
                        txaio::call_later(delay, record)
                    };
                    prop_assert!(call.active(), "a new timer is active");
                    all.push(Timer {
                        call,
                        batched,
                        deadline: now.as_nanos() + delay.as_nanos(),
                        model: Model::Pending,
                    });
                }
                Op::Cancel(index) if !all.is_empty() => {
                    let count = all.len();
                    let timer = &mut all[index % count];
                    let expected = timer.model == Model::Pending;
                    prop_assert_eq!(
                        timer.call.cancel(),
                        expected,
                        "cancel() of a {:?} timer",
                        timer.model
                    );
                    if expected {
                        timer.model = Model::Cancelled;
                    }
                }
                Op::Active(index) if !all.is_empty() => {
                    let timer = &all[index % all.len()];
                    prop_assert_eq!(timer.call.active(), timer.model == Model::Pending);
                }
                Op::Cancel(_) | Op::Active(_) => {}
                Op::Advance(by) => clock.advance(by),
            }
            check(clock, &timers, &fired, &mut all, bucket_ns, horizon)?;
        }
        // Let everything within reach run out, then check that it did.
        clock.advance(Duration::from_secs(3600));
        check(clock, &timers, &fired, &mut all, bucket_ns, horizon)?;
        let beyond_reach = clock.now().as_nanos();
        for timer in all.iter_mut().filter(|t| t.model == Model::Pending) {
            let latest = latest(timer, bucket_ns);
            prop_assert!(
                latest > beyond_reach || latest > horizon_of(timer, horizon),
                "a timer due at {} ns never ran (now {} ns)",
                timer.deadline,
                beyond_reach
            );
            prop_assert!(timer.call.cancel());
            timer.model = Model::Cancelled;
        }
        prop_assert_eq!(timers.pending(), 0);
        prop_assert_eq!(timers.buckets(), 0, "every bucket is removed");
        prop_assert_eq!(clock.pending(), 0, "every runtime timer is released");
        Ok(())
    })
}

/// The time by which `timer` must have run: its deadline (`call_later`), or just before two
/// bucket widths after it (batched).
fn latest(timer: &Timer, bucket_ns: u128) -> u128 {
    if timer.batched {
        timer.deadline + 2 * bucket_ns
    } else {
        timer.deadline + 1
    }
}

/// Past this, `timer` may never run: `Duration::MAX` for `call_later`, and for a batched timer
/// also the last of the `u64` bucket indices.
fn horizon_of(timer: &Timer, batched_horizon: u128) -> u128 {
    if timer.batched {
        batched_horizon
    } else {
        Duration::MAX.as_nanos()
    }
}

fn check(
    clock: &VirtualClock,
    timers: &txaio::BatchedTimer,
    fired: &Mutex<Vec<(usize, Duration)>>,
    all: &mut [Timer],
    bucket_ns: u128,
    horizon: u128,
) -> Result<(), TestCaseError> {
    for (id, at) in fired.lock().unwrap().drain(..) {
        let timer = &mut all[id];
        prop_assert_eq!(
            timer.model,
            Model::Pending,
            "timer {} ran while {:?}",
            id,
            timer.model
        );
        timer.model = Model::Fired;
        let at = at.as_nanos();
        prop_assert!(
            at >= timer.deadline,
            "timer {} ran early: {} < {}",
            id,
            at,
            timer.deadline
        );
        if timer.batched {
            prop_assert!(
                at < timer.deadline + 2 * bucket_ns,
                "batched timer {} ran {} ns late (bucket {} ns)",
                id,
                at - timer.deadline,
                bucket_ns
            );
        } else {
            prop_assert_eq!(
                at,
                timer.deadline,
                "call_later timer {} runs at its deadline",
                id
            );
        }
        prop_assert!(!timer.call.active());
    }
    let now = clock.now().as_nanos();
    let mut pending_batched = 0;
    for (id, timer) in all.iter().enumerate() {
        if timer.model != Model::Pending {
            continue;
        }
        pending_batched += usize::from(timer.batched);
        let latest = latest(timer, bucket_ns);
        // Within the horizon, a timer whose latest time has passed must have run.
        prop_assert!(
            latest > now || latest > horizon_of(timer, horizon),
            "timer {} (batched: {}) due at {} ns has not run at {} ns",
            id,
            timer.batched,
            timer.deadline,
            now
        );
        prop_assert!(timer.call.active());
    }
    prop_assert_eq!(timers.pending(), pending_batched);
    prop_assert!(timers.buckets() <= pending_batched);
    // The clock holds each pending plain timer, and at most one runtime timer per bucket.
    let pending_plain = all
        .iter()
        .filter(|t| !t.batched && t.model == Model::Pending)
        .count();
    prop_assert!(clock.pending() >= pending_plain);
    prop_assert!(
        clock.pending() <= pending_plain + timers.buckets(),
        "{} clock timers for {} plain timers and {} buckets",
        clock.pending(),
        pending_plain,
        timers.buckets()
    );
    Ok(())
}

fn run_model() {
    let mut runner = TestRunner::new(Config::default());
    let outcome = runner.run(&setup(), |(bucket, chunk_size, ops)| {
        run_case(bucket, chunk_size, &ops)
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[txaio::test]
async fn batched_timers_match_the_model_on_the_virtual_clock() {
    run_model();
}

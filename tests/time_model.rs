//! Model-based property tests of `Interval` and `WithTimeout` on the virtual clock: random
//! advances, polls and drops, checked against a plain model after every step (the book's
//! "Time" chapter). Cases: proptest's default (256), or `PROPTEST_CASES`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use txaio::testutil::replace_loop;

fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[derive(Debug, Clone)]
enum TickOp {
    Advance(Duration),
    /// Poll the current tick future, making one if there is none.
    Poll,
    /// Drop the current tick future, if any, before it completed.
    Drop,
}

fn tick_ops() -> impl Strategy<Value = (Duration, Duration, Vec<TickOp>)> {
    (
        (1u64..50).prop_map(Duration::from_millis),
        (0u64..30).prop_map(Duration::from_millis),
        prop::collection::vec(
            prop_oneof![
                3 => (0u64..120).prop_map(|ms| TickOp::Advance(Duration::from_millis(ms))),
                1 => (0u64..2_000).prop_map(|us| TickOp::Advance(Duration::from_micros(us))),
                4 => Just(TickOp::Poll),
                1 => Just(TickOp::Drop),
            ],
            1..80,
        ),
    )
}

/// The model of one tick in flight: the grid point it completes at.
fn tick_case(period: Duration, offset: Duration, ops: &[TickOp]) -> Result<(), TestCaseError> {
    replace_loop(|clock| {
        clock.advance(offset);
        let start = clock.now().as_nanos();
        let period_ns = period.as_nanos();
        let mut every = txaio::interval(period);
        // The model: the next grid point that may tick; the ticks seen.
        let mut next_k: u128 = 1;
        let mut ticks: Vec<u128> = Vec::new();
        let mut ops = ops.iter();
        while let Some(op) = ops.next() {
            match op {
                TickOp::Advance(by) => clock.advance(*by),
                TickOp::Drop => {}
                TickOp::Poll => {
                    // A tick in flight: its target is fixed at its first poll.
                    let now = clock.now().as_nanos();
                    let due_by_now = (now - start).div_ceil(period_ns);
                    let target = start + next_k.max(due_by_now) * period_ns;
                    let mut tick = Box::pin(every.tick());
                    let mut poll_now = true;
                    loop {
                        if poll_now {
                            let now = clock.now().as_nanos();
                            let ready = poll_once(tick.as_mut()).is_ready();
                            prop_assert_eq!(
                                ready,
                                now >= target,
                                "now {} ns, target {} ns",
                                now,
                                target
                            );
                            if ready {
                                next_k = (target - start) / period_ns + 1;
                                ticks.push(target);
                                break;
                            }
                            prop_assert!(clock.pending() <= 1, "one timer for the tick in flight");
                        }
                        match ops.next() {
                            None | Some(TickOp::Drop) => break,
                            Some(TickOp::Advance(by)) => {
                                clock.advance(*by);
                                poll_now = false;
                            }
                            Some(TickOp::Poll) => poll_now = true,
                        }
                    }
                    drop(tick);
                    prop_assert_eq!(clock.pending(), 0, "no timer outlives its tick");
                }
            }
        }
        // Every tick on the grid, strictly increasing: never early, no drift, no burst.
        for pair in ticks.windows(2) {
            prop_assert!(pair[0] < pair[1]);
        }
        for target in &ticks {
            prop_assert_eq!((target - start) % period_ns, 0);
        }
        prop_assert_eq!(clock.pending(), 0);
        Ok(())
    })
}

#[derive(Debug, Clone)]
enum TimeoutOp {
    Advance(Duration),
    Poll,
}

fn timeout_ops() -> impl Strategy<Value = (Duration, Duration, Vec<TimeoutOp>)> {
    (
        (0u64..100).prop_map(Duration::from_millis),
        (0u64..100).prop_map(Duration::from_millis),
        prop::collection::vec(
            prop_oneof![
                2 => (0u64..40).prop_map(|ms| TimeoutOp::Advance(Duration::from_millis(ms))),
                3 => Just(TimeoutOp::Poll),
            ],
            1..40,
        ),
    )
}

/// `with_timeout(after, sleep(inner))`: the inner future wins ties (it is polled first).
fn timeout_case(after: Duration, inner: Duration, ops: &[TimeoutOp]) -> Result<(), TestCaseError> {
    replace_loop(|clock| {
        let nap = txaio::sleep(inner);
        // Kept after it completed: its timer must go with the outcome, not with the future.
        let mut limited = Box::pin(txaio::with_timeout(after, nap));
        let mut done = false;
        let mut polled = false;
        // The virtual clock fires timers only when advanced, even those due at once.
        let mut advanced = false;
        for op in ops {
            match op {
                TimeoutOp::Advance(by) => {
                    clock.advance(*by);
                    advanced = true;
                }
                TimeoutOp::Poll => {
                    if done {
                        continue;
                    }
                    let now = clock.now();
                    let outcome = poll_once(limited.as_mut());
                    polled = true;
                    if advanced && now >= inner {
                        prop_assert!(matches!(outcome, Poll::Ready(Ok(Ok(())))), "{:?}", outcome);
                        done = true;
                    } else if now >= after {
                        prop_assert!(matches!(outcome, Poll::Ready(Err(txaio::TimeoutError))));
                        done = true;
                    } else {
                        prop_assert!(outcome.is_pending());
                    }
                }
            }
            // The sleep's timer until it fires, or until the timeout drops the sleep (its
            // last handle: issue 23); the timeout's while it waits, not after.
            let sleeping = usize::from(!done && (!advanced || clock.now() < inner));
            let timing = usize::from(!done && polled && clock.now() < after);
            prop_assert_eq!(clock.pending(), sleeping + timing);
        }
        Ok(())
    })
}

fn run<S: Strategy>(strategy: &S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config::default());
    if let Err(failure) = runner.run(strategy, test) {
        panic!("{failure}");
    }
}

#[txaio::test]
async fn interval_ticks_match_the_model_on_the_virtual_clock() {
    run(&tick_ops(), |(period, offset, ops)| {
        tick_case(period, offset, &ops)
    });
}

#[txaio::test]
async fn with_timeout_matches_the_model_on_the_virtual_clock() {
    run(&timeout_ops(), |(after, inner, ops)| {
        timeout_case(after, inner, &ops)
    });
}

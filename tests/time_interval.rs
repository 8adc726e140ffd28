//! `interval` (the book's "Time" chapter): ticks on a fixed grid, never early, no drift,
//! missed ticks skipped; on the virtual clock, on every backend.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use txaio::testutil::{VirtualClock, replace_loop};

const MS: Duration = Duration::from_millis(1);

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Advances the clock one millisecond at a time until `tick` completes; returns when.
fn advance_until_ready<F: Future>(
    clock: &VirtualClock,
    mut tick: Pin<Box<F>>,
    limit: Duration,
) -> Duration {
    let limit = clock.now() + limit;
    loop {
        if poll_once(tick.as_mut()).is_ready() {
            return clock.now();
        }
        assert!(clock.now() < limit, "no tick by {limit:?}");
        clock.advance(MS);
    }
}

#[txaio::test]
async fn ticks_at_exactly_k_periods_on_the_virtual_clock() {
    replace_loop(|clock| {
        clock.advance(Duration::from_micros(1_234)); // start off the millisecond grid
        let start = clock.now();
        let period = 10 * MS;
        let mut every = txaio::interval(period);
        for k in 1..=20u32 {
            let mut tick = Box::pin(every.tick());
            assert!(
                poll_once(tick.as_mut()).is_pending(),
                "tick {k} not at once"
            );
            let target = start + k * period;
            clock.advance(target.saturating_sub(clock.now() + Duration::from_nanos(1)));
            assert!(
                poll_once(tick.as_mut()).is_pending(),
                "tick {k} never early"
            );
            clock.advance(Duration::from_nanos(1));
            assert!(
                poll_once(tick.as_mut()).is_ready(),
                "tick {k} at start + k * period"
            );
            assert_eq!(clock.now(), target);
        }
    });
}

#[txaio::test]
async fn missed_ticks_are_skipped_not_delivered_late_or_in_a_burst() {
    replace_loop(|clock| {
        let period = 10 * MS;
        let mut every = txaio::interval(period);
        let first = advance_until_ready(clock, Box::pin(every.tick()), period);
        assert_eq!(first, 10 * MS);
        // Busy past the grid points at 20, 30 and 40 ms.
        clock.advance(35 * MS);
        assert_eq!(clock.now(), 45 * MS);
        let mut tick = Box::pin(every.tick());
        assert!(
            poll_once(tick.as_mut()).is_pending(),
            "no burst of missed ticks"
        );
        assert_eq!(
            advance_until_ready(clock, tick, period),
            50 * MS,
            "the next grid point"
        );
        assert_eq!(
            advance_until_ready(clock, Box::pin(every.tick()), period),
            60 * MS,
            "no drift"
        );
        // Exactly on a grid point that was not ticked yet: it completes at once.
        clock.advance(10 * MS);
        let mut on_point = Box::pin(every.tick());
        assert!(poll_once(on_point.as_mut()).is_ready());
        assert_eq!(clock.now(), 70 * MS);
    });
}

#[txaio::test]
async fn a_dropped_tick_consumes_no_tick_and_releases_its_timer() {
    replace_loop(|clock| {
        let mut every = txaio::interval(10 * MS);
        {
            let mut tick = Box::pin(every.tick());
            assert!(poll_once(tick.as_mut()).is_pending());
            assert_eq!(clock.pending(), 1);
        }
        assert_eq!(clock.pending(), 0, "the dropped tick's timer is released");
        assert_eq!(
            advance_until_ready(clock, Box::pin(every.tick()), 20 * MS),
            10 * MS
        );
    });
}

#[txaio::test]
async fn ticks_on_real_time_are_never_early() {
    let period = 5 * MS;
    let start = Instant::now();
    let mut every = txaio::interval(period);
    for k in 1..=5u32 {
        every.tick().await;
        assert!(start.elapsed() >= k * period, "tick {k} early");
    }
}

#[txaio::test]
async fn an_interval_ticks_from_a_spawned_task() {
    let done = txaio::spawn(async {
        let mut every = txaio::interval(MS);
        for _ in 0..3 {
            every.tick().await;
        }
        Ok::<_, txaio::Failure>(3)
    });
    assert_eq!(done.await.unwrap(), 3);
}

#[test]
#[should_panic(expected = "interval: `period` must be a non-zero duration")]
fn a_zero_period_panics_naming_it() {
    let _ = txaio::interval(Duration::ZERO);
}

#[test]
fn an_interval_and_its_tick_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    replace_loop(|_clock| {
        let mut every = txaio::interval(MS);
        assert_send(&every);
        let tick = every.tick();
        assert_send(&tick);
    });
}

#[test]
fn a_huge_period_never_overflows() {
    replace_loop(|clock| {
        let mut every = txaio::interval(Duration::MAX);
        let mut tick = Box::pin(every.tick());
        assert!(poll_once(tick.as_mut()).is_pending());
        clock.advance(Duration::MAX);
        assert!(
            poll_once(tick.as_mut()).is_ready(),
            "the first tick at Duration::MAX"
        );
        drop(tick);
        let mut second = Box::pin(every.tick());
        clock.advance(Duration::MAX);
        assert!(
            poll_once(second.as_mut()).is_pending(),
            "the second is past the horizon: never"
        );
    });
}

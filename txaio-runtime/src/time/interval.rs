//! `interval`: periodic work on a fixed grid (Twisted's `LoopingCall`).

use std::time::Duration;

use super::Clock;

/// Ticks every `period`, on a fixed grid from now (Twisted's `LoopingCall`).
///
/// The k-th tick (k = 1, 2, ...) completes at `start + k * period`, where `start` is when
/// `interval` was called: the first one a period from now, not at once. Ticks never complete
/// early and do not drift. When the caller was busy past grid points, the next tick completes
/// at the next grid point at or after now: missed ticks are skipped, not delivered late or in a
/// burst. Inside [`testutil::replace_loop`](crate::testutil::replace_loop) it ticks on the
/// virtual clock, wherever it is polled.
///
/// # Panics
///
/// If `period` is zero (the message names `period`).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// # #[txaio::main]
/// # async fn main() {
/// let start = Instant::now();
/// let mut every = txaio::interval(Duration::from_millis(5));
/// for _ in 0..3 {
///     every.tick().await;
/// }
/// assert!(start.elapsed() >= Duration::from_millis(15), "never early");
/// # }
/// ```
#[doc(alias = "LoopingCall")]
#[doc(alias = "every")]
pub fn interval(period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "interval: `period` must be a non-zero duration"
    );
    let clock = Clock::current();
    let start = clock.now();
    Interval {
        clock,
        start,
        period,
        next: 1,
    }
}

/// Periodic ticks on a fixed grid, made by [`interval`].
///
/// `Send`, and so is the future of [`tick`](Interval::tick).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[txaio::main]
/// # async fn main() {
/// let mut heartbeat: txaio::Interval = txaio::interval(Duration::from_millis(2));
/// heartbeat.tick().await;
/// assert_eq!(heartbeat.period(), Duration::from_millis(2));
/// # }
/// ```
#[derive(Debug)]
pub struct Interval {
    clock: Clock,
    /// When `interval` was called, on `clock`.
    start: Duration,
    period: Duration,
    /// The grid point the next tick completes at, at the earliest.
    next: u64,
}

impl Interval {
    /// Waits for the next tick: the first grid point, not yet ticked, at or after now.
    ///
    /// # Cancellation
    ///
    /// Cancel-safe: a `tick` future dropped before it completed consumes no tick.
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime or in one built without `enable_time()` (the
    /// message names the fix).
    ///
    /// # Examples
    ///
    /// Missed ticks are skipped, on the virtual clock:
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Waker};
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let mut every = txaio::interval(Duration::from_secs(10));
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     clock.advance(Duration::from_secs(25)); // busy past the ticks at 10 s and 20 s
    ///     let mut tick = pin!(every.tick());
    ///     assert!(tick.as_mut().poll(&mut cx).is_pending());
    ///     clock.advance(Duration::from_secs(4));
    ///     assert!(tick.as_mut().poll(&mut cx).is_pending(), "not before 30 s");
    ///     clock.advance(Duration::from_secs(1));
    ///     assert!(tick.as_mut().poll(&mut cx).is_ready(), "at 30 s, the next grid point");
    /// });
    /// ```
    pub async fn tick(&mut self) {
        let now = self.clock.now();
        let elapsed = now.saturating_sub(self.start).as_nanos();
        let due_by_now = elapsed.div_ceil(self.period.as_nanos());
        let k = u128::from(self.next).max(due_by_now);
        let at = k
            .checked_mul(self.period.as_nanos())
            .and_then(|offset| offset.checked_add(self.start.as_nanos()))
            .and_then(duration_from_nanos);
        self.clock.wait_until(at).await;
        // Only once the wait completed: a dropped tick consumes nothing.
        self.next = u64::try_from(k).map_or(u64::MAX, |k| k.saturating_add(1));
    }

    /// The period between ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() {
    /// let every = txaio::interval(std::time::Duration::from_secs(30));
    /// assert_eq!(every.period(), std::time::Duration::from_secs(30));
    /// # }
    /// ```
    #[must_use]
    pub fn period(&self) -> Duration {
        self.period
    }
}

/// `nanos` as a duration, `None` past `Duration::MAX`.
pub(super) fn duration_from_nanos(nanos: u128) -> Option<Duration> {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).ok()?;
    let subsec = u32::try_from(nanos % NANOS_PER_SEC).ok()?;
    Some(Duration::new(secs, subsec))
}

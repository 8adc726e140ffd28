//! Deadlines as instants: [`now`], [`sleep_until`], and [`Deadline`], a timer that can be moved
//! (what hyper's `Timer` and quinn's `AsyncTimer` ask of a runtime).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use super::{Clock, ReleaseOnDrop, Wait, call_at, origin, virtual_clock};
use crate::deferred::{Deferred, create_future};
use crate::rt;

/// The current time on txaio's clock: [`Instant::now`], or, inside
/// [`testutil::replace_loop`](crate::testutil::replace_loop), the virtual clock's time (which
/// moves only when the test advances it).
///
/// Compute deadlines from it, not from `Instant::now()`, and they follow the virtual clock in
/// tests: `txaio::sleep_until(txaio::now() + d)` fires when the test advances `d`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let start = txaio::now();
///     clock.advance(Duration::from_secs(90));
///     assert_eq!(txaio::now() - start, Duration::from_secs(90));
/// });
/// ```
#[must_use]
pub fn now() -> Instant {
    match virtual_clock::now() {
        Some(elapsed) => instant_at(elapsed),
        None => Instant::now(),
    }
}

/// The instant of a time on the clock's timeline (time since the process-wide origin); the
/// far future where `Instant` cannot represent it.
fn instant_at(elapsed: Duration) -> Instant {
    let origin = origin();
    origin
        .checked_add(elapsed)
        .unwrap_or_else(|| origin + Duration::from_secs(u64::from(u32::MAX)))
}

/// A deadline on the clock's timeline: time since the origin (an instant before it is due at
/// once).
fn timeline(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(origin())
}

/// A deferred that succeeds with `()` at `deadline` (at once if it has passed): [`sleep`]
/// with an instant, for protocol code that computes deadlines (a keep-alive due at
/// `last_seen + interval`, a retry at `started + backoff`).
///
/// Inside [`testutil::replace_loop`](crate::testutil::replace_loop) it waits on the virtual
/// clock, with `deadline` read against [`now`].
///
/// # Cancellation
///
/// As [`sleep`]: [`cancel`](crate::cancel) cancels the timer and fails the deferred with
/// [`CancelledError`](crate::CancelledError); dropping the deferred cancels nothing.
///
/// # Panics
///
/// As [`call_later`](crate::call_later).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let due = txaio::sleep_until(txaio::now() + Duration::from_secs(5));
///     clock.advance(Duration::from_secs(4));
///     assert!(!txaio::is_called(&due));
///     clock.advance(Duration::from_secs(1));
///     assert!(txaio::is_called(&due));
/// });
/// ```
///
/// [`sleep`]: crate::sleep
pub fn sleep_until(deadline: Instant) -> Deferred<()> {
    sleep_at(&Clock::current(), Some(timeline(deadline)))
}

/// A deferred that succeeds at `at` on `clock` (`None`: never); its timer goes with a cancel.
pub(crate) fn sleep_at(clock: &Clock, at: Option<Duration>) -> Deferred<()> {
    let deferred = create_future();
    // Weak: a dropped sleep should not be kept alive by its own timer.
    let weak = deferred.downgrade();
    let call = ReleaseOnDrop(call_at(
        clock,
        rt::current(),
        at,
        Box::new(move || {
            if let Some(deferred) = weak.upgrade() {
                let _ = deferred.settle(Ok(()));
            }
        }),
    ));
    // The canceller owns the timer: it goes when the canceller does, that is when the sleep
    // fires, is cancelled, or is dropped by its last handle unfired.
    deferred.set_canceller(Box::new(move |_| drop(call)));
    deferred
}

pin_project! {
    /// A future that completes at a deadline which can be moved: [`reset`](Deadline::reset)
    /// moves the runtime's own timer (tokio's `Sleep::reset`, async-io's `Timer::set_at`)
    /// instead of making a new one. Made by [`deadline`].
    ///
    /// It is the timer hyper's `Timer::sleep`/`reset` and quinn's `AsyncTimer` need, an idle
    /// timeout pushed back on every message, a retransmission timer. It waits on the clock it
    /// was made on (the virtual clock inside `replace_loop`, wherever it is polled). `Send`.
    ///
    /// # Cancel safety
    ///
    /// Dropping it releases its timer.
    ///
    /// # Examples
    ///
    /// An idle timeout, pushed back by activity:
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[txaio::main]
    /// # async fn main() {
    /// let idle = Duration::from_millis(20);
    /// let mut timeout = Box::pin(txaio::deadline(txaio::now() + idle));
    /// for _message in 0..3 {
    ///     // ... a message arrived: the peer is alive.
    ///     timeout.as_mut().reset(txaio::now() + idle);
    /// }
    /// timeout.as_mut().await; // 20 ms after the last message
    /// assert!(timeout.is_elapsed());
    /// # }
    /// ```
    #[must_use = "a deadline does nothing unless awaited"]
    #[derive(Debug)]
    pub struct Deadline {
        at: Instant,
        clock: Clock,
        #[pin]
        wait: Wait,
    }
}

/// A [`Deadline`] at `at` on txaio's clock (see [`now`]).
///
/// # Panics
///
/// As [`call_later`](crate::call_later): on tokio, outside a running tokio runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[txaio::main]
/// # async fn main() {
/// txaio::deadline(txaio::now() + Duration::from_millis(1)).await;
/// # }
/// ```
pub fn deadline(at: Instant) -> Deadline {
    let clock = Clock::current();
    let wait = clock.wait_until(Some(timeline(at)));
    Deadline { at, clock, wait }
}

impl Deadline {
    /// The instant this deadline is at.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::testutil::replace_loop(|_clock| {
    ///     let at = txaio::now() + std::time::Duration::from_secs(1);
    ///     assert_eq!(txaio::deadline(at).deadline(), at);
    /// });
    /// ```
    #[must_use]
    pub fn deadline(&self) -> Instant {
        self.at
    }

    /// Whether the deadline has passed on its clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let timer = txaio::deadline(txaio::now() + Duration::from_secs(1));
    ///     assert!(!timer.is_elapsed());
    ///     clock.advance(Duration::from_secs(1));
    ///     assert!(timer.is_elapsed());
    /// });
    /// ```
    #[must_use]
    pub fn is_elapsed(&self) -> bool {
        self.clock.now() >= timeline(self.at)
    }

    /// Moves the deadline to `at` (earlier or later), keeping the timer: the future completes
    /// at the new deadline, even if it had completed at the old one.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let mut timer = Box::pin(txaio::deadline(txaio::now() + Duration::from_secs(10)));
    ///     timer.as_mut().reset(txaio::now() + Duration::from_secs(30));
    ///     clock.advance(Duration::from_secs(10));
    ///     assert!(!timer.is_elapsed());
    ///     clock.advance(Duration::from_secs(20));
    ///     assert!(timer.is_elapsed());
    /// });
    /// ```
    pub fn reset(self: Pin<&mut Self>, at: Instant) {
        let this = self.project();
        *this.at = at;
        this.wait.reset(this.clock, Some(timeline(at)));
    }
}

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().wait.poll(cx)
    }
}

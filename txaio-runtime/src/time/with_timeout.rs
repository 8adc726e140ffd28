//! `with_timeout`: a future, or `Err(TimeoutError)` if it takes too long (tokio's `timeout`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{Clock, Wait};
use crate::errors::TimeoutError;

/// Runs `future`, giving up `after` from now: the future form of `timeout`
/// (tokio's `timeout`).
///
/// The output is `Ok` with the future's output if it completes first, else
/// `Err(TimeoutError)`. On expiry the inner future is dropped at once (no later than the
/// `WithTimeout` itself); when the outcome is known the timer is released. The deadline is
/// fixed when `with_timeout` is called; the timer itself is made only if the first poll finds
/// the future pending, so a future that is ready at once costs no timer. An `after` too large
/// for the clock never expires. Inside [`testutil::replace_loop`](crate::testutil::replace_loop)
/// it waits on the virtual clock, wherever it is polled.
///
/// # Cancellation
///
/// Dropping the `WithTimeout` drops the inner future and the timer. A task awaiting it that is
/// cancelled stops awaiting both.
///
/// # Panics
///
/// When polled after it completed, and on tokio when it needs its timer outside a running tokio
/// runtime or in one built without `enable_time()` (the message names the fix).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[txaio::main]
/// # async fn main() {
/// let quick = txaio::with_timeout(Duration::from_secs(5), async { 42 }).await;
/// assert_eq!(quick, Ok(42));
///
/// let slow = txaio::with_timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
/// assert_eq!(slow, Err(txaio::TimeoutError));
/// # }
/// ```
///
/// On the virtual clock, no real time passes:
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let nap = txaio::sleep(Duration::from_secs(10));
///     let mut limited = pin!(txaio::with_timeout(Duration::from_secs(3), nap));
///     let mut cx = Context::from_waker(Waker::noop());
///     assert!(limited.as_mut().poll(&mut cx).is_pending());
///     clock.advance(Duration::from_secs(3));
///     let outcome = limited.as_mut().poll(&mut cx);
///     assert!(matches!(outcome, Poll::Ready(Err(txaio::TimeoutError))));
/// });
/// ```
#[doc(alias = "wait_for")]
pub fn with_timeout<F: Future>(after: Duration, future: F) -> WithTimeout<F> {
    let clock = Clock::current();
    let deadline = clock.now().checked_add(after);
    WithTimeout {
        future: Some(future),
        clock,
        deadline,
        timer: None,
    }
}

pin_project! {
    /// The future of [`with_timeout`]: `Ok` with `F`'s output, or `Err(TimeoutError)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[txaio::main]
    /// # async fn main() {
    /// let limited: txaio::WithTimeout<_> =
    ///     txaio::with_timeout(Duration::from_secs(1), txaio::sleep(Duration::from_millis(1)));
    /// assert!(limited.await.is_ok());
    /// # }
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct WithTimeout<F> {
        #[pin]
        future: Option<F>,
        clock: Clock,
        // On `clock`; `None`: beyond what it can represent, so never.
        deadline: Option<Duration>,
        #[pin]
        timer: Option<Wait>,
    }
}

impl<F> fmt::Debug for WithTimeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match (&self.future, &self.timer) {
            (None, _) => "completed",
            (Some(_), None) => "not yet waiting",
            (Some(_), Some(_)) => "waiting",
        };
        f.debug_struct("WithTimeout")
            .field("state", &state)
            .field("clock", &self.clock)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for WithTimeout<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let future = this
            .future
            .as_mut()
            .as_pin_mut()
            .expect("`WithTimeout` polled after it completed");
        if let Poll::Ready(output) = future.poll(cx) {
            this.future.set(None);
            this.timer.set(None);
            return Poll::Ready(Ok(output));
        }
        if this.timer.is_none() {
            this.timer.set(Some(this.clock.wait_until(*this.deadline)));
        }
        let expired = this
            .timer
            .as_mut()
            .as_pin_mut()
            .is_some_and(|timer| timer.poll(cx).is_ready());
        if expired {
            this.future.set(None);
            this.timer.set(None);
            return Poll::Ready(Err(TimeoutError));
        }
        Poll::Pending
    }
}

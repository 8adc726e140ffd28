//! `race`: the first of many deferreds to succeed.

use super::FailureGroup;
use super::engine::{Rule, Slots, Step, combine};
use crate::deferred::Deferred;
use crate::failure::Failure;

/// A deferred of the first input to succeed, as `(index, value)`; every other pending input is
/// then cancelled (Twisted's `race`).
///
/// Inputs that fail do not end the race. If every input fails, it fails with a
/// [`FailureGroup`] of their failures in input order; an empty input fails at once with an
/// empty `FailureGroup`. The inputs' failures count as handled: the race carries them. The race
/// keeps its pending inputs alive until it fires, so a `sleep` passed by value still counts.
///
/// This is the deferred form of `select_all`, and what a `#[txaio::portable]` function uses
/// instead of `tokio::select!`.
///
/// # Cancellation
///
/// Cancelling it while it is pending cancels every pending input, and it then fires with their
/// outcomes (Twisted's rule): a [`FailureGroup`] of their
/// [`CancelledError`](crate::CancelledError)s, or the first value an input's canceller gave.
/// A cancelled race's failure is never reported as unhandled.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// let slow = txaio::create_future::<&str>();
/// let fast = txaio::create_future::<&str>();
/// let first = txaio::race([slow.clone(), fast.clone()]);
/// txaio::resolve(&fast, "fast").unwrap();
/// assert_eq!(first.await.unwrap(), (1, "fast"));
/// assert!(slow.await.unwrap_err().is::<txaio::CancelledError>());
/// # }
/// ```
#[doc(alias = "select")]
#[doc(alias = "select_all")]
#[doc(alias = "select_ok")]
#[track_caller]
pub fn race<T: Clone + Send + 'static>(
    futures: impl IntoIterator<Item = Deferred<T>>,
) -> Deferred<(usize, T)> {
    combine(futures, |len| Race(Slots::new(len)), true)
}

struct Race(Slots<Failure>);

impl<T: Send + 'static> Rule<T> for Race {
    type Output = (usize, T);

    fn record(&mut self, index: usize, outcome: Result<T, Failure>) -> Step<Self::Output> {
        match outcome {
            Ok(value) => Step::FireAndCancelRest(Ok((index, value))),
            Err(failure) => match self.0.fill(index, failure) {
                Some(failures) => Step::Fire(Err(Failure::new(FailureGroup { failures }))),
                None => Step::Wait,
            },
        }
    }

    fn when_empty(self) -> Option<Result<Self::Output, Failure>> {
        Some(Err(Failure::new(FailureGroup::default())))
    }
}

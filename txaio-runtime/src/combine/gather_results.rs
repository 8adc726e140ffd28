//! `gather_results`: the values of many deferreds, or the first failure.

use super::FirstError;
use super::engine::{Rule, Slots, Step, combine};
use crate::deferred::Deferred;
use crate::failure::Failure;

/// A deferred of every input's value, in input order, or of the first failure (Twisted's
/// `gatherResults`).
///
/// It succeeds once every input succeeded. At the first input to fail (in firing order) it
/// fails at once with a [`FirstError`] holding that input's index and failure, without
/// waiting for the others, which are left as they are. An empty input succeeds at once with
/// an empty vector.
///
/// With `consume_errors = true` the inputs' failures count as handled; with `false` they are
/// still reported as unhandled unless someone else handles them (the `FirstError` itself is
/// this deferred's failure, reported if nobody handles it).
///
/// # Cancellation
///
/// Cancelling it while it is pending cancels every pending input, and it then fires with their
/// outcomes (Twisted's rule): a [`FirstError`] of the first input's
/// [`CancelledError`](crate::CancelledError), or the values if every input's canceller gave
/// one. A cancelled `gather_results`'s failure is never reported as unhandled.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// let a = txaio::create_future::<u32>();
/// let b = txaio::create_future::<u32>();
/// let both = txaio::gather_results([a.clone(), b.clone()], false);
/// txaio::resolve(&b, 2).unwrap();
/// txaio::resolve(&a, 1).unwrap();
/// assert_eq!(both.await.unwrap(), [1, 2]);
/// # }
/// ```
#[doc(alias = "gatherResults")]
#[doc(alias = "try_join_all")]
#[track_caller]
pub fn gather_results<T: Clone + Send + 'static>(
    futures: impl IntoIterator<Item = Deferred<T>>,
    consume_errors: bool,
) -> Deferred<Vec<T>> {
    combine(
        futures,
        |len| GatherResults(Slots::new(len)),
        consume_errors,
    )
}

struct GatherResults<T>(Slots<T>);

impl<T: Send + 'static> Rule<T> for GatherResults<T> {
    type Output = Vec<T>;

    fn record(&mut self, index: usize, outcome: Result<T, Failure>) -> Step<Self::Output> {
        match outcome {
            Ok(value) => match self.0.fill(index, value) {
                Some(values) => Step::Fire(Ok(values)),
                None => Step::Wait,
            },
            Err(failure) => Step::Fire(Err(Failure::new(FirstError { index, failure }))),
        }
    }

    fn when_empty(self) -> Option<Result<Self::Output, Failure>> {
        Some(Ok(Vec::new()))
    }
}

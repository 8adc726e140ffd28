//! `gather`: one deferred for many, with every outcome.

use super::engine::{Rule, Slots, Step, combine};
use crate::deferred::Deferred;
use crate::failure::Failure;

/// A deferred that fires when every input has fired, with one result per input, in input
/// order (txaio's `gather`, asyncio's `gather(return_exceptions=True)`).
///
/// With `consume_exceptions = true`, the inputs' failures count as handled; with `false` they
/// are still reported as unhandled unless someone else handles them. An empty input fires at
/// once with an empty vector. [`DeferredList`](crate::DeferredList) is the same with Twisted's
/// options, [`gather_results`](crate::gather_results) the form that fails at the first failure.
///
/// # Cancellation
///
/// Cancelling the gathered deferred cancels every pending input, and it fails with
/// [`CancelledError`](crate::CancelledError).
///
/// # Examples
///
/// ```
/// let a = txaio::create_future::<u32>();
/// let b = txaio::create_future::<u32>();
/// let all = txaio::gather([a.clone(), b.clone()], true);
/// txaio::resolve(&b, 2).unwrap();
/// txaio::reject(&a, std::fmt::Error).unwrap();
/// txaio::add_callback(&all, |results| {
///     assert!(results[0].is_err());
///     assert_eq!(*results[1].as_ref().unwrap(), 2);
/// });
/// ```
#[doc(alias = "join_all")]
#[track_caller]
pub fn gather<T: Clone + Send + 'static>(
    futures: impl IntoIterator<Item = Deferred<T>>,
    consume_exceptions: bool,
) -> Deferred<Vec<Result<T, Failure>>> {
    combine(futures, Gather::new, consume_exceptions)
}

struct Gather<T>(Slots<Result<T, Failure>>);

impl<T> Gather<T> {
    fn new(len: usize) -> Self {
        Gather(Slots::new(len))
    }
}

impl<T: Send + 'static> Rule<T> for Gather<T> {
    type Output = Vec<Result<T, Failure>>;
    const CANCEL_DECIDES: bool = true;

    fn record(&mut self, index: usize, outcome: Result<T, Failure>) -> Step<Self::Output> {
        match self.0.fill(index, outcome) {
            Some(all) => Step::Fire(Ok(all)),
            None => Step::Wait,
        }
    }

    fn when_empty(self) -> Option<Result<Self::Output, Failure>> {
        Some(Ok(Vec::new()))
    }
}

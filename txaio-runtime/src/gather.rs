//! `gather`: one deferred for many.

use std::sync::{Arc, Mutex, PoisonError};

use crate::deferred::{Deferred, WeakDeferred, create_future, create_future_success, reaction};
use crate::errors::CancelledError;
use crate::failure::Failure;

struct Gathering<T> {
    results: Vec<Option<Result<T, Failure>>>,
    remaining: usize,
}

/// A deferred that fires when every input has fired, with one result per input, in input
/// order (txaio's `gather`, asyncio's `gather(return_exceptions=True)`).
///
/// With `consume_exceptions = true`, the inputs' failures count as handled; with `false` they
/// are still reported as unhandled unless someone else handles them. Cancelling the gathered
/// deferred cancels every pending input, and it fails with [`CancelledError`]. An empty input
/// fires at once with an empty vector.
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
#[doc(alias = "DeferredList")]
pub fn gather<T: Clone + Send + 'static>(
    futures: impl IntoIterator<Item = Deferred<T>>,
    consume_exceptions: bool,
) -> Deferred<Vec<Result<T, Failure>>> {
    let inputs: Vec<Deferred<T>> = futures.into_iter().collect();
    if inputs.is_empty() {
        return create_future_success(Vec::new());
    }
    let gathered = create_future();
    let weak_inputs: Vec<WeakDeferred<T>> = inputs.iter().map(Deferred::downgrade).collect();
    gathered.set_canceller(Box::new(
        move |gathered: &Deferred<Vec<Result<T, Failure>>>| {
            let _ = gathered.settle(Err(Failure::new(CancelledError)));
            for input in weak_inputs.iter().filter_map(WeakDeferred::upgrade) {
                input.cancel();
            }
        },
    ));
    let state = Arc::new(Mutex::new(Gathering {
        results: (0..inputs.len()).map(|_| None).collect(),
        remaining: inputs.len(),
    }));
    for (index, input) in inputs.iter().enumerate() {
        let state = Arc::clone(&state);
        let gathered = gathered.clone();
        let record = reaction(move |outcome: Result<&T, &Failure>| {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            state.results[index] = Some(outcome.cloned().map_err(Clone::clone));
            state.remaining -= 1;
            if state.remaining > 0 {
                return;
            }
            let results = std::mem::take(&mut state.results);
            drop(state);
            // Every slot was filled exactly once, by its own input's reaction.
            let results = results.into_iter().flatten().collect();
            let _ = gathered.settle(Ok(results));
        });
        input.add_reaction(record, consume_exceptions);
    }
    gathered
}

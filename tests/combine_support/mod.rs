//! Helpers shared by the `combine_*` and `twisted_combine` tests.

#![allow(dead_code, unreachable_pub)] // each test file uses its own subset

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use txaio::testutil::CapturedLog;
use txaio::{Deferred, Failure};

/// How many "Unhandled error in Deferred" reports `logs` holds.
pub fn unhandled_reports(logs: &[CapturedLog]) -> usize {
    logs.iter()
        .filter(|log| log.message.starts_with("Unhandled error in Deferred"))
        .count()
}

/// `n` pending deferreds whose cancellers only count their calls (Twisted's
/// `_setupRaceState`): a cancelled one then fails with `CancelledError`.
pub fn counted_cancellers<T: Send + 'static>(
    n: usize,
) -> (Vec<Deferred<T>>, Arc<Vec<AtomicUsize>>) {
    let counts: Arc<Vec<AtomicUsize>> = Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect());
    let inputs = (0..n)
        .map(|i| {
            let counts = Arc::clone(&counts);
            txaio::create_future_with_canceller(move |_| {
                counts[i].fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    (inputs, counts)
}

/// How many times each canceller of [`counted_cancellers`] ran.
pub fn cancel_counts(counts: &[AtomicUsize]) -> Vec<usize> {
    counts.iter().map(|c| c.load(Ordering::SeqCst)).collect()
}

/// A pending deferred whose canceller succeeds it with `value` (Twisted's
/// `fakeCallbackCanceller`).
pub fn resolving_canceller<T: Send + 'static>(value: T) -> Deferred<T> {
    txaio::create_future_with_canceller(move |d| {
        txaio::resolve(d, value).unwrap();
    })
}

/// Every outcome `d` fires with, as seen by a callback pair added now: proves it fires once.
pub fn watch<T: Clone + Send + 'static>(d: &Deferred<T>) -> Arc<Mutex<Vec<Result<T, Failure>>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (ok, err) = (Arc::clone(&seen), Arc::clone(&seen));
    txaio::add_callbacks(
        d,
        move |value: &T| ok.lock().unwrap().push(Ok(value.clone())),
        move |failure: &Failure| err.lock().unwrap().push(Err(failure.clone())),
    );
    seen
}

/// A test error with a message, like Twisted's `GenericError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericError(pub String);

impl std::fmt::Display for GenericError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenericError {}

pub fn generic(message: &str) -> GenericError {
    GenericError(message.to_owned())
}

/// `d`'s outcome if it fired (Twisted's `successResultOf`/`failureResultOf` without the
/// assertion); watching it counts its failure as handled.
pub fn result_of<T: Clone + Send + 'static>(d: &Deferred<T>) -> Option<Result<T, Failure>> {
    let seen = watch(d);
    let mut seen = seen.lock().unwrap();
    assert!(seen.len() <= 1, "fired more than once");
    seen.pop()
}

/// Twisted's `successResultOf`: `d` has succeeded; its value.
#[track_caller]
pub fn success_result_of<T: Clone + Send + 'static>(d: &Deferred<T>) -> T {
    match result_of(d) {
        Some(Ok(value)) => value,
        Some(Err(failure)) => panic!("expected a success, got {failure}"),
        None => panic!("expected a success, the deferred has not fired"),
    }
}

/// Twisted's `failureResultOf`: `d` has failed; its failure.
#[track_caller]
pub fn failure_result_of<T: Clone + Send + 'static>(d: &Deferred<T>) -> Failure {
    match result_of(d) {
        Some(Err(failure)) => failure,
        Some(Ok(_)) => panic!("expected a failure, got a success"),
        None => panic!("expected a failure, the deferred has not fired"),
    }
}

/// Twisted's `assertNoResult`.
#[track_caller]
pub fn assert_no_result<T>(d: &Deferred<T>) {
    assert!(!txaio::is_called(d), "expected no result yet");
}

//! A model-based property test of `Deferred`: random sequences of resolve, reject, cancel,
//! add_callbacks, await, take and drop, from one thread and from several, checked against a
//! plain model of what the documentation promises.
//!
//! Default runs stay fast; `PROPTEST_CASES=100000` runs the long profile.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use txaio::testutil::capture_logs;
use txaio::{AlreadyCalledError, CancelledError, Deferred, Failure, Take, TakenError};

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone, Copy)]
enum Canceller {
    None,
    DoesNothing,
    Resolves(u32),
    Rejects,
}

#[derive(Debug, Clone)]
enum Op {
    Resolve(u32),
    Reject,
    Cancel,
    AddCallbacks,
    Await,
    Take,
    PollPending,
    CloneHandle,
    DropHandle,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => any::<u32>().prop_map(Op::Resolve),
        1 => Just(Op::Reject),
        1 => Just(Op::Cancel),
        3 => Just(Op::AddCallbacks),
        2 => Just(Op::Await),
        2 => Just(Op::Take),
        2 => Just(Op::PollPending),
        1 => Just(Op::CloneHandle),
        1 => Just(Op::DropHandle),
    ]
}

fn canceller() -> impl Strategy<Value = Canceller> {
    prop_oneof![
        Just(Canceller::None),
        Just(Canceller::DoesNothing),
        any::<u32>().prop_map(Canceller::Resolves),
        Just(Canceller::Rejects),
    ]
}

/// What a callback, an awaiter or a taker saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Value(u32),
    /// The `io::Error` of `reject`, or one a canceller rejected with.
    Rejected,
    Cancelled,
    Taken,
}

fn seen(outcome: Result<u32, &Failure>) -> Seen {
    match outcome {
        Ok(value) => Seen::Value(value),
        Err(failure) if failure.is::<CancelledError>() => Seen::Cancelled,
        Err(failure) if failure.is::<TakenError>() => Seen::Taken,
        Err(failure) => {
            assert!(
                failure.is::<std::io::Error>(),
                "unexpected failure {failure}"
            );
            Seen::Rejected
        }
    }
}

/// The model: what the deferred holds, as the docs describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Model {
    Pending,
    Fired(Seen),
}

fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    Pin::new(future).poll(&mut cx)
}

struct Callback {
    calls: Arc<Mutex<Vec<Seen>>>,
    /// What the model says it must see: the outcome when it fired, for one added before;
    /// what the deferred held when it was added, for one added after.
    expected: Option<Seen>,
}

#[allow(clippy::too_many_lines)] // the model reads best as one match over the operations
fn run_sequence(canceller_kind: Canceller, ops: &[Op]) -> Result<(), TestCaseError> {
    let d = match canceller_kind {
        Canceller::None => txaio::create_future::<u32>(),
        Canceller::DoesNothing => txaio::create_future_with_canceller(|_| {}),
        Canceller::Resolves(value) => txaio::create_future_with_canceller(move |d| {
            txaio::resolve(d, value).unwrap();
        }),
        Canceller::Rejects => txaio::create_future_with_canceller(|d| {
            txaio::reject(d, std::io::Error::other("canceller")).unwrap();
        }),
    };
    let mut model = Model::Pending;
    let mut cancelled = false;
    // Whether someone saw the failure (an errback, an awaiter, a taker): no report then.
    let mut handled = false;
    let mut callbacks: Vec<Callback> = Vec::new();
    let mut awaiters: Vec<Deferred<u32>> = Vec::new();
    let mut takers: Vec<Take<u32>> = Vec::new();
    let mut extra_handles: Vec<Deferred<u32>> = Vec::new();

    for op in ops {
        match op {
            Op::Resolve(value) => {
                let got = txaio::resolve(&d, *value);
                match (&model, cancelled) {
                    (Model::Pending, _) => {
                        prop_assert_eq!(got, Ok(()));
                        model = Model::Fired(Seen::Value(*value));
                    }
                    (Model::Fired(_), true) => prop_assert_eq!(got, Ok(())),
                    (Model::Fired(_), false) => prop_assert_eq!(got, Err(AlreadyCalledError)),
                }
            }
            Op::Reject => {
                let got = txaio::reject(&d, std::io::Error::other("rejected"));
                match (&model, cancelled) {
                    (Model::Pending, _) => {
                        prop_assert_eq!(got, Ok(()));
                        model = Model::Fired(Seen::Rejected);
                    }
                    (Model::Fired(_), true) => prop_assert_eq!(got, Ok(())),
                    (Model::Fired(_), false) => prop_assert_eq!(got, Err(AlreadyCalledError)),
                }
            }
            Op::Cancel => {
                txaio::cancel(&d);
                if model == Model::Pending {
                    cancelled = true;
                    model = Model::Fired(match canceller_kind {
                        Canceller::None | Canceller::DoesNothing => Seen::Cancelled,
                        Canceller::Resolves(value) => Seen::Value(value),
                        Canceller::Rejects => Seen::Rejected,
                    });
                }
            }
            Op::AddCallbacks => {
                let calls = Arc::new(Mutex::new(Vec::new()));
                let (on_value, on_failure) = (calls.clone(), calls.clone());
                txaio::add_callbacks(
                    &d,
                    move |value: &u32| on_value.lock().unwrap().push(Seen::Value(*value)),
                    move |failure| on_failure.lock().unwrap().push(seen(Err(failure))),
                );
                handled = true;
                let expected = match &model {
                    Model::Pending => None,
                    Model::Fired(now) => Some(now.clone()),
                };
                callbacks.push(Callback { calls, expected });
            }
            Op::Await => {
                let mut awaiter = d.clone();
                match poll_once(&mut awaiter) {
                    Poll::Ready(outcome) => {
                        let Model::Fired(expected) = &model else {
                            return Err(TestCaseError::fail("ready while pending"));
                        };
                        prop_assert_eq!(&seen(outcome.as_ref().copied()), expected);
                        handled |= outcome.is_err();
                    }
                    Poll::Pending => {
                        prop_assert_eq!(&model, &Model::Pending);
                        awaiters.push(awaiter);
                    }
                }
            }
            Op::Take => {
                let mut taker = d.clone().take();
                match poll_once(&mut taker) {
                    Poll::Ready(outcome) => {
                        let Model::Fired(expected) = model.clone() else {
                            return Err(TestCaseError::fail("take ready while pending"));
                        };
                        prop_assert_eq!(seen(outcome.as_ref().copied()), expected.clone());
                        handled = true;
                        if matches!(expected, Seen::Value(_)) {
                            model = Model::Fired(Seen::Taken);
                        }
                    }
                    Poll::Pending => {
                        prop_assert_eq!(&model, &Model::Pending);
                        takers.push(taker);
                    }
                }
            }
            Op::PollPending => {
                let mut still = Vec::new();
                for mut awaiter in awaiters.drain(..) {
                    match poll_once(&mut awaiter) {
                        Poll::Ready(outcome) => {
                            let Model::Fired(expected) = &model else {
                                return Err(TestCaseError::fail("ready while pending"));
                            };
                            prop_assert_eq!(&seen(outcome.as_ref().copied()), expected);
                            handled |= outcome.is_err();
                        }
                        Poll::Pending => {
                            prop_assert_eq!(&model, &Model::Pending);
                            still.push(awaiter);
                        }
                    }
                }
                awaiters = still;
                let mut still = Vec::new();
                for mut taker in takers.drain(..) {
                    match poll_once(&mut taker) {
                        Poll::Ready(outcome) => {
                            let Model::Fired(expected) = model.clone() else {
                                return Err(TestCaseError::fail("take ready while pending"));
                            };
                            prop_assert_eq!(seen(outcome.as_ref().copied()), expected.clone());
                            handled = true;
                            if matches!(expected, Seen::Value(_)) {
                                model = Model::Fired(Seen::Taken);
                            }
                        }
                        Poll::Pending => {
                            prop_assert_eq!(&model, &Model::Pending);
                            still.push(taker);
                        }
                    }
                }
                takers = still;
            }
            Op::CloneHandle => extra_handles.push(d.clone()),
            Op::DropHandle => drop(extra_handles.pop()),
        }
        prop_assert_eq!(txaio::is_called(&d), model != Model::Pending);
        if let Model::Fired(now) = &model {
            for callback in &mut callbacks {
                callback.expected.get_or_insert_with(|| now.clone());
            }
        }
        // Every callback ran exactly once once fired, never before.
        for callback in &callbacks {
            let calls = callback.calls.lock().unwrap();
            match &model {
                Model::Pending => prop_assert!(calls.is_empty()),
                Model::Fired(_) => prop_assert!(calls.len() <= 1, "{calls:?}"),
            }
        }
    }
    // Callbacks saw the outcome at their time: the fired one, or `Taken` after a take (a
    // plain callback then does not run at all, only the errback).
    if let Model::Fired(_) = &model {
        for callback in &callbacks {
            let calls = callback.calls.lock().unwrap();
            prop_assert_eq!(calls.len(), 1, "each callback ran once: {:?}", calls);
            prop_assert_eq!(Some(&calls[0]), callback.expected.as_ref());
        }
    }
    let final_state = model.clone();
    let ((), logs) = capture_logs(move || {
        drop(awaiters);
        drop(takers);
        drop(extra_handles);
        drop(d);
    });
    let reported = logs
        .iter()
        .filter(|log| log.message.starts_with("Unhandled error in Deferred"))
        .count();
    let expected = usize::from(final_state == Model::Fired(Seen::Rejected) && !handled);
    prop_assert_eq!(
        reported,
        expected,
        "{:?} handled={} {:?}",
        final_state,
        handled,
        logs
    );
    Ok(())
}

#[test]
fn deferred_behaves_like_its_model_on_one_thread() {
    let mut runner = TestRunner::new(Config {
        cases: cases(512),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(canceller(), proptest::collection::vec(op(), 0..40)),
            |(canceller_kind, ops)| run_sequence(canceller_kind, &ops),
        )
        .unwrap();
}

#[derive(Debug, Clone)]
enum ThreadOp {
    Resolve(u32),
    Reject,
    Cancel,
    AddCallbacks,
    Take,
    Await,
}

fn thread_op() -> impl Strategy<Value = ThreadOp> {
    prop_oneof![
        any::<u32>().prop_map(ThreadOp::Resolve),
        Just(ThreadOp::Reject),
        Just(ThreadOp::Cancel),
        Just(ThreadOp::AddCallbacks),
        Just(ThreadOp::Take),
        Just(ThreadOp::Await),
    ]
}

#[derive(Default)]
struct Tally {
    /// Fires that returned `Ok(())`, with what they fired with.
    accepted: Mutex<Vec<Seen>>,
    refused: AtomicUsize,
    cancels: AtomicUsize,
    callbacks_added: AtomicUsize,
    callbacks_run: AtomicUsize,
    seen_by_callbacks: Mutex<Vec<Seen>>,
}

#[allow(clippy::too_many_lines)] // the script, then the invariants, in one place
fn run_threads(script: &[Vec<ThreadOp>]) -> Result<(), TestCaseError> {
    let d = txaio::create_future::<u32>();
    let tally = Arc::new(Tally::default());
    let barrier = Arc::new(std::sync::Barrier::new(script.len()));
    let threads: Vec<_> = script
        .iter()
        .cloned()
        .map(|ops| {
            let (d, tally, barrier) = (d.clone(), tally.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut pending_takes = Vec::new();
                let mut pending_awaits = Vec::new();
                let mut finished = Vec::new();
                barrier.wait();
                for op in ops {
                    match op {
                        ThreadOp::Resolve(value) => match txaio::resolve(&d, value) {
                            Ok(()) => tally.accepted.lock().unwrap().push(Seen::Value(value)),
                            Err(_) => {
                                tally.refused.fetch_add(1, Ordering::SeqCst);
                            }
                        },
                        ThreadOp::Reject => {
                            match txaio::reject(&d, std::io::Error::other("rejected")) {
                                Ok(()) => tally.accepted.lock().unwrap().push(Seen::Rejected),
                                Err(_) => {
                                    tally.refused.fetch_add(1, Ordering::SeqCst);
                                }
                            }
                        }
                        ThreadOp::Cancel => {
                            tally.cancels.fetch_add(1, Ordering::SeqCst);
                            txaio::cancel(&d);
                        }
                        ThreadOp::AddCallbacks => {
                            tally.callbacks_added.fetch_add(1, Ordering::SeqCst);
                            let (ok, err) = (tally.clone(), tally.clone());
                            txaio::add_callbacks(
                                &d,
                                move |value| {
                                    ok.callbacks_run.fetch_add(1, Ordering::SeqCst);
                                    ok.seen_by_callbacks
                                        .lock()
                                        .unwrap()
                                        .push(Seen::Value(*value));
                                },
                                move |failure| {
                                    err.callbacks_run.fetch_add(1, Ordering::SeqCst);
                                    err.seen_by_callbacks
                                        .lock()
                                        .unwrap()
                                        .push(seen(Err(failure)));
                                },
                            );
                        }
                        ThreadOp::Take => {
                            let mut taker = d.clone().take();
                            match poll_once(&mut taker) {
                                Poll::Ready(outcome) => finished.push((true, outcome)),
                                Poll::Pending => pending_takes.push(taker),
                            }
                        }
                        ThreadOp::Await => {
                            let mut awaiter = d.clone();
                            match poll_once(&mut awaiter) {
                                Poll::Ready(outcome) => finished.push((false, outcome)),
                                Poll::Pending => pending_awaits.push(awaiter),
                            }
                        }
                    }
                }
                (pending_takes, pending_awaits, finished)
            })
        })
        .collect();
    let mut pending_takes = Vec::new();
    let mut pending_awaits = Vec::new();
    let mut finished = Vec::new();
    for thread in threads {
        let (takes, awaits, done) = thread.join().unwrap();
        pending_takes.extend(takes);
        pending_awaits.extend(awaits);
        finished.extend(done);
    }
    // Fire it if nobody did, so that every waiter completes.
    let _ = txaio::resolve(&d, 0);
    for mut taker in pending_takes {
        let Poll::Ready(outcome) = poll_once(&mut taker) else {
            return Err(TestCaseError::fail("a take still pending after firing"));
        };
        finished.push((true, outcome));
    }
    for mut awaiter in pending_awaits {
        let Poll::Ready(outcome) = poll_once(&mut awaiter) else {
            return Err(TestCaseError::fail("an awaiter still pending after firing"));
        };
        finished.push((false, outcome));
    }
    let accepted = tally.accepted.lock().unwrap().clone();
    let cancels = tally.cancels.load(Ordering::SeqCst);
    if cancels == 0 {
        // Exactly one fire won (counting the final one when no thread fired).
        let fires = script
            .iter()
            .flatten()
            .filter(|op| matches!(op, ThreadOp::Resolve(_) | ThreadOp::Reject))
            .count();
        prop_assert!(accepted.len() <= 1, "{:?}", accepted);
        prop_assert_eq!(accepted.len() + tally.refused.load(Ordering::SeqCst), fires);
    }
    prop_assert_eq!(
        tally.callbacks_run.load(Ordering::SeqCst),
        tally.callbacks_added.load(Ordering::SeqCst),
        "every callback ran exactly once"
    );
    // Everyone saw one outcome, except that at most one taker moved the value out and those
    // after it saw `Taken`.
    let values_taken = finished
        .iter()
        .filter(|(take, outcome)| *take && outcome.is_ok())
        .count();
    prop_assert!(values_taken <= 1);
    let mut outcomes: Vec<Seen> = finished
        .iter()
        .map(|(_, outcome)| seen(outcome.as_ref().copied()))
        .chain(tally.seen_by_callbacks.lock().unwrap().iter().cloned())
        .filter(|seen| *seen != Seen::Taken)
        .collect();
    outcomes.dedup();
    prop_assert!(
        outcomes.len() <= 1,
        "different outcomes seen: {:?}",
        outcomes
    );
    if cancels == 0
        && let (Some(first), Some(won)) = (outcomes.first(), accepted.first())
    {
        prop_assert_eq!(first, won);
    }
    Ok(())
}

#[test]
fn deferred_behaves_like_its_model_across_threads() {
    let mut runner = TestRunner::new(Config {
        cases: cases(128),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &proptest::collection::vec(proptest::collection::vec(thread_op(), 1..12), 2..5),
            |script| run_threads(&script),
        )
        .unwrap();
}

//! The `txaio::combine` docs and the book, "Coming from Twisted": `gather_results` and `FirstError`.

mod combine_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use combine_support::{
    GenericError, cancel_counts, counted_cancellers, generic, resolving_canceller,
    unhandled_reports, watch,
};
use txaio::testutil::capture_logs;
use txaio::{CancelledError, FirstError};

#[txaio::test]
async fn values_come_in_input_order_once_every_input_succeeded() {
    let inputs: Vec<_> = (0..5).map(|_| txaio::create_future::<usize>()).collect();
    let all = txaio::gather_results(inputs.clone(), false);
    for (i, d) in inputs.iter().enumerate().rev() {
        assert!(!txaio::is_called(&all), "fired before input {i}");
        txaio::resolve(d, i * 10).unwrap();
    }
    assert_eq!(all.await.unwrap(), [0, 10, 20, 30, 40]);
}

#[txaio::test]
async fn the_first_failure_fails_it_at_once_with_first_error() {
    let inputs: Vec<_> = (0..4).map(|_| txaio::create_future::<u8>()).collect();
    let all = txaio::gather_results(inputs.clone(), true);
    txaio::resolve(&inputs[0], 1).unwrap();
    txaio::reject(&inputs[2], generic("third broke")).unwrap();
    assert!(txaio::is_called(&all), "did not fire at the first failure");
    // A later failure of a lower index does not change the outcome: firing order counts.
    txaio::reject(&inputs[1], generic("second broke")).unwrap();
    let failure = all.await.unwrap_err();
    let first = failure.downcast_ref::<FirstError>().unwrap();
    assert_eq!(first.index, 2);
    assert_eq!(
        first.failure.downcast_ref::<GenericError>(),
        Some(&generic("third broke"))
    );
    assert_eq!(
        first.to_string(),
        "FirstError[#2, GenericError: third broke]"
    );
}

#[txaio::test]
async fn inputs_still_pending_at_the_first_failure_are_left_as_they_are() {
    let (inputs, counts) = counted_cancellers::<u8>(3);
    let all = txaio::gather_results(inputs.clone(), true);
    txaio::reject(&inputs[1], generic("boom")).unwrap();
    assert!(txaio::is_called(&all));
    assert!(!txaio::is_called(&inputs[0]));
    assert!(!txaio::is_called(&inputs[2]));
    assert_eq!(cancel_counts(&counts), [0, 0, 0]);
    txaio::resolve(&inputs[2], 3).unwrap();
    assert_eq!(inputs[2].clone().await.unwrap(), 3);
    let seen = watch(&all);
    assert_eq!(seen.lock().unwrap().len(), 1, "fired once");
}

#[txaio::test]
async fn consume_errors_decides_whether_input_failures_are_reported() {
    let reports = |consume: bool| {
        let ((), logs) = capture_logs(|| {
            let d = txaio::create_future::<u8>();
            let all = txaio::gather_results([d.clone()], consume);
            txaio::add_errback(&all, |_| {}); // the FirstError itself is handled
            txaio::reject(&d, generic("lost")).unwrap();
        });
        unhandled_reports(&logs)
    };
    assert_eq!(reports(true), 0);
    assert_eq!(reports(false), 1);
}

#[txaio::test]
async fn an_unhandled_first_error_is_reported() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future_error::<u8>(generic("lost"));
        drop(txaio::gather_results([d], true));
    });
    assert_eq!(unhandled_reports(&logs), 1);
    assert!(
        logs.iter()
            .any(|l| l.message.contains("FirstError[#0, GenericError: lost]"))
    );
}

#[txaio::test]
async fn cancelling_it_cancels_every_pending_input() {
    let (mut inputs, counts) = counted_cancellers::<u8>(3);
    inputs.push(txaio::create_future_success(9));
    let all = txaio::gather_results(inputs.clone(), true);
    txaio::cancel(&all);
    assert_eq!(cancel_counts(&counts), [1, 1, 1]);
    for input in &inputs[..3] {
        assert!(input.clone().await.unwrap_err().is::<CancelledError>());
    }
    assert_eq!(inputs[3].clone().await.unwrap(), 9);
    // Twisted's rule: the first cancelled input's CancelledError is the first failure.
    let failure = all.await.unwrap_err();
    let first = failure.downcast_ref::<FirstError>().unwrap();
    assert_eq!(first.index, 0);
    assert!(first.failure.is::<CancelledError>());
}

#[txaio::test]
async fn cancelled_with_cancellers_that_resolve_it_succeeds_with_their_values() {
    let all = txaio::gather_results([resolving_canceller(1u8), resolving_canceller(2)], false);
    txaio::cancel(&all);
    assert_eq!(all.await.unwrap(), [1, 2]);
}

#[txaio::test]
async fn a_cancelled_gather_results_is_not_reported_as_unhandled() {
    let ((), logs) = capture_logs(|| {
        let all = txaio::gather_results([txaio::create_future::<u8>()], true);
        txaio::cancel(&all);
    });
    assert_eq!(unhandled_reports(&logs), 0);
}

#[txaio::test]
async fn cancelling_it_after_it_fired_does_nothing() {
    let (inputs, counts) = counted_cancellers::<u8>(2);
    let all = txaio::gather_results(inputs.clone(), true);
    txaio::reject(&inputs[0], generic("boom")).unwrap();
    txaio::cancel(&all);
    assert_eq!(cancel_counts(&counts), [0, 0]);
    assert!(!txaio::is_called(&inputs[1]));
    assert!(all.await.unwrap_err().is::<FirstError>());
}

#[txaio::test]
async fn an_empty_input_succeeds_at_once_with_no_values() {
    let all = txaio::gather_results(Vec::<txaio::Deferred<u8>>::new(), false);
    assert!(txaio::is_called(&all));
    assert!(all.await.unwrap().is_empty());
}

#[txaio::test]
async fn already_fired_inputs_decide_before_it_returns() {
    let ok = txaio::gather_results(
        [
            txaio::create_future_success(1),
            txaio::create_future_success(2),
        ],
        false,
    );
    assert!(txaio::is_called(&ok));
    assert_eq!(ok.await.unwrap(), [1, 2]);

    let pending = txaio::create_future::<u8>();
    let failed = txaio::gather_results(
        [
            pending.clone(),
            txaio::create_future_error(generic("early")),
        ],
        true,
    );
    assert!(txaio::is_called(&failed));
    assert_eq!(
        failed
            .await
            .unwrap_err()
            .downcast_ref::<FirstError>()
            .unwrap()
            .index,
        1
    );
    assert!(!txaio::is_called(&pending));
}

#[txaio::test]
async fn it_works_across_spawned_tasks() {
    let tasks: Vec<_> = (0..20u64)
        .map(|i| txaio::spawn(async move { Ok::<_, txaio::Failure>(i * i) }))
        .collect();
    let squares = txaio::gather_results(tasks, true).await.unwrap();
    assert_eq!(squares, (0..20).map(|i| i * i).collect::<Vec<_>>());
}

#[txaio::test]
async fn the_same_deferred_twice_counts_as_two_inputs() {
    let d = txaio::create_future::<u8>();
    let all = txaio::gather_results([d.clone(), d.clone()], false);
    txaio::resolve(&d, 4).unwrap();
    assert_eq!(all.await.unwrap(), [4, 4]);
}

#[txaio::test]
async fn callbacks_on_it_may_re_enter_inputs_and_combinators() {
    let a = txaio::create_future::<u8>();
    let b = txaio::create_future::<u8>();
    let first = txaio::gather_results([a.clone()], false);
    let second = txaio::gather_results([b.clone()], false);
    let b_inside = b.clone();
    let second_inside = second.clone();
    txaio::add_callback(&first, move |_| {
        // Fires `b`, and through it `second`, from inside `first`'s callbacks.
        txaio::resolve(&b_inside, 2).unwrap();
        assert!(txaio::is_called(&second_inside));
    });
    txaio::resolve(&a, 1).unwrap();
    assert_eq!(second.await.unwrap(), [2]);
}

#[txaio::test]
async fn an_input_callback_cancelling_the_combined_deferred_does_not_deadlock() {
    let a = txaio::create_future::<u8>();
    let b = txaio::create_future::<u8>();
    let all = txaio::gather_results([a.clone(), b.clone()], true);
    let all_inside = all.clone();
    // Runs right after `gather_results`'s own reaction on `a`, which must not hold its lock.
    txaio::add_callback(&a, move |_| txaio::cancel(&all_inside));
    txaio::resolve(&a, 1).unwrap();
    assert!(b.clone().await.unwrap_err().is::<CancelledError>());
    let first = all.await.unwrap_err();
    assert_eq!(first.downcast_ref::<FirstError>().unwrap().index, 1);
}

#[test]
fn resolving_inputs_from_many_threads_fires_it_once_with_every_value() {
    for round in 0..50 {
        let inputs: Vec<_> = (0..16).map(|_| txaio::create_future::<usize>()).collect();
        let all = txaio::gather_results(inputs.clone(), false);
        let fired = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&fired);
        txaio::add_callback(&all, move |values: &Vec<usize>| {
            assert_eq!(*values, (0..16).collect::<Vec<_>>());
            counter.fetch_add(1, Ordering::SeqCst);
        });
        std::thread::scope(|scope| {
            for (i, d) in inputs.iter().enumerate() {
                scope.spawn(move || txaio::resolve(d, i).unwrap());
            }
        });
        assert_eq!(fired.load(Ordering::SeqCst), 1, "round {round}");
    }
}

#[test]
fn cancelling_while_inputs_fire_on_other_threads_fires_it_once() {
    for round in 0..50 {
        let inputs: Vec<_> = (0..8).map(|_| txaio::create_future::<usize>()).collect();
        let all = txaio::gather_results(inputs.clone(), true);
        let seen = watch(&all);
        std::thread::scope(|scope| {
            for (i, d) in inputs.iter().enumerate() {
                scope.spawn(move || {
                    let _ = txaio::resolve(d, i);
                });
            }
            scope.spawn(|| txaio::cancel(&all));
        });
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "round {round}");
        match &seen[0] {
            Ok(values) => assert_eq!(*values, (0..8).collect::<Vec<_>>()),
            Err(failure) => assert!(
                failure.is::<CancelledError>()
                    || failure
                        .downcast_ref::<FirstError>()
                        .is_some_and(|first| first.failure.is::<CancelledError>()),
                "round {round}: {failure}"
            ),
        }
        for d in &inputs {
            assert!(txaio::is_called(d));
        }
    }
}

/// A value whose `clone` panics on demand.
#[derive(Debug)]
struct Brittle(bool);

impl Clone for Brittle {
    fn clone(&self) -> Self {
        assert!(!self.0, "this value refuses to be cloned");
        Brittle(false)
    }
}

#[txaio::test]
async fn a_value_whose_clone_panics_counts_as_that_input_failing() {
    let ((), logs) = capture_logs(|| {
        let inputs = [txaio::create_future::<Brittle>(), txaio::create_future()];
        let all = txaio::gather_results(inputs.clone(), true);
        let seen = watch(&all);
        txaio::resolve(&inputs[0], Brittle(false)).unwrap();
        txaio::resolve(&inputs[1], Brittle(true)).unwrap();
        let seen = seen.lock().unwrap();
        let failure = seen[0].as_ref().unwrap_err();
        let first = failure.downcast_ref::<FirstError>().unwrap();
        assert_eq!(first.index, 1);
        assert!(first.failure.is::<txaio::Panic>());
        assert_eq!(
            txaio::failure_message(&first.failure),
            "Panic: this value refuses to be cloned"
        );
    });
    assert_eq!(unhandled_reports(&logs), 0);
}

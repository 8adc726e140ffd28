//! Ports of Twisted's `twisted/test/test_defer.py` tests of `DeferredList`, `gatherResults`,
//! `race` and `FirstError`, each named after the test it ports (in snake case).
//!
//! Differences that come from txaio rather than from the combinators: callbacks do not chain
//! (`consumeErrors` marks failures as handled instead of turning them into `None` results),
//! and Twisted's `flushLoggedErrors` becomes `capture_logs`. Not ported: `FirstErrorTests.
//! test_comparison`, as a `Failure` has no equality to compare `FirstError`s by.

mod combine_support;

use std::time::Duration;

use combine_support::{
    GenericError, assert_no_result, cancel_counts, counted_cancellers, failure_result_of, generic,
    resolving_canceller, success_result_of, unhandled_reports,
};
use txaio::testutil::{capture_logs, replace_loop};
use txaio::{
    CancelledError, Deferred, DeferredList, DeferredListResult, Failure, FailureGroup, FirstError,
};

const CALLBACK_RESULT: &str = "Callback Result";

fn all<T: std::fmt::Debug>(result: DeferredListResult<T>) -> Vec<Result<T, Failure>> {
    match result {
        DeferredListResult::All(results) => results,
        first @ DeferredListResult::First { .. } => panic!("expected All, got {first:?}"),
    }
}

fn pending<T: Send + 'static>(n: usize) -> Vec<Deferred<T>> {
    (0..n).map(|_| txaio::create_future()).collect()
}

// DeferredTests: DeferredList.

#[txaio::test]
async fn test_deferred_list() {
    let inputs = pending::<&str>(3);
    let list = DeferredList::new(inputs.clone()).start();
    txaio::resolve(&inputs[0], "1").unwrap();
    // Handled on the input itself, so that it is not reported.
    txaio::add_errback(&inputs[1], |_| {});
    txaio::reject(&inputs[1], generic("2")).unwrap();
    assert_no_result(&list);
    txaio::resolve(&inputs[2], "3").unwrap();
    let results = all(success_result_of(&list));
    assert_eq!(*results[0].as_ref().unwrap(), "1");
    let failure = results[1].as_ref().unwrap_err();
    assert_eq!(failure.downcast_ref::<GenericError>(), Some(&generic("2")));
    assert_eq!(*results[2].as_ref().unwrap(), "3");
}

#[txaio::test]
async fn test_empty_deferred_list() {
    let list = DeferredList::new(Vec::<Deferred<()>>::new()).start();
    assert!(all(success_result_of(&list)).is_empty());
    let list = DeferredList::new(Vec::<Deferred<()>>::new())
        .fire_on_one_callback(true)
        .start();
    assert_no_result(&list);
}

#[txaio::test]
async fn test_deferred_list_fire_on_one_error() {
    let inputs = pending::<&str>(3);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_errback(true)
        .start();
    txaio::add_errback(&inputs[1], |_| {});
    txaio::resolve(&inputs[0], "1").unwrap();
    assert_no_result(&list);
    txaio::reject(&inputs[1], generic("from def2")).unwrap();
    let failure = failure_result_of(&list);
    let first = failure
        .downcast_ref::<FirstError>()
        .expect("the failure is a FirstError");
    assert_eq!(
        first.failure.downcast_ref::<GenericError>(),
        Some(&generic("from def2"))
    );
    assert_eq!(first.index, 1);
}

#[txaio::test]
async fn test_deferred_list_dont_consume_errors() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<()>();
        let list = DeferredList::new([d.clone()]).start();
        let trapped = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let trap = trapped.clone();
        txaio::add_errback(&d, move |failure| {
            trap.lock().unwrap().push(failure.clone());
        });
        txaio::reject(&d, generic("Bang")).unwrap();
        // The input's own errback sees the failure: the list did not take it.
        assert_eq!(trapped.lock().unwrap().len(), 1);
        let results = all(success_result_of(&list));
        let failure = results[0].as_ref().unwrap_err();
        assert_eq!(
            failure.downcast_ref::<GenericError>(),
            Some(&generic("Bang"))
        );
    });
    assert_eq!(
        unhandled_reports(&logs),
        0,
        "the input's errback handled it"
    );

    // And with nobody else handling it, the failure is reported.
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<()>();
        let list = DeferredList::new([d.clone()]).start();
        txaio::reject(&d, generic("Bang")).unwrap();
        assert!(txaio::is_called(&list));
    });
    assert_eq!(unhandled_reports(&logs), 1);
}

#[txaio::test]
async fn test_deferred_list_consume_errors() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<()>();
        let list = DeferredList::new([d.clone()]).consume_errors(true).start();
        txaio::reject(&d, generic("Bang")).unwrap();
        let results = all(success_result_of(&list));
        let failure = results[0].as_ref().unwrap_err();
        assert_eq!(
            failure.downcast_ref::<GenericError>(),
            Some(&generic("Bang"))
        );
    });
    // Twisted turns the input's result into `None`; txaio's callbacks do not chain, so the
    // failure stays on the input but counts as handled.
    assert_eq!(unhandled_reports(&logs), 0);
}

#[txaio::test]
async fn test_deferred_list_fire_on_one_error_with_already_fired_deferreds() {
    let d1 = txaio::create_future_error::<()>(generic("Bang"));
    let d2 = txaio::create_future::<()>();
    let list = DeferredList::new([d1.clone(), d2])
        .fire_on_one_errback(true)
        .start();
    assert_eq!(
        failure_result_of(&list)
            .downcast_ref::<FirstError>()
            .unwrap()
            .index,
        0
    );
    txaio::add_errback(&d1, |_| {});
}

#[txaio::test]
async fn test_deferred_list_with_already_fired_deferreds() {
    let d1 = txaio::create_future_error::<i32>(generic("Bang"));
    let d2 = txaio::create_future_success(2);
    let list = DeferredList::new([d1.clone(), d2]).start();
    let results = all(success_result_of(&list));
    assert_eq!(results.len(), 2);
    assert_eq!(*results[1].as_ref().unwrap(), 2);
    txaio::add_errback(&d1, |_| {});
}

#[txaio::test]
async fn test_cancel_deferred_list() {
    let inputs = pending::<()>(2);
    let list = DeferredList::new(inputs.clone()).start();
    txaio::cancel(&list);
    assert!(failure_result_of(&inputs[0]).is::<CancelledError>());
    assert!(failure_result_of(&inputs[1]).is::<CancelledError>());
}

#[txaio::test]
async fn test_cancel_deferred_list_callback() {
    let one = resolving_canceller(CALLBACK_RESULT);
    let two = txaio::create_future::<&str>();
    let list = DeferredList::new([one, two.clone()]).start();
    txaio::cancel(&list);
    assert!(failure_result_of(&two).is::<CancelledError>());
    let results = all(success_result_of(&list));
    assert_eq!(*results[0].as_ref().unwrap(), CALLBACK_RESULT);
    assert!(results[1].as_ref().unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn test_cancel_deferred_list_with_fire_on_one_callback() {
    let inputs = pending::<()>(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .start();
    txaio::cancel(&list);
    assert!(failure_result_of(&inputs[0]).is::<CancelledError>());
    assert!(failure_result_of(&inputs[1]).is::<CancelledError>());
}

#[txaio::test]
async fn test_cancel_deferred_list_with_fire_on_one_callback_and_deferred_callback() {
    let one = resolving_canceller(CALLBACK_RESULT);
    let two = txaio::create_future::<&str>();
    let list = DeferredList::new([one, two.clone()])
        .fire_on_one_callback(true)
        .start();
    txaio::cancel(&list);
    assert!(failure_result_of(&two).is::<CancelledError>());
    match success_result_of(&list) {
        DeferredListResult::First { index, value } => {
            assert_eq!((index, value), (0, CALLBACK_RESULT));
        }
        other @ DeferredListResult::All(_) => panic!("expected First, got {other:?}"),
    }
}

#[txaio::test]
async fn test_cancel_deferred_list_with_fire_on_one_errback() {
    let inputs = pending::<()>(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_errback(true)
        .start();
    txaio::cancel(&list);
    assert!(failure_result_of(&inputs[0]).is::<CancelledError>());
    assert!(failure_result_of(&inputs[1]).is::<CancelledError>());
    let failure = failure_result_of(&list);
    let first = failure.downcast_ref::<FirstError>().unwrap();
    assert!(first.failure.is::<CancelledError>());
}

#[txaio::test]
async fn test_cancel_deferred_list_with_fire_on_one_errback_all_deferreds_callback() {
    let list = DeferredList::new([
        resolving_canceller(CALLBACK_RESULT),
        resolving_canceller(CALLBACK_RESULT),
    ])
    .fire_on_one_errback(true)
    .start();
    txaio::cancel(&list);
    let values: Vec<&str> = all(success_result_of(&list))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(values, [CALLBACK_RESULT, CALLBACK_RESULT]);
}

#[txaio::test]
async fn test_cancel_deferred_list_with_original_deferreds() {
    let mut arguments = pending::<()>(2);
    let list = DeferredList::new(arguments.clone()).start();
    let three = txaio::create_future::<()>();
    arguments.push(three.clone());
    txaio::cancel(&list);
    assert!(failure_result_of(&arguments[0]).is::<CancelledError>());
    assert!(failure_result_of(&arguments[1]).is::<CancelledError>());
    assert_no_result(&three);
}

#[txaio::test]
async fn test_cancel_deferred_list_with_exception() {
    let ((), logs) = capture_logs(|| {
        let one = txaio::create_future_with_canceller::<()>(|_| panic!("test"));
        let two = txaio::create_future::<()>();
        let list = DeferredList::new([one, two.clone()]).start();
        txaio::cancel(&list);
        assert!(failure_result_of(&two).is::<CancelledError>());
    });
    let panics = logs
        .iter()
        .filter(|l| l.message.starts_with("A canceller panicked: test"))
        .count();
    assert_eq!(panics, 1);
}

#[txaio::test]
async fn test_cancel_fired_on_one_callback_deferred_list() {
    let inputs = pending::<()>(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .start();
    txaio::resolve(&inputs[0], ()).unwrap();
    txaio::cancel(&list);
    assert_no_result(&inputs[1]);
}

#[txaio::test]
async fn test_cancel_fired_on_one_errback_deferred_list() {
    let inputs = pending::<()>(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_errback(true)
        .start();
    txaio::reject(&inputs[0], generic("test")).unwrap();
    txaio::cancel(&list);
    assert_no_result(&inputs[1]);
    assert!(failure_result_of(&inputs[0]).is::<GenericError>());
    assert!(failure_result_of(&list).is::<FirstError>());
}

// DeferredListEmptyTests.

#[txaio::test]
async fn test_deferred_list_empty() {
    let list = DeferredList::new(Vec::<Deferred<()>>::new()).start();
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran.clone();
    txaio::add_callback(&list, move |result| {
        assert!(matches!(result, DeferredListResult::All(results) if results.is_empty()));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    assert!(
        ran.load(std::sync::atomic::Ordering::SeqCst),
        "callback was never run"
    );
}

// DeferredTests: gatherResults.

#[txaio::test]
async fn test_gather_results() {
    let ok = txaio::gather_results(
        [
            txaio::create_future_success(1),
            txaio::create_future_success(2),
        ],
        false,
    );
    assert_eq!(success_result_of(&ok), [1, 2]);
    let inputs = [
        txaio::create_future_success(1),
        txaio::create_future_error(generic("value error")),
    ];
    let failed = txaio::gather_results(inputs.clone(), false);
    assert!(failure_result_of(&failed).is::<FirstError>());
    // Get rid of the input's error.
    txaio::add_errback(&inputs[1], |_| {});
}

#[txaio::test]
async fn test_gather_results_with_consume_errors() {
    let ((), logs) = capture_logs(|| {
        let good = txaio::create_future_success(1);
        let bad = txaio::create_future_error::<i32>(generic("oh noes"));
        let gathered = txaio::gather_results([good, bad.clone()], true);
        let failure = failure_result_of(&gathered);
        let first = failure.downcast_ref::<FirstError>().unwrap();
        assert!(first.failure.is::<GenericError>());
        drop(bad);
    });
    // Twisted turns `bad`'s result into `None`; here it stays failed and counts as handled.
    assert_eq!(unhandled_reports(&logs), 0);
}

#[txaio::test]
async fn test_cancel_gather_results() {
    let inputs = pending::<()>(2);
    let gathered = txaio::gather_results(inputs.clone(), false);
    txaio::cancel(&gathered);
    assert!(failure_result_of(&inputs[0]).is::<CancelledError>());
    assert!(failure_result_of(&inputs[1]).is::<CancelledError>());
    let failure = failure_result_of(&gathered);
    let first = failure.downcast_ref::<FirstError>().unwrap();
    assert!(first.failure.is::<CancelledError>());
}

#[txaio::test]
async fn test_cancel_gather_results_with_all_deferreds_callback() {
    let gathered = txaio::gather_results(
        [
            resolving_canceller(CALLBACK_RESULT),
            resolving_canceller(CALLBACK_RESULT),
        ],
        false,
    );
    txaio::cancel(&gathered);
    assert_eq!(
        success_result_of(&gathered),
        [CALLBACK_RESULT, CALLBACK_RESULT]
    );
}

// RaceTests. Twisted draws `before_winner` and `after_winner` in 0..=3 with hypothesis; the
// ports try every combination.

fn winner_positions() -> impl Iterator<Item = (usize, usize)> {
    (0..=3).flat_map(|before| (0..=3).map(move |after| (before, after)))
}

#[txaio::test]
async fn test_success() {
    for (before, after) in winner_positions() {
        let (inputs, counts) = counted_cancellers::<&str>(before + 1 + after);
        let raced = txaio::race(inputs.clone());
        txaio::resolve(&inputs[before], "expected").unwrap();
        assert_eq!(success_result_of(&raced), (before, "expected"));
        let mut expected = vec![1; before];
        expected.push(0);
        expected.extend(vec![1; after]);
        assert_eq!(cancel_counts(&counts), expected);
    }
}

#[txaio::test]
async fn test_failure() {
    for (before, after) in winner_positions() {
        let (inputs, counts) = counted_cancellers::<()>(before + 1 + after);
        let failure = Failure::new(generic("The test demands failures."));
        let raced = txaio::race(inputs.clone());
        for d in &inputs {
            txaio::reject(d, failure.clone()).unwrap();
        }
        let raced_failure = failure_result_of(&raced);
        let group = raced_failure.downcast_ref::<FailureGroup>().unwrap();
        assert_eq!(group.failures.len(), inputs.len());
        for f in &group.failures {
            assert_eq!(
                f.downcast_ref::<GenericError>(),
                Some(&generic("The test demands failures."))
            );
        }
        assert_eq!(cancel_counts(&counts), vec![0; inputs.len()]);
    }
}

#[txaio::test]
async fn test_result_after_cancel() {
    for (before, after) in winner_positions() {
        let ((), logs) = capture_logs(|| {
            let inputs = pending::<()>(before + 2 + after);
            let raced = txaio::race(inputs.clone());
            txaio::resolve(&inputs[before], ()).unwrap();
            // Fired after it was cancelled: goes nowhere.
            txaio::resolve(&inputs[before + 1], ()).unwrap();
            success_result_of(&raced);
        });
        assert!(logs.is_empty(), "{logs:?}");
    }
}

#[txaio::test]
async fn test_result_from_cancel() {
    let winner = txaio::create_future::<&str>();
    let raced = txaio::race([winner.clone(), resolving_canceller("from the canceller")]);
    txaio::resolve(&winner, "expected").unwrap();
    assert_eq!(success_result_of(&raced), (0, "expected"));
}

#[txaio::test]
async fn test_cancel() {
    for n in 1..=3 {
        let (inputs, counts) = counted_cancellers::<()>(n);
        let raced = txaio::race(inputs);
        txaio::cancel(&raced);
        assert_eq!(cancel_counts(&counts), vec![1; n]);
        assert!(failure_result_of(&raced).is::<FailureGroup>());
    }
}

// FirstErrorTests.

#[txaio::test]
async fn test_repr() {
    let error = FirstError {
        index: 3,
        failure: Failure::new(generic("some text")),
    };
    let debug = format!("{error:?}");
    assert!(debug.starts_with("FirstError"), "{debug}");
    assert!(debug.contains("index: 3"), "{debug}");
    assert!(debug.contains("some text"), "{debug}");
}

#[txaio::test]
async fn test_str() {
    let failure = Failure::new(generic("some text"));
    let error = FirstError {
        index: 5,
        failure: failure.clone(),
    };
    assert_eq!(error.to_string(), format!("FirstError[#5, {failure}]"));
}

// Beyond the ports: the race that Twisted users write as `race([work, deferLater(...)])`.

#[txaio::test]
async fn race_against_a_timer_cancels_the_timer() {
    replace_loop(|clock| {
        let work = txaio::create_future::<()>();
        let raced = txaio::race([work.clone(), txaio::sleep(Duration::from_secs(5))]);
        txaio::resolve(&work, ()).unwrap();
        assert_eq!(clock.pending(), 0, "the losing sleep still holds its timer");
        assert_eq!(success_result_of(&raced).0, 0);

        let slow = txaio::create_future::<()>();
        let raced = txaio::race([slow.clone(), txaio::sleep(Duration::from_secs(5))]);
        clock.advance(Duration::from_secs(5));
        assert_eq!(success_result_of(&raced).0, 1);
        assert!(failure_result_of(&slow).is::<CancelledError>());
    });
}

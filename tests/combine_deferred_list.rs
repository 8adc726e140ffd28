//! The `txaio::combine` docs and the book, "Coming from Twisted": `DeferredList` and `DeferredListResult`.

mod combine_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use combine_support::{
    GenericError, cancel_counts, counted_cancellers, generic, resolving_canceller,
    unhandled_reports, watch,
};
use txaio::testutil::{capture_logs, replace_loop};
use txaio::{CancelledError, Deferred, DeferredList, DeferredListResult, Failure, FirstError};

fn all(result: DeferredListResult<u8>) -> Vec<Result<u8, Failure>> {
    match result {
        DeferredListResult::All(results) => results,
        DeferredListResult::First { index, value } => panic!("First {{ {index}, {value} }}"),
    }
}

fn first(result: DeferredListResult<u8>) -> (usize, u8) {
    match result {
        DeferredListResult::First { index, value } => (index, value),
        DeferredListResult::All(results) => panic!("All({results:?})"),
    }
}

fn pending(n: usize) -> Vec<Deferred<u8>> {
    (0..n).map(|_| txaio::create_future()).collect()
}

#[txaio::test]
async fn without_options_it_fires_with_all_once_every_input_fired() {
    let inputs = pending(3);
    let list = DeferredList::new(inputs.clone())
        .consume_errors(true)
        .start();
    txaio::resolve(&inputs[2], 2).unwrap();
    txaio::reject(&inputs[1], generic("one")).unwrap();
    assert!(!txaio::is_called(&list));
    txaio::resolve(&inputs[0], 0).unwrap();
    let results = all(list.await.unwrap());
    assert_eq!(*results[0].as_ref().unwrap(), 0);
    assert!(results[1].as_ref().unwrap_err().is::<GenericError>());
    assert_eq!(*results[2].as_ref().unwrap(), 2);
}

#[txaio::test]
async fn fire_on_one_callback_fires_with_the_first_success() {
    let inputs = pending(3);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .consume_errors(true)
        .start();
    txaio::reject(&inputs[0], generic("zero")).unwrap();
    assert!(!txaio::is_called(&list), "a failure is not a success");
    txaio::resolve(&inputs[2], 22).unwrap();
    assert_eq!(first(list.await.unwrap()), (2, 22));
    // Left as it was: not cancelled.
    assert!(!txaio::is_called(&inputs[1]));
}

#[txaio::test]
async fn fire_on_one_callback_gives_all_when_every_input_failed() {
    let inputs = pending(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .consume_errors(true)
        .start();
    txaio::reject(&inputs[1], generic("one")).unwrap();
    txaio::reject(&inputs[0], generic("zero")).unwrap();
    let results = all(list.await.unwrap());
    assert!(results.iter().all(Result::is_err));
}

#[txaio::test]
async fn fire_on_one_errback_fails_with_first_error_at_the_first_failure() {
    let inputs = pending(3);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_errback(true)
        .consume_errors(true)
        .start();
    txaio::resolve(&inputs[0], 0).unwrap();
    assert!(!txaio::is_called(&list));
    txaio::reject(&inputs[1], generic("one")).unwrap();
    let failure = list.await.unwrap_err();
    let first = failure.downcast_ref::<FirstError>().unwrap();
    assert_eq!(first.index, 1);
    assert_eq!(first.to_string(), "FirstError[#1, GenericError: one]");
    assert!(!txaio::is_called(&inputs[2]), "left as it was");
}

#[txaio::test]
async fn fire_on_one_errback_gives_all_when_every_input_succeeded() {
    let inputs = pending(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_errback(true)
        .start();
    txaio::resolve(&inputs[1], 1).unwrap();
    txaio::resolve(&inputs[0], 0).unwrap();
    let values: Vec<u8> = all(list.await.unwrap())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(values, [0, 1]);
}

#[txaio::test]
async fn with_both_options_whichever_comes_first_decides() {
    let inputs = pending(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .fire_on_one_errback(true)
        .consume_errors(true)
        .start();
    txaio::reject(&inputs[1], generic("one")).unwrap();
    txaio::resolve(&inputs[0], 0).unwrap();
    assert_eq!(
        list.await
            .unwrap_err()
            .downcast_ref::<FirstError>()
            .unwrap()
            .index,
        1
    );

    let inputs = pending(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .fire_on_one_errback(true)
        .start();
    txaio::resolve(&inputs[1], 1).unwrap();
    assert_eq!(first(list.await.unwrap()), (1, 1));
}

#[txaio::test]
async fn consume_errors_decides_whether_input_failures_are_reported() {
    let reports = |consume: bool| {
        let ((), logs) = capture_logs(|| {
            let d = txaio::create_future::<u8>();
            let list = DeferredList::new([d.clone()])
                .consume_errors(consume)
                .start();
            txaio::reject(&d, generic("lost")).unwrap();
            assert!(txaio::is_called(&list));
        });
        unhandled_reports(&logs)
    };
    assert_eq!(reports(true), 0);
    assert_eq!(reports(false), 1);
}

#[txaio::test]
async fn an_empty_list_fires_at_once_with_all_of_nothing() {
    let list = DeferredList::new(Vec::<Deferred<u8>>::new()).start();
    assert!(txaio::is_called(&list));
    assert!(all(list.await.unwrap()).is_empty());
    let list = DeferredList::new(Vec::<Deferred<u8>>::new())
        .fire_on_one_errback(true)
        .start();
    assert!(all(list.await.unwrap()).is_empty());
}

#[txaio::test]
async fn an_empty_list_with_fire_on_one_callback_never_fires() {
    replace_loop(|clock| {
        let list = DeferredList::new(Vec::<Deferred<u8>>::new())
            .fire_on_one_callback(true)
            .start();
        clock.advance(Duration::from_secs(3600));
        assert!(!txaio::is_called(&list));
        txaio::cancel(&list);
        let seen = watch(&list);
        assert!(
            seen.lock().unwrap()[0]
                .as_ref()
                .unwrap_err()
                .is::<CancelledError>()
        );
    });
}

#[txaio::test]
async fn cancelling_it_cancels_every_pending_input() {
    let (mut inputs, counts) = counted_cancellers::<u8>(2);
    inputs.push(txaio::create_future_success(5));
    let list = DeferredList::new(inputs.clone()).start();
    txaio::cancel(&list);
    assert_eq!(cancel_counts(&counts), [1, 1]);
    // Twisted's rule: the list fires with what its inputs fired with.
    let results = all(list.await.unwrap());
    assert!(results[0].as_ref().unwrap_err().is::<CancelledError>());
    assert!(results[1].as_ref().unwrap_err().is::<CancelledError>());
    assert_eq!(*results[2].as_ref().unwrap(), 5);
}

#[txaio::test]
async fn cancelled_with_options_it_follows_them() {
    let list = DeferredList::new([txaio::create_future::<u8>(), resolving_canceller(9)])
        .fire_on_one_callback(true)
        .start();
    txaio::cancel(&list);
    assert_eq!(first(list.await.unwrap()), (1, 9));

    let list = DeferredList::new(pending(2))
        .fire_on_one_errback(true)
        .start();
    txaio::cancel(&list);
    let failure = list.await.unwrap_err();
    let first_error = failure.downcast_ref::<FirstError>().unwrap();
    assert_eq!(first_error.index, 0);
    assert!(first_error.failure.is::<CancelledError>());
}

#[txaio::test]
async fn cancelling_a_fired_list_leaves_its_pending_inputs_alone() {
    let (inputs, counts) = counted_cancellers::<u8>(2);
    let list = DeferredList::new(inputs.clone())
        .fire_on_one_callback(true)
        .start();
    txaio::resolve(&inputs[0], 0).unwrap();
    txaio::cancel(&list);
    assert_eq!(cancel_counts(&counts), [0, 0]);
    assert!(!txaio::is_called(&inputs[1]));
    assert_eq!(first(list.await.unwrap()), (0, 0));
}

#[txaio::test]
async fn a_cancelled_list_is_not_reported_as_unhandled() {
    let ((), logs) = capture_logs(|| {
        let list = DeferredList::new(pending(2))
            .fire_on_one_errback(true)
            .start();
        txaio::cancel(&list);
    });
    assert_eq!(unhandled_reports(&logs), 0);
}

#[txaio::test]
async fn the_list_keeps_inputs_passed_by_value_alive() {
    replace_loop(|clock| {
        let list = DeferredList::new([
            txaio::sleep(Duration::from_millis(5)),
            txaio::sleep(Duration::from_millis(10)),
        ])
        .start();
        clock.advance(Duration::from_millis(10));
        let seen = watch(&list);
        let seen = seen.lock().unwrap();
        let DeferredListResult::All(results) = seen[0].as_ref().unwrap() else {
            panic!("expected All");
        };
        assert!(results.iter().all(Result::is_ok));
    });
}

#[txaio::test]
async fn it_works_across_spawned_tasks() {
    let tasks: Vec<_> = (0..10u8)
        .map(|i| txaio::spawn(async move { if i == 7 { Err(generic("seven")) } else { Ok(i) } }))
        .collect();
    let list = DeferredList::new(tasks).consume_errors(true).start();
    let results = all(list.await.unwrap());
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result.is_err(), i == 7);
    }
}

#[txaio::test]
async fn a_builder_that_is_never_started_watches_nothing() {
    let d = txaio::create_future::<u8>();
    drop(DeferredList::new([d.clone()]).consume_errors(true));
    let ((), logs) = capture_logs(|| {
        txaio::reject(&d, generic("nobody consumed this")).unwrap();
        drop(d);
    });
    assert_eq!(unhandled_reports(&logs), 1);
}

#[test]
fn inputs_firing_on_many_threads_fire_it_once() {
    for round in 0..50 {
        let inputs = pending(8);
        let list = DeferredList::new(inputs.clone())
            .fire_on_one_callback(round % 2 == 0)
            .fire_on_one_errback(round % 3 == 0)
            .consume_errors(true)
            .start();
        let fired = Arc::new(AtomicUsize::new(0));
        let (ok, err) = (Arc::clone(&fired), Arc::clone(&fired));
        txaio::add_callbacks(
            &list,
            move |_| {
                ok.fetch_add(1, Ordering::SeqCst);
            },
            move |_| {
                err.fetch_add(1, Ordering::SeqCst);
            },
        );
        std::thread::scope(|scope| {
            for (i, d) in inputs.iter().enumerate() {
                scope.spawn(move || {
                    if i % 2 == 0 {
                        txaio::resolve(d, 0).unwrap();
                    } else {
                        txaio::reject(d, generic("odd")).unwrap();
                    }
                });
            }
            scope.spawn(|| {
                if round % 5 == 0 {
                    txaio::cancel(&list);
                }
            });
        });
        assert_eq!(fired.load(Ordering::SeqCst), 1, "round {round}");
    }
}

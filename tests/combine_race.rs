//! The `txaio::combine` docs and the book, "Coming from Twisted": `race` and `FailureGroup`.

mod combine_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use combine_support::{
    GenericError, cancel_counts, counted_cancellers, generic, resolving_canceller,
    unhandled_reports, watch,
};
use txaio::testutil::{capture_logs, replace_loop};
use txaio::{CancelledError, FailureGroup};

#[txaio::test]
async fn the_first_success_wins_and_every_other_pending_input_is_cancelled() {
    for winner in 0..4 {
        let (inputs, counts) = counted_cancellers::<u32>(4);
        let first = txaio::race(inputs.clone());
        txaio::resolve(&inputs[winner], 100).unwrap();
        assert_eq!(first.await.unwrap(), (winner, 100));
        let expected: Vec<usize> = (0..4).map(|i| usize::from(i != winner)).collect();
        assert_eq!(cancel_counts(&counts), expected, "winner {winner}");
        for (i, input) in inputs.iter().enumerate().filter(|(i, _)| *i != winner) {
            assert!(
                input.clone().await.unwrap_err().is::<CancelledError>(),
                "input {i}"
            );
        }
    }
}

#[txaio::test]
async fn losers_are_cancelled_before_the_race_fires() {
    let winner = txaio::create_future::<u8>();
    let loser = txaio::create_future::<u8>();
    let first = txaio::race([winner.clone(), loser.clone()]);
    let loser_inside = loser.clone();
    txaio::add_callback(&first, move |_| assert!(txaio::is_called(&loser_inside)));
    txaio::resolve(&winner, 1).unwrap();
    assert_eq!(first.await.unwrap(), (0, 1));
}

#[txaio::test]
async fn failures_do_not_end_the_race() {
    let inputs: Vec<_> = (0..3).map(|_| txaio::create_future::<u8>()).collect();
    let first = txaio::race(inputs.clone());
    txaio::reject(&inputs[0], generic("zero")).unwrap();
    txaio::reject(&inputs[2], generic("two")).unwrap();
    assert!(!txaio::is_called(&first));
    txaio::resolve(&inputs[1], 1).unwrap();
    assert_eq!(first.await.unwrap(), (1, 1));
}

#[txaio::test]
async fn every_input_failing_fails_it_with_their_failures_in_input_order() {
    let inputs: Vec<_> = (0..3).map(|_| txaio::create_future::<u8>()).collect();
    let first = txaio::race(inputs.clone());
    for (i, d) in inputs.iter().enumerate().rev() {
        assert!(!txaio::is_called(&first));
        txaio::reject(d, generic(&format!("input {i}"))).unwrap();
    }
    let failure = first.await.unwrap_err();
    let group = failure.downcast_ref::<FailureGroup>().unwrap();
    let messages: Vec<_> = group
        .failures
        .iter()
        .map(|f| f.downcast_ref::<GenericError>().unwrap().0.clone())
        .collect();
    assert_eq!(messages, ["input 0", "input 1", "input 2"]);
    assert_eq!(
        group.to_string(),
        "FailureGroup[GenericError: input 0; GenericError: input 1; GenericError: input 2]"
    );
}

#[txaio::test]
async fn an_empty_race_fails_at_once_with_an_empty_failure_group() {
    let first = txaio::race(Vec::<txaio::Deferred<u8>>::new());
    assert!(txaio::is_called(&first));
    let failure = first.await.unwrap_err();
    assert!(
        failure
            .downcast_ref::<FailureGroup>()
            .unwrap()
            .failures
            .is_empty()
    );
}

#[txaio::test]
async fn the_inputs_failures_count_as_handled() {
    let ((), logs) = capture_logs(|| {
        let a = txaio::create_future::<u8>();
        let b = txaio::create_future::<u8>();
        let first = txaio::race([a.clone(), b.clone()]);
        txaio::reject(&a, generic("a")).unwrap();
        txaio::resolve(&b, 2).unwrap();
        assert!(txaio::is_called(&first));
    });
    assert_eq!(unhandled_reports(&logs), 0);
}

#[txaio::test]
async fn an_unhandled_failure_group_is_reported_once() {
    let ((), logs) = capture_logs(|| {
        drop(txaio::race([txaio::create_future_error::<u8>(generic(
            "a",
        ))]));
    });
    assert_eq!(unhandled_reports(&logs), 1);
    assert!(
        logs.iter()
            .any(|l| l.message.contains("FailureGroup[GenericError: a]"))
    );
}

#[txaio::test]
async fn cancelling_it_cancels_every_pending_input() {
    let (mut inputs, counts) = counted_cancellers::<u8>(3);
    inputs.insert(1, txaio::create_future_error(generic("already failed")));
    let first = txaio::race(inputs.clone());
    txaio::cancel(&first);
    assert_eq!(cancel_counts(&counts), [1, 1, 1]);
    // Twisted's rule: every input failed, so the race fails with all their failures.
    let failure = first.await.unwrap_err();
    let group = failure.downcast_ref::<FailureGroup>().unwrap();
    let cancelled: Vec<bool> = group
        .failures
        .iter()
        .map(txaio::Failure::is::<CancelledError>)
        .collect();
    assert_eq!(cancelled, [true, false, true, true]);
}

#[txaio::test]
async fn cancelled_with_a_canceller_that_resolves_it_is_won_by_that_input() {
    let plain = txaio::create_future::<&str>();
    let first = txaio::race([plain.clone(), resolving_canceller("from the canceller")]);
    txaio::cancel(&first);
    assert_eq!(first.await.unwrap(), (1, "from the canceller"));
    assert!(plain.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn a_cancelled_race_is_not_reported_as_unhandled() {
    let ((), logs) = capture_logs(|| {
        let first = txaio::race([txaio::create_future::<u8>(), txaio::create_future()]);
        txaio::cancel(&first);
    });
    assert_eq!(unhandled_reports(&logs), 0);
}

#[txaio::test]
async fn cancelling_reaches_inputs_that_nobody_else_holds() {
    let (inputs, counts) = counted_cancellers::<u8>(2);
    let first = txaio::race(inputs);
    txaio::cancel(&first);
    assert_eq!(cancel_counts(&counts), [1, 1]);
    assert!(first.await.unwrap_err().is::<FailureGroup>());
}

#[txaio::test]
async fn a_loser_firing_later_changes_nothing_and_logs_nothing() {
    let ((), logs) = capture_logs(|| {
        let winner = txaio::create_future::<u8>();
        let loser = txaio::create_future::<u8>();
        let stubborn = resolving_canceller(7u8);
        let first = txaio::race([winner.clone(), loser.clone(), stubborn.clone()]);
        let seen = watch(&first);
        txaio::resolve(&winner, 1).unwrap();
        // Resolved by its canceller after the race was won: goes nowhere.
        assert_eq!(watch(&stubborn).lock().unwrap()[0].as_ref().unwrap(), &7);
        // Resolved after it was cancelled: ignored, as after any cancel.
        assert_eq!(txaio::resolve(&loser, 8), Ok(()));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(*seen[0].as_ref().unwrap(), (0, 1));
    });
    assert!(logs.is_empty(), "{logs:?}");
}

#[txaio::test]
async fn an_already_succeeded_input_wins_before_it_returns() {
    let (inputs, counts) = counted_cancellers::<u8>(2);
    let first = txaio::race([
        inputs[0].clone(),
        txaio::create_future_success(5),
        inputs[1].clone(),
    ]);
    assert!(txaio::is_called(&first));
    assert_eq!(first.await.unwrap(), (1, 5));
    assert_eq!(cancel_counts(&counts), [1, 1]);
}

#[txaio::test]
async fn losing_sleeps_release_their_timers() {
    replace_loop(|clock| {
        let fast = txaio::sleep(Duration::from_millis(10));
        let slow = txaio::sleep(Duration::from_secs(60));
        let first = txaio::race([slow, fast]);
        assert_eq!(clock.pending(), 2);
        clock.advance(Duration::from_millis(10));
        assert!(txaio::is_called(&first));
        assert_eq!(
            clock.pending(),
            0,
            "the slow sleep's timer was not released"
        );
        let seen = watch(&first);
        assert_eq!(seen.lock().unwrap()[0].as_ref().unwrap().0, 1);
    });
}

#[txaio::test]
async fn a_losing_spawned_task_is_aborted() {
    struct DropGuard(txaio::Deferred<()>);
    impl Drop for DropGuard {
        fn drop(&mut self) {
            let _ = txaio::resolve(&self.0, ());
        }
    }
    let dropped = txaio::create_future::<()>();
    let never = txaio::create_future::<u8>();
    // Made outside the task and moved in: the task's future owns it even if it is cancelled
    // before its first poll.
    let guard = DropGuard(dropped.clone());
    let loser = txaio::spawn(async move {
        let _guard = guard;
        never.await
    });
    let winner = txaio::spawn(async { Ok::<_, txaio::Failure>(1u8) });
    assert_eq!(txaio::race([loser.clone(), winner]).await.unwrap(), (1, 1));
    assert!(loser.await.unwrap_err().is::<CancelledError>());
    // The losing task's future is dropped by its own runtime.
    dropped.await.unwrap();
}

#[test]
fn inputs_racing_on_many_threads_give_exactly_one_winner() {
    for round in 0..50 {
        let inputs: Vec<_> = (0..8).map(|_| txaio::create_future::<usize>()).collect();
        let first = txaio::race(inputs.clone());
        let fired = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&fired);
        let winner = Arc::new(AtomicUsize::new(usize::MAX));
        let won = Arc::clone(&winner);
        txaio::add_callback(&first, move |(index, value): &(usize, usize)| {
            assert_eq!(index, value);
            won.store(*index, Ordering::SeqCst);
            counter.fetch_add(1, Ordering::SeqCst);
        });
        std::thread::scope(|scope| {
            for (i, d) in inputs.iter().enumerate() {
                scope.spawn(move || {
                    let _ = txaio::resolve(d, i);
                });
            }
        });
        assert_eq!(fired.load(Ordering::SeqCst), 1, "round {round}");
        let winner = winner.load(Ordering::SeqCst);
        for (i, d) in inputs.iter().enumerate() {
            let outcome = outcome_of(d);
            // Every input fired: the winner with its value, the others with theirs or cancelled.
            match outcome {
                Ok(value) => assert_eq!(value, i),
                Err(failure) => {
                    assert_ne!(i, winner);
                    assert!(failure.is::<CancelledError>());
                }
            }
        }
    }
}

/// A fired deferred's outcome, without a runtime.
fn outcome_of(d: &txaio::Deferred<usize>) -> Result<usize, txaio::Failure> {
    watch(d).lock().unwrap().pop().expect("the input fired")
}

#[txaio::test]
async fn cancelling_a_task_that_awaits_a_race_cancels_the_race_and_its_inputs() {
    let (inputs, counts) = counted_cancellers::<u8>(2);
    let raced = txaio::race(inputs);
    let observer = raced.clone();
    let polled = txaio::create_future::<()>();
    let polled_signal = polled.clone();
    let task = txaio::spawn(async move {
        let mut raced = std::pin::pin!(raced);
        // Says so only once the race is what the task is pending on.
        std::future::poll_fn(|cx| {
            let poll = std::future::Future::poll(raced.as_mut(), cx);
            let _ = txaio::resolve(&polled_signal, ());
            poll
        })
        .await
    });
    polled.await.unwrap();
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    // A cancel that lands while the task is still inside that poll reaches the race as the
    // poll ends, on the task's thread: wait for the race rather than for `cancel` to return.
    assert!(observer.await.unwrap_err().is::<FailureGroup>());
    assert_eq!(cancel_counts(&counts), [1, 1]);
}

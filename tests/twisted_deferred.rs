//! Ports of Twisted's `twisted/test/test_defer.py` tests for chaining, cancellation and
//! `addTimeout`, each named after the Twisted test it ports (in snake case). Twisted chains
//! callbacks on one deferred; txaio keeps `add_callbacks` non-chaining and chains with `then`,
//! `recover` and `add_both`, which make a new deferred per step, so each port says the same
//! thing in those words.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use txaio::testutil::{capture_logs, replace_loop};
use txaio::{CancelledError, Deferred, Failure, TakenError, TimeoutError};

/// The value a fired deferred holds now, for synchronous checks (Twisted's `successResultOf`).
fn success_result_of<T: Clone + Send + 'static>(d: &Deferred<T>) -> T {
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    txaio::add_callbacks(
        d,
        move |value: &T| *record.lock().unwrap() = Some(value.clone()),
        |failure| panic!("expected a success, got {failure}"),
    );
    seen.lock().unwrap().take().expect("the deferred has fired")
}

/// The failure a fired deferred holds now (Twisted's `failureResultOf`).
fn failure_result_of<T: Send + 'static>(d: &Deferred<T>) -> Failure {
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    txaio::add_errback(d, move |failure| {
        *record.lock().unwrap() = Some(failure.clone());
    });
    seen.lock()
        .unwrap()
        .take()
        .expect("the deferred has failed")
}

fn assert_no_result<T>(d: &Deferred<T>) {
    assert!(!txaio::is_called(d), "the deferred fired: {d:?}");
}

// Chaining (DeferredTests).

#[txaio::test]
async fn test_callback_returns_deferred() {
    let d1 = txaio::create_future::<u32>();
    let d2 = txaio::create_future::<u32>();
    let returned = d2.clone();
    let chained = txaio::then(&d1, move |_| returned);
    txaio::resolve(&d1, 1).unwrap();
    assert_no_result(&chained);
    txaio::resolve(&d2, 2).unwrap();
    assert_eq!(
        success_result_of(&chained),
        2,
        "the result is the second deferred's"
    );
}

#[txaio::test]
async fn test_callback_maybe_returns_failure() {
    fn maybe_fail(fail: bool) -> impl FnOnce(u32) -> Result<u32, Failure> + Send {
        move |n| {
            if fail {
                Err(Failure::msg("runtime error"))
            } else {
                Ok(n + 1)
            }
        }
    }
    let d = txaio::create_future_success(6);
    assert_eq!(success_result_of(&txaio::then(&d, maybe_fail(false))), 7);
    let d = txaio::create_future_success(6);
    let failed = txaio::then(&txaio::then(&d, maybe_fail(true)), maybe_fail(true));
    assert_eq!(
        txaio::failure_message(&failure_result_of(&failed)),
        "Error: runtime error"
    );
}

#[txaio::test]
async fn test_errback_returns_deferred() {
    let d = txaio::create_future::<String>();
    let d2 = txaio::create_future::<String>();
    let returned = d2.clone();
    let recovered = txaio::recover(&d, move |_| returned);
    txaio::reject(&d, std::io::Error::other("value error")).unwrap();
    assert_no_result(&recovered);
    txaio::resolve(&d2, "result".to_owned()).unwrap();
    assert_eq!(success_result_of(&recovered), "result");
}

#[txaio::test]
async fn test_synchronous_implicit_chain() {
    // The first deferred's result moves into the second; the first then holds nothing
    // (Twisted: `None`; txaio: a `TakenError`).
    let first = txaio::create_future_success("result".to_owned());
    let second = txaio::create_future::<()>();
    let returned = first.clone();
    let chained = txaio::then(&second, move |()| returned);
    txaio::resolve(&second, ()).unwrap();
    assert!(failure_result_of(&first).is::<TakenError>());
    assert_eq!(success_result_of(&chained), "result");
}

#[txaio::test]
async fn test_asynchronous_implicit_chain() {
    let first = txaio::create_future::<String>();
    let second = txaio::create_future::<()>();
    let returned = first.clone();
    let chained = txaio::then(&second, move |()| returned);
    txaio::resolve(&second, ()).unwrap();
    let first_results = Arc::new(Mutex::new(Vec::new()));
    let record = first_results.clone();
    // Added before `first` fires: sees the value before the chain moves it.
    txaio::add_callback(&first, move |value: &String| {
        record.lock().unwrap().push(value.clone());
    });
    assert_no_result(&chained);
    txaio::resolve(&first, "result".to_owned()).unwrap();
    assert_eq!(*first_results.lock().unwrap(), vec!["result".to_owned()]);
    assert_eq!(success_result_of(&chained), "result");
    assert!(failure_result_of(&first).is::<TakenError>());
}

#[txaio::test]
async fn test_synchronous_implicit_error_chain() {
    let ((), logs) = capture_logs(|| {
        let first = txaio::create_future_error::<()>(std::io::Error::other("first's failure"));
        let second = txaio::create_future::<()>();
        let returned = first.clone();
        let chained = txaio::then(&second, move |()| returned);
        txaio::resolve(&second, ()).unwrap();
        assert!(failure_result_of(&chained).is::<std::io::Error>());
        drop(first);
    });
    assert!(
        logs.is_empty(),
        "the first's failure was handled by the chain: {logs:?}"
    );
}

#[txaio::test]
async fn test_asynchronous_implicit_error_chain() {
    let ((), logs) = capture_logs(|| {
        let first = txaio::create_future::<()>();
        let second = txaio::create_future::<()>();
        let returned = first.clone();
        let chained = txaio::then(&second, move |()| returned);
        txaio::resolve(&second, ()).unwrap();
        assert_no_result(&chained);
        txaio::reject(&first, std::io::Error::other("first's failure")).unwrap();
        assert!(failure_result_of(&chained).is::<std::io::Error>());
        drop(first);
    });
    assert!(logs.is_empty(), "{logs:?}");
}

#[txaio::test]
async fn test_double_asynchronous_implicit_chaining() {
    let first = txaio::create_future::<&'static str>();
    let second = txaio::create_future::<()>();
    let third = txaio::create_future::<()>();
    let returned_first = first.clone();
    let second_chained = txaio::then(&second, move |()| returned_first);
    let returned_second = second_chained.clone();
    let third_chained = txaio::then(&third, move |()| returned_second);
    txaio::resolve(&second, ()).unwrap();
    txaio::resolve(&third, ()).unwrap();
    assert_no_result(&third_chained);
    txaio::resolve(&first, "result").unwrap();
    assert_eq!(success_result_of(&third_chained), "result");
}

#[txaio::test]
async fn test_result_of_deferred_result_of_deferred_of_fired_deferred_called() {
    let first = txaio::create_future::<()>();
    let second = txaio::create_future::<()>();
    let third = txaio::create_future::<()>();
    let returned_third = third.clone();
    let second_chained = txaio::then(&second, move |()| returned_third);
    let returned_second = second_chained.clone();
    let first_chained = txaio::then(&first, move |()| returned_second);
    txaio::resolve(&second, ()).unwrap();
    txaio::resolve(&first, ()).unwrap();
    txaio::resolve(&third, ()).unwrap();
    let results = Arc::new(AtomicUsize::new(0));
    let count = results.clone();
    // Added to the middle of the chain after it was built: runs once the last one fired.
    txaio::add_callbacks(
        &second_chained,
        move |()| {
            count.fetch_add(1, Ordering::SeqCst);
        },
        |_| {},
    );
    assert_eq!(results.load(Ordering::SeqCst), 0, "its value moved on");
    assert!(failure_result_of(&second_chained).is::<TakenError>());
    success_result_of(&first_chained);
}

/// Stack position of the innermost callback, measured as the address of a local.
fn stack_depth_of_a_chain(how_many: usize) -> usize {
    let depth = Arc::new(AtomicUsize::new(0));
    let top = txaio::create_future::<()>();
    let last = txaio::create_future::<()>();
    let mut inner = last.clone();
    let mut sources = Vec::new();
    for _ in 0..how_many {
        let source = txaio::create_future::<()>();
        let returned = inner;
        inner = txaio::then(&source, move |()| returned);
        sources.push(source);
    }
    let returned = inner;
    let chained = txaio::then(&top, move |()| returned);
    let record = depth.clone();
    txaio::add_callback(&chained, move |()| {
        let marker = 0u8;
        record.store(std::ptr::from_ref(&marker) as usize, Ordering::SeqCst);
    });
    txaio::resolve(&top, ()).unwrap();
    for source in sources.iter().rev() {
        txaio::resolve(source, ()).unwrap();
    }
    assert_eq!(depth.load(Ordering::SeqCst), 0, "not fired yet");
    txaio::resolve(&last, ()).unwrap();
    depth.load(Ordering::SeqCst)
}

#[txaio::test]
async fn test_bounded_stack_depth() {
    // The innermost callback runs at the same stack depth however many deferreds are chained.
    let two = stack_depth_of_a_chain(2);
    assert_eq!(stack_depth_of_a_chain(3), two);
    assert_eq!(stack_depth_of_a_chain(1000), two);
}

#[txaio::test]
async fn test_circular_chain_exception() {
    // Twisted raises when a callback returns its own deferred; txaio cannot hand `then` the
    // deferred it is making, so the closest case is a deferred that waits on itself through
    // the chain: it fails rather than hanging.
    let d = txaio::create_future::<()>();
    let slot: Arc<Mutex<Option<Deferred<()>>>> = Arc::default();
    let itself = slot.clone();
    let chained = txaio::then(&d, move |()| itself.lock().unwrap().take().unwrap());
    *slot.lock().unwrap() = Some(chained.clone());
    txaio::resolve(&d, ()).unwrap();
    assert!(txaio::is_called(&chained));
    assert!(
        failure_result_of(&chained)
            .to_string()
            .contains("returned the deferred")
    );
}

// Cancellation (DeferredCancellerTests).

#[txaio::test]
async fn test_no_canceller() {
    let d = txaio::create_future::<()>();
    txaio::cancel(&d);
    assert!(failure_result_of(&d).is::<CancelledError>());
}

#[txaio::test]
async fn test_raises_after_cancel_and_callback() {
    // Twisted: a callback after cancel is ignored once (then raises); txaio ignores every
    // resolve and reject after cancel (`Ok(())`).
    let d = txaio::create_future::<()>();
    txaio::cancel(&d);
    assert_eq!(txaio::resolve(&d, ()), Ok(()));
    assert_eq!(txaio::reject(&d, std::fmt::Error), Ok(()));
    assert!(failure_result_of(&d).is::<CancelledError>());
}

#[txaio::test]
async fn test_no_canceller_multiple_cancel() {
    let d = txaio::create_future::<()>();
    txaio::cancel(&d);
    txaio::cancel(&d);
    assert!(failure_result_of(&d).is::<CancelledError>());
}

#[txaio::test]
async fn test_canceller_multiple_cancel() {
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let d = txaio::create_future_with_canceller::<()>(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
    });
    txaio::cancel(&d);
    txaio::cancel(&d);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(failure_result_of(&d).is::<CancelledError>());
}

#[txaio::test]
async fn test_simple_canceller() {
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let d = txaio::create_future_with_canceller::<()>(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
    });
    txaio::cancel(&d);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(failure_result_of(&d).is::<CancelledError>());
    assert_eq!(txaio::resolve(&d, ()), Ok(()));
}

#[txaio::test]
async fn test_canceller_arg() {
    let seen: Arc<Mutex<Option<Deferred<()>>>> = Arc::default();
    let record = seen.clone();
    let d = txaio::create_future_with_canceller::<()>(move |d| {
        *record.lock().unwrap() = Some(d.clone());
    });
    txaio::cancel(&d);
    assert!(seen.lock().unwrap().as_ref().unwrap().ptr_eq(&d));
}

#[txaio::test]
async fn test_cancel_after_callback() {
    let d = txaio::create_future_with_canceller::<&'static str>(|_| panic!("not called"));
    txaio::resolve(&d, "biff!").unwrap();
    txaio::cancel(&d);
    assert_eq!(success_result_of(&d), "biff!");
}

#[txaio::test]
async fn test_cancel_after_errback() {
    let d = txaio::create_future_with_canceller::<()>(|_| panic!("not called"));
    txaio::reject(&d, std::io::Error::other("already failed")).unwrap();
    txaio::cancel(&d);
    assert!(failure_result_of(&d).is::<std::io::Error>());
}

#[txaio::test]
async fn test_canceller_that_errbacks() {
    let d = txaio::create_future_with_canceller::<()>(|d| {
        txaio::reject(d, std::io::Error::other("canceller's own")).unwrap();
    });
    txaio::cancel(&d);
    assert!(failure_result_of(&d).is::<std::io::Error>());
}

#[txaio::test]
async fn test_canceller_that_callbacks() {
    let d = txaio::create_future_with_canceller::<&'static str>(|d| {
        txaio::resolve(d, "hello!").unwrap();
    });
    txaio::cancel(&d);
    assert_eq!(success_result_of(&d), "hello!");
}

#[txaio::test]
async fn test_cancel_nested_deferred() {
    let inner_calls = Arc::new(AtomicUsize::new(0));
    let count = inner_calls.clone();
    let b = txaio::create_future_with_canceller::<()>(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
    });
    let a = txaio::create_future_with_canceller::<()>(|_| panic!("a has fired"));
    txaio::resolve(&a, ()).unwrap();
    let returned = b.clone();
    let chained = txaio::then(&a, move |()| returned);
    txaio::cancel(&chained);
    assert_eq!(inner_calls.load(Ordering::SeqCst), 1, "b's canceller ran");
    assert!(failure_result_of(&chained).is::<CancelledError>());
}

// addTimeout (DeferredAddTimeoutTests), on the virtual clock.

#[txaio::test]
async fn test_timeout_chainable() {
    replace_loop(|_| {
        let d = txaio::create_future::<()>();
        let timed = txaio::timeout(&d, Duration::from_secs(5));
        assert!(timed.ptr_eq(&d), "a handle to the deferred itself");
        let done = txaio::then(&timed, |()| Ok::<_, Failure>("done"));
        txaio::resolve(&d, ()).unwrap();
        assert_eq!(success_result_of(&done), "done");
    });
}

#[txaio::test]
async fn test_success_result_before_timeout() {
    replace_loop(|clock| {
        let d = txaio::timeout(
            &txaio::create_future::<&'static str>(),
            Duration::from_secs(10),
        );
        let inner = txaio::create_future::<()>();
        let returned = inner.clone();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        let _chained = txaio::then(&d, move |results| {
            *record.lock().unwrap() = Some(results);
            returned
        });
        txaio::resolve(&d, "results").unwrap();
        assert_eq!(*seen.lock().unwrap(), Some("results"));
        assert_eq!(clock.pending(), 0, "the timer went when it fired");
        clock.advance(Duration::from_secs(15));
        assert_no_result(&inner);
    });
}

#[txaio::test]
async fn test_failure_before_timeout() {
    replace_loop(|clock| {
        let d = txaio::timeout(&txaio::create_future::<()>(), Duration::from_secs(10));
        let inner = txaio::create_future::<()>();
        let returned = inner.clone();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        let _recovered = txaio::recover(&d, move |failure| {
            *record.lock().unwrap() = Some(failure.is::<std::io::Error>());
            returned
        });
        txaio::reject(&d, std::io::Error::other("fail")).unwrap();
        assert_eq!(*seen.lock().unwrap(), Some(true));
        assert_eq!(clock.pending(), 0);
        clock.advance(Duration::from_secs(15));
        assert_no_result(&inner);
    });
}

#[txaio::test]
async fn test_timed_out() {
    replace_loop(|clock| {
        let d = txaio::timeout(&txaio::create_future::<()>(), Duration::from_secs(10));
        assert_no_result(&d);
        clock.advance(Duration::from_secs(9));
        assert_no_result(&d);
        clock.advance(Duration::from_secs(6));
        assert!(failure_result_of(&d).is::<TimeoutError>());
    });
}

#[txaio::test]
async fn test_timed_out_provided_cancel_success() {
    replace_loop(|clock| {
        let d = txaio::create_future_with_canceller::<&'static str>(|d| {
            txaio::resolve(d, "I was cancelled!").unwrap();
        });
        let d = txaio::timeout(&d, Duration::from_secs(10));
        clock.advance(Duration::from_secs(15));
        assert_eq!(success_result_of(&d), "I was cancelled!");
    });
}

#[txaio::test]
async fn test_timed_out_provided_cancel_failure() {
    replace_loop(|clock| {
        let d = txaio::create_future_with_canceller::<()>(|d| {
            txaio::reject(d, std::io::Error::other("what!")).unwrap();
        });
        let d = txaio::timeout(&d, Duration::from_secs(10));
        clock.advance(Duration::from_secs(15));
        let failure = failure_result_of(&d);
        assert!(failure.is::<std::io::Error>(), "{failure}");
    });
}

#[txaio::test]
async fn test_cancel_before_timeout() {
    replace_loop(|clock| {
        let d = txaio::timeout(&txaio::create_future::<()>(), Duration::from_secs(10));
        let inner = txaio::create_future::<()>();
        let returned = inner.clone();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        let _recovered = txaio::recover(&d, move |failure| {
            *record.lock().unwrap() = Some(failure.is::<CancelledError>());
            returned
        });
        txaio::cancel(&d);
        assert_eq!(*seen.lock().unwrap(), Some(true), "a plain CancelledError");
        assert_eq!(clock.pending(), 0);
        clock.advance(Duration::from_secs(15));
        assert_no_result(&inner);
    });
}

#[txaio::test]
async fn test_errback_added_before_timeout() {
    // Twisted's earlier errback sees the CancelledError and a later step the TimeoutError;
    // txaio's callbacks all see one outcome, the TimeoutError.
    replace_loop(|clock| {
        let d = txaio::create_future::<()>();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        txaio::add_errback(&d, move |failure| {
            *record.lock().unwrap() = Some(failure.is::<TimeoutError>());
        });
        let d = txaio::timeout(&d, Duration::from_secs(10));
        clock.advance(Duration::from_secs(15));
        assert_eq!(*seen.lock().unwrap(), Some(true));
        assert!(failure_result_of(&d).is::<TimeoutError>());
    });
}

#[txaio::test]
async fn test_errback_added_before_timeout_suppresses_cancellation() {
    replace_loop(|clock| {
        let d = txaio::create_future::<()>();
        let suppressed = txaio::recover(&d, |failure| {
            assert!(failure.is::<TimeoutError>());
            Ok::<_, Failure>(())
        });
        drop(txaio::timeout(&d, Duration::from_secs(10)));
        clock.advance(Duration::from_secs(15));
        success_result_of(&suppressed);
    });
}

#[txaio::test]
async fn test_callback_added_to_canceler_before_timeout() {
    replace_loop(|clock| {
        let d = txaio::create_future_with_canceller::<&'static str>(|d| {
            txaio::resolve(d, "success").unwrap();
        });
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        txaio::add_callback(&d, move |value| *record.lock().unwrap() = Some(*value));
        let d = txaio::timeout(&d, Duration::from_secs(10));
        clock.advance(Duration::from_secs(15));
        assert_eq!(*seen.lock().unwrap(), Some("success"));
        assert_eq!(success_result_of(&d), "success");
    });
}

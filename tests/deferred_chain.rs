//! Chaining: `then`, `recover`, `add_both`, iterative flattening of returned deferreds, and
//! cancellation forwarded down a chain.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use txaio::testutil::capture_logs;
use txaio::{CancelledError, Deferred, Failure, Panic, TakenError};

const DEPTH: usize = 10_000;

/// Runs `f` on a thread with a small stack: a chain that recursed per link would overflow it.
fn on_a_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[txaio::test]
async fn then_maps_a_value_and_passes_a_failure_on_handled() {
    let d = txaio::create_future::<u32>();
    let plus_one = txaio::then(&d, |n| Ok::<_, Failure>(n + 1));
    txaio::resolve(&d, 1).unwrap();
    assert_eq!(plus_one.await.unwrap(), 2);

    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<u32>();
        let called = Arc::new(AtomicUsize::new(0));
        let count = called.clone();
        let chained = txaio::then(&d, move |n| {
            count.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Failure>(n)
        });
        txaio::reject(&d, std::io::Error::other("down")).unwrap();
        assert_eq!(called.load(Ordering::SeqCst), 0);
        txaio::add_errback(&chained, |failure| assert!(failure.is::<std::io::Error>()));
    });
    assert!(
        logs.is_empty(),
        "the failure was handled down the chain: {logs:?}"
    );
}

#[txaio::test]
async fn an_unhandled_failure_at_the_end_of_a_chain_is_reported_there_once() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<u32>();
        let chained = txaio::then(&d, Ok::<_, Failure>);
        txaio::reject(&d, std::io::Error::other("nobody at the end")).unwrap();
        drop(chained);
        drop(d);
    });
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].message.contains("nobody at the end"));
}

#[txaio::test]
async fn recover_and_add_both() {
    let d = txaio::create_future_error::<u32>(std::fmt::Error);
    assert_eq!(
        txaio::recover(&d, |_| Ok::<_, Failure>(7)).await.unwrap(),
        7
    );
    let fine = txaio::create_future_success(3u32);
    assert_eq!(
        txaio::recover(&fine, |_| Ok::<_, Failure>(0))
            .await
            .unwrap(),
        3
    );
    let both = txaio::add_both(&d, |outcome| Ok::<_, Failure>(outcome.is_err()));
    assert!(both.await.unwrap());
}

#[txaio::test]
async fn a_panic_in_the_function_fails_the_chained_deferred_with_a_panic() {
    let d = txaio::create_future_success(1u32);
    let chained: Deferred<u32> = txaio::then(&d, |_| -> Result<u32, Failure> { panic!("in then") });
    let failure = chained.await.unwrap_err();
    assert!(failure.is::<Panic>());
    assert_eq!(txaio::failure_message(&failure), "Panic: in then");
}

#[txaio::test]
async fn a_returned_deferred_is_waited_for_and_consumed_as_by_take() {
    let d = txaio::create_future::<u32>();
    let inner = txaio::create_future::<String>();
    let returned = inner.clone();
    let chained = txaio::then(&d, move |_| returned);
    txaio::resolve(&d, 1).unwrap();
    assert!(!txaio::is_called(&chained));
    txaio::resolve(&inner, "moved".to_owned()).unwrap();
    assert_eq!(chained.await.unwrap(), "moved");
    assert!(inner.await.unwrap_err().is::<TakenError>());
}

#[txaio::test]
async fn a_non_clone_value_moves_through_a_chain() {
    struct Socket(u16);
    let d = txaio::create_future_success(());
    let chained = txaio::then(&d, |()| txaio::create_future_success(Socket(80)));
    assert_eq!(chained.take().await.unwrap().0, 80);
}

#[txaio::test]
async fn cancelling_a_chained_deferred_cancels_its_source_while_pending() {
    let d = txaio::create_future::<u32>();
    let chained = txaio::then(&d, Ok::<_, Failure>);
    txaio::cancel(&chained);
    assert!(d.await.unwrap_err().is::<CancelledError>());
    assert!(chained.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn cancelling_a_chained_deferred_cancels_what_the_function_returned() {
    let d = txaio::create_future_success(1u32);
    let inner = txaio::create_future::<u32>();
    let returned = inner.clone();
    let chained = txaio::then(&d, move |_| returned);
    txaio::cancel(&chained);
    assert!(inner.await.unwrap_err().is::<CancelledError>());
    assert!(chained.await.unwrap_err().is::<CancelledError>());
    assert_eq!(d.await.unwrap(), 1, "the fired source is untouched");
}

#[test]
fn a_long_chain_fired_from_its_innermost_end_does_not_grow_the_stack() {
    let outcome = on_a_small_stack(|| {
        let innermost = txaio::create_future::<usize>();
        let mut current = innermost.clone();
        for _ in 0..DEPTH {
            let next = current;
            current = txaio::then(&txaio::create_future_success(()), move |()| next);
        }
        txaio::resolve(&innermost, 42).unwrap();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        txaio::add_callback(&current, move |value| {
            *record.lock().unwrap() = Some(*value);
        });
        *seen.lock().unwrap()
    });
    assert_eq!(outcome, Some(42));
}

#[test]
fn a_long_then_chain_fired_from_its_source_does_not_grow_the_stack() {
    let outcome = on_a_small_stack(|| {
        let source = txaio::create_future::<usize>();
        let mut current = source.clone();
        for _ in 0..DEPTH {
            current = txaio::then(&current, |n| Ok::<_, Failure>(n + 1));
        }
        txaio::resolve(&source, 0).unwrap();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        txaio::add_callback(&current, move |value| {
            *record.lock().unwrap() = Some(*value);
        });
        *seen.lock().unwrap()
    });
    assert_eq!(outcome, Some(DEPTH));
}

#[test]
fn cancelling_the_end_of_a_long_chain_cancels_its_source_in_constant_stack() {
    let cancelled = on_a_small_stack(|| {
        let source = txaio::create_future::<usize>();
        let mut current = source.clone();
        for _ in 0..DEPTH {
            current = txaio::then(&current, |n| Ok::<_, Failure>(n + 1));
        }
        txaio::cancel(&current);
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        txaio::add_errback(&source, move |failure| {
            *record.lock().unwrap() = Some(failure.is::<CancelledError>());
        });
        *seen.lock().unwrap()
    });
    assert_eq!(cancelled, Some(true));
}

#[test]
fn dropping_a_long_chain_that_never_fired_does_not_grow_the_stack() {
    on_a_small_stack(|| {
        let innermost = txaio::create_future::<usize>();
        let mut current = innermost.clone();
        for _ in 0..DEPTH {
            let next = current;
            current = txaio::then(&txaio::create_future_success(()), move |()| next);
        }
        drop(current);
        drop(innermost);

        let source = txaio::create_future::<usize>();
        let mut current = source.clone();
        for _ in 0..DEPTH {
            current = txaio::then(&current, |n| Ok::<_, Failure>(n + 1));
        }
        drop(current);
        drop(source);
    });
}

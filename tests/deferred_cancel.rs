//! Cancellation, as the `cancel` docs and the book's "Deferreds and callbacks" (cancellation) describe it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use txaio::CancelledError;

#[txaio::test]
async fn cancel_without_canceller_fails_with_cancelled_error() {
    let d = txaio::create_future::<u8>();
    txaio::cancel(&d);
    assert!(txaio::is_called(&d));
    let failure = d.await.unwrap_err();
    assert!(failure.is::<CancelledError>());
    assert_eq!(failure.type_name(), "CancelledError");
}

#[txaio::test]
async fn cancel_calls_the_canceller_which_may_fire_the_deferred() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let d = txaio::create_future_with_canceller::<u8>(move |d| {
        counter.fetch_add(1, Ordering::SeqCst);
        txaio::resolve(d, 7).unwrap();
    });
    txaio::cancel(&d);
    txaio::cancel(&d);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(d.await.unwrap(), 7);
}

#[txaio::test]
async fn a_canceller_that_does_not_fire_leads_to_cancelled_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let d = txaio::create_future_with_canceller::<u8>(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    txaio::cancel(&d);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(d.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn resolve_and_reject_after_cancel_are_ignored() {
    let d = txaio::create_future::<u8>();
    txaio::cancel(&d);
    assert_eq!(txaio::resolve(&d, 1), Ok(()));
    assert_eq!(txaio::reject(&d, std::fmt::Error), Ok(()));
    assert!(d.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn cancelling_a_fired_deferred_does_nothing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let d = txaio::create_future_with_canceller::<u8>(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    txaio::resolve(&d, 3).unwrap();
    txaio::cancel(&d);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(d.await.unwrap(), 3);
    assert_eq!(
        txaio::resolve(&txaio::create_future_success(1), 2),
        Err(txaio::AlreadyCalledError)
    );
}

#[txaio::test]
async fn cancelling_a_spawned_task_aborts_it() {
    struct DropGuard(txaio::Deferred<()>);
    impl Drop for DropGuard {
        fn drop(&mut self) {
            let _ = txaio::resolve(&self.0, ());
        }
    }
    let dropped = txaio::create_future::<()>();
    let started = txaio::create_future::<()>();
    let (guard_signal, started_signal) = (dropped.clone(), started.clone());
    let never = txaio::create_future::<()>();
    let task = txaio::spawn(async move {
        let _guard = DropGuard(guard_signal);
        txaio::resolve(&started_signal, ()).unwrap();
        never.await?;
        Ok::<_, txaio::Failure>("unreachable")
    });
    started.await.unwrap();
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    // The task's future is dropped at its next poll, on its own runtime.
    dropped.await.unwrap();
}

#[txaio::test]
async fn dropping_handles_never_cancels() {
    let d = txaio::create_future::<u8>();
    let observer = d.clone();
    drop(d.clone());
    drop(d);
    assert!(!txaio::is_called(&observer));
}

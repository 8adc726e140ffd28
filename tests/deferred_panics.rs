//! The book, "Deferreds and callbacks" (the rules): panics in callbacks, cancellers and `as_future` never escape into the library.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use txaio::testutil::capture_logs;
use txaio::{LogLevel, Panic};

#[txaio::test]
async fn a_panicking_callback_is_logged_and_the_others_still_run() {
    let ran = Arc::new(AtomicUsize::new(0));
    let d = txaio::create_future::<u32>();
    let before = ran.clone();
    txaio::add_callback(&d, move |_| {
        before.fetch_add(1, Ordering::SeqCst);
    });
    txaio::add_callback(&d, |_| panic!("callback exploded"));
    let after = ran.clone();
    txaio::add_callback(&d, move |_| {
        after.fetch_add(1, Ordering::SeqCst);
    });
    let ((), logs) = capture_logs(|| txaio::resolve(&d, 3).unwrap());
    assert_eq!(ran.load(Ordering::SeqCst), 2);
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].level, LogLevel::Error);
    assert_eq!(logs[0].namespace, "txaio");
    assert!(logs[0].message.contains("callback exploded"), "{logs:?}");
    // The deferred stays usable.
    assert_eq!(d.clone().await.unwrap(), 3);
    let late = ran.clone();
    txaio::add_callback(&d, move |_| {
        late.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(ran.load(Ordering::SeqCst), 3);
}

#[txaio::test]
async fn as_future_calls_at_once_and_turns_a_panic_into_a_failure() {
    let called = Arc::new(AtomicUsize::new(0));
    let counter = called.clone();
    let d = txaio::as_future(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, std::fmt::Error>(5)
    });
    assert_eq!(
        called.load(Ordering::SeqCst),
        1,
        "called before as_future returns"
    );
    assert_eq!(d.await.unwrap(), 5);

    let d = txaio::as_future(|| -> Result<u8, std::fmt::Error> { panic!("inside as_future") });
    let failure = d.await.unwrap_err();
    assert!(failure.is::<Panic>());
    assert_eq!(failure.type_name(), "Panic");
    assert_eq!(txaio::failure_message(&failure), "Panic: inside as_future");
}

#[txaio::test]
async fn as_future_accepts_a_deferred() {
    let inner = txaio::create_future::<u8>();
    let outer = txaio::as_future({
        let inner = inner.clone();
        move || inner
    });
    assert!(outer.ptr_eq(&inner));
}

#[txaio::test]
async fn a_panicking_canceller_is_logged_and_the_deferred_is_still_cancelled() {
    let d = txaio::create_future_with_canceller::<u8>(|_| panic!("canceller exploded"));
    let ((), logs) = capture_logs(|| txaio::cancel(&d));
    assert!(
        logs.iter()
            .any(|l| l.message.contains("canceller exploded")),
        "{logs:?}"
    );
    assert!(d.await.unwrap_err().is::<txaio::CancelledError>());
}

//! The book, "Deferreds and callbacks" (the rules): a failure nobody handled is logged when the last handle drops; nothing else is.

use txaio::LogLevel;
use txaio::testutil::{CapturedLog, capture_logs};

fn unhandled(logs: &[CapturedLog]) -> Vec<&CapturedLog> {
    logs.iter()
        .filter(|log| log.message.starts_with("Unhandled error in Deferred"))
        .collect()
}

#[txaio::test]
async fn an_unhandled_failure_is_logged_with_its_message_when_the_last_handle_drops() {
    let (other_handle, logs) = capture_logs(|| {
        let d = txaio::create_future::<u8>();
        let other_handle = d.clone();
        txaio::reject(&d, std::io::Error::other("nobody listened")).unwrap();
        drop(d);
        other_handle
    });
    assert!(
        unhandled(&logs).is_empty(),
        "another handle is alive: {logs:?}"
    );
    let ((), logs) = capture_logs(|| drop(other_handle));
    let reports = unhandled(&logs);
    assert_eq!(reports.len(), 1, "{logs:?}");
    assert_eq!(reports[0].level, LogLevel::Error);
    assert!(
        reports[0]
            .message
            .starts_with("Unhandled error in Deferred: Error: nobody listened"),
        "{logs:?}"
    );
}

#[txaio::test]
async fn a_failure_with_an_errback_is_not_reported() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<u8>();
        txaio::add_errback(&d, |_| {});
        txaio::reject(&d, std::fmt::Error).unwrap();
    });
    assert!(unhandled(&logs).is_empty(), "{logs:?}");
}

#[txaio::test]
async fn a_callback_alone_does_not_handle_a_failure() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future::<u8>();
        txaio::add_callback(&d, |_| {});
        txaio::reject(&d, std::fmt::Error).unwrap();
    });
    assert_eq!(unhandled(&logs).len(), 1, "{logs:?}");
}

#[txaio::test]
async fn an_awaited_failure_is_not_reported() {
    let d = txaio::create_future_error::<u8>(std::fmt::Error);
    let ((), logs) = capture_logs(|| {
        let result = futures_lite_block_on(d);
        assert!(result.is_err());
    });
    assert!(unhandled(&logs).is_empty(), "{logs:?}");
}

#[txaio::test]
async fn a_success_or_a_cancellation_is_not_reported() {
    let ((), logs) = capture_logs(|| {
        drop(txaio::create_future_success(1));
        let d = txaio::create_future::<u8>();
        txaio::cancel(&d);
        drop(d);
    });
    assert!(unhandled(&logs).is_empty(), "{logs:?}");
}

/// Polls a ready deferred once, without a runtime.
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("expected a ready future"),
    }
}

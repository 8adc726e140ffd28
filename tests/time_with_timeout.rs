//! `with_timeout` (the book's "Time" chapter): the future form of a timeout, on the virtual
//! clock and on real time, on every backend.

mod cascade_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use txaio::testutil::replace_loop;

const MS: Duration = Duration::from_millis(1);

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Sets its flag when dropped: shows when the inner future goes.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[txaio::test]
async fn a_ready_future_completes_with_its_output() {
    assert_eq!(
        txaio::with_timeout(Duration::from_secs(5), async { 7 }).await,
        Ok(7)
    );
    assert_eq!(
        txaio::with_timeout(Duration::ZERO, async { 8 }).await,
        Ok(8),
        "the future first"
    );
}

#[txaio::test]
async fn expiry_on_the_virtual_clock_drops_the_inner_future_at_once() {
    replace_loop(|clock| {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = DropFlag(dropped.clone());
        let inner = async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        };
        let mut limited = Box::pin(txaio::with_timeout(3 * MS, inner));
        assert_eq!(clock.pending(), 0, "no timer before the first poll");
        assert!(poll_once(limited.as_mut()).is_pending());
        assert_eq!(clock.pending(), 1, "one timer while waiting");
        clock.advance(Duration::from_nanos(2_999_999));
        assert!(poll_once(limited.as_mut()).is_pending(), "never early");
        clock.advance(Duration::from_nanos(1));
        assert_eq!(
            poll_once(limited.as_mut()),
            Poll::Ready(Err(txaio::TimeoutError))
        );
        assert!(
            dropped.load(Ordering::SeqCst),
            "the inner future is dropped on expiry"
        );
        assert_eq!(clock.pending(), 0);
    });
}

#[txaio::test]
async fn the_deadline_counts_from_the_call_not_the_first_poll() {
    replace_loop(|clock| {
        let mut limited = Box::pin(txaio::with_timeout(10 * MS, std::future::pending::<()>()));
        clock.advance(10 * MS);
        assert_eq!(
            poll_once(limited.as_mut()),
            Poll::Ready(Err(txaio::TimeoutError))
        );
    });
}

#[txaio::test]
async fn completion_first_releases_the_timer() {
    replace_loop(|clock| {
        let nap = txaio::sleep(2 * MS);
        let mut limited = Box::pin(txaio::with_timeout(10 * MS, nap));
        assert!(poll_once(limited.as_mut()).is_pending());
        assert_eq!(clock.pending(), 2, "the sleep and the timeout");
        clock.advance(2 * MS);
        assert!(matches!(
            poll_once(limited.as_mut()),
            Poll::Ready(Ok(Ok(())))
        ));
        assert_eq!(
            clock.pending(),
            0,
            "the timeout's timer is released with the outcome"
        );
    });
}

#[txaio::test]
async fn dropping_it_releases_the_timer_and_the_future() {
    replace_loop(|clock| {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = DropFlag(dropped.clone());
        let mut limited = Box::pin(txaio::with_timeout(10 * MS, async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        assert!(poll_once(limited.as_mut()).is_pending());
        drop(limited);
        assert!(dropped.load(Ordering::SeqCst));
        assert_eq!(clock.pending(), 0);
    });
}

#[txaio::test]
async fn on_real_time_it_expires_and_never_early() {
    let start = std::time::Instant::now();
    let outcome = txaio::with_timeout(20 * MS, std::future::pending::<()>()).await;
    assert_eq!(outcome, Err(txaio::TimeoutError));
    assert!(start.elapsed() >= 20 * MS);
    let quick = txaio::with_timeout(Duration::from_secs(10), txaio::sleep(MS)).await;
    assert!(matches!(quick, Ok(Ok(()))));
}

#[txaio::test]
async fn it_works_inside_a_spawned_task() {
    let done = txaio::spawn(async {
        let slow = txaio::with_timeout(5 * MS, txaio::sleep(Duration::from_secs(60))).await;
        Ok::<_, txaio::Failure>(slow.is_err())
    });
    assert!(done.await.unwrap());
}

#[test]
#[should_panic(expected = "`WithTimeout` polled after it completed")]
fn polling_after_completion_panics() {
    let mut limited = Box::pin(txaio::with_timeout(MS, async { 1 }));
    assert_eq!(poll_once(limited.as_mut()), Poll::Ready(Ok(1)));
    let _ = poll_once(limited.as_mut());
}

#[test]
fn it_is_debug_and_send_when_its_future_is() {
    fn assert_send<T: Send>(_: &T) {}
    replace_loop(|_clock| {
        let limited = txaio::with_timeout(MS, async { 1 });
        assert_send(&limited);
        assert!(format!("{limited:?}").starts_with("WithTimeout"));
    });
}

#[txaio::test]
async fn cancelling_a_task_cancels_the_deferred_it_awaits_under_with_timeout() {
    let inner = txaio::create_future::<u32>();
    let awaited = inner.clone();
    let task = txaio::spawn(async move {
        let value = txaio::with_timeout(Duration::from_secs(60), awaited)
            .await
            .map_err(txaio::Failure::new)??;
        Ok::<_, txaio::Failure>(value)
    });
    cascade_support::until_parked(&task).await;
    assert!(!txaio::is_called(&task));
    txaio::cancel(&task);
    let failure = inner
        .await
        .expect_err("the awaited deferred is cancelled with the task");
    assert!(failure.is::<txaio::CancelledError>());
    let task_failure = task.await.expect_err("the task is cancelled");
    assert!(task_failure.is::<txaio::CancelledError>());
}

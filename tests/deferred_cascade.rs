//! Cancellation runs down the await chain: cancelling a task's deferred cancels what the task
//! awaits, to any depth, then stops the task; `shield` is the way out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use txaio::testutil::{capture_logs, replace_loop};
use txaio::{CancelledError, Deferred, Failure, Runtime};

/// Counts its drops: the task holding it was dropped.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Yields once to the runtime.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Yields (and, for multi-threaded backends, lets other threads run) until `done` holds; a
/// bounded number of times, so a bug fails the test rather than hanging it.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..20_000 {
        if done() {
            return;
        }
        YieldNow(false).await;
        std::thread::sleep(Duration::from_micros(50));
    }
    panic!("never happened: {what}");
}

type Slot = Arc<Mutex<Vec<Deferred<()>>>>;

fn remember(slot: &Slot, d: &Deferred<()>) {
    slot.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(d.clone());
}

fn awaiting_one(d: &Deferred<()>) -> bool {
    format!("{d:?}").contains("awaiting: 1")
}

#[txaio::portable]
async fn bottom(nap: Deferred<()>, dropped: Arc<AtomicUsize>) -> Result<(), Failure> {
    let _guard = DropGuard(dropped);
    nap.await?;
    Ok(())
}

#[txaio::portable]
async fn middle(nap: Deferred<()>, dropped: Arc<AtomicUsize>, slot: Slot) -> Result<(), Failure> {
    let _guard = DropGuard(dropped.clone());
    let child = bottom(nap, dropped);
    remember(&slot, &child);
    child.await?;
    Ok(())
}

#[txaio::portable]
async fn top(nap: Deferred<()>, dropped: Arc<AtomicUsize>, slot: Slot) -> Result<(), Failure> {
    let _guard = DropGuard(dropped.clone());
    let child = middle(nap, dropped, slot.clone());
    remember(&slot, &child);
    child.await?;
    Ok(())
}

#[test]
fn a_three_deep_portable_chain_cancelled_from_the_top_stops_all_three_and_releases_the_timer() {
    // Once per compiled backend, on a virtual clock installed on the test's thread, where the
    // sleep is made.
    for &runtime in Runtime::compiled() {
        replace_loop(|clock| txaio::__private::block_on_test(runtime, three_deep_chain(clock)));
    }
}

async fn three_deep_chain(clock: &txaio::testutil::VirtualClock) {
    {
        let nap = txaio::sleep(Duration::from_secs(3600));
        assert_eq!(clock.pending(), 1);
        let dropped = Arc::new(AtomicUsize::new(0));
        let slot: Slot = Arc::default();
        let parent = top(nap.clone(), dropped.clone(), slot.clone());
        remember(&slot, &parent);
        eventually("all three tasks wait on their child", || {
            let chain = slot.lock().unwrap_or_else(PoisonError::into_inner);
            chain.len() == 3 && chain.iter().all(awaiting_one)
        })
        .await;

        txaio::cancel(&parent);

        // When `cancel` returns, every deferred down the chain has been cancelled.
        assert!(txaio::is_called(&nap), "the sleep was cancelled");
        assert_eq!(clock.pending(), 0, "the sleep's timer was released");
        let chain = slot.lock().unwrap().clone();
        for d in chain {
            let failure = d.clone().await.unwrap_err();
            assert!(failure.is::<CancelledError>(), "{failure}");
        }
        // Each task's future is dropped by its runtime soon after: its drop guard runs.
        eventually("the three tasks' futures are dropped", || {
            dropped.load(Ordering::SeqCst) == 3
        })
        .await;
        clock.advance(Duration::from_secs(7200));
        assert_eq!(dropped.load(Ordering::SeqCst), 3);
    }
}

#[txaio::portable]
async fn ticker(ticks: Arc<AtomicUsize>, interval: Deferred<()>) -> Result<(), Failure> {
    loop {
        interval.clone().await?;
        ticks.fetch_add(1, Ordering::SeqCst);
        txaio::sleep(Duration::from_millis(1)).await?;
    }
}

#[txaio::portable]
async fn parent_of(child: Deferred<()>) -> Result<(), Failure> {
    child.await
}

#[txaio::test]
async fn a_cancelled_parent_stops_its_child_from_ticking() {
    let ticks = Arc::new(AtomicUsize::new(0));
    let never = txaio::create_future::<()>();
    let child = ticker(ticks.clone(), never.clone());
    let parent = parent_of(child.clone());
    eventually("the parent awaits the child", || awaiting_one(&parent)).await;
    txaio::cancel(&parent);
    assert!(child.clone().await.unwrap_err().is::<CancelledError>());
    assert!(never.await.unwrap_err().is::<CancelledError>());
    assert_eq!(ticks.load(Ordering::SeqCst), 0);
}

#[txaio::test]
async fn the_task_fails_with_cancelled_error_whatever_the_awaited_canceller_did() {
    let awaited = txaio::create_future_with_canceller::<()>(|d| {
        txaio::resolve(d, ()).unwrap();
    });
    let parent = parent_of(awaited.clone());
    eventually("the parent awaits", || awaiting_one(&parent)).await;
    txaio::cancel(&parent);
    assert!(txaio::is_called(&awaited));
    assert!(
        awaited.await.is_ok(),
        "the canceller's value stands on the child"
    );
    assert!(parent.await.unwrap_err().is::<CancelledError>());
}

#[txaio::portable]
async fn take_of(child: Deferred<String>) -> Result<String, Failure> {
    child.take().await
}

#[txaio::test]
async fn a_pending_take_is_cancelled_with_its_task() {
    let child = txaio::create_future::<String>();
    let parent = take_of(child.clone());
    eventually("the parent takes", || {
        format!("{parent:?}").contains("awaiting: 1")
    })
    .await;
    txaio::cancel(&parent);
    assert!(child.await.unwrap_err().is::<CancelledError>());
    assert!(parent.await.unwrap_err().is::<CancelledError>());
}

#[txaio::portable]
async fn select_of(a: Deferred<()>, b: Deferred<()>) -> Result<(), Failure> {
    let mut a = a;
    let mut b = b;
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(outcome) = Pin::new(&mut a).poll(cx) {
            return Poll::Ready(outcome);
        }
        Pin::new(&mut b).poll(cx)
    })
    .await
}

#[txaio::test]
async fn every_deferred_awaited_under_a_select_is_cancelled() {
    let a = txaio::create_future::<()>();
    let b = txaio::create_future::<()>();
    let parent = select_of(a.clone(), b.clone());
    eventually("the parent awaits both", || {
        format!("{parent:?}").contains("awaiting: 2")
    })
    .await;
    txaio::cancel(&parent);
    assert!(a.await.unwrap_err().is::<CancelledError>());
    assert!(b.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn a_shielded_deferred_survives_the_cancel_of_a_task_awaiting_it() {
    let shared = txaio::create_future::<u32>();
    let shielded = txaio::shield(&shared);
    // The task's future is the shield itself: a task awaiting nothing else.
    let parent = txaio::spawn(shielded.clone());
    eventually("the task awaits the shield", || {
        format!("{parent:?}").contains("awaiting: 1")
    })
    .await;
    txaio::cancel(&parent);
    assert!(parent.await.unwrap_err().is::<CancelledError>());
    assert!(shielded.await.unwrap_err().is::<CancelledError>());
    assert!(!txaio::is_called(&shared), "the shielded deferred runs on");
    txaio::resolve(&shared, 8).unwrap();
    assert_eq!(shared.await.unwrap(), 8);
}

#[txaio::test]
async fn a_shield_passes_the_result_on_and_a_cancelled_shield_leaves_the_failure_reported() {
    let shared = txaio::create_future::<u32>();
    let shielded = txaio::shield(&shared);
    txaio::resolve(&shared, 3).unwrap();
    assert_eq!(shielded.await.unwrap(), 3);

    let ((), logs) = capture_logs(|| {
        let shared = txaio::create_future::<u32>();
        let shielded = txaio::shield(&shared);
        txaio::cancel(&shielded);
        txaio::reject(&shared, std::io::Error::other("nobody else listened")).unwrap();
    });
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].message.contains("nobody else listened"), "{logs:?}");
}

#[txaio::test]
async fn cancelling_a_parent_races_its_child_firing_from_another_thread() {
    for round in 0..200 {
        let child = txaio::create_future::<()>();
        let parent = parent_of(child.clone());
        eventually("the parent awaits", || awaiting_one(&parent)).await;
        let firing = {
            let child = child.clone();
            std::thread::spawn(move || {
                let _ = txaio::resolve(&child, ());
            })
        };
        txaio::cancel(&parent);
        firing.join().unwrap();
        // The parent either finished first (the child's value arrived before the cancel
        // began) or failed with CancelledError; it fired once and nothing hangs.
        match parent.await {
            Ok(()) => {}
            Err(failure) => assert!(failure.is::<CancelledError>(), "round {round}: {failure}"),
        }
        assert!(txaio::is_called(&child));
    }
}

//! Issue 23: the cancel cascade reaches what a task awaits at that moment (SPEC §4), not every
//! deferred it ever polled; and the set of what it awaits does not grow with them.

mod cascade_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use txaio::testutil::{VirtualClock, replace_loop};
use txaio::{Deferred, Runtime};

const MS: Duration = Duration::from_millis(1);

// Item 3: the cascade reaches only what the task awaits now.

/// On a virtual clock, once per backend: a task gives `shared` 10 ms, drops it and goes on
/// awaiting something else; cancelling the task leaves `shared` alone.
#[test]
fn cancelling_a_task_spares_a_deferred_it_gave_up_on() {
    for &runtime in Runtime::compiled() {
        replace_loop(|clock| txaio::__private::block_on_test(runtime, gave_up_on(clock)));
    }
}

async fn gave_up_on(clock: &VirtualClock) {
    let shared = txaio::create_future::<u32>();
    let other = txaio::create_future::<u32>();
    let limited = txaio::with_timeout(10 * MS, shared.clone());
    let step = txaio::create_future::<()>();
    let (step_in_task, other_in_task) = (step.clone(), other.clone());
    let task = txaio::spawn(async move {
        assert!(limited.await.is_err(), "timed out");
        // Parks once with nothing awaited, so that the test sees the task's new set after
        // the poll that dropped `shared`.
        YieldOnce(false).await;
        txaio::resolve(&step_in_task, ()).unwrap();
        other_in_task.await
    });
    until_parked(&task).await;
    clock.advance(10 * MS);
    step.await.unwrap();
    until_parked(&task).await;
    txaio::cancel(&task);
    assert!(
        !txaio::is_called(&shared),
        "the deferred the task gave up on was not cancelled"
    );
    assert!(txaio::is_called(&other), "what it awaited was cancelled");
    assert!(task.await.unwrap_err().is::<txaio::CancelledError>());
}

/// As `cascade_support::until_parked`, by yielding: on the virtual clock a sleep would never
/// end.
async fn until_parked<T>(task: &Deferred<T>) {
    for _ in 0..100_000 {
        if format!("{task:?}").contains("awaiting: ") {
            return;
        }
        YieldOnce(false).await;
        std::thread::yield_now();
    }
    panic!("the task never parked on a deferred: {task:?}");
}

/// Pending once (waking itself), then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
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

#[txaio::test]
async fn a_task_that_gave_up_on_many_deferreds_awaits_only_the_current_one() {
    let keep: Vec<Deferred<u32>> = (0..2_000).map(|_| txaio::create_future()).collect();
    let targets = keep.clone();
    let last = txaio::create_future::<u32>();
    let last_in_task = last.clone();
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = polls.clone();
    let task = txaio::spawn(async move {
        for target in targets {
            // A select that the other branch wins after one pending poll of `target`.
            let mut target = target;
            let mut yielded = YieldOnce(false);
            std::future::poll_fn(|cx| {
                assert!(Pin::new(&mut target).poll(cx).is_pending());
                Pin::new(&mut yielded).poll(cx)
            })
            .await;
            counted.fetch_add(1, Ordering::SeqCst);
        }
        last_in_task.await
    });
    while polls.load(Ordering::SeqCst) < 2_000 {
        txaio::sleep(MS).await.unwrap();
    }
    cascade_support::until_parked(&task).await;
    let shown = format!("{task:?}");
    assert!(
        shown.contains("awaiting: 1,"),
        "only the deferred it awaits now is in its set: {shown}"
    );
    txaio::cancel(&task);
    assert!(keep.iter().all(|d| !txaio::is_called(d)));
    assert!(txaio::is_called(&last));
}

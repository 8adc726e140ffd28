//! The book, "Locks, semaphores and queues": `DeferredQueue`, and its `Stream`.

mod cascade_support;

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use txaio::{CancelledError, DeferredQueue, QueueOverflow, QueueUnderflow};

/// `StreamExt::next`, without the `futures` crate.
async fn next<T: Send + 'static>(queue: &mut DeferredQueue<T>) -> Option<T> {
    poll_fn(|cx| Pin::new(&mut *queue).poll_next(cx)).await
}

fn poll_once<T: Send + 'static>(queue: &mut DeferredQueue<T>) -> Poll<Option<T>> {
    Pin::new(queue).poll_next(&mut Context::from_waker(Waker::noop()))
}

#[txaio::test]
async fn put_to_a_waiting_get_fires_it_inside_put() {
    let queue = DeferredQueue::new(None, None);
    let get = queue.get().unwrap();
    assert!(!txaio::is_called(&get));
    queue.put(1).unwrap();
    assert!(txaio::is_called(&get));
    assert_eq!(queue.len(), 0, "handed over, not stored");
    assert_eq!(get.await.unwrap(), 1);
}

#[txaio::test]
async fn put_goes_to_the_oldest_waiting_get() {
    let queue = DeferredQueue::new(None, None);
    let gets: Vec<_> = (0..3).map(|_| queue.get().unwrap()).collect();
    for n in 0..3 {
        queue.put(n).unwrap();
    }
    for (n, get) in gets.into_iter().enumerate() {
        assert_eq!(get.await.unwrap(), n);
    }
}

#[txaio::test]
async fn get_fires_at_once_with_the_oldest_stored_value() {
    let queue = DeferredQueue::new(None, None);
    for n in 0..3 {
        queue.put(n).unwrap();
    }
    assert_eq!(queue.len(), 3);
    for n in 0..3 {
        let get = queue.get().unwrap();
        assert!(txaio::is_called(&get));
        assert_eq!(get.await.unwrap(), n);
    }
    assert!(queue.is_empty());
}

#[txaio::test]
async fn put_on_a_full_queue_overflows_and_does_not_store() {
    let queue = DeferredQueue::new(Some(2), None);
    queue.put("a").unwrap();
    queue.put("b").unwrap();
    assert_eq!(queue.put("c"), Err(QueueOverflow));
    assert_eq!(queue.len(), 2);
    assert_eq!(queue.get().unwrap().await.unwrap(), "a");
    queue.put("d").unwrap();
    assert_eq!(queue.get().unwrap().await.unwrap(), "b");
    assert_eq!(queue.get().unwrap().await.unwrap(), "d");
}

#[txaio::test]
async fn try_put_on_a_full_queue_gives_the_value_back() {
    let queue = DeferredQueue::new(Some(1), None);
    queue.try_put(String::from("a")).unwrap();
    let refused = queue.try_put(String::from("b")).unwrap_err();
    assert_eq!(format!("{refused:?}"), "Full(..)");
    assert_eq!(refused.to_string(), "the queue is full");
    assert_eq!(queue.len(), 1, "the refused value is not stored");
    let first = queue.get().unwrap();
    queue.try_put(refused.into_inner()).unwrap();
    assert_eq!(first.await.unwrap(), "a");
    assert_eq!(queue.get().unwrap().await.unwrap(), "b");
}

#[txaio::test]
async fn try_put_hands_to_a_waiting_get_even_with_no_room() {
    let queue = DeferredQueue::new(Some(0), None);
    assert_eq!(queue.try_put(1).unwrap_err().into_inner(), 1);
    let waiting = queue.get().unwrap();
    queue.try_put(2).unwrap();
    assert_eq!(waiting.await.unwrap(), 2);
}

#[txaio::test]
async fn a_full_queue_still_hands_to_a_waiting_get() {
    let queue = DeferredQueue::new(Some(0), None);
    assert_eq!(queue.put(1), Err(QueueOverflow));
    let get = queue.get().unwrap();
    queue.put(2).unwrap();
    assert_eq!(get.await.unwrap(), 2);
}

#[txaio::test]
async fn get_beyond_the_backlog_underflows() {
    let queue = DeferredQueue::<u8>::new(None, Some(2));
    let a = queue.get().unwrap();
    let _b = queue.get().unwrap();
    assert_eq!(queue.get().unwrap_err(), QueueUnderflow);
    assert_eq!(queue.waiting(), 2);
    queue.put(1).unwrap();
    assert_eq!(a.await.unwrap(), 1);
    let _c = queue.get().unwrap(); // room again
    let zero = DeferredQueue::<u8>::new(None, Some(0));
    assert_eq!(zero.get().unwrap_err(), QueueUnderflow);
    zero.put(3).unwrap();
    assert_eq!(
        zero.get().unwrap().await.unwrap(),
        3,
        "a stored value needs no backlog"
    );
}

#[txaio::test]
async fn cancelling_a_pending_get_removes_it_and_a_later_put_goes_to_the_next() {
    let queue = DeferredQueue::new(None, None);
    let cancelled = queue.get().unwrap();
    let next = queue.get().unwrap();
    txaio::cancel(&cancelled);
    assert!(cancelled.await.unwrap_err().is::<CancelledError>());
    assert_eq!(queue.waiting(), 1);
    queue.put(1).unwrap();
    assert_eq!(next.await.unwrap(), 1);
}

#[txaio::test]
async fn cancelling_the_only_get_means_a_later_put_is_stored() {
    let queue = DeferredQueue::new(None, Some(1));
    let get = queue.get().unwrap();
    txaio::cancel(&get);
    assert_eq!(queue.waiting(), 0);
    queue.put(9).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue.get().unwrap().await.unwrap(), 9);
}

#[txaio::test]
async fn cancelling_a_get_that_fired_does_nothing() {
    let queue = DeferredQueue::new(None, None);
    let get = queue.get().unwrap();
    queue.put(4).unwrap();
    txaio::cancel(&get);
    assert_eq!(get.await.unwrap(), 4);
    assert!(queue.is_empty());
}

#[txaio::test]
async fn a_get_fired_by_hand_does_not_swallow_a_put() {
    let queue = DeferredQueue::new(None, None);
    let get = queue.get().unwrap();
    txaio::resolve(&get, 0).unwrap(); // a misuse, but it must not eat the next value
    queue.put(5).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue.get().unwrap().await.unwrap(), 5);
}

#[txaio::test]
async fn consumer_and_producer_tasks() {
    let queue = DeferredQueue::new(Some(4), None);
    let consumer = {
        let queue = queue.clone();
        txaio::spawn(async move {
            let mut got = Vec::new();
            loop {
                match queue.get().unwrap().await? {
                    None => return Ok::<_, txaio::Failure>(got),
                    Some(n) => got.push(n),
                }
            }
        })
    };
    for n in 0..20 {
        while queue.put(Some(n)).is_err() {
            txaio::sleep(std::time::Duration::from_millis(1))
                .await
                .unwrap();
        }
    }
    while queue.put(None).is_err() {
        txaio::sleep(std::time::Duration::from_millis(1))
            .await
            .unwrap();
    }
    assert_eq!(consumer.await.unwrap(), (0..20).collect::<Vec<_>>());
}

#[txaio::test]
async fn callbacks_may_reenter_put_and_get() {
    let queue = DeferredQueue::new(None, None);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let first = queue.get().unwrap();
    {
        let (queue, seen) = (queue.clone(), Arc::clone(&seen));
        txaio::add_callback(&first, move |v: &u32| {
            seen.lock().unwrap().push(*v);
            queue.put(v + 100).unwrap(); // re-enters from inside put
            let again = queue.get().unwrap();
            let seen = Arc::clone(&seen);
            txaio::add_callback(&again, move |v| seen.lock().unwrap().push(*v));
        });
    }
    queue.put(1).unwrap();
    assert_eq!(*seen.lock().unwrap(), [1, 101]);
    assert!(queue.is_empty());
}

#[txaio::test]
async fn the_queue_is_a_stream_in_order() {
    let queue = DeferredQueue::new(None, None);
    let mut stream = queue.clone();
    for n in 0..3 {
        queue.put(n).unwrap();
    }
    for n in 0..3 {
        assert_eq!(next(&mut stream).await, Some(n));
    }
    let reader = txaio::spawn(async move {
        let mut got = Vec::new();
        while let Some(n) = next(&mut stream).await {
            if n == 99 {
                break;
            }
            got.push(n);
        }
        Ok::<_, txaio::Failure>(got)
    });
    for n in 3..10 {
        txaio::sleep(std::time::Duration::from_millis(1))
            .await
            .unwrap();
        queue.put(n).unwrap();
    }
    queue.put(99).unwrap();
    assert_eq!(reader.await.unwrap(), (3..10).collect::<Vec<_>>());
}

#[txaio::test]
async fn a_waiting_stream_keeps_its_place_in_line_among_gets() {
    let queue = DeferredQueue::new(None, None);
    let before = queue.get().unwrap();
    let mut stream = queue.clone();
    assert!(poll_once(&mut stream).is_pending());
    let after = queue.get().unwrap();
    assert_eq!(queue.waiting(), 3);
    for n in 0..3 {
        queue.put(n).unwrap();
    }
    assert_eq!(before.await.unwrap(), 0);
    assert_eq!(poll_once(&mut stream), Poll::Ready(Some(1)));
    assert_eq!(after.await.unwrap(), 2);
}

#[txaio::test]
async fn dropping_a_next_future_loses_no_item() {
    let queue = DeferredQueue::new(None, None);
    let mut stream = queue.clone();
    {
        let mut pending = std::pin::pin!(next(&mut stream));
        let polled = poll_fn(|cx| Poll::Ready(pending.as_mut().poll(cx))).await;
        assert!(polled.is_pending());
        // The `next()` future is dropped here, as a lost `select!` branch would be.
    }
    queue.put(7).unwrap(); // goes to the stream's place in line
    assert_eq!(queue.len(), 0);
    assert_eq!(next(&mut stream).await, Some(7));
}

#[txaio::test]
async fn dropping_a_stream_that_was_handed_a_value_gives_it_back() {
    let queue = DeferredQueue::new(None, None);
    let mut stream = queue.clone();
    assert!(poll_once(&mut stream).is_pending());
    queue.put(1).unwrap(); // handed to the stream, which never yields it
    queue.put(2).unwrap();
    drop(stream);
    assert_eq!(queue.len(), 2);
    assert_eq!(queue.get().unwrap().await.unwrap(), 1, "back at the front");
    assert_eq!(queue.get().unwrap().await.unwrap(), 2);
}

#[txaio::test]
async fn dropping_a_waiting_stream_leaves_the_line() {
    let queue = DeferredQueue::new(None, None);
    let mut stream = queue.clone();
    assert!(poll_once(&mut stream).is_pending());
    assert_eq!(queue.waiting(), 1);
    drop(stream);
    assert_eq!(queue.waiting(), 0);
    queue.put(3).unwrap();
    assert_eq!(queue.len(), 1);
}

#[test]
fn the_queue_is_send_sync_and_clone_is_the_same_queue() {
    fn send_sync<T: Send + Sync + Clone + Default + std::fmt::Debug>() {}
    send_sync::<DeferredQueue<String>>();
    let queue = DeferredQueue::default();
    queue.clone().put(1u8).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue.size(), queue.backlog()), (None, None));
    assert!(format!("{queue:?}").contains("len: 1"));
    let errors: [&dyn std::error::Error; 2] = [&QueueOverflow, &QueueUnderflow];
    assert_eq!(errors[0].to_string(), "the queue is full");
    assert!(errors[1].to_string().contains("waiting"));
}

#[test]
fn gets_cancelled_from_other_threads_while_puts_hand_them_values_lose_nothing() {
    const VALUES: usize = 20_000;
    let queue = DeferredQueue::new(None, None);
    let received = Arc::new(AtomicUsize::new(0));
    let sum = Arc::new(AtomicUsize::new(0));
    let (gets_tx, gets_rx) = std::sync::mpsc::channel::<txaio::Deferred<usize>>();
    let getter = {
        let (queue, received, sum) = (queue.clone(), Arc::clone(&received), Arc::clone(&sum));
        std::thread::spawn(move || {
            for _ in 0..VALUES * 2 {
                let get = queue.get().unwrap();
                let (received, sum) = (Arc::clone(&received), Arc::clone(&sum));
                txaio::add_callback(&get, move |v| {
                    received.fetch_add(1, Ordering::SeqCst);
                    sum.fetch_add(*v, Ordering::SeqCst);
                });
                gets_tx.send(get).unwrap();
            }
        })
    };
    let canceller = std::thread::spawn(move || {
        for (i, get) in gets_rx.into_iter().enumerate() {
            if i % 2 == 0 {
                txaio::cancel(&get);
            }
        }
    });
    let putter = {
        let queue = queue.clone();
        std::thread::spawn(move || {
            for v in 1..=VALUES {
                queue.put(v).unwrap();
            }
        })
    };
    for thread in [getter, canceller, putter] {
        thread.join().unwrap();
    }
    // Whatever was left stored goes to fresh gets.
    while let Some(v) = {
        let get = queue.get().unwrap();
        if txaio::is_called(&get) {
            let value = Arc::new(Mutex::new(None));
            let slot = Arc::clone(&value);
            txaio::add_callback(&get, move |v| *slot.lock().unwrap() = Some(*v));
            *value.lock().unwrap()
        } else {
            txaio::cancel(&get);
            None
        }
    } {
        received.fetch_add(1, Ordering::SeqCst);
        sum.fetch_add(v, Ordering::SeqCst);
    }
    assert_eq!(
        received.load(Ordering::SeqCst),
        VALUES,
        "every value exactly once"
    );
    assert_eq!(sum.load(Ordering::SeqCst), VALUES * (VALUES + 1) / 2);
}

/// Calls `innermost` from a callback nested `depth` firings deep: a chain of queues, each
/// get's callback putting into the next queue.
fn nested(depth: usize, innermost: impl FnOnce() + Send + 'static) {
    let queues: Vec<DeferredQueue<()>> = (0..depth).map(|_| DeferredQueue::default()).collect();
    let mut innermost: Option<Box<dyn FnOnce() + Send>> = Some(Box::new(innermost));
    for i in (0..depth).rev() {
        let get = queues[i].get().unwrap();
        let next = queues.get(i + 1).cloned();
        let last = if next.is_none() {
            innermost.take()
        } else {
            None
        };
        txaio::add_callback(&get, move |()| match (&next, last) {
            (Some(next), _) => next.put(()).unwrap(),
            (None, Some(innermost)) => innermost(),
            (None, None) => unreachable!(),
        });
    }
    queues[0].put(()).unwrap();
}

/// One try at the race below from `depth` firings deep: `Some(true)` if the window was hit
/// and everything checked out, `None` if the firing was not queued at this depth.
fn cancel_in_the_window(depth: usize) -> Option<()> {
    let queue = DeferredQueue::new(None, None);
    let get = queue.get().unwrap();
    let (inside_queue, inside_get) = (queue.clone(), get.clone());
    let seen = Arc::new(Mutex::new(None));
    let seen_inside = Arc::clone(&seen);
    nested(depth, move || {
        inside_queue.put(42).unwrap(); // handed to `get`; its firing may be queued
        let fired_before_cancel = txaio::is_called(&inside_get);
        txaio::cancel(&inside_get);
        *seen_inside.lock().unwrap() = Some((fired_before_cancel, inside_queue.len()));
    });
    let (fired_before_cancel, stored_after_cancel) = seen.lock().unwrap().unwrap();
    if fired_before_cancel {
        return None;
    }
    assert_eq!(stored_after_cancel, 1, "the cancel gave the value back");
    let failed = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&failed);
    txaio::add_errback(&get, move |f| {
        assert!(f.is::<CancelledError>());
        seen.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(failed.load(Ordering::SeqCst), 1, "the cancelled get failed");
    assert_eq!(
        queue.len(),
        1,
        "the late delivery did not take the value again"
    );
    let again = queue.get().unwrap();
    assert!(txaio::is_called(&again));
    Some(())
}

#[test]
fn a_get_cancelled_between_being_handed_a_value_and_firing_gives_the_value_back() {
    // Deep inside nested firings, a put's delivery is queued until the outermost firing ends:
    // the window in which another thread's cancel may come between hand-over and firing. The
    // depth at which that happens is internal, so look for it.
    assert!(
        (1..=64).any(|depth| cancel_in_the_window(depth).is_some()),
        "no nesting depth reached the window"
    );
}

#[txaio::test]
async fn cancelling_a_task_that_awaits_get_takes_the_get_out_of_the_line() {
    let queue = DeferredQueue::new(None, None);
    let task = {
        let queue = queue.clone();
        txaio::spawn(async move { queue.get().unwrap().await })
    };
    cascade_support::until_parked(&task).await;
    assert_eq!(queue.waiting(), 1);
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    assert_eq!(queue.waiting(), 0, "the get left the line with the task");
    queue.put(1u8).unwrap();
    assert_eq!(queue.len(), 1, "stored, not swallowed by the cancelled get");
}

#[txaio::test]
async fn a_put_from_another_thread_while_the_get_is_being_cancelled_is_given_back() {
    // A task awaits both `hook` and the get, polled in that order, so cancelling the task
    // begins cancelling the get, then runs `hook`'s canceller while the get is still being
    // cancelled: from there another thread puts, and its hand-over meets a cancel under way.
    let queue = DeferredQueue::new(None, None);
    let mut get = queue.get().unwrap();
    let put_from = queue.clone();
    let mut hook = txaio::create_future_with_canceller::<()>(move |_| {
        let queue = put_from.clone();
        std::thread::spawn(move || queue.put(7u32).unwrap())
            .join()
            .unwrap();
    });
    let watched = get.clone();
    let task = txaio::spawn(async move {
        poll_fn(|cx| {
            let _ = Pin::new(&mut hook).poll(cx);
            let _ = Pin::new(&mut get).poll(cx);
            Poll::<Result<(), txaio::Failure>>::Pending
        })
        .await
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    assert!(watched.await.unwrap_err().is::<CancelledError>());
    assert_eq!(
        queue.len(),
        1,
        "the value put during the cancel was given back, not lost"
    );
    assert_eq!(queue.get().unwrap().await.unwrap(), 7);
}

#[txaio::test]
async fn a_put_on_the_cancelling_thread_while_the_get_is_being_cancelled_is_given_back() {
    // As above, with the put made on the very thread that is cancelling the get.
    let queue = DeferredQueue::new(None, None);
    let mut get = queue.get().unwrap();
    let put_from = queue.clone();
    let mut hook = txaio::create_future_with_canceller::<()>(move |_| put_from.put(7u32).unwrap());
    let watched = get.clone();
    let task = txaio::spawn(async move {
        poll_fn(|cx| {
            let _ = Pin::new(&mut hook).poll(cx);
            let _ = Pin::new(&mut get).poll(cx);
            Poll::<Result<(), txaio::Failure>>::Pending
        })
        .await
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    assert!(watched.await.unwrap_err().is::<CancelledError>());
    assert_eq!(
        queue.len(),
        1,
        "the value put during the cancel was given back, not lost"
    );
}

#[txaio::test]
async fn try_get_takes_a_stored_value_and_never_waits() {
    let queue = txaio::DeferredQueue::new(None, None);
    assert_eq!(queue.try_get(), None);
    assert_eq!(queue.waiting(), 0, "try_get never stands in line");
    queue.put(1).unwrap();
    queue.put(2).unwrap();
    assert_eq!(queue.try_get(), Some(1));
    assert_eq!(queue.get().unwrap().await.unwrap(), 2);
    assert_eq!(queue.try_get(), None);
}

#[txaio::test]
async fn close_fails_waiting_and_later_gets_after_the_stored_values() {
    let queue = DeferredQueue::<&str>::new(None, None);
    let waiting = queue.get().unwrap();
    queue.close();
    assert!(queue.is_closed());
    let failure = waiting.await.unwrap_err();
    assert!(failure.is::<txaio::QueueClosed>(), "{failure}");
    assert_eq!(queue.waiting(), 0);

    let queue = DeferredQueue::new(None, None);
    queue.put("kept").unwrap();
    queue.close();
    queue.close(); // twice does nothing
    assert_eq!(queue.put("late"), Err(QueueOverflow));
    let refused = queue.try_put("late").unwrap_err();
    assert!(refused.is_closed());
    assert_eq!(refused.to_string(), "the queue is closed");
    assert_eq!(refused.into_inner(), "late");
    assert_eq!(queue.get().unwrap().await.unwrap(), "kept");
    let failure = queue.get().unwrap().await.unwrap_err();
    assert!(failure.is::<txaio::QueueClosed>(), "{failure}");
    assert_eq!(queue.try_get(), None);
}

#[txaio::test]
async fn a_queue_dropped_with_waiting_gets_fails_them_with_queue_closed() {
    let queue = DeferredQueue::<u32>::new(None, None);
    let first = queue.get().unwrap();
    let second = queue.get().unwrap();
    drop(queue);
    for waiting in [first, second] {
        assert!(
            txaio::is_called(&waiting),
            "a get left waiting on a dropped queue"
        );
        let failure = waiting.await.unwrap_err();
        assert!(failure.is::<txaio::QueueClosed>(), "{failure}");
    }
}

#[txaio::test]
async fn a_stream_ends_when_its_queue_closes_after_the_stored_values() {
    let queue = DeferredQueue::new(None, None);
    let mut stream = queue.clone();
    let reader = txaio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(value) = next(&mut stream).await {
            seen.push(value);
        }
        Ok::<_, txaio::Failure>(seen)
    });
    queue.put(1).unwrap();
    queue.put(2).unwrap();
    queue.close();
    assert_eq!(reader.await.unwrap(), vec![1, 2]);

    // A stream already waiting when the queue closes ends at once.
    let queue = DeferredQueue::<u8>::new(None, None);
    let mut stream = queue.clone();
    assert!(poll_once(&mut stream).is_pending());
    assert_eq!(queue.waiting(), 1);
    queue.close();
    assert_eq!(poll_once(&mut stream), Poll::Ready(None));
}

#[txaio::test]
async fn a_get_that_fired_at_once_and_lost_a_select_gives_its_value_back() {
    let queue = DeferredQueue::new(None, None);
    queue.put("first").unwrap();
    queue.put("second").unwrap();
    // The get fires at once with "first"; a select's other branch wins, and the get is
    // dropped unread (never polled, as a biased select leaves its second branch).
    let lost = queue.get().unwrap();
    assert_eq!(queue.len(), 1);
    drop(lost);
    assert_eq!(queue.len(), 2, "the lost get's value is back in the queue");
    assert_eq!(queue.get().unwrap().await.unwrap(), "first");
    assert_eq!(queue.get().unwrap().await.unwrap(), "second");

    // Seen (is_called, a callback, an await) it is the getter's, whatever becomes of it.
    queue.put("seen").unwrap();
    let got = queue.get().unwrap();
    assert!(txaio::is_called(&got));
    drop(got);
    assert_eq!(queue.len(), 0);
}

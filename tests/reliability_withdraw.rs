//! Issue 23: dropping withdraws. A get or acquire whose every handle is dropped before it is
//! served leaves the line and is handed nothing (tokio::sync's rule); a sleep dropped unfired
//! releases its timer; a panic while a chain settles leaves later chains on the thread working.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use txaio::testutil::{VirtualClock, replace_loop};
use txaio::{Deferred, DeferredLock, DeferredQueue, DeferredSemaphore, Failure};

const MS: Duration = Duration::from_millis(1);

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

/// Gives `future` 10 ms on `clock`: polls it, lets the time run out, and drops it.
fn give_up_after_10_ms<F: Future + Unpin>(clock: &VirtualClock, future: F) {
    let mut limited = Box::pin(txaio::with_timeout(10 * MS, future));
    assert!(poll_once(&mut limited).is_pending());
    clock.advance(10 * MS);
    assert!(
        matches!(
            poll_once(&mut limited),
            Poll::Ready(Err(txaio::TimeoutError))
        ),
        "the time ran out"
    );
}

// Item 1: ghost waiters.

#[txaio::test]
async fn a_get_dropped_by_a_timeout_leaves_the_line() {
    replace_loop(|clock| {
        let queue = DeferredQueue::new(None, None);
        give_up_after_10_ms(clock, queue.get().unwrap());
        assert_eq!(queue.waiting(), 0, "the dropped get left the line");
        queue.put(7).unwrap();
        assert_eq!(
            queue.len(),
            1,
            "the value was stored, not handed to a ghost"
        );
        let got = queue.get().unwrap();
        assert!(txaio::is_called(&got));
        txaio::add_callback(&got, |value| assert_eq!(*value, 7));
    });
}

#[txaio::test]
async fn an_acquire_dropped_by_a_timeout_does_not_take_the_lock() {
    replace_loop(|clock| {
        let lock = DeferredLock::new();
        let held = lock.acquire();
        assert!(txaio::is_called(&held));
        give_up_after_10_ms(clock, lock.acquire());
        lock.release();
        assert!(!lock.locked(), "the lock went to nobody, not to a ghost");
        let next = lock.acquire();
        assert!(
            txaio::is_called(&next),
            "a later acquire gets the lock at once"
        );
    });
}

#[txaio::test]
async fn a_semaphore_acquire_dropped_unserved_leaves_the_line() {
    let sem = DeferredSemaphore::new(1);
    let _held = sem.acquire();
    let waiting = sem.acquire();
    let clone = waiting.clone();
    drop(waiting);
    sem.release();
    assert!(txaio::is_called(&clone), "a clone still held is served");
    drop(clone); // served: the token is its owner's
    sem.release();
    assert_eq!(sem.tokens(), 1);

    let _held = sem.acquire();
    drop(sem.acquire());
    assert!(format!("{sem:?}").contains("waiting: 0"), "{sem:?}");
    sem.release();
    assert_eq!(
        sem.tokens(),
        1,
        "the token went to nobody, not to a dropped acquire"
    );
}

#[txaio::test]
async fn the_losing_branch_of_a_select_leaves_the_line() {
    let queue = DeferredQueue::new(None, None);
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let winner = txaio::create_future_success(());
    {
        // A hand-written select: both branches polled, the first ready one wins, the other
        // is dropped.
        let mut get = queue.get().unwrap();
        let mut acquire = lock.acquire();
        let mut winner = winner.clone();
        assert!(poll_once(&mut get).is_pending());
        assert!(poll_once(&mut acquire).is_pending());
        assert!(poll_once(&mut winner).is_ready());
    }
    queue.put("kept").unwrap();
    assert_eq!(queue.len(), 1);
    lock.release();
    assert!(!lock.locked());
    assert_eq!(queue.get().unwrap().await.unwrap(), "kept");
}

#[txaio::test]
async fn a_get_awaited_by_a_task_that_gives_up_leaves_the_line() {
    let queue = DeferredQueue::<u32>::new(None, None);
    let get = queue.get().unwrap();
    let gave_up = txaio::create_future::<()>();
    let signal = gave_up.clone();
    let task = txaio::spawn(async move {
        let wait = txaio::with_timeout(5 * MS, get).await;
        assert!(wait.is_err(), "nothing was put in time");
        txaio::resolve(&signal, ()).unwrap();
        Ok::<_, Failure>(())
    });
    gave_up.await.unwrap();
    task.await.unwrap();
    assert_eq!(queue.waiting(), 0);
    queue.put(1).unwrap();
    assert_eq!(queue.len(), 1, "the value was stored");
}

#[txaio::test]
async fn a_waiter_with_a_callback_keeps_its_place_when_its_handle_drops() {
    // Callback style: the callback holds the waiter; dropping the handle cancels nothing.
    let queue = DeferredQueue::new(None, None);
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    txaio::add_callback(&queue.get().unwrap(), move |v: &u32| {
        sink.lock().unwrap().push(*v);
    });
    assert_eq!(queue.waiting(), 1);
    queue.put(5).unwrap();
    assert_eq!(*got.lock().unwrap(), [5]);

    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let chained = txaio::then(&lock.acquire(), |()| Ok::<_, Failure>("held"));
    lock.release();
    assert_eq!(chained.await.unwrap(), "held");
    assert!(lock.locked());
}

#[txaio::test]
async fn a_get_served_but_never_seen_gives_its_value_back_when_dropped() {
    // A select whose get branch was ready but lost: the value went to a get nobody read.
    let queue = DeferredQueue::new(None, None);
    let mut get = queue.get().unwrap();
    assert!(poll_once(&mut get).is_pending());
    queue.put("first").unwrap(); // served, not yet seen
    queue.put("second").unwrap();
    drop(get);
    assert_eq!(queue.len(), 2, "the value came back");
    assert_eq!(
        queue.get().unwrap().await.unwrap(),
        "first",
        "first in line again"
    );
    assert_eq!(queue.get().unwrap().await.unwrap(), "second");
}

#[txaio::test]
async fn an_acquire_served_but_never_seen_gives_the_lock_back_when_dropped() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let mut waiting = lock.acquire();
    assert!(poll_once(&mut waiting).is_pending());
    lock.release(); // hands the lock to `waiting`, which nobody polls again
    drop(waiting);
    assert!(!lock.locked(), "the lock came back");

    // Seen (awaited, or asked with `is_called`): the lock is the holder's, dropped or not.
    let _held = lock.acquire();
    let waiting = lock.acquire();
    lock.release();
    assert!(txaio::is_called(&waiting));
    drop(waiting);
    assert!(lock.locked(), "held by whoever saw it fire");
}

// Item 2: a dropped sleep keeps its timer.

#[txaio::test]
async fn a_dropped_sleep_releases_its_timer() {
    replace_loop(|clock| {
        for _ in 0..1_001 {
            drop(txaio::sleep(Duration::from_secs(3600)));
        }
        assert_eq!(clock.pending(), 0, "each timer went with its last handle");

        let kept = txaio::sleep(Duration::from_secs(3600));
        let clone = kept.clone();
        drop(kept);
        assert_eq!(clock.pending(), 1, "a handle is left: the timer stays");
        clock.advance(Duration::from_secs(3600));
        assert!(txaio::is_called(&clone));
    });
}

#[txaio::test]
async fn a_sleep_awaited_under_a_timeout_releases_its_timer_when_dropped() {
    replace_loop(|clock| {
        let mut limited = Box::pin(txaio::with_timeout(
            10 * MS,
            txaio::sleep(Duration::from_secs(3600)),
        ));
        assert!(poll_once(&mut limited).is_pending());
        assert_eq!(clock.pending(), 2);
        clock.advance(10 * MS);
        assert!(poll_once(&mut limited).is_ready());
        drop(limited);
        assert_eq!(clock.pending(), 0);
    });
}

#[txaio::test]
async fn a_dropped_deferred_releases_its_timeout_timer() {
    replace_loop(|clock| {
        for _ in 0..100 {
            drop(txaio::timeout(
                &txaio::create_future::<u8>(),
                Duration::from_secs(3600),
            ));
        }
        assert_eq!(clock.pending(), 0);
    });
}

// Item 10: a panic while a chain settles.

/// Panics when dropped, if armed.
#[derive(Clone)]
struct PanicOnDrop(bool);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        assert!(!self.0, "a refused value's drop panics");
    }
}

/// A chain of `links` deferreds behind `first`; the last one.
fn chain(first: &Deferred<u32>, links: usize) -> Deferred<u32> {
    let mut last = first.clone();
    for _ in 0..links {
        last = txaio::then(&last, |n| Ok::<_, Failure>(n + 1));
    }
    last
}

#[txaio::test]
async fn a_panicking_drop_of_a_refused_value_in_a_chain_leaves_later_chains_working() {
    let ((), logs) = txaio::testutil::capture_logs(|| {
        let first = txaio::create_future::<u32>();
        // A link whose deferred was fired by hand: the chain's value for it is refused, and
        // dropping that value panics (in the outermost settle of the chain on this thread).
        let refused = txaio::then(&first, |_| Ok::<_, Failure>(PanicOnDrop(true)));
        txaio::resolve(&refused, PanicOnDrop(false)).unwrap();
        let after = txaio::then(&refused, |_| Ok::<_, Failure>(0_u32));
        let _end = chain(&after, 20);
        txaio::resolve(&first, 0).unwrap();
    });
    assert!(
        logs.iter().any(|log| log.message.contains("refused value")),
        "the panic was reported: {logs:?}"
    );
    // A deep chain on the same thread still settles all the way.
    let first = txaio::create_future::<u32>();
    let last = chain(&first, 40);
    txaio::resolve(&first, 0).unwrap();
    assert!(txaio::is_called(&last), "the deep chain settled");
    assert_eq!(last.await.unwrap(), 40);
}

// Found by an outside attack after the fixes: a timeout's timer release is a watcher
// of the waiter, not someone who sees its value, and a value the holder put into its own
// waiter is not the primitive's to take back.

#[txaio::test]
async fn a_get_under_txaio_timeout_whose_handles_all_drop_leaves_the_line_and_its_timer() {
    replace_loop(|clock| {
        let queue = DeferredQueue::new(None, None);
        let get = queue.get().unwrap();
        let limited = txaio::timeout(&get, 5 * MS);
        drop(limited);
        drop(get);
        assert_eq!(queue.waiting(), 0, "the get nobody holds left the line");
        assert_eq!(clock.pending(), 0, "its timeout's timer went with it");
        queue.put(1).unwrap();
        assert_eq!(queue.try_get(), Some(1), "the value was stored, not lost");
    });
}

#[txaio::test]
async fn an_acquire_under_txaio_timeout_whose_handles_all_drop_does_not_take_the_lock() {
    replace_loop(|clock| {
        let lock = DeferredLock::new();
        let held = lock.acquire();
        assert!(txaio::is_called(&held));
        let waiting = lock.acquire();
        drop(txaio::timeout(&waiting, 5 * MS));
        drop(waiting);
        lock.release();
        clock.advance(10 * MS);
        assert!(
            !lock.locked(),
            "the lock went to nobody, not to an acquire nobody holds"
        );
        assert!(txaio::is_called(&lock.acquire()));
    });
}

#[txaio::test]
async fn a_get_under_txaio_timeout_served_but_never_seen_gives_its_value_back() {
    replace_loop(|clock| {
        let queue = DeferredQueue::new(None, None);
        let get = queue.get().unwrap();
        let limited = txaio::timeout(&get, 5 * MS);
        queue.put("first").unwrap(); // served, not seen: the timeout only watches
        drop(limited);
        drop(get);
        assert_eq!(clock.pending(), 0, "the timer went when the get fired");
        assert_eq!(queue.try_get(), Some("first"), "the value came back");
    });
}

#[txaio::test]
async fn a_stored_value_got_under_txaio_timeout_and_dropped_unseen_goes_back() {
    replace_loop(|_clock| {
        let queue = DeferredQueue::new(None, None);
        queue.put(3).unwrap();
        let get = queue.get().unwrap();
        drop(txaio::timeout(&get, 5 * MS));
        drop(get);
        assert_eq!(
            queue.try_get(),
            Some(3),
            "adding the timeout did not see the value"
        );
    });
}

#[txaio::test]
async fn an_acquire_its_holder_resolved_and_dropped_gives_back_no_token() {
    let lock = DeferredLock::new();
    let held = lock.acquire();
    assert!(txaio::is_called(&held));
    let waiting = lock.acquire();
    txaio::resolve(&waiting, ()).unwrap();
    drop(waiting);
    assert!(lock.locked(), "`held` still has the lock");
    let next = lock.acquire();
    assert!(!txaio::is_called(&next), "no second holder");
    lock.release();
    assert!(txaio::is_called(&next), "the real release hands it on");
}

#[txaio::test]
async fn a_get_its_holder_resolved_and_dropped_puts_nothing_in_the_queue() {
    let queue = DeferredQueue::<u32>::new(None, None);
    let get = queue.get().unwrap();
    txaio::resolve(&get, 99).unwrap();
    drop(get);
    assert_eq!(
        queue.try_get(),
        None,
        "the holder's own value is not the queue's"
    );
}

/// Found by reading: a get whose only reaction is a timeout's watcher, served by a put on
/// another thread while its last handle drops, could have its value lost (the withdraw found
/// the outcome lent out to the watcher and left it; nothing gave it back afterwards).
#[txaio::test]
async fn a_get_under_txaio_timeout_dropped_while_a_put_on_another_thread_serves_it_loses_nothing() {
    const ROUNDS: usize = 5_000;
    const WATCHERS: usize = 32;
    let queue = DeferredQueue::new(None, None);
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let putter = {
        let (queue, barrier) = (queue.clone(), Arc::clone(&barrier));
        std::thread::spawn(move || {
            for value in 0..ROUNDS {
                barrier.wait();
                queue.put(value).unwrap();
            }
        })
    };
    for _ in 0..ROUNDS {
        let get = queue.get().unwrap();
        // Many watchers, so that running them (as the put serves the get) takes a while.
        for _ in 0..WATCHERS {
            drop(txaio::timeout(&get, Duration::from_secs(3600)));
        }
        barrier.wait();
        drop(get); // races the put: nobody sees this get's value
    }
    putter.join().unwrap();
    assert_eq!(queue.len(), ROUNDS, "every value is back in the queue");
}

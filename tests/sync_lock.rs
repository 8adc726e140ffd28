//! The book, "Locks, semaphores and queues": `DeferredLock`.

mod cascade_support;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use txaio::{CancelledError, DeferredLock, Panic};

fn log() -> Arc<Mutex<Vec<usize>>> {
    Arc::new(Mutex::new(Vec::new()))
}

fn record(log: &Arc<Mutex<Vec<usize>>>, d: &txaio::Deferred<()>, n: usize) {
    let log = Arc::clone(log);
    txaio::add_callback(d, move |()| log.lock().unwrap().push(n));
}

#[txaio::test]
async fn acquire_on_a_free_lock_fires_before_it_returns() {
    let lock = DeferredLock::new();
    assert!(!lock.locked());
    let d = lock.acquire();
    assert!(txaio::is_called(&d));
    assert!(lock.locked());
    d.await.unwrap();
}

#[txaio::test]
async fn acquire_on_a_held_lock_waits_for_release() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let waiting = lock.acquire();
    assert!(!txaio::is_called(&waiting));
    lock.release();
    assert!(txaio::is_called(&waiting), "fired inside release");
    assert!(lock.locked(), "now held by the waiter");
    waiting.await.unwrap();
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn release_hands_the_lock_to_waiters_in_request_order() {
    let lock = DeferredLock::new();
    let order = log();
    let _held = lock.acquire();
    for n in 0..5 {
        record(&order, &lock.acquire(), n);
    }
    for n in 0..5 {
        lock.release();
        assert_eq!(*order.lock().unwrap(), (0..=n).collect::<Vec<_>>());
    }
    assert!(lock.locked());
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn awaiting_tasks_get_the_lock_in_request_order() {
    let lock = DeferredLock::new();
    let order = log();
    lock.acquire().await.unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let (lock, order) = (lock.clone(), Arc::clone(&order));
            let acquired = lock.acquire(); // queued now, in this order
            txaio::spawn(async move {
                acquired.await?;
                order.lock().unwrap().push(n);
                txaio::sleep(std::time::Duration::from_millis(1)).await?;
                lock.release();
                Ok::<_, txaio::Failure>(())
            })
        })
        .collect();
    lock.release();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
    assert!(!lock.locked());
}

#[txaio::test]
async fn cancelling_a_pending_acquire_removes_it_and_fails_it() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let cancelled = lock.acquire();
    let next = lock.acquire();
    txaio::cancel(&cancelled);
    assert!(cancelled.await.unwrap_err().is::<CancelledError>());
    lock.release();
    assert!(
        txaio::is_called(&next),
        "the lock skipped the cancelled waiter"
    );
    next.await.unwrap();
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn a_cancelled_waiter_does_not_keep_the_lock_from_the_next_one() {
    let lock = DeferredLock::new();
    lock.acquire().await.unwrap();
    let cancelled = lock.acquire();
    let cancelled_waiter = {
        let acquired = cancelled.clone();
        txaio::spawn(acquired)
    };
    let next_waiter = {
        let (lock, acquired) = (lock.clone(), lock.acquire());
        txaio::spawn(async move {
            acquired.await?;
            lock.release();
            Ok::<_, txaio::Failure>("got it")
        })
    };
    txaio::sleep(std::time::Duration::from_millis(1))
        .await
        .unwrap();
    txaio::cancel(&cancelled);
    lock.release();
    assert_eq!(next_waiter.await.unwrap(), "got it");
    assert!(cancelled_waiter.await.unwrap_err().is::<CancelledError>());
    assert!(!lock.locked());
}

#[txaio::test]
async fn a_cancelled_waiter_at_the_front_does_not_wedge_the_lock() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let waiters: Vec<_> = (0..3).map(|_| lock.acquire()).collect();
    // Cancel all but the last, then release once: the last gets it.
    for waiter in &waiters[..2] {
        txaio::cancel(waiter);
    }
    lock.release();
    assert!(txaio::is_called(&waiters[2]));
    waiters[2].clone().await.unwrap();
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn cancelling_an_acquire_that_fired_does_nothing() {
    let lock = DeferredLock::new();
    let d = lock.acquire();
    txaio::cancel(&d);
    d.await.unwrap();
    assert!(
        lock.locked(),
        "still held: cancel after firing changes nothing"
    );
    lock.release();
}

#[txaio::test]
async fn run_on_a_free_lock_calls_f_before_it_returns() {
    let lock = DeferredLock::new();
    let called = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&called);
    let probe = lock.clone();
    let result = lock.run(move || {
        seen.fetch_add(1, Ordering::SeqCst);
        assert!(probe.locked(), "f runs holding the lock");
        Ok::<_, txaio::Failure>(5)
    });
    assert_eq!(called.load(Ordering::SeqCst), 1);
    assert!(txaio::is_called(&result));
    assert!(!lock.locked());
    assert_eq!(result.await.unwrap(), 5);
}

#[txaio::test]
async fn run_holds_the_lock_until_fs_deferred_fires() {
    let lock = DeferredLock::new();
    let control = txaio::create_future::<&'static str>();
    let returned = control.clone();
    let result = lock.run(move || returned);
    assert!(lock.locked());
    assert!(!txaio::is_called(&result));
    let next = lock.acquire();
    assert!(!txaio::is_called(&next));
    txaio::resolve(&control, "done").unwrap();
    assert_eq!(result.await.unwrap(), "done");
    assert!(txaio::is_called(&next), "released to the next waiter");
    lock.release();
}

#[txaio::test]
async fn run_releases_on_failure_and_passes_the_failure_on() {
    let lock = DeferredLock::new();
    let result = lock.run(|| Err::<u8, _>(std::fmt::Error));
    assert!(result.await.unwrap_err().is::<std::fmt::Error>());
    assert!(!lock.locked());
}

#[txaio::test]
async fn run_releases_when_f_panics() {
    let lock = DeferredLock::new();
    let result = lock.run(|| -> Result<u8, txaio::Failure> { panic!("in f") });
    let failure = result.await.unwrap_err();
    assert!(failure.is::<Panic>());
    assert_eq!(txaio::failure_message(&failure), "Panic: in f");
    assert!(!lock.locked());
}

#[txaio::test]
async fn run_on_a_held_lock_calls_f_when_released() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let called = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&called);
    let result = lock.run(move || {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok::<_, txaio::Failure>(1)
    });
    assert_eq!(called.load(Ordering::SeqCst), 0);
    lock.release();
    assert_eq!(called.load(Ordering::SeqCst), 1);
    assert_eq!(result.await.unwrap(), 1);
    assert!(!lock.locked());
}

#[txaio::test]
async fn cancelling_a_waiting_run_never_calls_f() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let called = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&called);
    let result = lock.run(move || {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok::<_, txaio::Failure>(1)
    });
    txaio::cancel(&result);
    assert!(result.await.unwrap_err().is::<CancelledError>());
    lock.release();
    assert_eq!(called.load(Ordering::SeqCst), 0);
    assert!(!lock.locked());
}

#[txaio::test]
async fn cancelling_a_running_run_cancels_fs_deferred_and_releases() {
    let lock = DeferredLock::new();
    let inner = txaio::create_future::<u8>();
    let returned = inner.clone();
    let result = lock.run(move || returned);
    txaio::cancel(&result);
    assert!(inner.await.unwrap_err().is::<CancelledError>());
    assert!(result.await.unwrap_err().is::<CancelledError>());
    assert!(!lock.locked());
}

#[txaio::test]
async fn callbacks_may_reenter_the_lock() {
    let lock = DeferredLock::new();
    let order = log();
    let _held = lock.acquire();
    let first = lock.acquire();
    {
        let (lock, order) = (lock.clone(), Arc::clone(&order));
        txaio::add_callback(&first, move |()| {
            order.lock().unwrap().push(1);
            // Re-enters while its own deferred fires: queue behind, then hand over.
            let again = lock.acquire();
            let order2 = Arc::clone(&order);
            txaio::add_callback(&again, move |()| order2.lock().unwrap().push(3));
            lock.release();
        });
    }
    record(&order, &lock.acquire(), 2);
    lock.release();
    assert_eq!(*order.lock().unwrap(), [1, 2]);
    lock.release();
    assert_eq!(*order.lock().unwrap(), [1, 2, 3]);
    lock.release();
    assert!(!lock.locked());
}

#[test]
fn a_long_chain_of_runs_releasing_from_callbacks_does_not_grow_the_stack() {
    // Each queued run's `f` returns at once, so its release hands the lock to the next run
    // from inside the previous one's callbacks: 20,000 deep if fired recursively.
    let lock = DeferredLock::new();
    let held = lock.acquire();
    let done = Arc::new(AtomicUsize::new(0));
    let results: Vec<_> = (0..20_000)
        .map(|n| {
            let done = Arc::clone(&done);
            lock.run(move || {
                done.fetch_add(1, Ordering::Relaxed);
                Ok::<_, txaio::Failure>(n)
            })
        })
        .collect();
    drop(held);
    // A thread with a small stack, so that recursion would overflow it.
    let lock2 = lock.clone();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || lock2.release())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(done.load(Ordering::Relaxed), 20_000);
    assert!(results.iter().all(txaio::is_called));
    assert!(!lock.locked());
}

#[test]
#[should_panic(expected = "DeferredLock::release: the lock is not held")]
fn release_of_a_free_lock_panics() {
    DeferredLock::new().release();
}

#[test]
fn a_release_panic_leaves_the_lock_usable() {
    let lock = DeferredLock::new();
    let unheld = lock.clone();
    assert!(std::panic::catch_unwind(move || unheld.release()).is_err());
    assert!(txaio::is_called(&lock.acquire()));
    assert!(lock.locked());
    lock.release();
}

#[test]
fn the_lock_is_send_sync_and_clone_is_the_same_lock() {
    fn send_sync<T: Send + Sync + Clone + Default + std::fmt::Debug>() {}
    send_sync::<DeferredLock>();
    let lock = DeferredLock::default();
    let other = lock.clone();
    let _held = lock.acquire();
    assert!(other.locked());
    assert!(format!("{other:?}").contains("locked: true"));
}

#[test]
fn contended_from_many_threads_the_lock_is_exclusive() {
    let lock = DeferredLock::new();
    let inside = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (lock, inside, total) = (lock.clone(), Arc::clone(&inside), Arc::clone(&total));
            std::thread::spawn(move || {
                for _ in 0..2_000 {
                    let (inside, total) = (Arc::clone(&inside), Arc::clone(&total));
                    let acquired = lock.acquire();
                    let releaser = lock.clone();
                    txaio::add_callback(&acquired, move |()| {
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                        total.fetch_add(1, Ordering::SeqCst);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        releaser.release();
                    });
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(total.load(Ordering::SeqCst), 8_000);
    assert!(!lock.locked());
}

/// One try at the race below from `depth` firings deep; `None` if the firing was not queued.
fn cancel_in_the_window(depth: usize) -> Option<()> {
    let locks: Vec<DeferredLock> = (0..depth).map(|_| DeferredLock::new()).collect();
    let target = DeferredLock::new();
    let _held = target.acquire();
    let victim = target.acquire();
    let next = target.acquire();
    let observed = Arc::new(Mutex::new(None));
    for i in 0..locks.len() {
        drop(locks[i].acquire()); // held: the next acquire waits
        let waiter = locks[i].acquire();
        let following = locks.get(i + 1).cloned();
        let (target, victim, observed) = (target.clone(), victim.clone(), Arc::clone(&observed));
        txaio::add_callback(&waiter, move |()| {
            if let Some(following) = following {
                following.release();
            } else {
                target.release(); // hands the lock to `victim`; its firing may be queued
                let fired = txaio::is_called(&victim);
                txaio::cancel(&victim);
                *observed.lock().unwrap() = Some(fired);
            }
        });
    }
    locks[0].release();
    let victim_fired_first = observed.lock().unwrap().unwrap();
    if victim_fired_first {
        return None;
    }
    assert!(
        txaio::is_called(&next),
        "the cancelled waiter's grant went to the next one"
    );
    assert!(target.locked());
    let errors = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&errors);
    txaio::add_errback(&victim, move |f| {
        assert!(f.is::<CancelledError>());
        seen.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(errors.load(Ordering::SeqCst), 1);
    target.release();
    assert!(!target.locked(), "held once, by `next`, not twice");
    Some(())
}

#[test]
fn an_acquire_cancelled_between_being_handed_the_lock_and_firing_passes_it_on() {
    // Deep inside nested firings, a release's hand-over fires once the outermost firing ends:
    // a cancel then comes between hand-over and firing, as another thread's could. The depth
    // at which that happens is internal, so look for it.
    assert!(
        (1..=64).any(|depth| cancel_in_the_window(depth).is_some()),
        "no nesting depth reached the window"
    );
}

#[txaio::test]
async fn cancelling_a_task_that_awaits_acquire_takes_it_out_of_the_line() {
    let lock = DeferredLock::new();
    lock.acquire().await.unwrap();
    let task = {
        let lock = lock.clone();
        txaio::spawn(async move {
            lock.acquire().await?;
            Ok::<_, txaio::Failure>("never")
        })
    };
    let next = {
        let lock = lock.clone();
        txaio::spawn(async move {
            txaio::sleep(std::time::Duration::from_millis(1)).await?; // queue behind `task`
            lock.acquire().await?;
            lock.release();
            Ok::<_, txaio::Failure>("next got it")
        })
    };
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task); // cascades to the acquire it awaits: it leaves the line
    assert!(task.await.unwrap_err().is::<CancelledError>());
    lock.release();
    assert_eq!(next.await.unwrap(), "next got it");
    assert!(!lock.locked());
}

/// A result that is not `Clone`, as a socket would be.
#[derive(Debug, PartialEq)]
struct Connection(u32);

#[txaio::test]
async fn run_hands_out_a_result_that_is_not_clone() {
    let lock = DeferredLock::new();
    let free = lock.run(|| Ok::<_, txaio::Failure>(Connection(1)));
    assert_eq!(free.take().await.unwrap(), Connection(1));
    let _held = lock.acquire();
    let later = txaio::create_future::<Connection>();
    let returned = later.clone();
    let queued = lock.run(move || returned);
    lock.release(); // `f` runs now, and returns `later`
    txaio::resolve(&later, Connection(2)).unwrap();
    assert_eq!(queued.take().await.unwrap(), Connection(2));
    assert!(!lock.locked());
}

#[txaio::test]
async fn a_release_from_another_thread_while_the_acquire_is_being_cancelled_passes_it_on() {
    // As the queue's test of the same name: the task awaits `hook`, then the acquire; its
    // cancel begins cancelling the acquire, and from `hook`'s canceller another thread
    // releases the lock to it. The refused hand-over must reach the next waiter.
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let mut acquired = lock.acquire();
    let next = lock.acquire();
    let releaser = lock.clone();
    let mut hook = txaio::create_future_with_canceller::<()>(move |_| {
        let lock = releaser.clone();
        std::thread::spawn(move || lock.release()).join().unwrap();
    });
    let task = txaio::spawn(async move {
        std::future::poll_fn(|cx| {
            let _ = std::pin::Pin::new(&mut hook).poll(cx);
            let _ = std::pin::Pin::new(&mut acquired).poll(cx);
            std::task::Poll::<Result<(), txaio::Failure>>::Pending
        })
        .await
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    assert!(
        txaio::is_called(&next),
        "the lock went on to the next waiter"
    );
    next.await.unwrap();
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn a_release_on_the_cancelling_thread_while_the_acquire_is_being_cancelled_passes_it_on() {
    // As above, with the release made on the very thread that is cancelling the acquire: the
    // lock must not go to the task that is being cancelled.
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let mut acquired = lock.acquire();
    let next = lock.acquire();
    let releaser = lock.clone();
    let mut hook = txaio::create_future_with_canceller::<()>(move |_| releaser.release());
    let watched = acquired.clone();
    let task = txaio::spawn(async move {
        std::future::poll_fn(|cx| {
            let _ = std::pin::Pin::new(&mut hook).poll(cx);
            let _ = std::pin::Pin::new(&mut acquired).poll(cx);
            std::task::Poll::<Result<(), txaio::Failure>>::Pending
        })
        .await
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    assert!(watched.await.unwrap_err().is::<CancelledError>());
    assert!(
        txaio::is_called(&next),
        "the lock went on to the next waiter"
    );
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn a_lock_guard_releases_the_lock_when_dropped() {
    let lock = DeferredLock::new();
    let guard = lock.lock().await.unwrap();
    assert!(lock.locked());
    let next = lock.acquire();
    assert!(!txaio::is_called(&next));
    drop(guard);
    assert!(
        txaio::is_called(&next),
        "the guard's drop handed the lock on"
    );
    lock.release();
    assert!(!lock.locked());
}

#[txaio::test]
async fn a_lock_future_dropped_unfinished_never_keeps_the_lock() {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let lock = DeferredLock::new();
    // The lock was free: it reached the future at once, which is dropped unpolled.
    drop(lock.lock());
    assert!(!lock.locked(), "released by the future's drop");

    // Waiting, then dropped: it leaves the line.
    let guard = lock.lock().await.unwrap();
    let mut waiting = Box::pin(lock.lock());
    assert!(waiting.as_mut().poll(&mut cx).is_pending());
    drop(waiting);
    drop(guard);
    assert!(!lock.locked(), "nobody was left in line");

    // Served by the release, dropped before it was polled again: released.
    let guard = lock.lock().await.unwrap();
    let mut waiting = Box::pin(lock.lock());
    assert!(waiting.as_mut().poll(&mut cx).is_pending());
    drop(guard);
    assert!(lock.locked(), "handed to the waiting future");
    drop(waiting);
    assert!(!lock.locked(), "given back as the future dropped");
}

#[txaio::test]
async fn a_task_holding_a_lock_guard_releases_it_when_cancelled() {
    let lock = DeferredLock::new();
    let held = lock.lock().await.unwrap();
    let in_task = lock.clone();
    let task = txaio::spawn(async move {
        let _guard = in_task.lock().await?;
        Ok::<_, txaio::Failure>(())
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    drop(held);
    assert!(!lock.locked(), "the cancelled waiter left the line");
}

thread_local! {
    /// Lock callbacks run on this thread.
    static CALLBACKS_RUN_HERE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[txaio::test]
async fn one_release_on_a_runtime_thread_runs_a_bounded_share_of_the_waiters_callbacks() {
    const WAITERS: usize = 20_000;
    let lock = DeferredLock::new();
    let held = lock.acquire();
    assert!(txaio::is_called(&held));
    let order = log();
    let all_done = txaio::create_future::<()>();
    for n in 0..WAITERS {
        let acquired = lock.acquire();
        let (order, lock, all_done) = (Arc::clone(&order), lock.clone(), all_done.clone());
        txaio::add_callback(&acquired, move |()| {
            CALLBACKS_RUN_HERE.set(CALLBACKS_RUN_HERE.get() + 1);
            order.lock().unwrap().push(n);
            lock.release();
            if n + 1 == WAITERS {
                txaio::resolve(&all_done, ()).unwrap();
            }
        });
    }
    CALLBACKS_RUN_HERE.set(0);
    lock.release();
    let here = CALLBACKS_RUN_HERE.get();
    // The rest run in tasks of their own: this thread is free to go on.
    assert!(
        here < WAITERS / 4,
        "one release ran {here} of {WAITERS} callbacks on the releasing thread"
    );
    all_done.await.unwrap();
    assert_eq!(*order.lock().unwrap(), (0..WAITERS).collect::<Vec<_>>());
    assert!(!lock.locked());
}

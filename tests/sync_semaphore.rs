//! The book, "Locks, semaphores and queues": `DeferredSemaphore`.

mod cascade_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use txaio::{CancelledError, DeferredSemaphore, Panic};

#[txaio::test]
async fn acquire_with_a_free_token_fires_before_it_returns() {
    let sem = DeferredSemaphore::new(3);
    for left in (0..3).rev() {
        let d = sem.acquire();
        assert!(txaio::is_called(&d));
        assert_eq!(sem.tokens(), left);
        d.await.unwrap();
    }
    let waiting = sem.acquire();
    assert!(!txaio::is_called(&waiting));
    assert_eq!(sem.limit(), 3);
}

#[txaio::test]
async fn release_hands_the_token_to_the_oldest_waiter() {
    let sem = DeferredSemaphore::new(2);
    let _a = sem.acquire();
    let _b = sem.acquire();
    let order = Arc::new(Mutex::new(Vec::new()));
    for n in 0..3 {
        let order = Arc::clone(&order);
        txaio::add_callback(&sem.acquire(), move |()| order.lock().unwrap().push(n));
    }
    sem.release();
    assert_eq!(*order.lock().unwrap(), [0], "fired inside release");
    assert_eq!(sem.tokens(), 0);
    sem.release();
    sem.release();
    assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
    for tokens in 1..=2 {
        sem.release();
        assert_eq!(sem.tokens(), tokens);
    }
}

#[txaio::test]
async fn at_most_limit_tasks_hold_it_at_once() {
    let sem = DeferredSemaphore::new(2);
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (sem, inside, most) = (sem.clone(), Arc::clone(&inside), Arc::clone(&most));
            txaio::spawn(async move {
                sem.acquire().await?;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                txaio::sleep(std::time::Duration::from_millis(1)).await?;
                inside.fetch_sub(1, Ordering::SeqCst);
                sem.release();
                Ok::<_, txaio::Failure>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(most.load(Ordering::SeqCst), 2);
    assert_eq!(sem.tokens(), 2);
}

#[txaio::test]
async fn cancelling_a_pending_acquire_removes_it_and_fails_it() {
    let sem = DeferredSemaphore::new(1);
    let _held = sem.acquire();
    let cancelled = sem.acquire();
    let next = sem.acquire();
    txaio::cancel(&cancelled);
    assert!(cancelled.await.unwrap_err().is::<CancelledError>());
    sem.release();
    assert!(txaio::is_called(&next));
    next.await.unwrap();
    sem.release();
    assert_eq!(sem.tokens(), 1);
}

#[txaio::test]
async fn cancelling_an_acquire_that_fired_does_nothing() {
    let sem = DeferredSemaphore::new(1);
    let d = sem.acquire();
    txaio::cancel(&d);
    d.await.unwrap();
    assert_eq!(sem.tokens(), 0);
    sem.release();
}

#[txaio::test]
async fn run_with_a_free_token_calls_f_before_it_returns_and_releases() {
    let sem = DeferredSemaphore::new(2);
    let called = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&called);
    let probe = sem.clone();
    let result = sem.run(move || {
        seen.fetch_add(1, Ordering::SeqCst);
        assert_eq!(probe.tokens(), 1);
        Ok::<_, txaio::Failure>("ran")
    });
    assert_eq!(called.load(Ordering::SeqCst), 1);
    assert_eq!(result.await.unwrap(), "ran");
    assert_eq!(sem.tokens(), 2);
}

#[txaio::test]
async fn run_releases_whatever_the_outcome() {
    let sem = DeferredSemaphore::new(1);
    assert!(
        sem.run(|| Err::<u8, _>(std::fmt::Error))
            .await
            .unwrap_err()
            .is::<std::fmt::Error>()
    );
    assert_eq!(sem.tokens(), 1);
    assert!(
        sem.run(|| -> Result<u8, txaio::Failure> { panic!("boom") })
            .await
            .unwrap_err()
            .is::<Panic>()
    );
    assert_eq!(sem.tokens(), 1);
    let later = txaio::create_future::<u8>();
    let returned = later.clone();
    let result = sem.run(move || returned);
    assert_eq!(sem.tokens(), 0);
    txaio::reject(&later, std::fmt::Error).unwrap();
    assert!(result.await.is_err());
    assert_eq!(sem.tokens(), 1);
}

#[test]
#[should_panic(expected = "DeferredSemaphore::new(0)")]
fn a_semaphore_of_zero_tokens_panics() {
    let _ = DeferredSemaphore::new(0);
}

#[test]
#[should_panic(expected = "all 2 tokens are already free")]
fn release_beyond_the_limit_panics() {
    let sem = DeferredSemaphore::new(2);
    let _one = sem.acquire();
    sem.release();
    sem.release();
}

#[test]
fn a_release_panic_leaves_the_semaphore_usable() {
    let sem = DeferredSemaphore::new(1);
    let extra = sem.clone();
    assert!(std::panic::catch_unwind(move || extra.release()).is_err());
    assert_eq!(sem.tokens(), 1);
    assert!(txaio::is_called(&sem.acquire()));
    assert_eq!(sem.tokens(), 0);
}

#[test]
fn the_semaphore_is_send_sync_and_clone_is_the_same_semaphore() {
    fn send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    send_sync::<DeferredSemaphore>();
    let sem = DeferredSemaphore::new(usize::MAX);
    let other = sem.clone();
    let _held = sem.acquire();
    assert_eq!(other.tokens(), usize::MAX - 1);
    assert!(format!("{other:?}").contains("limit"));
}

#[test]
fn from_many_threads_no_more_than_limit_hold_it() {
    let sem = DeferredSemaphore::new(3);
    let inside = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (sem, inside, total) = (sem.clone(), Arc::clone(&inside), Arc::clone(&total));
            std::thread::spawn(move || {
                for _ in 0..2_000 {
                    let (inside, total) = (Arc::clone(&inside), Arc::clone(&total));
                    let releaser = sem.clone();
                    txaio::add_callback(&sem.acquire(), move |()| {
                        assert!(inside.fetch_add(1, Ordering::SeqCst) < 3, "over the limit");
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
    assert_eq!(sem.tokens(), 3);
}

#[txaio::test]
async fn cancelling_a_task_waiting_for_a_token_gives_the_token_to_the_next() {
    let sem = DeferredSemaphore::new(1);
    sem.acquire().await.unwrap();
    let task = {
        let sem = sem.clone();
        txaio::spawn(async move { sem.acquire().await })
    };
    cascade_support::until_parked(&task).await;
    let next = sem.acquire();
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    sem.release();
    assert!(txaio::is_called(&next), "the cancelled task's place went");
    next.await.unwrap();
    sem.release();
    assert_eq!(sem.tokens(), 1);
}

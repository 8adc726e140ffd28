//! Ports of Twisted's `twisted/test/test_defer.py` tests of `DeferredLock`,
//! `DeferredSemaphore` and `DeferredQueue` (class `OtherPrimitivesTests`), one test per
//! Twisted test, named after it. Twisted's `TypeError`/`ValueError` cases that Rust's types
//! rule out at compile time are noted where they would be.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use txaio::{
    CancelledError, Deferred, DeferredLock, DeferredQueue, DeferredSemaphore, Failure,
    QueueOverflow, QueueUnderflow,
};

/// Twisted's `self.counter` and `self._incr`.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Counter {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn set(&self, n: usize) {
        self.0.store(n, Ordering::SeqCst);
    }

    fn incr_on<T: Send + 'static>(&self, d: &Deferred<T>) {
        let counter = self.clone();
        txaio::add_callback(d, move |_| {
            counter.0.fetch_add(1, Ordering::SeqCst);
        });
    }
}

/// What Twisted's `helper` saw last: a value, or a failure.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Nothing,
    Value(&'static str),
    Cancelled,
}

/// `OtherPrimitivesTests.testLock`.
#[txaio::test]
async fn test_lock() {
    let counter = Counter::default();
    let lock = DeferredLock::new();
    counter.incr_on(&lock.acquire());
    assert!(lock.locked());
    assert_eq!(counter.get(), 1);

    counter.incr_on(&lock.acquire());
    assert!(lock.locked());
    assert_eq!(counter.get(), 1);

    lock.release();
    assert!(lock.locked());
    assert_eq!(counter.get(), 2);

    lock.release();
    assert!(!lock.locked());
    assert_eq!(counter.get(), 2);

    // Twisted: `lock.run()` without a callable raises TypeError; here it does not compile.

    let result = Arc::new(Mutex::new(Seen::Nothing));
    let control = txaio::create_future::<&'static str>();
    let result_deferred = {
        let (result, control) = (Arc::clone(&result), control.clone());
        lock.run(move || {
            *result.lock().unwrap() = Seen::Value("first unique");
            control
        })
    };
    assert!(lock.locked());
    assert_eq!(*result.lock().unwrap(), Seen::Value("first unique"));

    {
        let result = Arc::clone(&result);
        txaio::add_callback(&result_deferred, move |value| {
            *result.lock().unwrap() = Seen::Value(value);
        });
    }

    counter.incr_on(&lock.acquire());
    assert!(lock.locked());
    assert_eq!(counter.get(), 2);

    txaio::resolve(&control, "second unique").unwrap();
    assert_eq!(*result.lock().unwrap(), Seen::Value("second unique"));
    assert!(lock.locked());
    assert_eq!(counter.get(), 3);

    let d = lock.acquire();
    {
        let (on_value, on_failure) = (Arc::clone(&result), Arc::clone(&result));
        txaio::add_callbacks(
            &d,
            move |()| *on_value.lock().unwrap() = Seen::Value("acquired"),
            move |failure| {
                assert!(failure.is::<CancelledError>());
                *on_failure.lock().unwrap() = Seen::Cancelled;
            },
        );
    }
    txaio::cancel(&d);
    assert_eq!(*result.lock().unwrap(), Seen::Cancelled);

    lock.release();
    assert!(!lock.locked());

    // Twisted's `assert_type` checks: `run` gives `f`'s result type, for a function returning
    // a deferred and for one returning a plain result.
    let from_deferred: Deferred<i32> = lock.run(|| txaio::create_future_success(2));
    let from_result: Deferred<i32> = lock.run(|| Ok::<_, Failure>(1));
    assert_eq!(from_deferred.await.unwrap() + from_result.await.unwrap(), 3);
}

/// `OtherPrimitivesTests.test_cancelLockAfterAcquired`: cancelling the acquire of a lock
/// that is already held by it has no effect.
#[txaio::test]
async fn test_cancel_lock_after_acquired() {
    let lock = DeferredLock::new();
    let d = lock.acquire();
    let errbacks = fail_on_errback(&d);
    txaio::cancel(&d);
    d.await.unwrap();
    assert_eq!(errbacks.get(), 0, "Unexpected errback call!");
    assert!(lock.locked());
}

/// `OtherPrimitivesTests.test_cancelLockBeforeAcquired`: cancelling an acquire that has not
/// got the lock yet fails it with `CancelledError`.
#[txaio::test]
async fn test_cancel_lock_before_acquired() {
    let lock = DeferredLock::new();
    let _held = lock.acquire();
    let d = lock.acquire();
    txaio::cancel(&d);
    assert_immediate_failure::<CancelledError, ()>(&d);
}

/// `OtherPrimitivesTests.testSemaphore`.
#[txaio::test]
async fn test_semaphore() {
    const N: usize = 13;
    let counter = Counter::default();
    let sem = DeferredSemaphore::new(N);

    let control = txaio::create_future::<()>();
    let helper_arg = Arc::new(Mutex::new(None));
    let results = Arc::new(Mutex::new(Vec::new()));
    let result_deferred = {
        let (control, helper_arg) = (control.clone(), Arc::clone(&helper_arg));
        sem.run(move || {
            *helper_arg.lock().unwrap() = Some("unique object");
            control
        })
    };
    {
        let results = Arc::clone(&results);
        txaio::add_callback(&result_deferred, move |()| results.lock().unwrap().push(()));
    }
    counter.incr_on(&result_deferred);
    assert!(results.lock().unwrap().is_empty());
    assert_eq!(*helper_arg.lock().unwrap(), Some("unique object"));
    txaio::resolve(&control, ()).unwrap();
    assert_eq!(results.lock().unwrap().pop(), Some(()));
    assert_eq!(counter.get(), 1);

    counter.set(0);
    for i in 1..=N {
        counter.incr_on(&sem.acquire());
        assert_eq!(counter.get(), i);
    }

    let success = Arc::new(Mutex::new(Vec::new()));
    let d = sem.acquire();
    {
        let (on_value, on_failure) = (Arc::clone(&success), Arc::clone(&success));
        txaio::add_callbacks(
            &d,
            move |()| on_value.lock().unwrap().push(false),
            move |_| on_failure.lock().unwrap().push(true),
        );
    }
    txaio::cancel(&d);
    assert_eq!(*success.lock().unwrap(), [true]);

    counter.incr_on(&sem.acquire());
    assert_eq!(counter.get(), N);

    sem.release();
    assert_eq!(counter.get(), N + 1);

    for _ in 1..=N {
        sem.release();
        assert_eq!(counter.get(), N + 1);
    }
}

/// `OtherPrimitivesTests.test_semaphoreInvalidTokens`: fewer than one token is refused
/// (Twisted raises `ValueError`; here `new` panics, and a negative count does not type-check).
#[test]
fn test_semaphore_invalid_tokens() {
    assert!(std::panic::catch_unwind(|| DeferredSemaphore::new(0)).is_err());
}

/// `OtherPrimitivesTests.test_cancelSemaphoreAfterAcquired`.
#[txaio::test]
async fn test_cancel_semaphore_after_acquired() {
    let sem = DeferredSemaphore::new(1);
    let d = sem.acquire();
    let errbacks = fail_on_errback(&d);
    txaio::cancel(&d);
    d.await.unwrap();
    assert_eq!(errbacks.get(), 0, "Unexpected errback call!");
    assert_eq!(sem.tokens(), 0);
}

/// `OtherPrimitivesTests.test_cancelSemaphoreBeforeAcquired`.
#[txaio::test]
async fn test_cancel_semaphore_before_acquired() {
    let sem = DeferredSemaphore::new(1);
    let _held = sem.acquire();
    let d = sem.acquire();
    txaio::cancel(&d);
    assert_immediate_failure::<CancelledError, ()>(&d);
}

/// `OtherPrimitivesTests.testQueue`.
#[txaio::test]
async fn test_queue() {
    const N: usize = 2;
    const M: usize = 2;
    let queue = DeferredQueue::new(Some(N), Some(M));
    let gotten = Arc::new(Mutex::new(Vec::new()));
    let append_to = |d: &Deferred<usize>, gotten: &Arc<Mutex<Vec<usize>>>| {
        let gotten = Arc::clone(gotten);
        txaio::add_callback(d, move |v| gotten.lock().unwrap().push(*v));
    };

    for _ in 0..M {
        append_to(&queue.get().unwrap(), &gotten);
    }
    assert_eq!(queue.get().unwrap_err(), QueueUnderflow);

    for i in 0..M {
        queue.put(i).unwrap();
        assert_eq!(*gotten.lock().unwrap(), (0..=i).collect::<Vec<_>>());
    }
    for i in 0..N {
        queue.put(N + i).unwrap();
        assert_eq!(*gotten.lock().unwrap(), (0..M).collect::<Vec<_>>());
    }
    assert_eq!(queue.put(0), Err(QueueOverflow));

    gotten.lock().unwrap().clear();
    for i in 0..N {
        append_to(&queue.get().unwrap(), &gotten);
        assert_eq!(*gotten.lock().unwrap(), (N..=N + i).collect::<Vec<_>>());
    }

    let queue = DeferredQueue::new(None, None);
    gotten.lock().unwrap().clear();
    for _ in 0..N {
        append_to(&queue.get().unwrap(), &gotten);
    }
    for i in 0..N {
        queue.put(i).unwrap();
    }
    assert_eq!(*gotten.lock().unwrap(), (0..N).collect::<Vec<_>>());

    let queue = DeferredQueue::new(Some(0), None);
    assert_eq!(queue.put(()), Err(QueueOverflow));

    let queue = DeferredQueue::<()>::new(None, Some(0));
    assert_eq!(queue.get().unwrap_err(), QueueUnderflow);
}

/// `OtherPrimitivesTests.test_cancelQueueAfterSynchronousGet`: cancelling a get that has its
/// value has no effect.
#[txaio::test]
async fn test_cancel_queue_after_synchronous_get() {
    let queue = DeferredQueue::new(None, None);
    let d = queue.get().unwrap();
    let errbacks = fail_on_errback(&d);
    queue.put(()).unwrap();
    txaio::cancel(&d);
    d.await.unwrap();
    assert_eq!(errbacks.get(), 0, "Unexpected errback call!");
}

/// `OtherPrimitivesTests.test_cancelQueueAfterGet`: cancelling a waiting get fails it with
/// `CancelledError`, and a later put does not try to fire it: it is stored, for the next get.
#[txaio::test]
async fn test_cancel_queue_after_get() {
    let queue = DeferredQueue::new(None, None);
    let d = queue.get().unwrap();
    txaio::cancel(&d);
    assert_immediate_failure::<CancelledError, ()>(&d);

    let done = Arc::new(AtomicUsize::new(0));
    {
        let (queue, done) = (queue.clone(), Arc::clone(&done));
        // Twisted chains this after the consumed failure; here an errback plays that part.
        txaio::add_errback(&d, move |_| {
            // Were the cancelled get still in line, this put would try to fire it.
            queue.put(()).unwrap();
            let again = queue.get().unwrap();
            txaio::add_callback(&again, move |()| {
                done.fetch_add(1, Ordering::SeqCst);
            });
        });
    }
    assert_eq!(done.load(Ordering::SeqCst), 1);
}

/// Twisted's `ImmediateFailureMixin.assertImmediateFailure`: `d` has already failed with `E`.
fn assert_immediate_failure<E: std::error::Error + 'static, T: Send + 'static>(d: &Deferred<T>) {
    assert!(txaio::is_called(d), "not failed yet");
    let failed = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&failed);
    txaio::add_errback(d, move |failure| {
        assert!(failure.is::<E>(), "failed with {failure}");
        seen.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(failed.load(Ordering::SeqCst), 1, "no immediate failure");
}

/// Twisted's `failOnErrback`, as a count that the test asserts is 0: a panic in an errback
/// would be caught and logged, not fail the test.
fn fail_on_errback<T: Send + 'static>(d: &Deferred<T>) -> Counter {
    let errbacks = Counter::default();
    let seen = errbacks.clone();
    txaio::add_errback(d, move |_| {
        seen.0.fetch_add(1, Ordering::SeqCst);
    });
    errbacks
}

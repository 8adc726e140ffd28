//! The book, "Deferreds and callbacks" (awaiting, and tasks): `.await` gives each awaiter a clone; wakes from other threads; spawn.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[txaio::test]
async fn a_deferred_resolved_from_a_plain_thread_wakes_the_awaiting_task() {
    let d = txaio::create_future::<String>();
    let resolver = d.clone();
    let thread = std::thread::spawn(move || {
        // Give the awaiter time to park; correctness does not depend on it.
        std::thread::sleep(Duration::from_millis(20));
        txaio::resolve(&resolver, "from a thread".to_owned()).unwrap();
    });
    assert_eq!(d.await.unwrap(), "from a thread");
    thread.join().unwrap();
}

#[txaio::test]
async fn a_spawned_task_awaiting_wakes_when_a_thread_resolves() {
    let d = txaio::create_future::<u32>();
    let awaited = d.clone();
    let task = txaio::spawn(async move { awaited.await.map(|v| v * 2) });
    let resolver = d.clone();
    std::thread::spawn(move || txaio::resolve(&resolver, 21).unwrap())
        .join()
        .unwrap();
    assert_eq!(task.await.unwrap(), 42);
}

#[txaio::test]
async fn every_awaiter_gets_a_clone_of_the_result() {
    let d = txaio::create_future::<Vec<u8>>();
    let awaiters: Vec<_> = (0..4)
        .map(|_| {
            let d = d.clone();
            txaio::spawn(d)
        })
        .collect();
    txaio::resolve(&d, vec![1, 2, 3]).unwrap();
    for awaiter in awaiters {
        assert_eq!(awaiter.await.unwrap(), vec![1, 2, 3]);
    }
    assert_eq!(d.await.unwrap(), vec![1, 2, 3]);
}

#[txaio::test]
async fn awaiting_a_failed_deferred_gives_the_failure() {
    let d = txaio::create_future_error::<u8>(std::io::Error::other("nope"));
    let failure = d.await.unwrap_err();
    assert!(failure.is::<std::io::Error>());
}

#[txaio::test]
async fn spawn_resolves_rejects_and_catches_panics() {
    let ok = txaio::spawn::<&str>(async { Ok::<_, std::fmt::Error>("done") });
    assert_eq!(ok.await.unwrap(), "done");
    let err = txaio::spawn(async { Err::<u8, _>(std::fmt::Error) });
    assert!(err.await.unwrap_err().is::<std::fmt::Error>());
    let explode = || -> Result<u8, std::fmt::Error> { panic!("task exploded") };
    let panicked = txaio::spawn(async move { explode() });
    let failure = panicked.await.unwrap_err();
    assert_eq!(txaio::failure_message(&failure), "Panic: task exploded");
}

#[txaio::test]
async fn a_spawned_task_whose_deferred_is_dropped_runs_to_completion() {
    let finished = Arc::new(AtomicBool::new(false));
    let gate = txaio::create_future::<()>();
    let (flag, wait) = (finished.clone(), gate.clone());
    drop(txaio::spawn(async move {
        wait.await?;
        flag.store(true, Ordering::SeqCst);
        Ok::<_, txaio::Failure>(())
    }));
    let done = txaio::create_future::<()>();
    let signal = done.clone();
    txaio::add_callback(&gate, move |()| {
        let _ = txaio::resolve(&signal, ());
    });
    txaio::resolve(&gate, ()).unwrap();
    done.await.unwrap();
    // The detached task resumes on its runtime; give it a few real ticks to finish.
    for _ in 0..200 {
        if finished.load(Ordering::SeqCst) {
            break;
        }
        txaio::sleep(Duration::from_millis(5)).await.unwrap();
    }
    assert!(finished.load(Ordering::SeqCst), "the detached task ran on");
}

#[txaio::test]
async fn dropping_an_awaiting_future_does_not_cancel() {
    let d = txaio::create_future::<u8>();
    {
        let mut waiting = std::pin::pin!(d.clone());
        let waker = std::task::Waker::noop();
        let poll =
            std::future::Future::poll(waiting.as_mut(), &mut std::task::Context::from_waker(waker));
        assert!(poll.is_pending());
    }
    assert!(!txaio::is_called(&d));
    txaio::resolve(&d, 1).unwrap();
    assert_eq!(d.await.unwrap(), 1);
}

//! The book, "From blocking code": `coiterate`: work in slices, yielding between them so that timers and other tasks
//! keep running; cancelling stops it before the next slice. On every backend.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use txaio::{CancelledError, Failure, Panic};

#[txaio::test]
async fn coiterate_drives_the_iterator_to_its_end() {
    let total = Arc::new(AtomicU64::new(0));
    let sum = total.clone();
    txaio::coiterate((1..=10_000_u64).map(move |n| {
        sum.fetch_add(n, Ordering::Relaxed);
    }))
    .await
    .unwrap();
    assert_eq!(total.load(Ordering::Relaxed), 50_005_000);
    // An empty iterator finishes at once.
    txaio::coiterate(std::iter::empty::<()>()).await.unwrap();
}

#[txaio::test]
async fn other_tasks_and_timers_run_between_slices() {
    // Endless work that only stops once both a timer and another task have run: on a
    // single-threaded runtime they run only if coiterate yields.
    let timer_ran = Arc::new(AtomicBool::new(false));
    let task_ran = Arc::new(AtomicBool::new(false));
    let (timer, task) = (timer_ran.clone(), task_ran.clone());
    let steps = Arc::new(AtomicU64::new(0));
    let counted = steps.clone();
    let work = txaio::coiterate(std::iter::repeat(()).take_while(move |()| {
        counted.fetch_add(1, Ordering::Relaxed);
        !(timer.load(Ordering::SeqCst) && task.load(Ordering::SeqCst))
    }));
    let flag = timer_ran.clone();
    txaio::call_later(Duration::from_millis(2), move || {
        flag.store(true, Ordering::SeqCst);
    });
    let flag = task_ran.clone();
    drop(txaio::spawn(async move {
        flag.store(true, Ordering::SeqCst);
        Ok::<_, Failure>(())
    }));
    work.await.unwrap();
    assert!(steps.load(Ordering::Relaxed) > 1);
}

#[txaio::test]
async fn cancel_stops_it_before_the_next_slice() {
    let steps = Arc::new(AtomicU64::new(0));
    let counted = steps.clone();
    let token = Arc::new(());
    let alive: Weak<()> = Arc::downgrade(&token);
    let work = txaio::coiterate(std::iter::repeat_with(move || {
        std::hint::black_box(&token);
        counted.fetch_add(1, Ordering::Relaxed);
    }));
    // Let it run a few slices.
    while steps.load(Ordering::Relaxed) < 1_000 {
        txaio::sleep(Duration::from_millis(1)).await.unwrap();
    }
    txaio::cancel(&work);
    assert!(work.clone().await.unwrap_err().is::<CancelledError>());
    // The iterator is dropped (never advanced again) once its runtime drops the task.
    for _ in 0..10_000 {
        if alive.upgrade().is_none() {
            break;
        }
        txaio::sleep(Duration::from_millis(1)).await.unwrap();
    }
    assert!(alive.upgrade().is_none(), "the iterator was dropped");
    let after = steps.load(Ordering::Relaxed);
    txaio::sleep(Duration::from_millis(5)).await.unwrap();
    assert_eq!(steps.load(Ordering::Relaxed), after);
}

#[txaio::test]
async fn a_panicking_iterator_fails_the_deferred() {
    let work = txaio::coiterate((0..10).map(|n| assert!(n < 5, "step {n} failed")));
    let failure = work.await.unwrap_err();
    assert!(failure.is::<Panic>());
    assert_eq!(txaio::failure_message(&failure), "Panic: step 5 failed");
}

#[test]
fn coiterate_from_blocking_code() {
    let counted = txaio::blocking::wait_for(Duration::from_secs(30), || {
        let total = Arc::new(AtomicU64::new(0));
        let sum = total.clone();
        let work = txaio::coiterate((0..1000).map(move |_| {
            sum.fetch_add(1, Ordering::Relaxed);
        }));
        txaio::spawn(async move {
            work.await?;
            Ok::<_, Failure>(total.load(Ordering::Relaxed))
        })
    });
    assert_eq!(counted.unwrap(), 1000);
}

//! Deferreds and the coordination primitives under contention from more OS threads than the
//! machine has cores: their state sits behind a spin lock that yields (the book's
//! performance chapter says why), so these check that a thread descheduled while holding it
//! delays the others but never wedges them, and that nothing is lost or run twice. No
//! runtime is involved: the same code runs under every backend.

use std::future::Future as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

use txaio::{Deferred, DeferredLock, DeferredQueue};

const THREADS: usize = 8;
const ROUNDS: usize = 300;

/// Runs `work(thread_index, round)` on `THREADS` threads, every round started together.
fn in_lockstep(work: impl Fn(usize, usize) + Send + Sync + 'static, between: impl Fn(usize)) {
    let start = Arc::new(Barrier::new(THREADS + 1));
    let end = Arc::new(Barrier::new(THREADS + 1));
    let work = Arc::new(work);
    let threads: Vec<_> = (0..THREADS)
        .map(|index| {
            let (start, end, work) = (start.clone(), end.clone(), work.clone());
            thread::spawn(move || {
                for round in 0..ROUNDS {
                    start.wait();
                    work(index, round);
                    end.wait();
                }
            })
        })
        .collect();
    for round in 0..ROUNDS {
        start.wait();
        end.wait();
        between(round);
    }
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn racing_resolve_cancel_callbacks_and_awaits_run_every_callback_exactly_once() {
    let current: Arc<Mutex<Deferred<usize>>> = Arc::new(Mutex::new(txaio::create_future()));
    let ran = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let (shared, counter, firings) = (current.clone(), ran.clone(), accepted.clone());
    in_lockstep(
        move |index, round| {
            let d = shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            match index {
                0 => {
                    if txaio::resolve(&d, round).is_ok() {
                        firings.fetch_add(1, Ordering::SeqCst);
                    }
                }
                1 => txaio::cancel(&d),
                2 => {
                    // An awaiter polled while the others fire it: ready at once or woken.
                    let mut awaiting = d.clone();
                    let polled = std::pin::Pin::new(&mut awaiting)
                        .poll(&mut Context::from_waker(Waker::noop()));
                    if let Poll::Ready(Ok(value)) = polled {
                        assert_eq!(value, round);
                    }
                }
                _ => {
                    for _ in 0..10 {
                        let (on_value, on_failure) = (counter.clone(), counter.clone());
                        txaio::add_callbacks(
                            &d,
                            move |_| {
                                on_value.fetch_add(1, Ordering::SeqCst);
                            },
                            move |_| {
                                on_failure.fetch_add(1, Ordering::SeqCst);
                            },
                        );
                    }
                }
            }
        },
        |round| {
            let mut d = current.lock().unwrap_or_else(PoisonError::into_inner);
            assert!(d.is_called(), "round {round}: resolved or cancelled");
            *d = txaio::create_future();
        },
    );
    assert_eq!(ran.load(Ordering::SeqCst), ROUNDS * (THREADS - 3) * 10);
    assert!(accepted.load(Ordering::SeqCst) <= ROUNDS);
}

#[test]
fn a_queue_shared_by_producer_and_consumer_threads_delivers_every_value_once() {
    const PER_THREAD: usize = 2_000;
    let queue = DeferredQueue::<usize>::new(None, None);
    let received = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..THREADS)
        .map(|index| {
            let (queue, received) = (queue.clone(), received.clone());
            thread::spawn(move || {
                for n in 0..PER_THREAD {
                    if index % 2 == 0 {
                        queue.put(index * PER_THREAD + n).unwrap();
                    } else {
                        let got = queue.get().unwrap();
                        let received = received.clone();
                        txaio::add_callback(&got, move |value| {
                            received
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push(*value);
                        });
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let mut received = received.lock().unwrap().clone();
    received.sort_unstable();
    let mut expected: Vec<usize> = (0..THREADS)
        .filter(|index| index % 2 == 0)
        .flat_map(|index| index * PER_THREAD..(index + 1) * PER_THREAD)
        .collect();
    expected.sort_unstable();
    assert_eq!(received, expected, "every put reached exactly one get");
    assert!(queue.is_empty());
}

#[test]
fn a_lock_run_from_many_threads_admits_one_at_a_time() {
    const PER_THREAD: usize = 1_000;
    let lock = DeferredLock::new();
    let inside = Arc::new(AtomicUsize::new(0));
    let runs = Arc::new(AtomicUsize::new(0));
    // Counted rather than asserted inside: a panic in `f` becomes the deferred's failure.
    let overlaps = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (lock, inside, runs, overlaps) =
                (lock.clone(), inside.clone(), runs.clone(), overlaps.clone());
            thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    let (inside, runs, overlaps) = (inside.clone(), runs.clone(), overlaps.clone());
                    let done = lock.run(move || {
                        if inside.fetch_add(1, Ordering::SeqCst) != 0 {
                            overlaps.fetch_add(1, Ordering::SeqCst);
                        }
                        thread::yield_now();
                        runs.fetch_add(1, Ordering::SeqCst);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, txaio::Failure>(())
                    });
                    drop(done);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(overlaps.load(Ordering::SeqCst), 0, "one holder at a time");
    assert_eq!(runs.load(Ordering::SeqCst), THREADS * PER_THREAD);
    assert!(!lock.locked());
}

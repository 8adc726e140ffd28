//! The short (spin) locks in front of a deferred's state and of the coordination primitives'
//! state: no user code (a waker's drop, a `fmt::Write` sink) may run while one is held, since
//! re-entering a spin lock on the same thread spins forever; and values and tokens handed over
//! under contention are neither lost nor delivered twice.
//!
//! A deadlock is detected by running the body on its own thread with a generous timeout.

mod cascade_support;

use std::fmt::{self, Write as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use futures_core::Stream;
use txaio::{Deferred, DeferredLock, DeferredQueue, DeferredSemaphore};

/// Runs `body` on a thread of its own; fails if it has not returned within 20 s (a spin lock
/// re-entered on one thread never returns).
fn without_deadlock(what: &str, body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let _detached = thread::spawn(move || {
        body();
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(20)) {
        Ok(()) => {}
        Err(RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after 20 s: a short lock re-entered on one thread")
        }
        Err(RecvTimeoutError::Disconnected) => panic!("{what}: the body panicked"),
    }
}

fn poll_with<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// A waker whose drop asks the deferred it holds whether it fired (as a custom executor's
/// task, freed by the drop of its last waker, would drop its own handle to that deferred).
struct TouchesDeferredOnDrop(Deferred<u32>);

impl Wake for TouchesDeferredOnDrop {
    fn wake(self: Arc<Self>) {}
}

impl Drop for TouchesDeferredOnDrop {
    fn drop(&mut self) {
        let _ = self.0.is_called();
    }
}

#[test]
fn an_awaiters_replaced_waker_is_dropped_outside_the_deferreds_lock() {
    without_deadlock("re-polling an awaiter with a new waker", || {
        let d = txaio::create_future::<u32>();
        let mut awaiting = d.clone();
        let first = Waker::from(Arc::new(TouchesDeferredOnDrop(d.clone())));
        assert!(poll_with(&mut awaiting, &first).is_pending());
        drop(first); // the deferred's copy is now the last one
        // A different waker: the stored one is replaced, and its drop reads the deferred.
        assert!(poll_with(&mut awaiting, Waker::noop()).is_pending());
        txaio::resolve(&d, 5).unwrap();
        assert!(matches!(
            poll_with(&mut awaiting, Waker::noop()),
            Poll::Ready(Ok(5))
        ));
    });
}

#[test]
fn a_takes_replaced_waker_is_dropped_outside_the_deferreds_lock() {
    without_deadlock("re-polling a take with a new waker", || {
        let d = txaio::create_future::<u32>();
        let mut taking = d.clone().take();
        let first = Waker::from(Arc::new(TouchesDeferredOnDrop(d.clone())));
        assert!(poll_with(&mut taking, &first).is_pending());
        drop(first);
        assert!(poll_with(&mut taking, Waker::noop()).is_pending());
        txaio::resolve(&d, 6).unwrap();
        assert!(matches!(
            poll_with(&mut taking, Waker::noop()),
            Poll::Ready(Ok(6))
        ));
    });
}

/// A waker whose drop puts into the queue it holds.
struct PutsOnDrop(DeferredQueue<u32>);

impl Wake for PutsOnDrop {
    fn wake(self: Arc<Self>) {}
}

impl Drop for PutsOnDrop {
    fn drop(&mut self) {
        self.0.put(99).unwrap();
    }
}

#[test]
fn a_waiting_streams_replaced_waker_is_dropped_outside_its_slots_lock() {
    without_deadlock("re-polling a waiting stream with a new waker", || {
        let queue = DeferredQueue::<u32>::new(None, None);
        let mut stream = queue.clone();
        let first = Waker::from(Arc::new(PutsOnDrop(queue.clone())));
        let mut cx = Context::from_waker(&first);
        assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending());
        drop(first);
        // The replaced waker's drop puts 99, which goes to this very stream.
        let mut cx = Context::from_waker(Waker::noop());
        let polled = Pin::new(&mut stream).poll_next(&mut cx);
        let next = match polled {
            Poll::Ready(item) => item,
            Poll::Pending => match Pin::new(&mut stream).poll_next(&mut cx) {
                Poll::Ready(item) => item,
                Poll::Pending => None,
            },
        };
        assert_eq!(
            next,
            Some(99),
            "the value put by the waker's drop reached the stream"
        );
        assert!(queue.is_empty());
    });
}

/// A `fmt::Write` sink that calls `peek` on every write (a log sink that looks at the
/// object being logged, or at the queue it reports on).
struct PeekingSink<F: FnMut()> {
    peek: F,
    out: String,
}

impl<F: FnMut()> fmt::Write for PeekingSink<F> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        (self.peek)();
        self.out.push_str(s);
        Ok(())
    }
}

#[test]
fn formatting_a_deferred_writes_to_the_sink_outside_its_lock() {
    without_deadlock("Debug of a deferred into a sink that reads it", || {
        let d = txaio::create_future::<u32>();
        let peeked = d.clone();
        let mut sink = PeekingSink {
            peek: move || {
                let _ = peeked.is_called();
            },
            out: String::new(),
        };
        write!(sink, "{d:?}").unwrap();
        assert!(sink.out.contains("pending"), "{}", sink.out);
    });
}

#[test]
fn formatting_a_queue_writes_to_the_sink_outside_its_lock() {
    without_deadlock("Debug of a queue into a sink that reads it", || {
        let queue = DeferredQueue::<u32>::new(None, None);
        queue.put(1).unwrap();
        let peeked = queue.clone();
        let mut sink = PeekingSink {
            peek: move || {
                let _ = peeked.len();
            },
            out: String::new(),
        };
        write!(sink, "{queue:?}").unwrap();
        assert!(sink.out.contains("len: 1"), "{}", sink.out);
    });
}

#[test]
fn formatting_a_semaphore_writes_to_the_sink_outside_its_lock() {
    without_deadlock("Debug of a semaphore into a sink that reads it", || {
        let sem = DeferredSemaphore::new(2);
        let peeked = sem.clone();
        let mut sink = PeekingSink {
            peek: move || {
                let _ = peeked.tokens();
            },
            out: String::new(),
        };
        write!(sink, "{sem:?}").unwrap();
        assert!(sink.out.contains("tokens: 2"), "{}", sink.out);
    });
}

// ---------------------------------------------------------------------------------------
// Races across OS threads.
// ---------------------------------------------------------------------------------------

const ROUNDS: usize = 2_000;

/// Records every value a get delivers, keyed by whether it is a put value or the holder's.
#[derive(Default)]
struct Seen {
    put: Mutex<Vec<usize>>,
    by_hand: AtomicUsize,
}

const BY_HAND: usize = usize::MAX;

#[test]
fn a_get_resolved_by_its_holder_while_a_put_hands_it_a_value_loses_nothing() {
    // Each round: one get waits; thread A puts `round`, thread B resolves the get by hand.
    // Either the put's value reaches the get (B's resolve is refused), or B's value wins and
    // the put's value goes back to the queue: never both, never neither.
    let queue = DeferredQueue::<usize>::new(None, None);
    let seen = Arc::new(Seen::default());
    let start = Arc::new(Barrier::new(3));
    let (gets_a, gets_b) = (mpsc::channel::<()>(), mpsc::channel::<Deferred<usize>>());
    let putter = {
        let (queue, start) = (queue.clone(), start.clone());
        let ready = gets_a.1;
        thread::spawn(move || {
            for round in 0..ROUNDS {
                ready.recv().unwrap();
                start.wait();
                queue.put(round).unwrap();
                start.wait();
            }
        })
    };
    let resolver = {
        let start = start.clone();
        let gets = gets_b.1;
        thread::spawn(move || {
            for _ in 0..ROUNDS {
                let get = gets.recv().unwrap();
                start.wait();
                let _ = txaio::resolve(&get, BY_HAND);
                start.wait();
            }
        })
    };
    for _ in 0..ROUNDS {
        let get = queue.get().unwrap();
        let seen_here = seen.clone();
        txaio::add_callback(&get, move |v| {
            if *v == BY_HAND {
                seen_here.by_hand.fetch_add(1, Ordering::SeqCst);
            } else {
                seen_here.put.lock().unwrap().push(*v);
            }
        });
        gets_a.0.send(()).unwrap();
        gets_b.0.send(get).unwrap();
        start.wait();
        start.wait();
    }
    putter.join().unwrap();
    resolver.join().unwrap();
    let mut got: Vec<usize> = seen.put.lock().unwrap().clone();
    let delivered = got.len();
    while !queue.is_empty() {
        let get = queue.get().unwrap();
        let slot = Arc::new(Mutex::new(None));
        let into = slot.clone();
        txaio::add_callback(&get, move |v| *into.lock().unwrap() = Some(*v));
        got.push(
            slot.lock()
                .unwrap()
                .take()
                .expect("a stored value fires the get"),
        );
    }
    got.sort_unstable();
    assert_eq!(
        got,
        (0..ROUNDS).collect::<Vec<_>>(),
        "every put value exactly once"
    );
    assert_eq!(
        delivered + seen.by_hand.load(Ordering::SeqCst),
        ROUNDS,
        "each get fired exactly once"
    );
}

#[test]
fn acquires_cancelled_from_another_thread_while_releases_hand_them_tokens_keep_every_token() {
    // Two tokens; each round two holders release while two waiting acquires are cancelled
    // from another thread. At the end every token is back: none kept by a cancelled acquire,
    // none made up.
    let sem = DeferredSemaphore::new(2);
    let start = Arc::new(Barrier::new(3));
    let (to_canceller, from_main) = mpsc::channel::<Vec<Deferred<()>>>();
    let (to_releaser, release_now) = mpsc::channel::<()>();
    let canceller = {
        let start = start.clone();
        thread::spawn(move || {
            for _ in 0..ROUNDS {
                let waiting = from_main.recv().unwrap();
                start.wait();
                for d in &waiting {
                    txaio::cancel(d);
                }
                start.wait();
            }
        })
    };
    let releaser = {
        let (sem, start) = (sem.clone(), start.clone());
        thread::spawn(move || {
            for _ in 0..ROUNDS {
                release_now.recv().unwrap();
                start.wait();
                sem.release();
                sem.release();
                start.wait();
            }
        })
    };
    for round in 0..ROUNDS {
        assert!(txaio::is_called(&sem.acquire()));
        assert!(txaio::is_called(&sem.acquire()));
        let waiting = vec![sem.acquire(), sem.acquire()];
        let watched = waiting.clone();
        to_canceller.send(waiting).unwrap();
        to_releaser.send(()).unwrap();
        start.wait();
        start.wait();
        // Acquires that got a token (before their cancel) hold it: give it back.
        for d in watched {
            let got = Arc::new(AtomicUsize::new(0));
            let counter = got.clone();
            txaio::add_callback(&d, move |()| {
                counter.fetch_add(1, Ordering::SeqCst);
            });
            if got.load(Ordering::SeqCst) == 1 {
                sem.release();
            }
        }
        assert_eq!(sem.tokens(), 2, "round {round}: every token back");
    }
    canceller.join().unwrap();
    releaser.join().unwrap();
}

#[test]
fn a_lock_released_while_its_waiter_is_cancelled_from_another_thread_is_never_wedged() {
    let lock = DeferredLock::new();
    let start = Arc::new(Barrier::new(2));
    let (to_canceller, from_main) = mpsc::channel::<Deferred<()>>();
    let canceller = {
        let start = start.clone();
        thread::spawn(move || {
            for _ in 0..ROUNDS {
                let waiting = from_main.recv().unwrap();
                start.wait();
                txaio::cancel(&waiting);
                start.wait();
            }
        })
    };
    for round in 0..ROUNDS {
        assert!(txaio::is_called(&lock.acquire()));
        let waiting = lock.acquire();
        to_canceller.send(waiting.clone()).unwrap();
        start.wait();
        lock.release();
        start.wait();
        let holds = Arc::new(AtomicUsize::new(0));
        let counter = holds.clone();
        txaio::add_callback(&waiting, move |()| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        if holds.load(Ordering::SeqCst) == 1 {
            lock.release();
        }
        assert!(!lock.locked(), "round {round}: the lock is free again");
    }
    canceller.join().unwrap();
}

#[test]
fn streams_dropped_on_one_thread_while_another_puts_lose_nothing() {
    // A stream waits in line; thread A puts a value while thread B drops the stream. The
    // value ends up stored (given back by the drop) or in nobody's hands but the queue's.
    let queue = DeferredQueue::<usize>::new(None, None);
    let start = Arc::new(Barrier::new(2));
    let (to_dropper, streams) = mpsc::channel::<DeferredQueue<usize>>();
    let dropper = {
        let start = start.clone();
        thread::spawn(move || {
            for _ in 0..ROUNDS {
                let stream = streams.recv().unwrap();
                start.wait();
                drop(stream);
                start.wait();
            }
        })
    };
    for round in 0..ROUNDS {
        let mut stream = queue.clone();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending());
        to_dropper.send(stream).unwrap();
        start.wait();
        queue.put(round).unwrap();
        start.wait();
        assert_eq!(
            queue.len(),
            1,
            "round {round}: the value is back in the queue"
        );
        assert_eq!(queue.waiting(), 0);
        let get = queue.get().unwrap();
        assert!(txaio::is_called(&get));
    }
    dropper.join().unwrap();
}

// ---------------------------------------------------------------------------------------
// `#[portable]` bodies are spawned unboxed: a recursive one still compiles and runs.
// ---------------------------------------------------------------------------------------

#[txaio::portable]
async fn countdown(n: u32) -> Result<u32, txaio::Failure> {
    if n == 0 {
        return Ok(0);
    }
    Ok(countdown(n - 1).await? + 1)
}

#[txaio::test]
async fn a_recursive_portable_function_runs_unboxed() {
    assert_eq!(countdown(64).await.unwrap(), 64);
}

// ---------------------------------------------------------------------------------------
// `offer` against `settle`: what a get's holder sees around a hand-over.
// ---------------------------------------------------------------------------------------

#[test]
fn a_get_fired_by_a_put_refuses_its_holders_resolve_and_keeps_the_put_value() {
    let queue = DeferredQueue::<u32>::new(None, None);
    let get = queue.get().unwrap();
    queue.put(1).unwrap();
    // The hand-over is no cancel: the holder's later resolve is refused, not ignored.
    assert!(txaio::resolve(&get, 2).is_err());
    let seen = Arc::new(Mutex::new(None));
    let into = seen.clone();
    txaio::add_callback(&get, move |v| *into.lock().unwrap() = Some(*v));
    assert_eq!(*seen.lock().unwrap(), Some(1));
}

#[test]
fn a_get_resolved_by_its_holder_keeps_its_value_and_the_put_is_stored() {
    let queue = DeferredQueue::<u32>::new(None, None);
    let get = queue.get().unwrap();
    txaio::resolve(&get, 2).unwrap();
    queue.put(1).unwrap();
    assert_eq!(queue.len(), 1, "the put went to no get");
    assert_eq!(queue.waiting(), 0);
    let seen = Arc::new(Mutex::new(None));
    let into = seen.clone();
    txaio::add_callback(&get, move |v| *into.lock().unwrap() = Some(*v));
    assert_eq!(*seen.lock().unwrap(), Some(2));
}

#[test]
fn a_cancelled_get_ignores_its_holders_resolve_and_the_put_is_stored() {
    let queue = DeferredQueue::<u32>::new(None, None);
    let get = queue.get().unwrap();
    txaio::cancel(&get);
    assert!(
        txaio::resolve(&get, 2).is_ok(),
        "ignored silently after a cancel"
    );
    queue.put(1).unwrap();
    assert_eq!(queue.len(), 1);
}

#[txaio::test]
async fn values_put_on_the_thread_cancelling_a_get_go_to_the_next_get_in_order() {
    // A task awaits `hook`, then the first get: cancelling it begins cancelling the get, then
    // runs `hook`'s canceller, which puts two values while that get is still being cancelled.
    // The first goes to the next get in line, the second is stored.
    use std::future::poll_fn;
    let queue = DeferredQueue::<u32>::new(None, None);
    let mut first = queue.get().unwrap();
    let second = queue.get().unwrap();
    let put_from = queue.clone();
    let mut hook = txaio::create_future_with_canceller::<()>(move |_| {
        put_from.put(1).unwrap();
        put_from.put(2).unwrap();
    });
    let watched = first.clone();
    let task = txaio::spawn(async move {
        poll_fn(|cx| {
            let _ = Pin::new(&mut hook).poll(cx);
            let _ = Pin::new(&mut first).poll(cx);
            Poll::<Result<(), txaio::Failure>>::Pending
        })
        .await
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    assert!(task.await.is_err());
    assert!(watched.await.is_err(), "the cancelled get took no value");
    assert_eq!(
        second.await.unwrap(),
        1,
        "the first value put went to the next get"
    );
    assert_eq!(queue.len(), 1);
    assert_eq!(queue.get().unwrap().await.unwrap(), 2);
}

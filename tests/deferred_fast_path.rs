//! The deferred core's fast path for a deferred nothing was ever attached to (firing is then
//! storing the outcome, dropping is dropping it): every attachment (awaiter, callback, taker,
//! canceller, task, awaited deferred, debugging record) must be seen by a later firing and
//! released by the last drop. Also the tokio backend's spawn from inside a task.
//!
//! Wakers are counted by `Arc` strong count (exact: a leaked or forgotten waker keeps its
//! count up); heap leaks by a counting allocator over many cycles. Debugging is process-wide,
//! and the heap counts see the whole process: every test takes `SERIAL`.

// Every test holds `SERIAL` for its whole run, across awaits too: debugging and the heap
// counts are process-wide.
#![allow(clippy::await_holding_lock)]

mod cascade_support;

use std::alloc::System;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use txaio::{CancelledError, DeferredQueue, Failure, TakenError};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Heap slack for lazily grown thread-locals, runtime caches and the harness.
const SLACK: isize = 256 * 1024;

fn live_bytes(region: &Region<'_, System>) -> isize {
    let change = region.change();
    let signed = |bytes: usize| isize::try_from(bytes).unwrap_or(isize::MAX);
    signed(change.bytes_allocated) - signed(change.bytes_deallocated)
}

/// Debugging on for the guard's life (with `SERIAL` held).
struct Debugging {
    _serial: MutexGuard<'static, ()>,
}

impl Debugging {
    fn on() -> Self {
        let serial = serial();
        txaio::set_debugging(true);
        Debugging { _serial: serial }
    }
}

impl Drop for Debugging {
    fn drop(&mut self) {
        txaio::set_debugging(false);
    }
}

#[derive(Default)]
struct Flag {
    wakes: AtomicUsize,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

impl Flag {
    fn woken(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

fn flag() -> (Arc<Flag>, Waker) {
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(Arc::clone(&flag));
    (flag, waker)
}

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// The value of a ready, successful poll.
fn ok<T: std::fmt::Debug>(polled: Poll<Result<T, Failure>>) -> Option<T> {
    match polled {
        Poll::Ready(Ok(value)) => Some(value),
        other => {
            eprintln!("not a ready value: {other:?}");
            None
        }
    }
}

/// Asserts only the test holds `flag` (every clone the deferred took was dropped).
#[track_caller]
fn released(flag: &Arc<Flag>) {
    assert_eq!(Arc::strong_count(flag), 1, "a waker clone was leaked");
}

/// Asserts the deferred holds no clone of `flag`'s waker (the test holds one).
#[track_caller]
fn only_our_waker(flag: &Arc<Flag>) {
    assert_eq!(
        Arc::strong_count(flag),
        2,
        "the deferred kept a dropped awaiter's waker"
    );
}

/// A deferred that a new thread resolves with `value` once the test also waits at the
/// returned barrier: the firing then races what the test does next.
fn resolved_at_the_barrier<T: Send + 'static>(
    value: T,
) -> (
    txaio::Deferred<T>,
    Arc<Barrier>,
    std::thread::JoinHandle<()>,
) {
    let deferred = txaio::create_future::<T>();
    let resolver = deferred.clone();
    let start = Arc::new(Barrier::new(2));
    let go = Arc::clone(&start);
    let thread = std::thread::spawn(move || {
        go.wait();
        txaio::resolve(&resolver, value).unwrap();
    });
    (deferred, start, thread)
}

/// A handle to `deferred`, polled once with a fresh counted waker and left pending.
fn pending_awaiter(deferred: &txaio::Deferred<u64>) -> (txaio::Deferred<u64>, Arc<Flag>, Waker) {
    let (wake_count, waker) = flag();
    let mut awaiting = deferred.clone();
    assert!(poll(&mut awaiting, &waker).is_pending());
    (awaiting, wake_count, waker)
}

// ---- awaiters -----------------------------------------------------------------------------

#[test]
fn second_awaiter_registers_and_drops_before_fire_the_first_still_wakes_nothing_leaks() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    let (mut a1, f1, w1) = pending_awaiter(&deferred);
    let (a2, f2, w2) = pending_awaiter(&deferred);
    drop(a2);
    only_our_waker(&f2);
    txaio::resolve(&deferred, 7).unwrap();
    assert_eq!(f1.woken(), 1);
    assert_eq!(f2.woken(), 0);
    assert_eq!(ok(poll(&mut a1, &w1)), Some(7));
    drop((deferred, a1, w1, w2));
    released(&f1);
    released(&f2);
}

#[test]
fn the_only_awaiter_drops_before_fire_then_fire_and_drop_release_everything() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    let (a1, f1, w1) = pending_awaiter(&deferred);
    drop(a1);
    only_our_waker(&f1);
    txaio::resolve(&deferred, 7).unwrap();
    assert_eq!(f1.woken(), 0);
    assert_eq!(ok(poll(&mut deferred.clone(), &w1)), Some(7));
    drop(deferred);
    drop(w1);
    released(&f1);
}

#[test]
fn three_awaiters_middle_drops_first_and_last_wake() {
    let _serial = serial();
    let flags: Vec<_> = (0..3).map(|_| flag()).collect();
    let deferred = txaio::create_future::<u64>();
    let mut awaiters: Vec<_> = (0..3).map(|_| deferred.clone()).collect();
    for (awaiting, (_, waker)) in awaiters.iter_mut().zip(&flags) {
        assert!(poll(awaiting, waker).is_pending());
    }
    drop(awaiters.remove(1));
    txaio::resolve(&deferred, 3).unwrap();
    assert_eq!(flags[0].0.woken(), 1);
    assert_eq!(flags[1].0.woken(), 0);
    assert_eq!(flags[2].0.woken(), 1);
    for (awaiting, waker) in awaiters.iter_mut().zip([&flags[0].1, &flags[2].1]) {
        assert_eq!(ok(poll(awaiting, waker)), Some(3));
    }
    drop((deferred, awaiters));
    for (wake_count, waker) in flags {
        drop(waker);
        released(&wake_count);
    }
}

#[test]
fn awaiters_dropped_without_fire_release_their_wakers() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    let (a1, f1, w1) = pending_awaiter(&deferred);
    let (a2, f2, w2) = pending_awaiter(&deferred);
    // The last handles go, unfired, with both wakers registered.
    drop((deferred, a2, a1, w1, w2));
    released(&f1);
    released(&f2);
    assert_eq!(f1.woken(), 0);
}

#[test]
fn an_awaiter_registered_after_a_dropped_one_reuses_its_slot_and_wakes() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    let (f0, w0) = flag();
    let mut first = deferred.clone();
    assert!(poll(&mut first, &w0).is_pending());
    for _ in 0..50 {
        let (awaiting, wake_count, _waker) = pending_awaiter(&deferred);
        drop(awaiting);
        only_our_waker(&wake_count);
    }
    let (fl, wl) = flag();
    let mut last = deferred.clone();
    assert!(poll(&mut last, &wl).is_pending());
    txaio::resolve(&deferred, 1).unwrap();
    assert_eq!(f0.woken(), 1);
    assert_eq!(fl.woken(), 1);
    assert_eq!(ok(poll(&mut first, &w0)), Some(1));
    assert_eq!(ok(poll(&mut last, &wl)), Some(1));
    drop((deferred, first, last, w0, wl));
    released(&f0);
    released(&fl);
}

#[test]
fn re_polling_with_a_new_waker_replaces_the_old_one_and_the_new_one_wakes() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    let mut awaiting = deferred.clone();
    let (f1, w1) = flag();
    let (f2, w2) = flag();
    assert!(poll(&mut awaiting, &w1).is_pending());
    assert!(poll(&mut awaiting, &w2).is_pending());
    drop(w1);
    released(&f1);
    txaio::resolve(&deferred, 1).unwrap();
    assert_eq!(f1.woken(), 0);
    assert_eq!(f2.woken(), 1);
    assert_eq!(ok(poll(&mut awaiting, &w2)), Some(1));
    drop((awaiting, deferred, w2));
    released(&f2);
}

// ---- callbacks, take, cancel --------------------------------------------------------------

#[test]
fn callbacks_added_after_a_fast_path_fire_run_at_once_and_awaiters_still_see_the_value() {
    let _serial = serial();
    let deferred = txaio::create_future::<String>();
    txaio::resolve(&deferred, "v".to_owned()).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    for n in 0..3 {
        let seen = Arc::clone(&seen);
        txaio::add_callback(&deferred, move |v: &String| {
            seen.lock().unwrap().push(format!("{n}{v}"));
        });
    }
    assert_eq!(*seen.lock().unwrap(), ["0v", "1v", "2v"]);
    let (wake_count, waker) = flag();
    assert_eq!(
        ok(poll(&mut deferred.clone(), &waker)),
        Some("v".to_owned())
    );
    // A second resolve after the fast path is refused.
    assert!(txaio::resolve(&deferred, "again".to_owned()).is_err());
    // `then` on a fired fast-path deferred.
    let chained = txaio::then(&deferred, |v: String| Ok::<_, txaio::Failure>(v + "!"));
    assert_eq!(
        ok(poll(&mut chained.clone(), &waker)),
        Some("v!".to_owned())
    );
    let moved = deferred.clone().take();
    let mut moved = Box::pin(moved);
    assert_eq!(ok(poll(&mut moved, &waker)), Some("v".to_owned()));
    let after = poll(&mut deferred.clone(), &waker);
    assert!(
        matches!(after, Poll::Ready(Err(ref failure)) if failure.is::<TakenError>()),
        "{after:?}"
    );
    drop((deferred, chained, moved, waker));
    released(&wake_count);
    assert_eq!(Arc::strong_count(&seen), 1, "a callback was leaked");
}

#[test]
fn take_after_an_awaiter_registered_gets_the_value_and_both_wake() {
    let _serial = serial();
    let deferred = txaio::create_future::<String>();
    let (fa, wa) = flag();
    let (ft, wt) = flag();
    let mut awaiter = deferred.clone();
    assert!(poll(&mut awaiter, &wa).is_pending());
    let mut take = Box::pin(deferred.clone().take());
    assert!(poll(&mut take, &wt).is_pending());
    txaio::resolve(&deferred, "x".to_owned()).unwrap();
    assert_eq!(fa.woken(), 1);
    assert_eq!(ft.woken(), 1);
    assert_eq!(ok(poll(&mut take, &wt)), Some("x".to_owned()));
    let late = poll(&mut awaiter, &wa);
    assert!(
        matches!(late, Poll::Ready(Err(ref failure)) if failure.is::<TakenError>()),
        "{late:?}"
    );
    drop((deferred, awaiter, take, wa, wt));
    released(&fa);
    released(&ft);
}

#[test]
fn a_take_dropped_before_fire_releases_its_waker_and_a_later_take_gets_the_value() {
    let _serial = serial();
    let deferred = txaio::create_future::<String>();
    let (f1, w1) = flag();
    let mut first = Box::pin(deferred.clone().take());
    assert!(poll(&mut first, &w1).is_pending());
    drop(first);
    only_our_waker(&f1);
    txaio::resolve(&deferred, "y".to_owned()).unwrap();
    assert_eq!(f1.woken(), 0);
    let mut second = Box::pin(deferred.clone().take());
    assert_eq!(ok(poll(&mut second, &w1)), Some("y".to_owned()));
    drop((deferred, second, w1));
    released(&f1);
}

#[test]
fn cancel_of_a_deferred_whose_only_attachment_is_a_waiter_wakes_it_with_cancelled() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    let (mut awaiting, wake_count, waker) = pending_awaiter(&deferred);
    txaio::cancel(&deferred);
    assert_eq!(wake_count.woken(), 1);
    let out = poll(&mut awaiting, &waker);
    assert!(
        matches!(out, Poll::Ready(Err(ref e)) if e.is::<CancelledError>()),
        "{out:?}"
    );
    // A late resolve is ignored after a cancel.
    assert!(txaio::resolve(&deferred, 1).is_ok());
    drop((awaiting, deferred, waker));
    released(&wake_count);
}

#[test]
fn cancel_of_a_deferred_with_nothing_attached_then_await_and_callbacks() {
    let _serial = serial();
    let deferred = txaio::create_future::<u64>();
    txaio::cancel(&deferred);
    assert!(deferred.is_called());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    txaio::add_errback(&deferred, move |failure: &txaio::Failure| {
        assert!(failure.is::<CancelledError>());
        counter.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let out = poll(&mut deferred.clone(), Waker::noop());
    assert!(matches!(out, Poll::Ready(Err(ref e)) if e.is::<CancelledError>()));
}

#[test]
fn a_canceller_is_the_only_attachment_cancel_calls_it_resolve_drops_it() {
    let _serial = serial();
    let called = Arc::new(AtomicUsize::new(0));
    let held = Arc::new(());
    let counter = Arc::clone(&called);
    let holder = Arc::clone(&held);
    let deferred = txaio::create_future_with_canceller::<u64>(move |_d| {
        std::hint::black_box(&holder);
        counter.fetch_add(1, Ordering::SeqCst);
    });
    txaio::cancel(&deferred);
    assert_eq!(called.load(Ordering::SeqCst), 1);
    assert_eq!(Arc::strong_count(&held), 1, "the canceller was not dropped");
    drop(deferred);

    let holder = Arc::clone(&held);
    let deferred = txaio::create_future_with_canceller::<u64>(move |_d| {
        std::hint::black_box(&holder);
    });
    txaio::resolve(&deferred, 1).unwrap();
    assert_eq!(Arc::strong_count(&held), 1, "resolve kept the canceller");
    drop(deferred);

    let holder = Arc::clone(&held);
    let deferred = txaio::create_future_with_canceller::<u64>(move |_d| {
        std::hint::black_box(&holder);
    });
    drop(deferred);
    assert_eq!(
        Arc::strong_count(&held),
        1,
        "a dropped pending deferred kept its canceller"
    );
}

#[test]
fn callbacks_and_takers_dropped_unfired_are_released() {
    let _serial = serial();
    let held = Arc::new(());
    for _ in 0..10 {
        let deferred = txaio::create_future::<u64>();
        let holder = Arc::clone(&held);
        txaio::add_callback(&deferred, move |_| {
            std::hint::black_box(&holder);
        });
        // `then` returning a deferred: the returned one gets a taker.
        let inner = txaio::create_future::<u64>();
        let inner2 = inner.clone();
        let chained = txaio::then(&deferred, move |_| inner2);
        let src = txaio::create_future::<u64>();
        txaio::resolve(&src, 1).unwrap();
        let chained2 = txaio::then(&src, {
            let inner = inner.clone();
            move |_| inner
        });
        drop((deferred, chained, chained2, inner, src));
    }
    assert_eq!(Arc::strong_count(&held), 1, "an unrun callback was leaked");
}

// ---- tasks (every backend) ----------------------------------------------------------------

#[txaio::test]
async fn a_spawned_task_resolved_from_outside_stops_and_its_awaiters_wake() {
    let _serial = serial();
    let gate = txaio::create_future::<()>();
    let inner_gate = gate.clone();
    let task = txaio::spawn(async move {
        inner_gate.await?;
        Ok::<u32, txaio::Failure>(1)
    });
    txaio::sleep(Duration::from_millis(5)).await.unwrap();
    let resolver = task.clone();
    std::thread::spawn(move || txaio::resolve(&resolver, 9).unwrap())
        .join()
        .unwrap();
    assert_eq!(task.await.unwrap(), 9);
    // The task was cancelled with its deferred? No: resolving it stops the task; its gate stays.
    assert!(!gate.is_called());
}

#[txaio::test]
async fn a_spawned_task_cancelled_cancels_what_it_awaits() {
    let _serial = serial();
    let gate = txaio::create_future::<()>();
    let inner_gate = gate.clone();
    let task = txaio::spawn(async move {
        inner_gate.await?;
        Ok::<u32, txaio::Failure>(1)
    });
    cascade_support::until_parked(&task).await;
    txaio::cancel(&task);
    let out = task.await;
    assert!(
        out.as_ref().is_err_and(Failure::is::<CancelledError>),
        "{out:?}"
    );
    assert!(gate.is_called(), "the awaited gate was not cancelled");
}

#[txaio::test]
async fn a_thousand_rounds_of_fire_from_a_thread_always_wake_the_awaiting_task() {
    let _serial = serial();
    for round in 0..1000u32 {
        let (deferred, start, thread) = resolved_at_the_barrier(round);
        let awaiter = txaio::spawn(deferred);
        start.wait();
        let out = txaio::with_timeout(Duration::from_secs(10), awaiter).await;
        let out = out.unwrap_or_else(|_| panic!("round {round}: the awaiter missed its wake-up"));
        assert_eq!(out.unwrap(), round);
        thread.join().unwrap();
    }
}

// ---- races on plain threads ---------------------------------------------------------------

#[test]
fn a_thousand_rounds_fire_races_waker_registration_the_last_registered_waker_wakes() {
    let _serial = serial();
    for round in 0..1000u64 {
        let (deferred, start, thread) = resolved_at_the_barrier(round);
        let mut awaiting = deferred.clone();
        start.wait();
        let mut last = None;
        let mut ready = None;
        for _ in 0..=(round % 7) {
            let (wake_count, waker) = flag();
            match poll(&mut awaiting, &waker) {
                Poll::Ready(v) => {
                    ready = Some(v);
                    break;
                }
                Poll::Pending => last = Some(wake_count),
            }
        }
        thread.join().unwrap();
        if ready.is_none() {
            let wake_count = last.expect("polled at least once");
            assert_eq!(
                wake_count.woken(),
                1,
                "round {round}: the last registered waker was not woken"
            );
            ready = match poll(&mut awaiting, Waker::noop()) {
                Poll::Ready(v) => Some(v),
                Poll::Pending => panic!("round {round}: woken but still pending"),
            };
        }
        assert_eq!(ready.map(|r| r.unwrap()), Some(round));
    }
}

#[test]
fn a_thousand_rounds_fire_races_add_callback_each_callback_runs_once() {
    let _serial = serial();
    for round in 0..1000u64 {
        let (deferred, start, thread) = resolved_at_the_barrier(round);
        let calls = Arc::new(AtomicUsize::new(0));
        start.wait();
        for _ in 0..3 {
            let calls = Arc::clone(&calls);
            txaio::add_callback(&deferred, move |v: &u64| {
                assert_eq!(*v, round);
                calls.fetch_add(1, Ordering::SeqCst);
            });
        }
        thread.join().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3, "round {round}");
        assert_eq!(
            Arc::strong_count(&calls),
            1,
            "round {round}: a callback was leaked"
        );
    }
}

#[test]
fn debugging_on_fire_from_two_threads_racing_cancel() {
    let _debugging = Debugging::on();
    for round in 0..300u64 {
        let deferred = txaio::create_future::<u64>();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        txaio::add_callbacks(
            &deferred,
            {
                let counter = Arc::clone(&counter);
                move |_| {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            },
            move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            },
        );
        let (wake_count, waker) = flag();
        let mut awaiter = deferred.clone();
        assert!(poll(&mut awaiter, &waker).is_pending());
        let start = Arc::new(Barrier::new(3));
        let oks = Arc::new(AtomicUsize::new(0));
        let errs = Arc::new(AtomicUsize::new(0));
        let firers: Vec<_> = (0..2)
            .map(|n| {
                let deferred = deferred.clone();
                let start = Arc::clone(&start);
                let oks = Arc::clone(&oks);
                let errs = Arc::clone(&errs);
                std::thread::spawn(move || {
                    start.wait();
                    match txaio::resolve(&deferred, round * 2 + n) {
                        Ok(()) => oks.fetch_add(1, Ordering::SeqCst),
                        Err(_) => errs.fetch_add(1, Ordering::SeqCst),
                    };
                })
            })
            .collect();
        let cancelling_thread = {
            let deferred = deferred.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                txaio::cancel(&deferred);
            })
        };
        for t in firers {
            t.join().unwrap();
        }
        cancelling_thread.join().unwrap();
        assert!(deferred.is_called(), "round {round}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "round {round}: callbacks ran {calls:?}"
        );
        assert_eq!(
            wake_count.woken(),
            1,
            "round {round}: the awaiter was not woken once"
        );
        let out = poll(&mut awaiter, &waker);
        let cancelled = matches!(out, Poll::Ready(Err(ref e)) if e.is::<CancelledError>());
        let value = matches!(out, Poll::Ready(Ok(v)) if v / 2 == round);
        assert!(cancelled || value, "round {round}: {out:?}");
        let (oks, errs) = (oks.load(Ordering::SeqCst), errs.load(Ordering::SeqCst));
        // At most one resolve is taken; a refused resolve errs unless the cancel came first.
        assert!(oks + errs == 2, "round {round}");
        if value {
            assert!(
                oks >= 1,
                "round {round}: the value won but no resolve said Ok"
            );
        }
        if !cancelled {
            assert_eq!(
                errs, 1,
                "round {round}: the loser of two resolves was not refused"
            );
        }
        drop((deferred, awaiter, waker));
        released(&wake_count);
        assert_eq!(Arc::strong_count(&calls), 1);
    }
}

#[test]
fn debugging_on_two_resolves_race_exactly_one_wins_the_loser_hears_where() {
    let _debugging = Debugging::on();
    for round in 0..300u64 {
        let deferred = txaio::create_future::<u64>();
        let start = Arc::new(Barrier::new(2));
        let results = (0..2)
            .map(|n| {
                let deferred = deferred.clone();
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    txaio::resolve(&deferred, round * 2 + n)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect::<Vec<_>>();
        let oks = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(oks, 1, "round {round}: {results:?}");
        let err = results.into_iter().find_map(Result::err).unwrap();
        let shown = format!("{err}");
        assert!(
            shown.contains("deferred_fast_path.rs"),
            "no first-firing site: {shown}"
        );
    }
}

#[test]
fn debugging_on_offer_through_a_queue_racing_cancel_never_loses_a_value() {
    let _debugging = Debugging::on();
    for round in 0..300u64 {
        let queue = Arc::new(DeferredQueue::<u64>::new(None, None));
        let get = queue.get().unwrap();
        let start = Arc::new(Barrier::new(2));
        let putter = {
            let queue = Arc::clone(&queue);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                queue.put(round).unwrap();
            })
        };
        start.wait();
        txaio::cancel(&get);
        putter.join().unwrap();
        match poll(&mut get.clone(), Waker::noop()) {
            Poll::Ready(Ok(v)) => {
                assert_eq!(v, round);
                assert_eq!(queue.len(), 0);
            }
            Poll::Ready(Err(e)) => {
                assert!(e.is::<CancelledError>());
                assert_eq!(queue.len(), 1, "round {round}: the value was lost");
            }
            Poll::Pending => panic!("round {round}: a cancelled get is pending"),
        }
    }
}

#[test]
fn debugging_turned_on_after_creation_and_off_before_fire() {
    let _serial = serial();
    // Created with debugging off (no record), fired with it on.
    let deferred = txaio::create_future::<u64>();
    txaio::set_debugging(true);
    txaio::resolve(&deferred, 1).unwrap();
    assert!(txaio::resolve(&deferred, 2).is_err());
    // Created with it on (a record), fired with it off: the record is dropped with it.
    let second = txaio::create_future::<u64>();
    txaio::set_debugging(false);
    let (wake_count, waker) = flag();
    let mut awaiting = second.clone();
    assert!(poll(&mut awaiting, &waker).is_pending());
    txaio::resolve(&second, 1).unwrap();
    assert!(txaio::resolve(&second, 2).is_err());
    assert_eq!(wake_count.woken(), 1);
    drop((awaiting, second, deferred, waker));
    released(&wake_count);
}

// ---- heap leaks ---------------------------------------------------------------------------

/// Every attachment kind, dropped fired and unfired.
fn attachment_cycles(cycles: usize) {
    let (_, w1) = flag();
    let (_, w2) = flag();
    for n in 0..cycles {
        // Two awaiters (the second allocates `rest`), the second dropped before the fire.
        let deferred = txaio::create_future::<u64>();
        let mut a1 = deferred.clone();
        let mut a2 = deferred.clone();
        let _ = poll(&mut a1, &w1);
        let _ = poll(&mut a2, &w2);
        drop(a2);
        txaio::resolve(&deferred, n as u64).unwrap();
        let _ = poll(&mut a1, &w1);
        drop((deferred, a1));

        // The same, never fired.
        let deferred = txaio::create_future::<u64>();
        let mut a1 = deferred.clone();
        let mut a2 = deferred.clone();
        let _ = poll(&mut a1, &w1);
        let _ = poll(&mut a2, &w2);
        drop((a2, a1, deferred));

        // A take registered and dropped, never fired.
        let deferred = txaio::create_future::<String>();
        let mut t = Box::pin(deferred.clone().take());
        let _ = poll(&mut t, &w1);
        drop((t, deferred));

        // A chain whose function returns a pending deferred (a taker, an awaited deferred),
        // dropped unfired; and one fired through.
        let src = txaio::create_future::<u64>();
        let inner = txaio::create_future::<u64>();
        let inner2 = inner.clone();
        let chained = txaio::then(&src, move |_| inner2);
        txaio::resolve(&src, 1).unwrap();
        drop((src, chained, inner));
        let src = txaio::create_future::<u64>();
        let inner = txaio::create_future::<u64>();
        let inner2 = inner.clone();
        let chained = txaio::then(&src, move |_| inner2);
        txaio::resolve(&src, 1).unwrap();
        txaio::resolve(&inner, 2).unwrap();
        drop((src, chained, inner));

        // A canceller, kept and cancelled; a shield; a callback left unrun.
        let deferred = txaio::create_future_with_canceller::<u64>(|_| {});
        drop(deferred);
        let deferred = txaio::create_future_with_canceller::<u64>(|_| {});
        let s = txaio::shield(&deferred);
        txaio::cancel(&deferred);
        drop((deferred, s));
        let deferred = txaio::create_future::<u64>();
        txaio::add_callback(&deferred, |_| {});
        drop(deferred);

        // A chain cancelled from its end, with an awaiter on the source.
        let src = txaio::create_future::<u64>();
        let mut awaiting = src.clone();
        let _ = poll(&mut awaiting, &w1);
        let chained = txaio::then(&src, Ok::<_, txaio::Failure>);
        txaio::cancel(&chained);
        drop((src, awaiting, chained));
    }
}

fn check_attachment_cycles(cycles: usize, debugging: bool) {
    let _serial = serial();
    txaio::set_debugging(debugging);
    attachment_cycles(500);
    let region = Region::new(GLOBAL);
    attachment_cycles(cycles);
    let leaked = live_bytes(&region);
    txaio::set_debugging(false);
    assert!(
        leaked < SLACK,
        "{leaked} bytes still live after {cycles} cycles (debugging {debugging})"
    );
}

#[test]
fn every_attachment_kind_leaves_no_live_allocations() {
    check_attachment_cycles(5_000, false);
}

#[test]
fn every_attachment_kind_leaves_no_live_allocations_with_debugging() {
    check_attachment_cycles(2_000, true);
}

// ---- tokio: `spawn` inside a tokio task's id scope but outside any runtime -----------------

/// tokio drops a finished task's output on the thread that drops its `JoinHandle`, with the
/// task's id set (`tokio::task::try_id()` is `Some`) but no runtime entered. A `txaio::spawn`
/// there has no runtime to go to either way; it must still panic with txaio's message, which
/// says how to get one, not with tokio's.
#[test]
fn spawn_from_a_tokio_task_output_dropped_outside_the_runtime_panics_with_txaios_message() {
    use std::sync::OnceLock;

    static MESSAGE: OnceLock<String> = OnceLock::new();

    struct SpawnsOnDrop;
    impl Drop for SpawnsOnDrop {
        fn drop(&mut self) {
            let panic = std::panic::catch_unwind(|| {
                drop(txaio::spawn(async { Ok::<(), Failure>(()) }));
            });
            let message = match panic {
                Ok(()) => "no panic".to_owned(),
                Err(payload) => payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
            };
            let _ = MESSAGE.set(message);
        }
    }

    let _serial = serial();
    if txaio::current_runtime() != txaio::Runtime::Tokio {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let handle = runtime.spawn(async { SpawnsOnDrop });
    runtime.block_on(async {
        while !handle.is_finished() {
            tokio::task::yield_now().await;
        }
    });
    assert!(
        tokio::runtime::Handle::try_current().is_err(),
        "test set-up: no runtime entered"
    );
    drop(handle);
    let message = MESSAGE.get().expect("the output was dropped");
    assert!(
        message.contains("txaio: this call needs a running tokio runtime"),
        "panicked with: {message}"
    );
    drop(runtime);
}

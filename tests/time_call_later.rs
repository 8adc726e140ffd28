//! The book, "Time": `call_later`, `DelayedCall`, `sleep` and the virtual clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use txaio::testutil::{capture_logs, replace_loop};

fn counter() -> (
    Arc<AtomicUsize>,
    impl Fn() -> Box<dyn FnOnce() + Send> + Clone,
) {
    let count = Arc::new(AtomicUsize::new(0));
    let handle = count.clone();
    let make = move || -> Box<dyn FnOnce() + Send> {
        let handle = handle.clone();
        Box::new(move || {
            handle.fetch_add(1, Ordering::SeqCst);
        })
    };
    (count, make)
}

const MS: Duration = Duration::from_millis(1);

#[txaio::test]
async fn call_later_fires_once_no_earlier_than_its_delay() {
    replace_loop(|clock| {
        let (count, bump) = counter();
        let call = txaio::call_later(100 * MS, bump());
        assert!(call.active());
        clock.advance(99 * MS);
        assert_eq!(count.load(Ordering::SeqCst), 0);
        clock.advance(MS);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert!(!call.active());
        clock.advance(Duration::from_secs(10));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    });
}

#[txaio::test]
async fn timers_fire_in_deadline_order_and_ties_in_scheduling_order() {
    replace_loop(|clock| {
        let order = Arc::new(Mutex::new(Vec::new()));
        for (name, delay) in [("c", 30), ("a", 10), ("b1", 20), ("b2", 20)] {
            let order = order.clone();
            txaio::call_later(delay * MS, move || order.lock().unwrap().push(name));
        }
        clock.advance(Duration::from_secs(1));
        assert_eq!(*order.lock().unwrap(), ["a", "b1", "b2", "c"]);
        assert_eq!(clock.now(), Duration::from_secs(1));
    });
}

#[txaio::test]
async fn a_timer_scheduled_by_a_timer_fires_within_the_same_advance() {
    replace_loop(|clock| {
        let (count, bump) = counter();
        let inner = bump.clone();
        txaio::call_later(10 * MS, move || {
            txaio::call_later(10 * MS, inner());
        });
        clock.advance(20 * MS);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    });
}

#[txaio::test]
async fn cancel_before_firing_drops_the_function_unrun() {
    replace_loop(|clock| {
        let token = Arc::new(());
        let captured = token.clone();
        let call = txaio::call_later(10 * MS, move || {
            drop(captured);
            unreachable!("a cancelled call never runs");
        });
        assert!(call.cancel());
        assert_eq!(Arc::strong_count(&token), 1, "dropped on cancel");
        assert!(!call.cancel(), "true once, false after");
        assert!(!call.active());
        clock.advance(Duration::from_secs(1));
    });
}

#[txaio::test]
async fn cancel_after_firing_returns_false() {
    replace_loop(|clock| {
        let (count, bump) = counter();
        let call = txaio::call_later(MS, bump());
        clock.advance(MS);
        assert!(!call.cancel());
        assert_eq!(count.load(Ordering::SeqCst), 1);
    });
}

#[txaio::test]
async fn dropping_a_delayed_call_does_not_cancel_it() {
    replace_loop(|clock| {
        let (count, bump) = counter();
        drop(txaio::call_later(5 * MS, bump()));
        clock.advance(5 * MS);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    });
}

#[txaio::test]
async fn a_panicking_timer_is_logged_and_the_others_still_run() {
    replace_loop(|clock| {
        let (count, bump) = counter();
        txaio::call_later(MS, bump());
        txaio::call_later(MS, || panic!("timer exploded"));
        txaio::call_later(MS, bump());
        let ((), logs) = capture_logs(|| clock.advance(MS));
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert!(
            logs.iter().any(|l| l.message.contains("timer exploded")),
            "{logs:?}"
        );
    });
}

#[txaio::test]
async fn sleep_resolves_after_its_delay_and_cancelling_it_cancels_the_timer() {
    replace_loop(|clock| {
        let nap = txaio::sleep(50 * MS);
        clock.advance(49 * MS);
        assert!(!txaio::is_called(&nap));
        clock.advance(MS);
        assert!(txaio::is_called(&nap));

        let cancelled = txaio::sleep(50 * MS);
        txaio::cancel(&cancelled);
        assert_eq!(clock.pending(), 0, "the timer went with the sleep");
        clock.advance(Duration::from_secs(1));
        assert!(txaio::is_called(&cancelled));
    });
}

#[txaio::test]
async fn real_time_call_later_runs_on_the_runtime_no_earlier_than_its_delay() {
    let started = Instant::now();
    let done = txaio::create_future::<Instant>();
    let signal = done.clone();
    txaio::call_later(30 * MS, move || {
        txaio::resolve(&signal, Instant::now()).unwrap();
    });
    let fired_at = done.await.unwrap();
    assert!(fired_at.duration_since(started) >= 30 * MS);
    let started = Instant::now();
    txaio::sleep(20 * MS).await.unwrap();
    assert!(started.elapsed() >= 20 * MS);
}

#[txaio::test]
async fn a_real_time_call_cancelled_before_its_delay_never_runs() {
    let (count, bump) = counter();
    let call = txaio::call_later(20 * MS, bump());
    assert!(call.cancel());
    txaio::sleep(60 * MS).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

#[txaio::test]
async fn cancel_racing_the_firing_runs_or_cancels_exactly_once() {
    const ROUNDS: usize = 200;
    const TIMERS: usize = 50;
    for _ in 0..ROUNDS / 20 {
        let ran = Arc::new(AtomicUsize::new(0));
        let (calls, bumps): (Vec<_>, Vec<_>) = (0..TIMERS)
            .map(|_| {
                let ran = ran.clone();
                let call = txaio::call_later(Duration::ZERO, move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
                (call, ())
            })
            .unzip();
        drop(bumps);
        let barrier = Arc::new(Barrier::new(2));
        let racer = {
            let calls = calls.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                calls.iter().filter(|call| call.cancel()).count()
            })
        };
        barrier.wait();
        let cancelled = racer.join().unwrap();
        // Let every non-cancelled timer run.
        txaio::sleep(20 * MS).await.unwrap();
        while calls.iter().any(txaio::DelayedCall::active) {
            txaio::sleep(5 * MS).await.unwrap();
        }
        assert_eq!(ran.load(Ordering::SeqCst) + cancelled, TIMERS);
    }
}

//! Regression tests for the deferred defects found under attack (defects 6 to 11 of the
//! reliability issue), each named after the defect it pins, each on every compiled backend.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use txaio::testutil::{CapturedLog, capture_logs};
use txaio::{CancelledError, Deferred, Panic};

/// A panic payload whose own `Drop` panics.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("the payload's drop panics too");
    }
}

fn panic_with_a_payload_that_panics_on_drop() -> ! {
    std::panic::panic_any(PanicsOnDrop)
}

fn unhandled(logs: &[CapturedLog]) -> Vec<&CapturedLog> {
    logs.iter()
        .filter(|log| log.message.starts_with("Unhandled error in Deferred"))
        .collect()
}

/// Generous bound for a deadlock detector only: a healthy run takes microseconds.
const DEADLOCK: Duration = Duration::from_secs(20);

// Defect 6: a panic payload that panics on drop is contained everywhere txaio catches.

#[txaio::test]
async fn defect_6_a_callback_payload_that_panics_on_drop_does_not_wedge_the_deferred() {
    let ran = Arc::new(AtomicUsize::new(0));
    let d = txaio::create_future::<u8>();
    txaio::add_callback(&d, |_| panic_with_a_payload_that_panics_on_drop());
    let after = ran.clone();
    txaio::add_callback(&d, move |_| {
        after.fetch_add(1, Ordering::SeqCst);
    });
    let ((), logs) = capture_logs(|| txaio::resolve(&d, 1).unwrap());
    assert_eq!(ran.load(Ordering::SeqCst), 1, "the next callback ran");
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(d.clone().await.unwrap(), 1, "awaiters are not left hanging");
    let late = ran.clone();
    txaio::add_callback(&d, move |_| {
        late.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(
        ran.load(Ordering::SeqCst),
        2,
        "a later callback runs at once"
    );
}

#[txaio::test]
async fn defect_6_a_canceller_payload_that_panics_on_drop_still_cancels() {
    let d = txaio::create_future_with_canceller::<u8>(|_| {
        panic_with_a_payload_that_panics_on_drop();
    });
    let ((), logs) = capture_logs(|| txaio::cancel(&d));
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(d.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn defect_6_as_future_with_a_payload_that_panics_on_drop_fails_the_deferred() {
    let d = txaio::as_future(|| -> Result<u8, txaio::Failure> {
        panic_with_a_payload_that_panics_on_drop()
    });
    assert!(d.await.unwrap_err().is::<Panic>());
}

#[txaio::test]
async fn defect_6_a_spawned_task_with_a_payload_that_panics_on_drop_fails_its_deferred() {
    let d = txaio::spawn(async {
        if true {
            panic_with_a_payload_that_panics_on_drop();
        }
        Ok::<u8, std::fmt::Error>(0)
    });
    assert!(d.await.unwrap_err().is::<Panic>());
}

#[txaio::test]
async fn defect_6_the_blocking_pool_contains_a_payload_that_panics_on_drop() {
    let d = txaio::defer_to_thread(|| -> Result<u8, std::fmt::Error> {
        panic_with_a_payload_that_panics_on_drop()
    });
    assert!(d.await.unwrap_err().is::<Panic>());
    // The pool still works afterwards.
    let again = txaio::defer_to_thread(|| Ok::<_, std::fmt::Error>(2));
    assert_eq!(again.await.unwrap(), 2);
}

// Defect 7: once cancel has begun, only the canceller may fire the deferred.

#[txaio::test]
async fn defect_7_a_resolve_racing_a_running_canceller_is_ignored() {
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (raced_tx, raced_rx) = mpsc::channel::<()>();
    let d = txaio::create_future_with_canceller::<u8>(move |_| {
        started_tx.send(()).unwrap();
        // The canceller is still running while the other thread resolves.
        raced_rx.recv_timeout(DEADLOCK).unwrap();
    });
    let racer = {
        let d = d.clone();
        std::thread::spawn(move || {
            started_rx.recv_timeout(DEADLOCK).unwrap();
            let outcome = txaio::resolve(&d, 1);
            raced_tx.send(()).unwrap();
            outcome
        })
    };
    txaio::cancel(&d);
    assert_eq!(
        racer.join().unwrap(),
        Ok(()),
        "a resolve after cancel is ignored"
    );
    assert!(d.await.unwrap_err().is::<CancelledError>());
}

#[txaio::test]
async fn defect_7_the_canceller_itself_may_still_fire_the_deferred() {
    let d = txaio::create_future_with_canceller::<u8>(|d| {
        txaio::resolve(d, 9).unwrap();
    });
    txaio::cancel(&d);
    assert_eq!(d.await.unwrap(), 9);
}

// Defect 8: a cancel is the caller's own doing, never reported as unhandled.

#[txaio::test]
async fn defect_8_no_cancellation_is_reported_as_unhandled() {
    let ((), logs) = capture_logs(|| {
        let plain = txaio::create_future::<u8>();
        txaio::cancel(&plain);
        drop(plain);

        let input = txaio::create_future::<u8>();
        let gathered = txaio::gather([input.clone()], false);
        txaio::cancel(&gathered);
        drop(gathered);
        drop(input);

        let with_canceller = txaio::create_future_with_canceller::<u8>(|d| {
            txaio::reject(d, CancelledError).unwrap();
        });
        txaio::cancel(&with_canceller);
        drop(with_canceller);
    });
    assert!(unhandled(&logs).is_empty(), "{logs:?}");
}

#[txaio::test]
async fn defect_8_a_cancelled_spawned_task_is_not_reported() {
    let (task, logs) = capture_logs(|| {
        let task = txaio::spawn(std::future::pending::<Result<u8, std::fmt::Error>>());
        txaio::cancel(&task);
        task
    });
    let ((), more) = capture_logs(|| drop(task));
    assert!(unhandled(&logs).is_empty(), "{logs:?}");
    assert!(unhandled(&more).is_empty(), "{more:?}");
}

// Defect 9: the canceller is dropped as soon as the deferred fires, before the callbacks run.

#[txaio::test]
async fn defect_9_the_canceller_is_dropped_before_the_callbacks_run() {
    let held = Arc::new(());
    let weak: Weak<()> = Arc::downgrade(&held);
    let d = txaio::create_future_with_canceller::<u8>(move |_| drop(held));
    let seen_alive = Arc::new(Mutex::new(None));
    let record = seen_alive.clone();
    txaio::add_callback(&d, move |_| {
        *record.lock().unwrap() = Some(weak.upgrade().is_some());
    });
    txaio::resolve(&d, 1).unwrap();
    assert_eq!(
        *seen_alive.lock().unwrap(),
        Some(false),
        "what the canceller held was still alive inside the callback"
    );
}

// Defect 10: `.await` clones the value outside the deferred's lock.

/// A value whose `Clone` looks at the deferred that holds it.
struct LooksAtItsDeferred {
    home: Arc<Mutex<Option<Deferred<LooksAtItsDeferred>>>>,
}

impl Clone for LooksAtItsDeferred {
    fn clone(&self) -> Self {
        let home = self.home.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = home.as_ref() {
            // Takes the deferred's lock: a deadlock if `.await` clones under it.
            assert!(txaio::is_called(d));
            txaio::add_callback(d, |_| {});
        }
        LooksAtItsDeferred {
            home: Arc::clone(&self.home),
        }
    }
}

#[txaio::test]
async fn defect_10_await_clones_the_value_outside_the_lock() {
    let home = Arc::new(Mutex::new(None));
    let d = txaio::create_future::<LooksAtItsDeferred>();
    *home.lock().unwrap() = Some(d.clone());
    let value = LooksAtItsDeferred {
        home: Arc::clone(&home),
    };
    txaio::resolve(&d, value).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let awaiter = d.clone();
    std::thread::spawn(move || {
        let got = txaio::__private::block_on_default(awaiter).is_ok();
        done_tx.send(got).unwrap();
    });
    assert_eq!(
        done_rx.recv_timeout(DEADLOCK),
        Ok(true),
        "`.await` deadlocked"
    );
    // Break the cycle the test built on purpose.
    home.lock().unwrap().take();
}

// Defect 11: `failure_message` is always one line.

#[txaio::test]
async fn defect_11_failure_message_is_one_line() {
    let failure = txaio::Failure::msg("first line\nsecond line\r\nthird\rfourth\u{2028}fifth");
    let message = txaio::failure_message(&failure);
    assert_eq!(message.lines().count(), 1, "{message:?}");
    assert!(!message.contains(['\n', '\r', '\u{2028}']), "{message:?}");
    assert!(message.starts_with("Error: first line"), "{message:?}");
    assert!(message.contains("second line"), "{message:?}");
    let io = txaio::Failure::new(std::io::Error::other("a\nb"));
    assert_eq!(txaio::failure_message(&io), "Error: a\\nb");
}

//! The book, "From blocking code": `EventualResult`: ports of crochet's `EventualResultTests` and
//! `ResultRegistryTests` (`crochet/tests/test_api.py`), each on every backend.

mod blocking_support;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use blocking_support::{LONG, on_every_backend};
use txaio::blocking::{self, EventualResult};
use txaio::testutil::capture_logs;
use txaio::{CancelledError, Failure, TimeoutError};

#[derive(Debug, Clone, PartialEq)]
struct ZeroDivisionError;

impl std::fmt::Display for ZeroDivisionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("division by zero")
    }
}

impl std::error::Error for ZeroDivisionError {}

/// The result of `f` once it ran on the runtime (so that only the deferred's state matters).
fn result_of<T: Send + 'static>(d: &txaio::Deferred<T>) -> EventualResult<T> {
    let source = d.clone();
    blocking::run_in_runtime(move || source)
}

/// Waits, without `wait` (which would count the failure as seen), until there is an outcome.
fn until_ready<T: Send + 'static>(result: &EventualResult<T>) {
    let started = Instant::now();
    while !result.is_ready() {
        assert!(started.elapsed() < LONG, "no outcome arrived");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn unhandled_reports(logs: &[txaio::testutil::CapturedLog]) -> usize {
    logs.iter()
        .filter(|log| {
            log.message
                .starts_with("Unhandled error in EventualResult: ")
        })
        .count()
}

#[test]
fn test_success_result() {
    on_every_backend(|_| {
        let dr = blocking::run_in_runtime(|| txaio::create_future_success(123));
        assert_eq!(dr.wait(LONG).unwrap(), 123);
    });
}

#[test]
fn test_later_success_result() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u32>();
        let dr = result_of(&d);
        let (started, waiting) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            started.send(()).unwrap();
            dr.wait(LONG)
        });
        waiting.recv().unwrap();
        std::thread::sleep(Duration::from_millis(20)); // let the waiter block, most likely
        txaio::resolve(&d, 345).unwrap();
        assert_eq!(waiter.join().unwrap().unwrap(), 345);
    });
}

#[test]
fn test_success_result_twice() {
    on_every_backend(|_| {
        let dr = blocking::run_in_runtime(|| txaio::create_future_success(123));
        assert_eq!(dr.wait(LONG).unwrap(), 123);
        assert_eq!(dr.wait(LONG).unwrap(), 123);
    });
}

#[test]
fn test_failure_result() {
    on_every_backend(|_| {
        let dr = blocking::run_in_runtime(|| txaio::create_future_error::<u32>(ZeroDivisionError));
        assert!(dr.wait(LONG).unwrap_err().is::<ZeroDivisionError>());
    });
}

#[test]
fn test_later_failure_result() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u32>();
        let dr = result_of(&d);
        let (started, waiting) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            started.send(()).unwrap();
            dr.wait(LONG)
        });
        waiting.recv().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        txaio::reject(&d, ZeroDivisionError).unwrap();
        assert!(
            waiter
                .join()
                .unwrap()
                .unwrap_err()
                .is::<ZeroDivisionError>()
        );
    });
}

#[test]
fn test_failure_result_twice() {
    on_every_backend(|_| {
        let dr = blocking::run_in_runtime(|| Err::<u32, _>(ZeroDivisionError));
        assert!(dr.wait(LONG).unwrap_err().is::<ZeroDivisionError>());
        assert!(dr.wait(LONG).unwrap_err().is::<ZeroDivisionError>());
    });
}

#[test]
fn test_timeout() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u32>();
        let dr = result_of(&d);
        let start = Instant::now();
        assert!(
            dr.wait(Duration::from_millis(30))
                .unwrap_err()
                .is::<TimeoutError>()
        );
        // Never early (an upper bound on real time is not asserted: CI machines stall).
        assert!(start.elapsed() >= Duration::from_millis(30));
    });
}

#[test]
fn test_timeout_twice() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u32>();
        let dr = result_of(&d);
        assert!(
            dr.wait(Duration::from_millis(10))
                .unwrap_err()
                .is::<TimeoutError>()
        );
        assert!(
            dr.wait(Duration::from_millis(10))
                .unwrap_err()
                .is::<TimeoutError>()
        );
        assert!(dr.wait(Duration::ZERO).unwrap_err().is::<TimeoutError>());
    });
}

#[test]
fn test_timeout_then_result() {
    on_every_backend(|_| {
        let d = txaio::create_future::<String>();
        let dr = result_of(&d);
        assert!(
            dr.wait(Duration::from_millis(10))
                .unwrap_err()
                .is::<TimeoutError>()
        );
        txaio::resolve(&d, "value".to_owned()).unwrap();
        assert_eq!(dr.wait(LONG).unwrap(), "value");
        assert_eq!(dr.wait(LONG).unwrap(), "value");
        // `Duration::MAX` waits for ever, and there is a result: it returns.
        assert_eq!(dr.wait(Duration::MAX).unwrap(), "value");
    });
}

#[test]
fn test_reactor_thread_disallowed() {
    on_every_backend(|txaio| {
        let d = txaio::create_future::<u32>();
        let dr = result_of(&d);
        // Waiting from a task of the runtime itself is refused, not a deadlock.
        let refused = txaio.wait_for(LONG, move || {
            Ok::<_, Failure>(
                dr.wait(Duration::ZERO)
                    .unwrap_err()
                    .is::<txaio::RuntimeThreadError>(),
            )
        });
        assert!(refused.unwrap());
    });
}

#[test]
fn test_cancel() {
    on_every_backend(|_| {
        let (seen, cancelled) = mpsc::channel();
        let d = txaio::create_future::<u32>();
        txaio::add_errback(&d, move |failure| {
            seen.send((
                blocking::in_runtime_thread(),
                failure.is::<CancelledError>(),
            ))
            .unwrap();
        });
        let dr = result_of(&d);
        until_source_connected(&dr);
        dr.cancel();
        // Cancellation ran on the runtime, and cancelled the deferred.
        assert_eq!(cancelled.recv_timeout(LONG).unwrap(), (true, true));
        assert!(dr.wait(LONG).unwrap_err().is::<CancelledError>());
    });
}

/// `f` ran, so that `cancel` reaches the deferred itself (see `test_immediate_cancel` for a
/// cancel that comes first).
fn until_source_connected<T: Clone + Send + 'static>(dr: &EventualResult<T>) {
    // `f` runs in a task; a zero-time `wait_for` round trip on the same runtime orders after it
    // on single-threaded executors, and a short sleep covers the multi-threaded ones.
    let _ = dr.wait(Duration::from_millis(20));
}

#[test]
fn test_original_failure() {
    on_every_backend(|_| {
        let f = Failure::new(ZeroDivisionError);
        let failure = f.clone();
        let dr = blocking::run_in_runtime(move || txaio::create_future_error::<u32>(failure));
        until_ready(&dr);
        let original = dr.original_failure().unwrap();
        // The very failure, not a copy: the same error value inside.
        assert!(std::ptr::addr_eq(original.value(), f.value()));
    });
}

#[test]
fn test_original_failure_no_result() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u32>();
        let dr = result_of(&d);
        assert!(dr.original_failure().is_none());
    });
}

#[test]
fn test_original_failure_not_error() {
    on_every_backend(|_| {
        let dr = blocking::run_in_runtime(|| txaio::create_future_success(3));
        until_ready(&dr);
        assert!(dr.original_failure().is_none());
    });
}

#[test]
fn test_error_logged_no_wait() {
    on_every_backend(|_| {
        let ((), logs) = capture_logs(|| {
            let dr = blocking::run_in_runtime(|| Err::<u32, _>(ZeroDivisionError));
            until_ready(&dr);
            drop(dr);
        });
        assert_eq!(unhandled_reports(&logs), 1, "{logs:?}");
        assert!(
            logs[0]
                .message
                .contains("ZeroDivisionError: division by zero")
        );
    });
}

#[test]
fn test_error_logged_wait_timeout() {
    on_every_backend(|_| {
        let ((), logs) = capture_logs(|| {
            let d = txaio::create_future::<u32>();
            let dr = result_of(&d);
            assert!(dr.wait(Duration::ZERO).unwrap_err().is::<TimeoutError>());
            until_source_connected(&dr);
            txaio::reject(&d, ZeroDivisionError).unwrap();
            until_ready(&dr);
            drop(dr);
        });
        assert_eq!(unhandled_reports(&logs), 1, "{logs:?}");
    });
}

#[test]
fn test_immediate_cancel() {
    on_every_backend(|_| {
        let er = blocking::run_in_runtime(txaio::create_future::<u32>);
        er.cancel();
        assert!(er.wait(LONG).unwrap_err().is::<CancelledError>());
    });
}

#[test]
fn test_runs_with_lock() {
    // crochet checks that its registry methods take a lock; here the type system says it.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<EventualResult<u32>>();
    send_sync::<EventualResult<std::sync::mpsc::Sender<u8>>>();
}

#[test]
fn a_result_waited_from_many_threads_gives_each_the_value() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u64>();
        let dr = std::sync::Arc::new(result_of(&d));
        let waiters: Vec<_> = (0..8)
            .map(|_| {
                let dr = dr.clone();
                std::thread::spawn(move || dr.wait(LONG))
            })
            .collect();
        txaio::resolve(&d, 99).unwrap();
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap().unwrap(), 99);
        }
    });
}

//! The book, "From blocking code": `wait_for`: ports of crochet's `WaitTests` (`crochet/tests/test_api.py`), each on
//! every backend (`test_timeoutRaises` and `test_timeoutCancels` in snake case). The
//! decorator-only tests (`test_name`, `test_signature`, `test_wrapped_function`,
//! `test_classmethod`) have no Rust counterpart; `test_control_c_is_possible` has none either
//! (Rust has no `KeyboardInterrupt`: a signal ends the process, whose waits never hold it);
//! `test_reactor_stop_unblocks` is in `blocking_shutdown.rs`.

mod blocking_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use blocking_support::{LONG, on_every_backend};
use txaio::blocking;
use txaio::{CancelledError, Failure, Panic, RuntimeThreadError, TimeoutError};

#[derive(Debug)]
struct ZeroDivisionError;

impl std::fmt::Display for ZeroDivisionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("division by zero")
    }
}

impl std::error::Error for ZeroDivisionError {}

#[test]
fn test_reactor_thread_disallowed() {
    on_every_backend(|txaio| {
        let called = Arc::new(AtomicUsize::new(0));
        let inner = called.clone();
        let refused = txaio.wait_for(LONG, move || {
            let inner = inner.clone();
            let outcome = blocking::wait_for(LONG, move || {
                inner.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Failure>(())
            });
            Ok::<_, Failure>(outcome.unwrap_err().is::<RuntimeThreadError>())
        });
        assert!(refused.unwrap());
        assert_eq!(
            called.load(Ordering::SeqCst),
            0,
            "refused before running anything"
        );
    });
}

#[test]
fn test_wait_for_reactor_thread() {
    on_every_backend(|_| {
        let mut in_runtime = vec![blocking::in_runtime_thread()];
        in_runtime.push(
            blocking::wait_for(LONG, || Ok::<_, Failure>(blocking::in_runtime_thread())).unwrap(),
        );
        in_runtime.push(blocking::in_runtime_thread());
        assert_eq!(in_runtime, [false, true, false]);
    });
}

#[test]
fn test_arguments() {
    on_every_backend(|_| {
        let (a, b, c) = (1, 2, 3);
        let calls = blocking::wait_for(LONG, move || Ok::<_, Failure>(vec![(a, b, c)])).unwrap();
        assert_eq!(calls, [(1, 2, 3)]);
    });
}

#[test]
fn test_deferred_success_result() {
    on_every_backend(|_| {
        assert_eq!(
            blocking::wait_for(LONG, || txaio::create_future_success(123)).unwrap(),
            123
        );
    });
}

#[test]
fn test_deferred_failure_result() {
    on_every_backend(|_| {
        let failure =
            blocking::wait_for(LONG, || txaio::create_future_error::<u8>(ZeroDivisionError))
                .unwrap_err();
        assert!(failure.is::<ZeroDivisionError>());
    });
}

#[test]
fn test_regular_result() {
    on_every_backend(|_| {
        assert_eq!(
            blocking::wait_for(LONG, || Ok::<_, Failure>(123)).unwrap(),
            123
        );
    });
}

#[test]
fn test_exception_result() {
    on_every_backend(|_| {
        let failure = blocking::wait_for(LONG, || Err::<u8, _>(ZeroDivisionError)).unwrap_err();
        assert!(failure.is::<ZeroDivisionError>());
        let failure =
            blocking::wait_for(LONG, || -> Result<u8, Failure> { panic!("boom") }).unwrap_err();
        assert!(failure.is::<Panic>());
    });
}

#[test]
fn test_timeout_raises() {
    on_every_backend(|_| {
        let start = Instant::now();
        let failure = blocking::wait_for(Duration::from_millis(50), || {
            let d = txaio::create_future::<u8>();
            txaio::add_errback(&d, |failure| assert!(failure.is::<CancelledError>()));
            d
        })
        .unwrap_err();
        assert!(failure.is::<TimeoutError>());
        assert!(start.elapsed() >= Duration::from_millis(50), "never early");
    });
}

#[test]
fn test_timeout_cancels() {
    on_every_backend(|_| {
        let result = txaio::create_future::<u8>();
        let (error, errors) = mpsc::channel();
        txaio::add_errback(&result, move |failure| {
            error.send(failure.is::<CancelledError>()).unwrap();
        });
        let source = result.clone();
        let failure = blocking::wait_for(Duration::ZERO, move || source).unwrap_err();
        assert!(failure.is::<TimeoutError>());
        assert!(
            errors.recv_timeout(LONG).unwrap(),
            "the deferred was cancelled"
        );
    });
}

#[test]
fn test_timeout_cancels_a_task() {
    // Cancellation runs down into a portable task: its sleep's timer is released.
    struct Tell(mpsc::Sender<()>);
    impl Drop for Tell {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    on_every_backend(|_| {
        let (dropped, was_dropped) = mpsc::channel::<()>();
        let failure = blocking::wait_for(Duration::from_millis(5), move || {
            let tell = Tell(dropped);
            txaio::spawn(async move {
                let _tell = tell;
                txaio::sleep(Duration::from_secs(3600)).await
            })
        })
        .unwrap_err();
        assert!(failure.is::<TimeoutError>());
        was_dropped
            .recv_timeout(LONG)
            .expect("the task's future was dropped");
    });
}

#[test]
fn test_async_function() {
    #[txaio::portable]
    async fn go() -> Result<u32, Failure> {
        assert!(blocking::in_runtime_thread());
        Ok(17)
    }
    on_every_backend(|_| {
        let pair = (
            blocking::wait_for(LONG, go).unwrap(),
            blocking::wait_for(LONG, go).unwrap(),
        );
        assert_eq!(pair, (17, 17));
    });
}

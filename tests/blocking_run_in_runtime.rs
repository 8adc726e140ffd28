//! The book, "From blocking code": `run_in_runtime`: ports of crochet's `RunInReactorTests`
//! (`crochet/tests/test_api.py`), each on every backend. The decorator-only tests
//! (`test_signature`, `test_name`, `test_wrapped_function`, `test_classmethod`,
//! `test_wrap_method`) have no Rust counterpart: closures keep their own signature;
//! `test_registry` is in `blocking_shutdown.rs`.

mod blocking_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::ThreadId;
use std::time::Duration;

use blocking_support::{LONG, on_every_backend};
use txaio::blocking;
use txaio::{Failure, Panic};

#[derive(Debug)]
struct ZeroDivisionError;

impl std::fmt::Display for ZeroDivisionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("division by zero")
    }
}

impl std::error::Error for ZeroDivisionError {}

fn here() -> ThreadId {
    std::thread::current().id()
}

#[test]
fn test_run_in_reactor_thread() {
    on_every_backend(|_| {
        let caller = here();
        let ran = blocking::run_in_runtime(move || {
            Ok::<_, Failure>((blocking::in_runtime_thread(), here() != caller))
        });
        assert_eq!(ran.wait(LONG).unwrap(), (true, true));
    });
}

#[test]
fn test_method() {
    struct Counter {
        calls: Mutex<Vec<(u8, u8, u8)>>,
    }
    impl Counter {
        fn func(&self, a: u8, b: u8, c: u8) -> usize {
            let mut calls = self.calls.lock().unwrap();
            calls.push((a, b, c));
            calls.len()
        }
    }
    on_every_backend(|_| {
        let o = Arc::new(Counter {
            calls: Mutex::new(Vec::new()),
        });
        let target = o.clone();
        let result = blocking::run_in_runtime(move || Ok::<_, Failure>(target.func(1, 2, 3)));
        assert_eq!(result.wait(LONG).unwrap(), 1);
        assert_eq!(*o.calls.lock().unwrap(), [(1, 2, 3)]);
    });
}

#[test]
fn test_deferred_success_result() {
    on_every_backend(|_| {
        let result = blocking::run_in_runtime(|| txaio::create_future_success(123));
        assert_eq!(result.wait(LONG).unwrap(), 123);
    });
}

#[test]
fn test_deferred_failure_result() {
    on_every_backend(|_| {
        let result =
            blocking::run_in_runtime(|| txaio::create_future_error::<u8>(ZeroDivisionError));
        assert!(result.wait(LONG).unwrap_err().is::<ZeroDivisionError>());
    });
}

#[test]
fn test_regular_result() {
    on_every_backend(|_| {
        let result = blocking::run_in_runtime(|| Ok::<_, Failure>(123));
        assert_eq!(result.wait(LONG).unwrap(), 123);
    });
}

#[test]
fn test_exception_result() {
    on_every_backend(|_| {
        let raised = blocking::run_in_runtime(|| Err::<u8, _>(ZeroDivisionError));
        assert!(raised.wait(LONG).unwrap_err().is::<ZeroDivisionError>());
        // A panic in `f` is a `Panic` failure, never an unwind into the runtime or the caller.
        let panicked = blocking::run_in_runtime(|| -> Result<u8, Failure> { panic!("1 / 0") });
        let failure = panicked.wait(LONG).unwrap_err();
        assert!(failure.is::<Panic>());
        assert_eq!(txaio::failure_message(&failure), "Panic: 1 / 0");
        // Whatever the payload.
        let odd =
            blocking::run_in_runtime(|| -> Result<u8, Failure> { std::panic::panic_any(17_u64) });
        assert!(odd.wait(LONG).unwrap_err().is::<Panic>());
    });
}

#[test]
fn test_async_function() {
    #[txaio::portable]
    async fn go(calls: Arc<AtomicUsize>) -> Result<u32, Failure> {
        assert!(blocking::in_runtime_thread());
        calls.fetch_add(1, Ordering::SeqCst);
        txaio::sleep(Duration::from_millis(1)).await?;
        Ok(23)
    }
    on_every_backend(|_| {
        let calls = Arc::new(AtomicUsize::new(0));
        let (a, b) = (calls.clone(), calls.clone());
        let first = blocking::run_in_runtime(move || go(a)).wait(LONG).unwrap();
        let second = blocking::run_in_runtime(move || go(b)).wait(LONG).unwrap();
        assert_eq!((first, second), (23, 23));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn a_value_that_is_not_clone_moves_through() {
    // `run_in_runtime` asks nothing of `T` but `Send`; only `wait` needs `Clone`.
    struct Connection(#[allow(dead_code)] u32);
    on_every_backend(|_| {
        let result = blocking::run_in_runtime(|| Ok::<_, Failure>(Connection(1)));
        let id = result.stash();
        assert!(blocking::retrieve_result::<Connection>(id).is_some());
    });
}

#[test]
fn returns_at_once_while_f_runs() {
    on_every_backend(|_| {
        let (release, gate) = mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        // `f` waits on a blocking-pool thread; the call returns before it is let go.
        let result = blocking::run_in_runtime(move || {
            txaio::defer_to_thread(move || gate.lock().unwrap().recv_timeout(LONG))
        });
        assert!(!result.is_ready());
        release.send(()).unwrap();
        result.wait(LONG).unwrap();
    });
}

#[test]
fn the_deferred_f_returns_is_consumed_as_by_take() {
    // As `then` does: its value moves into the result; its other holders then see `TakenError`.
    on_every_backend(|_| {
        let d = txaio::create_future::<String>();
        let (source, other) = (d.clone(), d.clone());
        let result = blocking::run_in_runtime(move || source);
        txaio::resolve(&d, "moved".to_owned()).unwrap();
        assert_eq!(result.wait(LONG).unwrap(), "moved");
        let (tell, told) = mpsc::channel();
        txaio::add_errback(&other, move |failure| {
            tell.send(failure.is::<txaio::TakenError>()).unwrap();
        });
        assert!(told.recv_timeout(LONG).unwrap());
    });
}

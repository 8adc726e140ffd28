//! From blocking code into txaio: crochet's bridge.
//!
//! Ordinary threads (a sync web framework's handlers, a CLI, a GUI thread, an FFI callback)
//! call txaio code with [`run_in_runtime`], which runs a function on the runtime and gives an
//! [`EventualResult`] to wait on, or with [`wait_for`], which does both. [`setup`] starts the
//! runtime on a background thread; it is called for you by the first `run_in_runtime`.
//!
//! A wait on a runtime thread is refused at once with
//! [`RuntimeThreadError`] rather than allowed to deadlock.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! // Portable async code, as a library would write it.
//! #[txaio::portable]
//! async fn lookup(key: String) -> Result<usize, txaio::Failure> {
//!     txaio::sleep(Duration::from_millis(1)).await?;
//!     Ok(key.len())
//! }
//!
//! // A plain `main`, or a thread of a sync web server.
//! txaio::blocking::setup();
//! let length = txaio::blocking::wait_for(Duration::from_secs(5), || lookup("realm1".into()));
//! assert_eq!(length.unwrap(), 6);
//! ```

mod errors;
mod eventual;
mod registry;
mod store;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use errors::{RuntimeStoppedError, RuntimeThreadError};
pub use eventual::EventualResult;

use crate::deferred::{IntoDeferred, as_future};
use crate::errors::TimeoutError;
use crate::failure::Failure;
use crate::rt::{self, Instance};

/// Starts the runtime that [`run_in_runtime`] uses, if it is not running yet (crochet's
/// `setup`); calling it again does nothing.
///
/// It starts the current backend's instance ([`current_runtime`](crate::current_runtime)):
/// under tokio a multi-thread runtime whose threads are named `txaio-runtime`, under smol and
/// async-std their global executors (which need no start). Nothing needs stopping at exit: the
/// process ends without waiting for it. After [`shutdown`] it does nothing.
///
/// # Examples
///
/// ```
/// txaio::blocking::setup();
/// txaio::blocking::setup(); // idempotent
/// ```
pub fn setup() {
    if !registry::stopped() {
        let _started = rt::background(rt::current());
    }
}

/// Whether this thread is a runtime thread, where [`EventualResult::wait`] and [`wait_for`]
/// refuse to block (crochet's `isInIOThread`): a thread running a txaio task or timer callback,
/// a thread inside a txaio `block_on`, a tokio worker or `block_on` (a `LocalSet`'s tasks
/// included), a thread of smol's global executor, an async-std task. A txaio blocking-pool job
/// ([`defer_to_thread`](crate::defer_to_thread)) is not one: it may wait; nor are tokio's own
/// blocking pool (`spawn_blocking`, `block_in_place`) and a plain thread that only entered a
/// tokio runtime (`Runtime::enter`), where no task runs.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// assert!(txaio::blocking::in_runtime_thread()); // a task of the runtime
/// let pool = txaio::defer_to_thread(|| Ok::<_, txaio::Failure>(txaio::blocking::in_runtime_thread()));
/// assert!(!pool.await.unwrap()); // a blocking-pool job may wait
/// let plain = std::thread::spawn(txaio::blocking::in_runtime_thread).join().unwrap();
/// assert!(!plain); // so may a plain thread
/// # }
/// ```
#[doc(alias = "isInIOThread")]
pub fn in_runtime_thread() -> bool {
    rt::is_runtime_thread()
}

/// Runs `f` on the runtime and returns at once with its [`EventualResult`] (crochet's
/// `run_in_reactor`).
///
/// Calls [`setup`] if nobody did. `f` runs in a task of the background runtime of the current
/// backend, so its txaio calls (`spawn`, `sleep`, sockets) run there; it may return a
/// `Deferred<T>` (whose value is moved into the result) or a `Result<T, E>`. A panic in `f` is
/// a [`Panic`](crate::Panic) failure. After [`shutdown`], the result has failed at once with
/// [`RuntimeStoppedError`].
///
/// To run on a runtime of your own, use [`Txaio::run_in_runtime`](crate::Txaio::run_in_runtime).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let result = txaio::blocking::run_in_runtime(|| {
///     txaio::spawn(async { Ok::<_, txaio::Failure>(6 * 7) })
/// });
/// // ... do other work on this thread ...
/// assert_eq!(result.wait(Duration::from_secs(5)).unwrap(), 42);
/// ```
#[doc(alias = "run_in_reactor")]
pub fn run_in_runtime<T, R>(f: impl FnOnce() -> R + Send + 'static) -> EventualResult<T>
where
    T: Send + 'static,
    R: IntoDeferred<T>,
{
    let runtime = rt::current();
    if registry::stopped() {
        return EventualResult::failed(rt::background(runtime), Failure::new(RuntimeStoppedError));
    }
    let result = run_in(&rt::background(runtime), f);
    result.register();
    result
}

/// [`run_in_runtime`] on a given runtime instance.
pub(crate) fn run_in<T, R>(
    instance: &Instance,
    f: impl FnOnce() -> R + Send + 'static,
) -> EventualResult<T>
where
    T: Send + 'static,
    R: IntoDeferred<T>,
{
    let (result, settler) = EventualResult::pending(instance.clone());
    rt::spawn_in(instance, async move {
        settler.deliver(as_future(f)).await;
    });
    result
}

/// Runs `f` on the runtime and blocks until its result arrives, at most `timeout` (crochet's
/// `wait_for`). On timeout `f`'s deferred is cancelled.
///
/// # Errors
///
/// - `f`'s own failure (a panic in `f` is a [`Panic`](crate::Panic) failure);
/// - a [`TimeoutError`] failure after `timeout`;
/// - a [`RuntimeThreadError`] failure, before anything runs, when called on a runtime thread;
/// - a [`RuntimeStoppedError`] failure if the runtime stopped meanwhile.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let slow = txaio::blocking::wait_for(Duration::from_millis(20), || {
///     txaio::sleep(Duration::from_secs(3600))
/// });
/// assert!(slow.unwrap_err().is::<txaio::TimeoutError>()); // and the sleep was cancelled
/// ```
pub fn wait_for<T, R>(
    timeout: Duration,
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<T, Failure>
where
    T: Clone + Send + 'static,
    R: IntoDeferred<T>,
{
    if rt::is_runtime_thread() {
        return Err(Failure::new(RuntimeThreadError));
    }
    wait_or_cancel(&run_in_runtime(f), timeout)
}

/// Waits for `result`, cancelling it on timeout.
pub(crate) fn wait_or_cancel<T: Clone + Send + 'static>(
    result: &EventualResult<T>,
    timeout: Duration,
) -> Result<T, Failure> {
    let outcome = result.wait(timeout);
    if let Err(failure) = &outcome
        && failure.is::<TimeoutError>()
    {
        result.cancel_after_timeout();
    }
    outcome
}

/// Gives back a result stored by [`EventualResult::stash`], once (crochet's `retrieve_result`).
///
/// `None` for an id that was never given, one already retrieved, or a `T` other than the one
/// stashed (which leaves it stored).
///
/// # Examples
///
/// ```
/// let id = txaio::blocking::run_in_runtime(|| Ok::<_, txaio::Failure>(1_u32)).stash();
/// assert!(txaio::blocking::retrieve_result::<String>(id).is_none()); // wrong type: still stored
/// assert!(txaio::blocking::retrieve_result::<u32>(id).is_some());
/// assert!(txaio::blocking::retrieve_result::<u32>(id).is_none()); // only once
/// ```
pub fn retrieve_result<T: Send + 'static>(id: u64) -> Option<EventualResult<T>> {
    store::retrieve(id)
}

/// Stops the bridge: every pending result of [`run_in_runtime`] fails at once with
/// [`RuntimeStoppedError`], waiters included, later calls fail the same way, and tokio's
/// background runtime is shut down without waiting for its tasks. Stashed results that failed
/// and that nobody looked at are logged first. Never blocks; calling it again does nothing more.
///
/// Not needed at process exit, which never waits for the background runtime. Results of
/// [`Txaio::run_in_runtime`](crate::Txaio::run_in_runtime) on runtimes of your own are yours:
/// they fail with `RuntimeStoppedError` when their runtime drops their task.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
///
/// let pending = txaio::blocking::run_in_runtime(|| txaio::create_future::<u32>());
/// txaio::blocking::shutdown();
/// let failure = pending.wait(Duration::from_secs(5)).unwrap_err();
/// assert!(failure.is::<txaio::blocking::RuntimeStoppedError>());
/// ```
pub fn shutdown() {
    static SHUT_DOWN: AtomicBool = AtomicBool::new(false);
    if SHUT_DOWN.swap(true, Ordering::SeqCst) {
        return;
    }
    // Before failing the pending ones: those that fail only because of the shutdown are not
    // news, and whoever sees a result stop finds these already logged.
    for (id, failure) in store::unseen_failures() {
        crate::report::unhandled_stashed_result(id, &failure);
    }
    registry::stop_all();
    rt::shutdown_background();
}

//! The errors of the blocking bridge.

use std::error::Error;
use std::fmt;

/// A blocking wait was attempted on a runtime thread, where it could deadlock.
///
/// [`EventualResult::wait`](crate::blocking::EventualResult::wait) and
/// [`wait_for`](crate::blocking::wait_for) refuse to block a thread that runs tasks or timer
/// callbacks (a tokio worker, a thread inside any `block_on`, a smol executor thread, an
/// async-std task, a txaio timer callback): the result they would wait for may need that very
/// thread to arrive. A blocking-pool thread (`txaio::defer_to_thread`, tokio's `spawn_blocking`)
/// may wait, and so may a plain thread that only entered a tokio runtime. crochet raises a
/// `RuntimeError` here.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// // Inside async code: `.await` the deferred instead of blocking on it.
/// let waited = txaio::blocking::run_in_runtime(|| Ok::<_, txaio::Failure>(1)).wait(
///     std::time::Duration::from_secs(1),
/// );
/// assert!(waited.unwrap_err().is::<txaio::RuntimeThreadError>());
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuntimeThreadError;

impl fmt::Display for RuntimeThreadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a blocking wait on a runtime thread would deadlock; await the deferred instead, \
             or wait from a plain thread or `txaio::defer_to_thread`",
        )
    }
}

impl Error for RuntimeThreadError {}

/// The runtime stopped before the result arrived, so it never will (crochet's
/// `ReactorStopped`).
///
/// Every [`EventualResult`](crate::blocking::EventualResult) still pending when
/// [`blocking::shutdown`](crate::blocking::shutdown) runs, or whose task its runtime dropped
/// while shutting down, fails with it; so does every `run_in_runtime` after `shutdown`, and
/// the deferred of every [`spawn`](crate::spawn)ed task that its runtime dropped unfinished (an
/// application's own tokio runtime or smol executor, dropped). It is never logged as
/// unhandled: a shutdown is not news. Like a cancel's, its failure captures a backtrace only
/// while [`set_debugging`](crate::set_debugging) is on.
///
/// # Examples
///
/// ```
/// let failure = txaio::Failure::new(txaio::blocking::RuntimeStoppedError);
/// assert_eq!(
///     txaio::failure_message(&failure),
///     "RuntimeStoppedError: the runtime stopped before the result arrived",
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[doc(alias = "ReactorStopped")]
pub struct RuntimeStoppedError;

impl fmt::Display for RuntimeStoppedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the runtime stopped before the result arrived")
    }
}

impl Error for RuntimeStoppedError {}

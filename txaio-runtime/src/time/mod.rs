//! Timers: `call_later`, `sleep`, and the seam that lets a virtual clock stand in for real time.

mod batched;
mod entry;
pub(crate) mod virtual_clock;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::deferred::{Deferred, create_future};
use crate::rt;
pub(crate) use batched::make_batched_timer_in;
pub use batched::{BatchedTimer, make_batched_timer};
pub(crate) use entry::TimerEntry;
use entry::UntilFired;

/// A pending call made by [`call_later`]; Twisted's `IDelayedCall`.
///
/// `Send + Sync`; [`cancel`](DelayedCall::cancel) and [`active`](DelayedCall::active) are safe
/// from any thread, also racing the firing: the call either runs once or is cancelled, never
/// both, never twice. Dropping a `DelayedCall` does not cancel it.
#[derive(Debug, Clone)]
pub struct DelayedCall {
    handle: Handle,
}

#[derive(Debug, Clone)]
enum Handle {
    /// A timer of its own, made by `call_later`.
    Single(Arc<TimerEntry>),
    /// A place in a batched timer's bucket.
    Batched(batched::Key),
}

impl DelayedCall {
    /// Cancels the call if it is still pending; its function is dropped without running.
    ///
    /// Returns `true` if this call cancelled it, `false` if it had already run or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::testutil::replace_loop(|clock| {
    ///     let call = txaio::call_later(std::time::Duration::from_secs(1), || unreachable!());
    ///     assert!(call.cancel());
    ///     assert!(!call.cancel());
    ///     clock.advance(std::time::Duration::from_secs(2));
    /// });
    /// ```
    pub fn cancel(&self) -> bool {
        match &self.handle {
            Handle::Single(entry) => entry.cancel(),
            Handle::Batched(key) => key.cancel(),
        }
    }

    /// Whether the call is still pending (neither run nor cancelled).
    #[must_use]
    pub fn active(&self) -> bool {
        match &self.handle {
            Handle::Single(entry) => entry.is_pending(),
            Handle::Batched(key) => key.is_pending(),
        }
    }
}

/// Runs `f` once, on the runtime, no earlier than `delay` from now (txaio's `call_later`).
///
/// A panic in `f` is caught and logged. Inside [`testutil::replace_loop`](crate::testutil::replace_loop)
/// the call waits on the virtual clock instead.
///
/// # Panics
///
/// On tokio, outside a running tokio runtime (the message names the fix).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let fired = Arc::new(AtomicBool::new(false));
///     let flag = fired.clone();
///     txaio::call_later(Duration::from_millis(500), move || flag.store(true, Ordering::SeqCst));
///     clock.advance(Duration::from_millis(499));
///     assert!(!fired.load(Ordering::SeqCst));
///     clock.advance(Duration::from_millis(1));
///     assert!(fired.load(Ordering::SeqCst));
/// });
/// ```
#[doc(alias = "callLater")]
pub fn call_later(delay: Duration, f: impl FnOnce() + Send + 'static) -> DelayedCall {
    let entry = TimerEntry::new(Box::new(f));
    if !virtual_clock::schedule(delay, &entry) {
        let runtime = rt::current();
        let waiter = UntilFired::new(entry.clone(), rt::sleep_on(runtime, delay));
        rt::spawn_detached(waiter);
    }
    DelayedCall {
        handle: Handle::Single(entry),
    }
}

/// Time on this thread's clock: the virtual clock's inside `replace_loop`, else monotonic real
/// time since the first call. Batched timers place their buckets on it.
pub(crate) fn now() -> Duration {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    virtual_clock::now().unwrap_or_else(|| ORIGIN.get_or_init(Instant::now).elapsed())
}

/// A deferred that succeeds with `()` after `delay` (txaio's `sleep`).
///
/// Cancelling it cancels the timer.
///
/// # Panics
///
/// As [`call_later`].
///
/// # Examples
///
/// ```
/// # txaio::__private::block_on_default(async {
/// txaio::sleep(std::time::Duration::from_millis(1)).await.unwrap();
/// # });
/// ```
pub fn sleep(delay: Duration) -> Deferred<()> {
    let deferred = create_future();
    // Weak: a dropped sleep should not be kept alive by its own timer.
    let weak = deferred.downgrade();
    let call = call_later(delay, move || {
        if let Some(deferred) = weak.upgrade() {
            let _ = deferred.settle(Ok(()));
        }
    });
    deferred.set_canceller(Box::new(move |_| {
        call.cancel();
    }));
    deferred
}

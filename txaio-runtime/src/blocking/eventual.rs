//! `EventualResult`: a deferred's outcome, waited for from a blocking thread.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use super::errors::{RuntimeStoppedError, RuntimeThreadError};
use super::{registry, store};
use crate::deferred::Deferred;
use crate::errors::{CancelledError, TimeoutError};
use crate::failure::Failure;
use crate::report;
use crate::rt::{self, Instance};

/// The result of a call made with [`run_in_runtime`](super::run_in_runtime), for blocking code
/// to wait on (crochet's `EventualResult`).
///
/// `Send + Sync`: hand it to another thread, or [`stash`](EventualResult::stash) it and pick it
/// up later by id. A failure that nobody looked at (no [`wait`](EventualResult::wait) or
/// [`original_failure`](EventualResult::original_failure) saw it) is logged as
/// `Unhandled error in EventualResult: ...` when the result is dropped, or, if it was dropped
/// before the failure arrived, when it arrives; so is the `CancelledError` of your own
/// [`cancel`](EventualResult::cancel) if nobody looked at it (as crochet does). The
/// `CancelledError` of [`wait_for`](super::wait_for)'s cancel after its timeout (its caller had
/// the `TimeoutError`) and the `RuntimeStoppedError` of a shutdown are not.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let result = txaio::blocking::run_in_runtime(|| Ok::<_, txaio::Failure>("done"));
/// assert_eq!(result.wait(Duration::from_secs(5)).unwrap(), "done");
/// ```
pub struct EventualResult<T> {
    shared: Arc<Shared<T>>,
}

pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
    /// Mirrors `State::settled.is_some()`, for the lock-free spin at the start of `wait`.
    settled: AtomicBool,
    instance: Instance,
    /// `cancel` was called: read by the runtime side to cancel `f`'s deferred as soon as `f`
    /// returns it, also after the result was dropped.
    cancel_requested: AtomicBool,
    /// `wait_for` cancelled after its timeout: the `CancelledError` that follows is not news
    /// (its caller had the `TimeoutError`), so it is not reported.
    cancel_quietly: AtomicBool,
}

struct State<T> {
    settled: Option<Settled<T>>,
    /// The deferred `f` returned, once `f` ran: what `cancel` cancels.
    source: Option<Deferred<T>>,
    /// A `wait` or `original_failure` saw the outcome.
    retrieved: bool,
    /// Where the shutdown registry holds this result, if it does.
    registered: Option<registry::Key>,
    /// The `EventualResult` was dropped: a failure that arrives now is reported on arrival.
    abandoned: bool,
}

enum Settled<T> {
    /// The value, moved out of the source deferred; `None` while a `wait` has it out to clone
    /// it outside the lock (the waiters take turns: `T` need not be `Sync`).
    Value(Option<T>),
    Failed(Failure),
}

impl<T: Send + 'static> EventualResult<T> {
    /// A pending result whose outcome `settler` will deliver.
    pub(super) fn pending(instance: Instance) -> (EventualResult<T>, Settler<T>) {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                settled: None,
                source: None,
                retrieved: false,
                registered: None,
                abandoned: false,
            }),
            ready: Condvar::new(),
            settled: AtomicBool::new(false),
            instance,
            cancel_requested: AtomicBool::new(false),
            cancel_quietly: AtomicBool::new(false),
        });
        let settler = Settler {
            shared: Some(Arc::clone(&shared)),
        };
        (EventualResult { shared }, settler)
    }

    /// A result that already failed (a call refused before it started).
    pub(super) fn failed(instance: Instance, failure: Failure) -> EventualResult<T> {
        let (result, settler) = EventualResult::pending(instance);
        settler.settle(Settled::Failed(failure));
        result
    }

    /// Records the shutdown registry's key, or fails at once if shutdown already ran.
    pub(super) fn register(&self) {
        let weak: Weak<dyn registry::Stop> =
            Arc::downgrade(&self.shared) as Weak<dyn registry::Stop>;
        let key = registry::register(weak);
        let mut state = self.shared.lock();
        match key {
            Some(key) if state.settled.is_none() => state.registered = Some(key),
            Some(key) => {
                drop(state);
                registry::deregister(key);
            }
            None => {
                drop(state);
                registry::Stop::stop(&*self.shared);
            }
        }
    }

    /// Waits up to `timeout` for the outcome: the value, or the failure; the same answer on
    /// every call once there is one.
    ///
    /// # Errors
    ///
    /// - the call's own failure (a panic in `f` is a [`Panic`](crate::Panic) failure, and so is
    ///   a panic in `T::clone`);
    /// - a [`TimeoutError`] failure if there is no outcome after `timeout` (a later `wait` may
    ///   still get it; `Duration::MAX` waits for ever, zero only looks);
    /// - at once, a [`RuntimeThreadError`] failure on a runtime thread, where waiting could
    ///   deadlock;
    /// - a [`RuntimeStoppedError`](super::RuntimeStoppedError) failure if the runtime stopped
    ///   before the outcome arrived.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let result = txaio::blocking::run_in_runtime(|| {
    ///     txaio::sleep(Duration::from_millis(10))
    /// });
    /// assert!(result.wait(Duration::from_secs(5)).is_ok());
    /// ```
    ///
    /// # Locking
    ///
    /// `T::clone` runs with no lock of txaio's held: it may look at this result
    /// ([`is_ready`](Self::is_ready), `{:?}`) and take the application's own locks. Waits on one
    /// result take turns with the value, as `T` need not be `Sync`: while one clones it,
    /// another waits for its turn (within its own `timeout`), so a `T::clone` must not
    /// `wait` on the result it is a clone of.
    pub fn wait(&self, timeout: Duration) -> Result<T, Failure>
    where
        T: Clone,
    {
        if rt::is_runtime_thread() {
            return Err(Failure::new(RuntimeThreadError));
        }
        let deadline = Instant::now().checked_add(timeout);
        if !timeout.is_zero() {
            self.shared.spin_until_settled();
        }
        let mut state = self.shared.lock();
        loop {
            match &mut state.settled {
                Some(Settled::Failed(failure)) => {
                    let failure = failure.clone();
                    state.retrieved = true;
                    return Err(failure);
                }
                Some(Settled::Value(slot)) => {
                    if let Some(value) = slot.take() {
                        state.retrieved = true;
                        drop(state);
                        return self.shared.clone_and_return(value);
                    }
                    // Another `wait` has the value out: its turn ends soon.
                }
                None => {}
            }
            state = match deadline {
                None => self
                    .shared
                    .ready
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Failure::new(TimeoutError));
                    }
                    self.shared
                        .ready
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    /// Cancels the underlying deferred, on its runtime; a later [`wait`](Self::wait) then
    /// sees its [`CancelledError`](crate::CancelledError) (or whatever its canceller chose).
    /// Called before `f` has run, `f`'s deferred is cancelled as soon as `f` returns it.
    /// Does nothing once there is an outcome. A `CancelledError` nobody looks at (no `wait`, no
    /// [`original_failure`](Self::original_failure)) is reported when the result drops, as
    /// crochet does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let result = txaio::blocking::run_in_runtime(|| txaio::create_future::<u32>());
    /// result.cancel();
    /// let failure = result.wait(Duration::from_secs(5)).unwrap_err();
    /// assert!(failure.is::<txaio::CancelledError>());
    /// ```
    pub fn cancel(&self) {
        self.shared.cancel_requested.store(true, Ordering::SeqCst);
        self.cancel_on_runtime();
    }

    /// `cancel` for `wait_for` after its timeout: the `CancelledError` that follows is not
    /// reported, as the caller had the `TimeoutError`.
    pub(super) fn cancel_after_timeout(&self) {
        self.shared.cancel_quietly.store(true, Ordering::SeqCst);
        self.cancel();
    }

    fn cancel_on_runtime(&self) {
        let state = self.shared.lock();
        if state.settled.is_some() {
            return;
        }
        let source = state.source.clone();
        drop(state);
        if let Some(source) = source {
            cancel_on(&self.shared.instance, source);
        }
    }

    /// The failure, if the outcome is there and is one; `None` while pending or on success.
    /// The failure then counts as seen (it is not logged on drop).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let result = txaio::blocking::run_in_runtime(|| Err::<u32, _>(std::fmt::Error));
    /// assert!(result.wait(Duration::from_secs(5)).is_err());
    /// assert!(result.original_failure().unwrap().is::<std::fmt::Error>());
    /// ```
    pub fn original_failure(&self) -> Option<Failure> {
        let mut state = self.shared.lock();
        state.settled.as_ref()?;
        state.retrieved = true;
        match &state.settled {
            Some(Settled::Failed(failure)) => Some(failure.clone()),
            _ => None,
        }
    }

    /// Stores this result under a fresh id, strictly greater than every id given before, for
    /// [`retrieve_result`](super::retrieve_result) (crochet's `stash`): hand the id to code
    /// that cannot hold the result itself, such as the next request of a web session.
    ///
    /// # Examples
    ///
    /// ```
    /// let result = txaio::blocking::run_in_runtime(|| Ok::<_, txaio::Failure>(7_u8));
    /// let id = result.stash();
    /// let again = txaio::blocking::retrieve_result::<u8>(id).unwrap();
    /// assert_eq!(again.wait(std::time::Duration::from_secs(5)).unwrap(), 7);
    /// assert!(txaio::blocking::retrieve_result::<u8>(id).is_none());
    /// ```
    pub fn stash(self) -> u64 {
        store::stash(self)
    }

    /// Whether an outcome is there (a `wait` would return at once). Unlike `wait`, looking
    /// does not count a failure as seen.
    ///
    /// # Examples
    ///
    /// ```
    /// let result = txaio::blocking::run_in_runtime(|| txaio::create_future::<u8>());
    /// assert!(!result.is_ready()); // its deferred never fires
    /// ```
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.shared.settled.load(Ordering::Acquire)
    }

    /// The failure if the outcome is a failure nobody has seen yet (for the shutdown log).
    pub(super) fn unseen_failure(&self) -> Option<Failure> {
        let state = self.shared.lock();
        match &state.settled {
            Some(Settled::Failed(failure)) if !state.retrieved => Some(failure.clone()),
            _ => None,
        }
    }
}

/// Cancels `source` from a task on `instance`, as crochet cancels from the reactor thread.
fn cancel_on<T: Send + 'static>(instance: &Instance, source: Deferred<T>) {
    rt::spawn_in(instance, async move {
        crate::deferred::cancel(&source);
    });
}

const SPIN_STEPS: u32 = 10;

impl<T> Shared<T> {
    /// Spins and yields a little before `wait` sleeps, as `std::sync::mpsc` does: a result
    /// that is a round trip away then costs no sleep and wake-up of the waiting thread.
    fn spin_until_settled(&self) {
        for step in 0..=SPIN_STEPS {
            if self.settled.load(Ordering::Acquire) {
                return;
            }
            if step <= 6 {
                for _ in 0..1_u32 << step {
                    std::hint::spin_loop();
                }
            } else {
                std::thread::yield_now();
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under this lock: no `T::clone`, no drop of a `T`, no `Debug` write.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Clones `value`, taken out of the slot by a `wait`, with no lock held, and puts it back
    /// for the next waiter. A panic in `T::clone` is a `Panic` failure.
    fn clone_and_return(&self, value: T) -> Result<T, Failure>
    where
        T: Clone,
    {
        let cloned = crate::panic::catch(|| value.clone()).map_err(Failure::new);
        let mut state = self.lock();
        if let Some(Settled::Value(slot)) = &mut state.settled {
            *slot = Some(value);
        }
        drop(state);
        self.ready.notify_all();
        cloned
    }

    /// Fires the result once; later outcomes are dropped. `false` if it had one.
    fn settle(&self, settled: Settled<T>) -> bool {
        let mut state = self.lock();
        if state.settled.is_some() {
            drop(state);
            // The outcome that came too late is dropped here, with no lock held.
            drop(settled);
            return false;
        }
        // Nobody will look at a result that was dropped: a failure is told now.
        let untold = match &settled {
            Settled::Failed(failure) if state.abandoned && self.untold(failure) => {
                Some(failure.clone())
            }
            _ => None,
        };
        state.settled = Some(settled);
        self.settled.store(true, Ordering::Release);
        let registered = state.registered.take();
        drop(state);
        self.ready.notify_all();
        if let Some(key) = registered {
            registry::deregister(key);
        }
        if let Some(failure) = untold {
            report::unhandled_eventual_result(&failure);
        }
        true
    }

    /// Whether an unseen `failure` is news: not the `CancelledError` of `wait_for`'s cancel
    /// after its timeout, nor the `RuntimeStoppedError` of a shutdown. The `CancelledError` of
    /// the caller's own `cancel` is, as in crochet: a result cancelled and never looked at is
    /// reported like any other failure nobody saw.
    fn untold(&self, failure: &Failure) -> bool {
        let quiet = failure.is::<CancelledError>() && self.cancel_quietly.load(Ordering::SeqCst);
        !quiet && !failure.is::<RuntimeStoppedError>()
    }
}

impl<T: Send> registry::Stop for Shared<T> {
    fn stop(&self) {
        self.settle(Settled::Failed(Failure::new(RuntimeStoppedError)));
    }
}

impl<T> Drop for EventualResult<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.abandoned = true;
        let registered = state.registered.take();
        let untold = match &state.settled {
            Some(Settled::Failed(failure)) if !state.retrieved && self.shared.untold(failure) => {
                Some(failure.clone())
            }
            _ => None,
        };
        drop(state);
        if let Some(key) = registered {
            registry::deregister(key);
        }
        if let Some(failure) = untold {
            report::unhandled_eventual_result(&failure);
        }
    }
}

/// The runtime side of a pending [`EventualResult`]: delivers the outcome once. Dropped without
/// delivering (its task dropped by a runtime shutting down), it fails the result with
/// [`RuntimeStoppedError`].
pub(super) struct Settler<T> {
    shared: Option<Arc<Shared<T>>>,
}

impl<T: Send + 'static> Settler<T> {
    fn settle(mut self, settled: Settled<T>) {
        if let Some(shared) = self.shared.take() {
            shared.settle(settled);
        }
    }

    /// Runs on the runtime, in the task of `run_in_runtime`: hooks the result up to
    /// `source`, the deferred `f` returned, then moves its outcome in (consumed as by
    /// [`Deferred::take`]: its other holders then see a `TakenError`).
    pub(super) async fn deliver(self, source: Deferred<T>) {
        let Some(shared) = self.shared.as_ref() else {
            return;
        };
        shared.lock().source = Some(source.clone());
        // Read after `source` is in place: a `cancel` racing this either sees the source or
        // left the flag for us.
        if shared.cancel_requested.load(Ordering::SeqCst) {
            // `cancel` came before `f` had returned its deferred (crochet's immediate cancel);
            // this runs on the runtime already.
            crate::deferred::cancel(&source);
        }
        let settled = match source.take().await {
            Ok(value) => Settled::Value(Some(value)),
            Err(failure) => Settled::Failed(failure),
        };
        self.settle(settled);
    }
}

impl<T> Drop for Settler<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.settle(Settled::Failed(Failure::new(RuntimeStoppedError)));
        }
    }
}

impl<T> fmt::Debug for EventualResult<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Read under the lock, written without it: the writer is the caller's code.
        let status = match &self.shared.lock().settled {
            None => "pending",
            Some(Settled::Failed(_)) => "failed",
            Some(Settled::Value(_)) => "succeeded",
        };
        f.debug_struct("EventualResult")
            .field("state", &status)
            .field("runtime", &self.shared.instance.runtime())
            .finish_non_exhaustive()
    }
}

//! `Deferred<T>`: a result that arrives later, with callbacks and awaiters.

mod api;
mod reactions;
mod task;
mod waiters;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};

pub use api::{
    IntoDeferred, add_callback, add_callbacks, add_errback, as_future, cancel, create_future,
    create_future_error, create_future_success, create_future_with_canceller, is_called, reject,
    resolve,
};
pub(crate) use reactions::{Reaction, reaction};
pub(crate) use task::spawn_on;
pub use task::{defer_to_thread, spawn};

use crate::errors::{AlreadyCalledError, CancelledError};
use crate::failure::Failure;
use crate::report;
use reactions::Reactions;
use waiters::{Place, Waiters};

type Canceller<T> = Box<dyn FnOnce(&Deferred<T>) + Send>;

/// A result that arrives later: Twisted's `Deferred`, asyncio's `Future`.
///
/// A deferred fires once, with a `T` or a [`Failure`]. Callbacks added with
/// [`add_callbacks`] run on the thread that fires it, in the order they were added, and all
/// see the same value (they do not chain). `.await` gives each awaiter a clone of the result.
///
/// `Deferred` is a cheap handle: `clone` gives another handle to the *same* deferred, and it is
/// `Send + Sync` whenever `T: Send`. Dropping a handle never cancels anything; only [`cancel`]
/// does. A failure nobody handled (no errback, no awaiter) is logged when the last handle drops.
///
/// # Examples
///
/// ```
/// # txaio::__private::block_on_default(async {
/// let d = txaio::create_future::<String>();
/// txaio::add_callbacks(&d, |value| println!("got {value}"), |failure| println!("{failure}"));
/// txaio::resolve(&d, "hello".to_owned()).unwrap();
/// assert_eq!(d.await.unwrap(), "hello");
/// # });
/// ```
#[must_use = "a deferred does nothing unless its result is used; add a callback or await it"]
pub struct Deferred<T> {
    inner: Arc<Inner<T>>,
    /// This handle's waker slot among the awaiters.
    waiter: Option<Place>,
}

struct Inner<T> {
    state: Mutex<State<T>>,
    /// Mirrors `State::fired`, so that the task driving a spawned deferred checks for a cancel
    /// without taking the lock on every poll.
    fired: AtomicBool,
}

#[allow(clippy::struct_excessive_bools)] // independent flags, not a state machine in disguise
struct State<T> {
    fired: bool,
    /// The result once fired; `None` while pending or while lent to the thread running callbacks.
    result: Option<Result<T, Failure>>,
    /// Some thread is running callbacks; new ones queue behind them.
    running: bool,
    reactions: Reactions<T>,
    canceller: Option<Canceller<T>>,
    /// Awaiters, a slot per awaiting handle, emptied when woken.
    waiters: Waiters,
    /// The task driving a spawned deferred, woken if someone else fires the deferred.
    task: Option<Waker>,
    cancelled: bool,
    /// A failure counts as handled once an errback, an awaiter or a consumer has seen it.
    handled: bool,
}

/// A handle that does not keep the deferred alive (for cancellers that would otherwise cycle).
pub(crate) struct WeakDeferred<T>(Weak<Inner<T>>);

impl<T> WeakDeferred<T> {
    pub(crate) fn upgrade(&self) -> Option<Deferred<T>> {
        self.0.upgrade().map(Deferred::from_inner)
    }
}

impl<T> Deferred<T> {
    pub(crate) fn new_pending() -> Self {
        Deferred::from_inner(Arc::new(Inner {
            state: Mutex::new(State {
                fired: false,
                result: None,
                running: false,
                reactions: Reactions::new(),
                canceller: None,
                waiters: Waiters::default(),
                task: None,
                cancelled: false,
                handled: false,
            }),
            fired: AtomicBool::new(false),
        }))
    }

    fn from_inner(inner: Arc<Inner<T>>) -> Self {
        Deferred {
            inner,
            waiter: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under this lock, so a poisoned lock still holds a consistent state.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn downgrade(&self) -> WeakDeferred<T> {
        WeakDeferred(Arc::downgrade(&self.inner))
    }

    /// Whether this deferred has fired.
    #[must_use]
    pub fn is_called(&self) -> bool {
        self.lock().fired
    }

    /// Whether both handles refer to the same deferred.
    #[must_use]
    pub fn ptr_eq(&self, other: &Deferred<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T: Send + 'static> Deferred<T> {
    pub(crate) fn set_canceller(&self, canceller: Canceller<T>) {
        let mut state = self.lock();
        if !state.fired {
            state.canceller = Some(canceller);
        }
    }

    /// Fires the deferred. `Err(AlreadyCalledError)` if it had fired, unless it was cancelled.
    pub(crate) fn settle(&self, outcome: Result<T, Failure>) -> Result<(), AlreadyCalledError> {
        self.settle_with(outcome, Settle::Outside)
    }

    fn settle_with(
        &self,
        outcome: Result<T, Failure>,
        how: Settle,
    ) -> Result<(), AlreadyCalledError> {
        let mut state = self.lock();
        if state.fired {
            let cancelled = state.cancelled;
            drop(state);
            drop(outcome);
            return if cancelled {
                Ok(())
            } else {
                Err(AlreadyCalledError)
            };
        }
        state.fired = true;
        self.inner.fired.store(true, Ordering::Release);
        if matches!(how, Settle::Cancel) {
            state.handled = true;
        }
        let canceller = state.canceller.take();
        let task = state.task.take();
        let reactions = state.reactions.take();
        if reactions.is_empty() {
            state.result = Some(outcome);
            let woken = state.waiters.take();
            drop(state);
            woken.wake_all();
        } else {
            state.running = true;
            drop(state);
            self.run_reactions(outcome, reactions);
        }
        drop(canceller);
        if let Some(task) = task
            && !matches!(how, Settle::ByTask)
        {
            task.wake();
        }
        Ok(())
    }

    /// Runs `batch`, then whatever was queued meanwhile, then hands the result back and wakes
    /// the awaiters. Called with `running` set and the result lent out of the state.
    fn run_reactions(&self, outcome: Result<T, Failure>, mut batch: Reactions<T>) {
        loop {
            for reaction in batch.take().into_ordered() {
                if let Err(panic) = crate::panic::catch(|| reaction.react(outcome.as_ref())) {
                    report::callback_panicked(&panic);
                }
            }
            let mut state = self.lock();
            if state.reactions.is_empty() {
                state.result = Some(outcome);
                state.running = false;
                let woken = state.waiters.take();
                drop(state);
                woken.wake_all();
                return;
            }
            batch = state.reactions.take();
        }
    }

    /// Adds a reaction: queued while pending or while callbacks run, else run here and now.
    pub(crate) fn add_reaction(&self, reaction: Box<dyn Reaction<T>>, handles_failure: bool) {
        let mut state = self.lock();
        if handles_failure {
            state.handled = true;
        }
        if !state.fired || state.running {
            state.reactions.push(reaction);
            return;
        }
        let Some(outcome) = state.result.take() else {
            // Fired, idle, yet no result: cannot happen, as the result is only lent while
            // `running`. Queue rather than lose the callback.
            state.reactions.push(reaction);
            return;
        };
        state.running = true;
        drop(state);
        let mut batch = Reactions::new();
        batch.push(reaction);
        self.run_reactions(outcome, batch);
    }

    pub(crate) fn cancel(&self) {
        let mut state = self.lock();
        if state.fired || state.cancelled {
            return;
        }
        state.cancelled = true;
        let canceller = state.canceller.take();
        drop(state);
        if let Some(canceller) = canceller {
            if let Err(panic) = crate::panic::catch(|| canceller(self)) {
                report::canceller_panicked(&panic);
            }
        }
        let _ = self.settle_with(Err(Failure::new(CancelledError)), Settle::Cancel);
    }

    /// For the task driving a spawned deferred: whether it fired (was cancelled), lock-free.
    pub(crate) fn fired_for_task(&self) -> bool {
        self.inner.fired.load(Ordering::Acquire)
    }

    /// For the task driving a spawned deferred, after its future returned pending: ready if the
    /// deferred fired meanwhile, else the task is woken when it fires.
    pub(crate) fn poll_fired_for_task(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.lock();
        if state.fired {
            return Poll::Ready(());
        }
        match &state.task {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.task = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    pub(crate) fn settle_by_task(&self, outcome: Result<T, Failure>) {
        // The task's own deferred fired earlier only if it was cancelled: nothing to report.
        let _ = self.settle_with(outcome, Settle::ByTask);
    }
}

#[derive(Clone, Copy)]
enum Settle {
    Outside,
    ByTask,
    Cancel,
}

impl<T: Clone + Send + 'static> Future for Deferred<T> {
    type Output = Result<T, Failure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut state = this
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(result) = &state.result {
            let result = result.clone();
            if result.is_err() {
                state.handled = true;
            }
            // Any place this handle held was emptied when the deferred fired.
            this.waiter = None;
            return Poll::Ready(result);
        }
        state.waiters.register(&mut this.waiter, cx.waker());
        Poll::Pending
    }
}

impl<T> Clone for Deferred<T> {
    fn clone(&self) -> Self {
        Deferred::from_inner(Arc::clone(&self.inner))
    }
}

impl<T> Drop for Deferred<T> {
    fn drop(&mut self) {
        let Some(place) = self.waiter else {
            return;
        };
        let mut state = self.lock();
        let stale_waker = state.waiters.remove(place);
        drop(state);
        drop(stale_waker);
    }
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(Err(failure)) = &state.result
            && !state.handled
        {
            report::unhandled_failure(failure);
        }
    }
}

impl<T> fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        let status = match (&state.result, state.fired) {
            (_, false) => "pending",
            (Some(Ok(_)), true) => "succeeded",
            (Some(Err(_)), true) => "failed",
            (None, true) => "running callbacks",
        };
        f.debug_struct("Deferred")
            .field("state", &status)
            .finish_non_exhaustive()
    }
}

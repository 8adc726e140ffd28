//! `Deferred<T>`: a result that arrives later, with callbacks and awaiters.
//!
//! # The state machine
//!
//! A deferred's state is one [`Phase`] plus a few flags that are truly independent of it:
//!
//! ```text
//!   Pending ──fire──────────────────────────┐
//!      │                                     ▼
//!    cancel ──► Cancelling ──canceller or──► RunningCallbacks ──queue empty──► Done(outcome)
//!                           CancelledError        ▲                                │
//!                                                 └──── a callback added, `.await` ┘
//! ```
//!
//! (`fire` goes straight to `Done` when there is nothing to run.) One flag, `attached`, says
//! whether anything was ever attached (a callback, taker, awaiter, canceller, task, awaited
//! deferred, debugging record): while it is false, firing is storing the outcome and dropping
//! is dropping the outcome, the common deferred's whole life. The lock guarding the state
//! (a short spin lock, `crate::short_lock`) is never held while user code runs: callbacks,
//! cancellers, `T::clone`, the drop of a canceller, of a refused value or of a replaced waker,
//! and the writes of `Debug` all happen after it is released, with the outcome *lent* out of
//! the state (`RunningCallbacks`) when they need to see it.
//!
//! # Invariants
//!
//! 1. `closed` is false exactly while the phase is `Pending`; it is set, never cleared, when
//!    the deferred fires or its cancel begins.
//! 2. `Done` and `Queued` hold the outcome. `RunningCallbacks` means one thread has it on
//!    loan and puts it back (`put_back`, `settle_down`) before any other thread sees it. In
//!    `Done` no callback, taker or awaiter is left.
//! 3. `attached` is set whenever anything is attached (a callback, taker, awaiter,
//!    canceller, task, awaited deferred, give-back or debugging record), and never cleared.
//!    Only `State`'s own methods (`state.rs`, where those fields are private) attach, and
//!    they set it. While it is false the state owns its outcome and nothing else.
//! 4. `Queued`: fired from inside another deferred's callbacks. The chain trampoline of the
//!    thread that fired it holds a handle and runs its callbacks; no one else does.
//! 5. `Cancelling { by }`: only thread `by` (the canceller it calls, or the cancel finishing)
//!    fires it; everyone else's `resolve` is ignored, and an `offer` is refused.
//! 6. A withdrawable deferred (`users` has `COUNTED`) whose last handle drops before it is
//!    served, with nothing attached that would see it fire (a watcher, such as a timeout's
//!    timer release, does not count: `observed`), withdraws, as a cancel; one its primitive
//!    served (an offer) with a value nobody saw gives it back through its give-back, so the
//!    value is in exactly one place. A value its holder resolved it with is not the
//!    primitive's: the give-back goes when it fires that way.
//! 7. No code but field moves runs under a short lock: not callbacks, cancellers, a waker's
//!    clone, wake or drop, `T::clone` or `T::drop`, nor a `Debug` write. Debug builds panic
//!    when a thread takes a short lock it holds (`crate::short_lock`). A change that lets go
//!    of something (a canceller, the phase it left, a replaced waker, awaiters or a task to
//!    wake) collects it in a `LetGo` and ends with `unlock_then`, which releases the lock and
//!    then drops and wakes, always in the same order.
//! 8. Lock order: a coordination primitive's state, then a waiter's hand-off slot, then a
//!    deferred's state. None is taken while a later one in that order is held.

mod api;
mod cascade;
mod chain;
mod debug;
mod reactions;
mod state;
mod take;
mod task;
mod thin;
mod waiters;

use std::backtrace::Backtrace;
use std::fmt;
use std::future::Future;
use std::mem;
use std::panic::Location;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};
use std::thread;

pub use api::{
    IntoDeferred, add_callback, add_callbacks, add_errback, as_future, cancel, create_future,
    create_future_error, create_future_success, create_future_with_canceller, is_called, reject,
    resolve,
};
pub use chain::{add_both, recover, shield, then};
pub(crate) use reactions::{Reaction, reaction};
pub use take::{CloneOnAwait, Take};
pub(crate) use task::spawn_on;
pub use task::{defer_to_thread, spawn};

use crate::errors::{AlreadyCalledError, CancelledError, TakenError};
use crate::failure::{Failure, is_debugging};
use crate::report;
use crate::short_lock::{ShortGuard, ShortLock};
use cascade::{Awaited, Cancel, Registry};
use debug::Sites;
use reactions::Reactions;
use state::{LetGo, Phase, State, unlock_then};
use waiters::WaiterKey;

type StateLock<T> = ShortLock<State<T>>;
type StateGuard<'a, T> = ShortGuard<'a, State<T>>;

pub(crate) type Canceller<T> = Box<dyn FnOnce(&Deferred<T>) + Send>;

/// Takes back a value handed to a waiter that nobody saw (see [`Deferred::withdraw`]).
pub(crate) type GiveBack<T> = Weak<dyn TakeBack<T>>;

/// A coordination primitive that takes back a value handed to a waiter nobody saw.
pub(crate) trait TakeBack<T>: Send + Sync {
    /// Takes `value` back, first in line.
    fn take_back(self: Arc<Self>, value: T);
}

/// Internal consumer of a deferred's outcome that moves it (a chain flattening a returned
/// deferred): the first one gets the value, the others a [`TakenError`] failure.
pub(crate) type Taker<T> = Box<dyn FnOnce(Result<T, Failure>) + Send>;

/// A result that arrives later: Twisted's `Deferred`, asyncio's `Future`.
///
/// A deferred fires once, with a `T` or a [`Failure`]. Callbacks added with
/// [`add_callbacks`] run on the thread that fires it, in the order they were added, and all
/// see the same value (they do not chain; [`then`] makes a chained deferred).
///
/// `.await` gives each awaiter a **clone** of the result, so it needs `T: Clone`
/// ([`CloneOnAwait`]). A value that is not `Clone` (a socket, a connection) is moved out with
/// [`take`](Deferred::take): `let sock = connect(addr).take().await?`.
///
/// `Deferred` is a cheap handle: `clone` gives another handle to the *same* deferred, and it is
/// `Send + Sync` whenever `T: Send`. Dropping a handle never cancels anything; only [`cancel`]
/// does. A failure nobody handled (no errback, no awaiter) is logged when the last handle
/// drops, except a [`CancelledError`](crate::CancelledError): a cancel is the caller's own
/// doing, and is never reported.
///
/// # Cancellation
///
/// [`cancel`] on the deferred of a spawned task or a `#[portable] async fn` first cancels
/// every deferred that task is waiting on at that moment (what its future was left pending on
/// when last polled, and what those wait on, to any depth: a child portable call, a `sleep`,
/// whose timer is released), then stops the task: its future is not polled again and is
/// dropped by its runtime soon after, so its drop guards run. Work that is not a deferred
/// (a thread started by [`defer_to_thread`]) is not interrupted. Await [`shield`] of a deferred
/// that others still need.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let d = txaio::create_future::<String>();
/// txaio::add_callbacks(&d, |value| println!("got {value}"), |failure| println!("{failure}"));
/// txaio::resolve(&d, "hello".to_owned()).unwrap();
/// assert_eq!(d.await.unwrap(), "hello");
/// # }
/// ```
#[must_use = "a deferred does nothing unless its result is used; add a callback or await it"]
pub struct Deferred<T> {
    inner: Arc<Inner<T>>,
    /// Where this handle's waker sits among the awaiters, while it awaits.
    waiter: Option<WaiterKey>,
}

struct Inner<T> {
    state: StateLock<T>,
    /// Set, never cleared, when the deferred fires or its cancel begins: the task driving a
    /// spawned deferred reads it without the lock before each poll, and stops once it is set.
    closed: AtomicBool,
    /// 0 for most deferreds. A coordination primitive's waiter ([`Deferred::new_withdrawable`])
    /// has [`COUNTED`] set and counts its handles in the other bits: when the last one drops
    /// before it is served, the waiter withdraws (see [`Deferred::withdraw`]).
    users: AtomicU32,
}

/// The bit of [`Inner::users`] that says the handles are counted.
const COUNTED: u32 = 1 << 31;

/// Who fires the deferred.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FiredBy {
    /// `resolve`/`reject`, a canceller, txaio's own combinators: anyone but the task.
    Caller,
    /// The task driving a spawned deferred, with its future's output.
    Task,
    /// [`Held::offer`]: fires a pending deferred only, and hands the outcome back
    /// otherwise, even to the thread cancelling it.
    Offer,
}

/// An outcome [`Deferred::fire`] did not take, handed back to be dropped (or passed on)
/// outside the lock.
struct Refused<T> {
    outcome: Result<T, Failure>,
    /// Set when the deferred had fired and was not cancelled, and the firing was a
    /// `resolve`/`reject` that must hear of it: the error it gets.
    already_called: Option<AlreadyCalledError>,
}

impl<T> Refused<T> {
    /// A refusal as `resolve`/`reject` report it: an error if the deferred had fired, nothing
    /// if the outcome was ignored because of a cancel.
    fn into_error(self) -> Result<(), AlreadyCalledError> {
        let Refused {
            outcome,
            already_called,
        } = self;
        drop(outcome);
        already_called.map_or(Ok(()), Err)
    }
}

/// A handle that does not keep the deferred alive (for cancellers that would otherwise cycle).
pub(crate) struct WeakDeferred<T>(Weak<Inner<T>>);

impl<T> WeakDeferred<T> {
    pub(crate) fn upgrade(&self) -> Option<Deferred<T>> {
        self.0.upgrade().map(Deferred::from_inner)
    }
}

impl<T> Deferred<T> {
    #[track_caller]
    #[inline]
    pub(crate) fn new_pending() -> Self {
        // `Arc::default` allocates first and builds the value in place; `Arc::new` builds it
        // on the stack and copies it over (a `memcpy` call on the path of every deferred).
        Deferred::with_debugging_record(Arc::default())
    }

    /// A pending deferred whose cancel first cancels `awaited` (a chain's source).
    #[track_caller]
    fn new_awaiting(awaited: Awaited) -> Self {
        Deferred::with_debugging_record(Arc::new(Inner {
            state: StateLock::new(State::pending(awaited)),
            closed: AtomicBool::new(false),
            users: AtomicU32::new(0),
        }))
    }

    /// Adds the creation record when debugging is on, while the new deferred is unshared.
    #[track_caller]
    #[inline]
    fn with_debugging_record(mut inner: Arc<Inner<T>>) -> Self {
        if is_debugging() {
            Self::record_creation(&mut inner, Location::caller());
        }
        Deferred::from_inner(inner)
    }

    #[cold]
    fn record_creation(inner: &mut Arc<Inner<T>>, created: &'static Location<'static>) {
        if let Some(sites) = Sites::if_debugging(created)
            && let Some(unique) = Arc::get_mut(inner)
        {
            let state = unique.state.get_mut();
            state.set_sites(sites);
        }
    }

    /// A handle to `inner`: a new deferred's first, or one made inside txaio from a shared
    /// `inner` (counted like any other, so that its drop balances).
    fn from_inner(inner: Arc<Inner<T>>) -> Self {
        inner.count_handle();
        Deferred {
            inner,
            waiter: None,
        }
    }

    /// A pending deferred whose handles are counted: when the last one drops before it fired,
    /// with no callback or consumer attached (nobody could see it fire), it
    /// [withdraws](Deferred::withdraw). The coordination primitives hold their waiters through
    /// [`Held`], which does not count.
    ///
    /// A value it is handed that nobody sees goes back to `give_back`.
    #[track_caller]
    pub(crate) fn new_withdrawable(give_back: GiveBack<T>) -> Self {
        let mut inner: Arc<Inner<T>> = Arc::default();
        if let Some(unique) = Arc::get_mut(&mut inner) {
            *unique.users.get_mut() = COUNTED | 1;
            unique.state.get_mut().set_give_back(give_back);
        }
        if is_debugging() {
            Self::record_creation(&mut inner, Location::caller());
        }
        Deferred {
            inner,
            waiter: None,
        }
    }

    /// [`new_withdrawable`](Deferred::new_withdrawable), already fired with `value`: what a
    /// get that finds a value stored returns. Built fired, without the lock and the firing
    /// path, as nothing can be attached to it yet (outside debugging, which records where it
    /// fired).
    #[track_caller]
    pub(crate) fn new_withdrawable_fired(give_back: GiveBack<T>, value: T) -> Self
    where
        T: Send + 'static,
    {
        let mut got = Self::new_withdrawable(give_back);
        // A debugging record (made by `new_withdrawable` if debugging was on) wants its
        // firing site: that takes the firing path.
        let mut value = Some(value);
        if let Some(unique) = Arc::get_mut(&mut got.inner) {
            let state = unique.state.get_mut();
            if state.sites().is_none()
                && let Some(value) = value.take()
            {
                mem::replace(&mut state.phase, Phase::Done(Ok(value))).discard();
                *unique.closed.get_mut() = true;
            }
        }
        if let Some(value) = value {
            // Fired as the primitive fires its waiters, so that it keeps its give-back.
            let _ = got.hold().offer(Ok(value));
        }
        got
    }

    /// A hold on the deferred that is not one of its handles: it keeps the deferred alive but
    /// does not keep a withdrawable one from withdrawing.
    pub(crate) fn hold(&self) -> Held<T> {
        Held(Arc::clone(&self.inner))
    }

    fn lock(&self) -> StateGuard<'_, T> {
        self.inner.lock()
    }

    pub(crate) fn downgrade(&self) -> WeakDeferred<T> {
        WeakDeferred(Arc::downgrade(&self.inner))
    }

    /// Whether this deferred has fired (the method form of [`is_called`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = txaio::create_future::<u32>();
    /// assert!(!d.is_called());
    /// txaio::resolve(&d, 1).unwrap();
    /// assert!(d.is_called());
    /// ```
    #[must_use]
    pub fn is_called(&self) -> bool {
        let mut state = self.lock();
        let called = matches!(
            state.phase,
            Phase::Queued(_) | Phase::RunningCallbacks | Phase::Done(_)
        );
        // Whoever asked now knows: a waiter's value (a lock, a queued item) is then theirs.
        state.seen |= called;
        called
    }

    /// Whether both handles refer to the same deferred.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = txaio::create_future::<u32>();
    /// assert!(d.ptr_eq(&d.clone()));
    /// assert!(!d.ptr_eq(&txaio::create_future()));
    /// ```
    #[must_use]
    pub fn ptr_eq(&self, other: &Deferred<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Marks its failure, if any, as seen by someone.
    pub(crate) fn mark_handled(&self) {
        self.lock().handled = true;
    }

    /// Whether it has fired with a value (seen, from now on: see [`Deferred::withdraw`]).
    pub(crate) fn succeeded(&self) -> bool {
        let mut state = self.lock();
        let succeeded = matches!(state.phase, Phase::Done(Ok(_)));
        state.seen |= succeeded;
        succeeded
    }
}

/// A pending deferred with nothing attached.
impl<T> Default for Inner<T> {
    #[inline]
    fn default() -> Self {
        Inner {
            state: StateLock::new(State::pending(Awaited::new())),
            closed: AtomicBool::new(false),
            users: AtomicU32::new(0),
        }
    }
}

impl<T> Inner<T> {
    fn lock(&self) -> StateGuard<'_, T> {
        self.state.lock()
    }

    /// Counts a new handle, if handles are counted.
    #[inline]
    fn count_handle(&self) {
        if self.users.load(Ordering::Relaxed) & COUNTED != 0 {
            self.users.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Uncounts a dropped handle; `true` if it was the last one.
    #[inline]
    fn uncount_handle(&self) -> bool {
        self.users.load(Ordering::Relaxed) & COUNTED != 0
            && self.users.fetch_sub(1, Ordering::AcqRel) == COUNTED | 1
    }

    /// Whether its handles are counted and none is left.
    fn without_handles(&self) -> bool {
        self.users.load(Ordering::Acquire) == COUNTED
    }
}

/// A hold on a deferred that is not a handle (see [`Deferred::hold`]): how a coordination
/// primitive keeps a waiter in its line.
pub(crate) struct Held<T>(Arc<Inner<T>>);

impl<T: Send + 'static> Held<T> {
    /// Fires the deferred if it is pending; else gives `outcome` back (it had fired, a cancel
    /// has begun on any thread, or it is withdrawing: its last handle dropped). How the
    /// coordination primitives hand a value to a waiter: a refused value goes to the next
    /// one, never lost.
    #[track_caller]
    pub(crate) fn offer(&self, outcome: Result<T, Failure>) -> Result<(), Result<T, Failure>> {
        self.0
            .fire(outcome, FiredBy::Offer, Location::caller(), false)
            .map_err(|refused| refused.outcome)
    }

    /// Whether it fired (or its cancel began).
    pub(crate) fn is_called(&self) -> bool {
        !self.0.is_open()
    }
}

impl<T: Send + 'static> Deferred<T> {
    /// Sets the function [`cancel`] calls; dropped at once if the deferred is not pending.
    pub(crate) fn set_canceller(&self, canceller: Canceller<T>) {
        let mut state = self.lock();
        if let Some(parts) = state.attach_pending() {
            *parts.canceller = Some(canceller);
            return;
        }
        let canceller = Some(canceller);
        let let_go = LetGo {
            canceller,
            ..LetGo::nothing()
        };
        unlock_then(state, let_go);
    }

    /// A pending deferred whose cancel first cancels `source` (a chained deferred).
    #[track_caller]
    pub(crate) fn new_chained<S: Send + 'static>(source: &Deferred<S>) -> Self {
        let source: Weak<dyn Cancel> = Arc::downgrade(&source.inner) as Weak<dyn Cancel>;
        Deferred::new_awaiting(Awaited::one(source))
    }

    /// Records that cancelling this deferred must first cancel `target` (a chain's source).
    pub(crate) fn set_awaited<U: Send + 'static>(&self, target: &Deferred<U>) {
        let target: Weak<dyn Cancel> = Arc::downgrade(&target.inner) as Weak<dyn Cancel>;
        let mut state = self.lock();
        if let Some(parts) = state.attach_pending() {
            parts.awaited.set_one(target);
        }
    }

    /// Fires the deferred. `Err(AlreadyCalledError)` if it had fired, unless it was cancelled;
    /// ignored while someone else is cancelling it.
    #[track_caller]
    #[inline]
    pub(crate) fn settle(&self, outcome: Result<T, Failure>) -> Result<(), AlreadyCalledError> {
        self.fire(outcome, FiredBy::Caller, Location::caller(), false)
            .or_else(Refused::into_error)
    }

    /// Fires it as a link of a chain, from inside another deferred's callbacks: the outcome is
    /// stored (`Queued`) and its callbacks run when [`Resume::resume`] is called. `true` if
    /// it fired.
    pub(crate) fn settle_queued(&self, outcome: Result<T, Failure>) -> bool {
        self.fire(outcome, FiredBy::Caller, Location::caller(), true)
            .is_ok()
    }

    /// This deferred as the chain trampoline resumes it.
    pub(crate) fn as_resume(&self) -> Arc<dyn Resume> {
        Arc::clone(&self.inner) as Arc<dyn Resume>
    }

    /// As [`settle`](Deferred::settle), but says whether the outcome was taken (`false`: it
    /// had fired, or someone else is cancelling it).
    #[track_caller]
    pub(crate) fn settle_accepted(&self, outcome: Result<T, Failure>) -> bool {
        self.fire(outcome, FiredBy::Caller, Location::caller(), false)
            .is_ok()
    }

    pub(crate) fn settle_by_task(&self, outcome: Result<T, Failure>) {
        // The task's deferred fired earlier only if it was cancelled: nothing to report.
        let _ = self.fire(outcome, FiredBy::Task, Location::caller(), false);
    }

    #[inline]
    fn fire(
        &self,
        outcome: Result<T, Failure>,
        by: FiredBy,
        location: &'static Location<'static>,
        queue: bool,
    ) -> Result<(), Refused<T>> {
        self.inner.fire(outcome, by, location, queue)
    }

    fn run_reactions(&self, outcome: Result<T, Failure>, batch: Reactions<T>) {
        self.inner.run_reactions(outcome, batch);
    }

    fn put_back(&self, outcome: Result<T, Failure>) {
        self.inner.put_back(outcome);
    }

    /// Leaves `RunningCallbacks` for `Done`: the first taker (if any) moves the value out.
    fn settle_down(mut state: StateGuard<'_, T>, outcome: Result<T, Failure>) {
        let takers = state.take_takers();
        if takers.is_empty() {
            state.phase = Phase::Done(outcome);
            let woken = state.take_waiters();
            unlock_then(state, LetGo::woken(woken));
            return;
        }
        state.handled = true;
        let (first, rest) = match outcome {
            Ok(value) => {
                let taken = Failure::bookkeeping(TakenError);
                state.phase = Phase::Done(Err(taken.clone()));
                (Ok(value), taken)
            }
            Err(failure) => {
                state.phase = Phase::Done(Err(failure.clone()));
                (Err(failure.clone()), failure)
            }
        };
        let woken = state.take_waiters();
        unlock_then(state, LetGo::woken(woken));
        let mut takers = takers.into_iter();
        if let Some(taker) = takers.next() {
            taker(first);
        }
        for taker in takers {
            taker(Err(rest.clone()));
        }
    }

    /// Adds a reaction: queued while pending or while callbacks run, else run here and now.
    pub(crate) fn add_reaction(&self, reaction: Box<dyn Reaction<T>>, handles_failure: bool) {
        self.attach_reaction(reaction, handles_failure, true);
    }

    /// Adds a reaction that only watches for the firing and never looks at the outcome
    /// (a timeout's timer release): it does not count as someone who sees the deferred, so
    /// a coordination primitive's waiter whose handles all dropped still withdraws, and one
    /// served but unseen still gives its value back.
    pub(crate) fn add_watcher(&self, reaction: Box<dyn Reaction<T>>) {
        self.attach_reaction(reaction, false, false);
    }

    fn attach_reaction(
        &self,
        reaction: Box<dyn Reaction<T>>,
        handles_failure: bool,
        observes: bool,
    ) {
        let mut state = self.lock();
        if handles_failure {
            state.handled = true;
        }
        let seen = state.seen;
        let Some(outcome) = state.lend() else {
            state.push_reaction(reaction, observes);
            return;
        };
        if !observes {
            state.seen = seen;
        }
        drop(state);
        let mut batch = Reactions::new();
        batch.push(reaction);
        self.run_reactions(outcome, batch);
    }

    /// Adds an internal consumer that moves the outcome out once the callbacks ran.
    pub(crate) fn add_taker(&self, taker: Taker<T>) {
        let mut state = self.lock();
        state.push_taker(taker);
        if let Some(outcome) = state.lend() {
            Self::settle_down(state, outcome);
        }
    }

    /// Moves the outcome out if the deferred is `Done`, leaving a [`TakenError`] failure
    /// behind a value; else registers `waker` under `key`. The heart of [`Take`].
    fn poll_take(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, Failure>> {
        // A clone of the waker, made with no lock held (the runtime's code, or any code for a
        // waker of the caller's own: it may touch this very deferred).
        let mut cloned: Option<Waker> = None;
        loop {
            let mut guard = self.inner.lock();
            let state = &mut *guard;
            if let Phase::Done(outcome) = &mut state.phase {
                state.handled = true;
                state.seen = true;
                self.waiter = None;
                let result = match outcome {
                    Ok(_) => mem::replace(outcome, Err(Failure::bookkeeping(TakenError))),
                    Err(failure) => Err(failure.clone()),
                };
                drop(guard);
                return Poll::Ready(result);
            }
            if register_waker(&self.inner, &mut self.waiter, guard, cx, &mut cloned).is_some() {
                return Poll::Pending;
            }
        }
    }

    pub(crate) fn cancel(&self) {
        self.cancel_instead(None);
    }

    /// Cancels, and if that leaves the deferred failed with `CancelledError`, fails it with
    /// `instead` (`timeout`'s `TimeoutError`).
    pub(crate) fn cancel_instead(&self, instead: Option<Failure>) {
        let mut awaited = Vec::new();
        if !self.inner.begin_cancel(instead, &mut awaited) {
            return;
        }
        cascade::run(awaited, || Arc::clone(&self.inner).finish_cancel());
    }

    /// For the task driving a spawned deferred: whether it fired or is being cancelled.
    pub(crate) fn closed_for_task(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// For the task driving a spawned deferred, after its future returned pending: records
    /// what the future now waits on and the task's waker. Ready if the deferred fired or its
    /// cancel began meanwhile; what was registered is then cancelled here.
    pub(crate) fn park_task(&self, cx: &mut Context<'_>, latest: &mut Registry) -> Poll<()> {
        // What the task awaited before is merged with no lock held: merging looks into each
        // entry's deferred, and the last handle to one of them may drop right there, with its
        // callbacks (user code). The task's waker is cloned with no lock held too.
        let (mut awaited, current) = match &mut self.lock().phase {
            Phase::Pending { awaited, task, .. } => (
                mem::take(awaited),
                task.as_ref().is_some_and(|task| task.will_wake(cx.waker())),
            ),
            _ => (Awaited::new(), true),
        };
        let waker = (!current).then(|| cx.waker().clone());
        latest.prune();
        awaited.merge(&mut latest.latest);
        let mut state = self.lock();
        if let Some(parts) = state.attach_pending() {
            *parts.awaited = awaited;
            let waker = match waker {
                Some(waker) => parts.task.replace(waker),
                None => None,
            };
            unlock_then(state, LetGo::waker(waker));
            return Poll::Pending;
        }
        drop(state);
        // A cancel began while the future was being polled, after it had collected what the
        // future waited on before: what the poll registered is cancelled now, by the task.
        awaited.drain_entries_into(&mut latest.latest);
        cascade::run_entries(mem::take(&mut latest.latest));
        Poll::Ready(())
    }
}

impl<T: Send + 'static> Inner<T> {
    /// Fires it with `outcome`, or hands that back, saying why (see [`Refused`]). The refused
    /// outcome must be dropped by the caller, outside the lock.
    #[inline]
    fn fire(
        &self,
        outcome: Result<T, Failure>,
        by: FiredBy,
        location: &'static Location<'static>,
        queue: bool,
    ) -> Result<(), Refused<T>> {
        let mut state = self.lock();
        if !queue && state.nobody_waits() {
            // The common deferred fired before anyone reacted: nothing to run, wake or drop.
            self.closed.store(true, Ordering::Release);
            mem::replace(&mut state.phase, Phase::Done(outcome)).discard();
            return Ok(());
        }
        self.fire_attached(state, outcome, by, location, queue)
    }

    /// [`fire`](Deferred::fire) when something is attached: callbacks to run, awaiters or a
    /// task to wake, a canceller to drop, a debugging record to complete.
    fn fire_attached<'a>(
        &'a self,
        mut guard: StateGuard<'a, T>,
        outcome: Result<T, Failure>,
        by: FiredBy,
        location: &'static Location<'static>,
        queue: bool,
    ) -> Result<(), Refused<T>> {
        let fired_trace = if guard.sites().is_some() && is_debugging() && guard.accepts(by) {
            // Captured outside the lock: a backtrace takes microseconds, and others would spin
            // meanwhile. What changed in between is read again below.
            drop(guard);
            let trace = Backtrace::force_capture();
            guard = self.lock();
            Some(trace)
        } else {
            None
        };
        let state = &mut *guard;
        let unobserved = !state.has_observers();
        let (canceller, task, outcome) = match &mut state.phase {
            Phase::Pending { .. }
                if by == FiredBy::Offer && self.without_handles() && unobserved =>
            {
                // A waiter withdrawing (its last handle dropped): nobody would see the value.
                return Err(Refused {
                    outcome,
                    already_called: None,
                });
            }
            Phase::Pending {
                canceller, task, ..
            } => (canceller.take(), task.take(), outcome),
            Phase::Cancelling {
                by: canceller_thread,
                canceller,
                task,
                instead,
            } if by == FiredBy::Caller && *canceller_thread == thread::current().id() => {
                let outcome = match (outcome, instead.take()) {
                    (Err(failure), Some(instead)) if failure.is::<CancelledError>() => Err(instead),
                    (outcome, _) => outcome,
                };
                (canceller.take(), task.take(), outcome)
            }
            Phase::Cancelling { .. } => {
                return Err(Refused {
                    outcome,
                    already_called: None,
                });
            }
            Phase::Queued(_) | Phase::RunningCallbacks | Phase::Done(_) => {
                let already_called = (!state.cancelled && by != FiredBy::Offer).then(|| {
                    AlreadyCalledError::first_fired_at(state.sites().and_then(Sites::first_fired))
                });
                return Err(Refused {
                    outcome,
                    already_called,
                });
            }
        };
        self.closed.store(true, Ordering::Release);
        if let Some(sites) = state.sites_mut() {
            sites.fired_at(location, fired_trace);
        }
        // Dropped at the end, after the unlock.
        let _not_handed_over = state.note_firing(by == FiredBy::Offer);
        if queue {
            let phase = Some(mem::replace(&mut state.phase, Phase::Queued(outcome)));
            let let_go = LetGo {
                canceller,
                phase,
                task,
                ..LetGo::nothing()
            };
            unlock_then(guard, let_go);
            return Ok(());
        }
        // The task fired it itself: it is running, so its waker is dropped, not woken (and
        // dropped after the unlock, like any waker).
        let (task, waker) = if by == FiredBy::Task {
            (None, task)
        } else {
            (task, None)
        };
        if state.reactions().is_empty() && state.takers().is_empty() {
            let phase = Some(mem::replace(&mut state.phase, Phase::Done(outcome)));
            let woken = Some(state.take_waiters());
            let let_go = LetGo {
                canceller,
                phase,
                waker,
                woken,
                task,
            };
            unlock_then(guard, let_go);
            return Ok(());
        }
        let batch = state.take_reactions();
        let phase = Some(mem::replace(&mut state.phase, Phase::RunningCallbacks));
        // The canceller (and what it holds) goes before the callbacks run; the awaiters wake
        // once they ran (`settle_down`), then the task.
        let let_go = LetGo {
            canceller,
            phase,
            waker,
            ..LetGo::nothing()
        };
        unlock_then(guard, let_go);
        self.run_reactions(outcome, batch);
        if let Some(task) = task {
            task.wake();
        }
        Ok(())
    }

    /// Runs `batch`, then whatever was queued meanwhile, then serves the takers, puts the
    /// outcome back (`Done`) and wakes the awaiters. Called in `RunningCallbacks`, with the
    /// outcome lent out of the state.
    fn run_reactions(&self, outcome: Result<T, Failure>, mut batch: Reactions<T>) {
        loop {
            for reaction in batch.take().into_ordered() {
                if let Err(panic) = crate::panic::catch(|| reaction.react(outcome.as_ref())) {
                    report::callback_panicked(&panic);
                }
            }
            let mut state = self.lock();
            if state.reactions().is_empty() {
                if state.nobody_sees() && outcome.is_ok() && self.without_handles() {
                    Self::give_back_late(state, outcome);
                    return;
                }
                Deferred::settle_down(state, outcome);
                return;
            }
            batch = state.take_reactions();
        }
    }

    /// A withdrawable deferred served with a value while only watchers ran (its callbacks
    /// lent the outcome out), whose last handle dropped meanwhile: its withdraw found the
    /// outcome lent and left it, so the value goes back here, as the withdraw would have.
    #[cold]
    fn give_back_late(mut state: StateGuard<'_, T>, outcome: Result<T, Failure>) {
        match (state.take_give_back(), outcome) {
            (Some(give_back), Ok(value)) => hand_back(state, &give_back, value),
            // Not its primitive's value (its holder resolved it): it stays.
            (_, outcome) => Deferred::settle_down(state, outcome),
        }
    }

    /// Ends a lend (an awaiter's clone): back to `Done`, unless callbacks or takers queued
    /// meanwhile, which then run here.
    fn put_back(&self, outcome: Result<T, Failure>) {
        let mut state = self.lock();
        if state.reactions().is_empty() && state.takers().is_empty() {
            state.phase = Phase::Done(outcome);
            if state.waiters().is_empty() {
                return;
            }
            let woken = state.take_waiters();
            unlock_then(state, LetGo::woken(woken));
            return;
        }
        let batch = state.take_reactions();
        drop(state);
        self.run_reactions(outcome, batch);
    }
}

/// Leaves a handle's waker registered with the state in `guard` (pending, or firing
/// elsewhere) and tells the task being polled (if any) that it awaits this deferred.
/// `None`, with the lock released, if `cx`'s waker had to be cloned first: the clone is in
/// `cloned`, and the caller looks at the state again.
fn register_waker<T: Send + 'static>(
    inner: &Arc<Inner<T>>,
    waiter: &mut Option<WaiterKey>,
    mut state: StateGuard<'_, T>,
    cx: &Context<'_>,
    cloned: &mut Option<Waker>,
) -> Option<()> {
    let waker = if state.waiters().is_current(*waiter, cx.waker()) {
        None
    } else if let Some(waker) = cloned.take() {
        state.register_waiter(waiter, waker)
    } else {
        drop(state);
        *cloned = Some(cx.waker().clone());
        return None;
    };
    let pending = matches!(state.phase, Phase::Pending { .. });
    unlock_then(state, LetGo::waker(waker));
    if pending && let Some(key) = *waiter {
        cascade::register(|| Arc::downgrade(inner) as Weak<dyn Cancel>, key);
    }
    Some(())
}

/// A `Queued` deferred, as the chain trampoline holds it.
pub(crate) trait Resume {
    /// Runs its callbacks (it leaves `Queued`).
    fn resume(self: Arc<Self>);
}

impl<T: Send + 'static> Resume for Inner<T> {
    fn resume(self: Arc<Self>) {
        let deferred = Deferred::from_inner(self);
        let mut guard = deferred.lock();
        let state = &mut *guard;
        let outcome = match mem::replace(&mut state.phase, Phase::RunningCallbacks) {
            Phase::Queued(outcome) => outcome,
            other => {
                state.phase = other;
                return;
            }
        };
        let batch = state.take_reactions();
        if batch.is_empty() && state.takers().is_empty() {
            state.phase = Phase::Done(outcome);
            let woken = state.take_waiters();
            unlock_then(guard, LetGo::woken(woken));
            return;
        }
        drop(guard);
        deferred.run_reactions(outcome, batch);
    }
}

impl<T: Send + 'static> Cancel for Inner<T> {
    fn begin_cancel(&self, instead: Option<Failure>, out: &mut Vec<Weak<dyn Cancel>>) -> bool {
        let mut state = self.lock();
        let Phase::Pending {
            canceller,
            task,
            awaited,
        } = &mut state.phase
        else {
            return false;
        };
        awaited.drain_into(out);
        let (canceller, task) = (canceller.take(), task.take());
        let old_phase = mem::replace(
            &mut state.phase,
            Phase::Cancelling {
                by: thread::current().id(),
                canceller,
                task,
                instead,
            },
        );
        state.cancelled = true;
        self.closed.store(true, Ordering::Release);
        unlock_then(state, LetGo::phase(old_phase));
        true
    }

    fn finish_cancel(self: Arc<Self>) {
        let deferred = Deferred::from_inner(self);
        let canceller = match &mut deferred.lock().phase {
            Phase::Cancelling { canceller, .. } => canceller.take(),
            _ => return,
        };
        if let Some(canceller) = canceller
            && let Err(panic) = crate::panic::catch(|| canceller(&deferred))
        {
            report::canceller_panicked(&panic);
        }
        // Refused (harmlessly) if the canceller fired it.
        let _ = deferred.settle(Err(Failure::new(CancelledError)));
    }

    fn is_open(&self) -> bool {
        !self.closed.load(Ordering::Acquire)
    }

    fn still_awaited(&self, key: WaiterKey) -> bool {
        let state = self.lock();
        matches!(state.phase, Phase::Pending { .. }) && state.waiters().holds(key)
    }
}

impl<T: CloneOnAwait + Send + 'static> Future for Deferred<T> {
    type Output = Result<T, Failure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // The only handle, and no weak one: nobody else can reach the state, so it is read
        // without the lock (and `T::clone` runs under none).
        if let Some(inner) = Arc::get_mut(&mut this.inner) {
            let state = inner.state.get_mut();
            if let Phase::Done(outcome) = &state.phase {
                state.handled |= outcome.is_err();
                state.seen = true;
                // Fired and seen, it has nothing left to withdraw: its last handle's drop
                // need not look.
                *inner.users.get_mut() &= !COUNTED;
                this.waiter = None;
                return Poll::Ready(match crate::panic::catch(|| outcome.clone()) {
                    Ok(result) => result,
                    Err(panic) => Err(Failure::new(panic)),
                });
            }
        }
        // A clone of the waker, made with no lock held (see `poll_take`).
        let mut cloned: Option<Waker> = None;
        loop {
            let mut state = this.inner.lock();
            if let Some(outcome) = state.lend() {
                if outcome.is_err() {
                    state.handled = true;
                }
                drop(state);
                // Any place this handle held was emptied when the deferred fired.
                this.waiter = None;
                // `T::clone` is user code: it runs with the outcome lent, outside the lock.
                let result = match crate::panic::catch(|| outcome.clone()) {
                    Ok(result) => result,
                    Err(panic) => Err(Failure::new(panic)),
                };
                this.put_back(outcome);
                return Poll::Ready(result);
            }
            if register_waker(&this.inner, &mut this.waiter, state, cx, &mut cloned).is_some() {
                return Poll::Pending;
            }
        }
    }
}

impl<T> Clone for Deferred<T> {
    fn clone(&self) -> Self {
        Deferred::from_inner(Arc::clone(&self.inner))
    }
}

impl<T> Drop for Deferred<T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter {
            let mut state = self.lock();
            let waker = state.remove_waiter(key);
            unlock_then(state, LetGo::waker(waker));
            // If a task is polling its future here, it may have stopped awaiting this.
            cascade::withdraw();
        }
        if self.inner.uncount_handle() {
            self.withdraw();
        }
    }
}

impl<T> Deferred<T> {
    /// The last handle of a withdrawable deferred is dropping. Nobody can see it fire any
    /// more, unless a callback or consumer is attached (awaiters are handles):
    ///
    /// - pending with none attached: it is cancelled, and its canceller takes it out of its
    ///   primitive's line. A primitive that hands it a value meanwhile finds it refused
    ///   ([`Held::offer`]) and passes the value on;
    /// - fired with a value that nobody saw (not awaited, no callback, not `is_called`): the
    ///   value goes back to the primitive (given to [`new_withdrawable`](Deferred::new_withdrawable)), as
    ///   tokio's semaphore takes back permits assigned to an `Acquire` dropped unpolled.
    ///
    /// A cancel without the cascade (a waiter awaits nothing), written out here because a
    /// `Drop` cannot ask for `T: Send + 'static`.
    #[cold]
    fn withdraw(&self) {
        let mut state = self.lock();
        if state.has_observers() {
            return;
        }
        if matches!(state.phase, Phase::Done(Ok(_))) && !state.seen {
            if let Some(give_back) = state.take_give_back()
                && let Phase::Done(Ok(value)) =
                    mem::replace(&mut state.phase, Phase::RunningCallbacks)
            {
                hand_back(state, &give_back, value);
            }
            return;
        }
        let Phase::Pending { canceller, .. } = &mut state.phase else {
            return;
        };
        let canceller = canceller.take();
        let old_phase = mem::replace(
            &mut state.phase,
            Phase::Cancelling {
                by: thread::current().id(),
                canceller: None,
                task: None,
                instead: None,
            },
        );
        state.cancelled = true;
        self.inner.closed.store(true, Ordering::Release);
        unlock_then(state, LetGo::phase(old_phase));
        if let Some(canceller) = canceller
            && let Err(panic) = crate::panic::catch(|| canceller(self))
        {
            report::canceller_panicked(&panic);
        }
        let mut state = self.lock();
        if matches!(state.phase, Phase::Cancelling { .. }) {
            let cancel_failure = Failure::bookkeeping(CancelledError);
            // Watchers (nothing else is attached, or it would not withdraw) see the firing
            // too, after it: `Done` keeps no callback (invariant 2).
            let watchers = state.take_reactions();
            let failed = Phase::Done(Err(cancel_failure.clone()));
            let cancelling = mem::replace(&mut state.phase, failed);
            unlock_then(state, LetGo::phase(cancelling));
            for watcher in watchers.into_ordered() {
                if let Err(panic) = crate::panic::catch(|| watcher.react(Err(&cancel_failure))) {
                    report::callback_panicked(&panic);
                }
            }
        }
    }
}

/// A value a withdrawable deferred was handed that nobody saw goes back to its primitive:
/// the deferred fails with `CancelledError`, marked seen so that nothing gives it back twice,
/// and once the lock is released the value goes to `give_back`.
fn hand_back<T>(mut state: StateGuard<'_, T>, give_back: &GiveBack<T>, value: T) {
    state.seen = true;
    state.phase = Phase::Done(Err(Failure::bookkeeping(CancelledError)));
    let woken = state.take_waiters();
    unlock_then(state, LetGo::woken(woken));
    if let Some(owner) = give_back.upgrade() {
        owner.take_back(value);
    }
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        let state = self.state.get_mut();
        if let Phase::Done(Err(failure)) = &state.phase
            && !state.handled
            && !failure.is::<CancelledError>()
            && !failure.is::<TakenError>()
        {
            report::unhandled_failure(failure, state.sites());
        }
        state.drop_attachments();
    }
}

impl<T> fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Read under the lock, written after it: the formatter's writer is the caller's code.
        let (phase, awaiting) = {
            let state = self.lock();
            let awaiting = match &state.phase {
                Phase::Pending { awaited, .. } => awaited.len(),
                _ => 0,
            };
            (state.phase.name(), awaiting)
        };
        let mut out = f.debug_struct("Deferred");
        out.field("state", &phase);
        if awaiting > 0 {
            // What cancelling it would cancel first (a task's awaited deferreds, a chain's).
            out.field("awaiting", &awaiting);
        }
        out.finish_non_exhaustive()
    }
}

//! A deferred's state, with the fields that hold attachments private, so that attaching
//! anything sets `attached` (see the invariants in the module docs of `deferred`).

use std::mem::{self, ManuallyDrop};
use std::task::Waker;
use std::thread::{self, ThreadId};

use super::cascade::Awaited;
use super::debug::Sites;
use super::reactions::{Reaction, Reactions};
use super::thin::ThinVec;
use super::waiters::{WaiterKey, Waiters, Woken};
use super::{Canceller, FiredBy, GiveBack, Taker};
use crate::failure::Failure;
use crate::short_lock::ShortGuard;

// Independent flags, each read on its own path; an enum would not describe them better.
#[allow(clippy::struct_excessive_bools)]
pub(super) struct State<T> {
    pub(super) phase: Phase<T>,
    /// Callbacks not yet run, oldest last. Empty in `Done`.
    reactions: ManuallyDrop<Reactions<T>>,
    /// Internal consumers that move the outcome, served once the callbacks ran. Empty in `Done`.
    takers: ManuallyDrop<ThinVec<Taker<T>>>,
    /// Awaiters to wake when the outcome is back in `Done`. Empty in `Done`.
    waiters: ManuallyDrop<Waiters>,
    /// `cancel` began on it: a later `resolve`/`reject` is then ignored rather than refused.
    pub(super) cancelled: bool,
    /// An errback, an awaiter or a consumer has seen (or will see) the failure.
    pub(super) handled: bool,
    /// Someone has seen that it fired: an awaiter got the outcome, callbacks or consumers ran,
    /// or `is_called` said so. A withdrawable deferred fired but not seen when its last handle
    /// drops gives its value back (see [`Deferred::withdraw`]).
    pub(super) seen: bool,
    /// A withdrawable deferred's way back to its primitive, for a value it was handed that
    /// nobody saw ([`Deferred::withdraw`]).
    give_back: ManuallyDrop<Option<GiveBack<T>>>,
    /// Creation and firing sites, recorded only while debugging.
    sites: ManuallyDrop<Option<Box<Sites>>>,
    /// A reaction that sees the outcome was attached: a callback, a chain's step, a
    /// combinator's record (a watcher, such as a timeout's timer release, does not count).
    /// Never cleared. A withdrawable deferred without one, and without takers, has nobody
    /// to see it fire once its handles are gone.
    observed: bool,
    /// Something was attached at some point: a callback, taker, awaiter, canceller, task,
    /// awaited deferred or debugging record. Never cleared. While it is false, firing is
    /// storing the outcome, and the state owns nothing but that outcome.
    attached: bool,
}

/// Where a deferred is in its life. Each variant's invariant is in its docs.
pub(super) enum Phase<T> {
    /// Not fired, not cancelled; anyone may fire it. `closed` is false.
    Pending {
        canceller: Option<Canceller<T>>,
        /// The task driving a spawned deferred, woken if someone else fires it.
        task: Option<Waker>,
        /// What cancelling it cancels first (see `cascade`).
        awaited: Awaited,
    },
    /// `cancel` began on thread `by`: only that thread (the canceller, or the cancel finishing)
    /// may fire it now; everyone else's `resolve` is ignored. `closed` is true.
    Cancelling {
        by: ThreadId,
        /// Taken when the canceller is called, after what it awaits was cancelled.
        canceller: Option<Canceller<T>>,
        task: Option<Waker>,
        /// Replaces a `CancelledError` outcome (`timeout` makes it a `TimeoutError`).
        instead: Option<Failure>,
    },
    /// Fired from inside another deferred's callbacks, as a link of a chain: the outcome is
    /// here, and its callbacks run once the chain settle already running on this thread gets
    /// to it (which holds a handle to resume it), so that a chain of any length runs in
    /// constant stack. Callbacks added now queue; awaiters wait. `closed` is true.
    Queued(Result<T, Failure>),
    /// Fired; the outcome is lent to the one thread running callbacks (or cloning it for an
    /// awaiter). Callbacks added now queue behind; awaiters wait. `closed` is true.
    RunningCallbacks,
    /// Fired and idle: the outcome is here. Nothing is queued. `closed` is true.
    Done(Result<T, Failure>),
}

impl<T> Phase<T> {
    /// Drops the phase a firing left behind, its canceller and task already taken (or never
    /// set): usually it holds nothing, and is then forgotten rather than passed to the drop
    /// code of every variant, an out-of-line call on the hottest path.
    pub(super) fn discard(self) {
        match self {
            Phase::Pending {
                canceller: None,
                task: None,
                awaited,
            } if awaited.is_unallocated() => mem::forget(awaited),
            other => drop(other),
        }
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            Phase::Pending { .. } => "pending",
            Phase::Cancelling { .. } => "cancelling",
            Phase::Queued(_) => "fired, callbacks queued",
            Phase::RunningCallbacks => "running callbacks",
            Phase::Done(Ok(_)) => "succeeded",
            Phase::Done(Err(_)) => "failed",
        }
    }
}

impl<T> State<T> {
    #[inline]
    pub(super) const fn pending(awaited: Awaited) -> Self {
        let awaited_is_unallocated = awaited.is_unallocated();
        State {
            phase: Phase::Pending {
                canceller: None,
                task: None,
                awaited,
            },
            reactions: ManuallyDrop::new(Reactions::new()),
            takers: ManuallyDrop::new(ThinVec::new()),
            waiters: ManuallyDrop::new(Waiters::new()),
            cancelled: false,
            handled: false,
            seen: false,
            give_back: ManuallyDrop::new(None),
            sites: ManuallyDrop::new(None),
            observed: false,
            attached: !awaited_is_unallocated,
        }
    }

    /// Pending with nothing attached (no canceller, task, awaited deferred, callback, taker,
    /// awaiter, nor debugging record): firing it is storing the outcome.
    #[inline]
    pub(super) fn nobody_waits(&self) -> bool {
        let nobody = !self.attached && matches!(self.phase, Phase::Pending { .. });
        debug_assert!(
            !nobody || self.owns_nothing_attached(),
            "`attached` not set"
        );
        nobody
    }

    /// What `attached == false` promises, checked part by part (for debug assertions).
    pub(super) fn owns_nothing_attached(&self) -> bool {
        let phase_holds_nothing = match &self.phase {
            Phase::Pending {
                canceller,
                task,
                awaited,
            } => canceller.is_none() && task.is_none() && awaited.is_unallocated(),
            Phase::Done(_) => true,
            _ => false,
        };
        phase_holds_nothing
            && self.reactions.is_empty()
            && self.takers.is_unallocated()
            && self.waiters.is_unallocated()
            && self.sites.is_none()
            && self.give_back.is_none()
    }

    /// Whether a firing by `by` would be taken now (else it is refused or ignored).
    pub(super) fn accepts(&self, by: FiredBy) -> bool {
        match &self.phase {
            Phase::Pending { .. } => true,
            Phase::Cancelling {
                by: canceller_thread,
                ..
            } => by == FiredBy::Caller && *canceller_thread == thread::current().id(),
            Phase::Queued(_) | Phase::RunningCallbacks | Phase::Done(_) => false,
        }
    }

    /// Takes the outcome out of `Done`, leaving `RunningCallbacks`; `None` in any other phase.
    pub(super) fn lend(&mut self) -> Option<Result<T, Failure>> {
        if !matches!(self.phase, Phase::Done(_)) {
            return None;
        }
        self.seen = true;
        match mem::replace(&mut self.phase, Phase::RunningCallbacks) {
            Phase::Done(outcome) => Some(outcome),
            other => {
                self.phase = other;
                None
            }
        }
    }
}

/// The parts of a pending phase that something attaches to (see [`State::attach_pending`]).
pub(super) struct PendingParts<'a, T> {
    pub(super) canceller: &'a mut Option<Canceller<T>>,
    pub(super) task: &'a mut Option<Waker>,
    pub(super) awaited: &'a mut Awaited,
}

/// Everything that attaches something to a deferred goes through these, which keep
/// `attached` (invariant 3 of the module docs); reads and takes leave it as it is.
impl<T> State<T> {
    pub(super) fn reactions(&self) -> &Reactions<T> {
        &self.reactions
    }

    /// Queues a reaction; `observes` unless it is a watcher that never looks at the outcome.
    pub(super) fn push_reaction(&mut self, reaction: Box<dyn Reaction<T>>, observes: bool) {
        self.reactions.push(reaction);
        self.observed |= observes;
        self.attached = true;
    }

    /// Whether anything attached would see the outcome: a reaction that observes (see
    /// `observed`) or a taker. Watchers do not count.
    pub(super) fn has_observers(&self) -> bool {
        self.observed || !self.takers.is_empty()
    }

    pub(super) fn take_reactions(&mut self) -> Reactions<T> {
        self.reactions.take()
    }

    pub(super) fn takers(&self) -> &ThinVec<Taker<T>> {
        &self.takers
    }

    pub(super) fn push_taker(&mut self, taker: Taker<T>) {
        self.takers.push(taker);
        self.attached = true;
    }

    pub(super) fn take_takers(&mut self) -> Vec<Taker<T>> {
        self.takers.take()
    }

    pub(super) fn waiters(&self) -> &Waiters {
        &self.waiters
    }

    /// Registers `waker` as the awaiter `key` (a new key if `None`); the waker it replaces.
    pub(super) fn register_waiter(
        &mut self,
        key: &mut Option<WaiterKey>,
        waker: Waker,
    ) -> Option<Waker> {
        self.attached = true;
        self.waiters.register(key, waker)
    }

    pub(super) fn remove_waiter(&mut self, key: WaiterKey) -> Option<Waker> {
        self.waiters.remove(key)
    }

    pub(super) fn take_waiters(&mut self) -> Woken {
        self.waiters.take()
    }

    pub(super) fn set_give_back(&mut self, give_back: GiveBack<T>) {
        *self.give_back = Some(give_back);
        self.attached = true;
    }

    /// Fired or not, nothing attached would see it, nor has anyone seen it yet.
    pub(super) fn nobody_sees(&self) -> bool {
        !self.has_observers() && !self.seen
    }

    /// Notes a firing the deferred takes: it is seen if something attached observes it; and
    /// a value its primitive did not hand over (`offered` false: its holder resolved it) is
    /// not the primitive's to take back, so the give-back goes, returned to be dropped after
    /// the unlock.
    pub(super) fn note_firing(&mut self, offered: bool) -> Option<GiveBack<T>> {
        self.seen |= self.has_observers();
        if offered { None } else { self.give_back.take() }
    }

    pub(super) fn take_give_back(&mut self) -> Option<GiveBack<T>> {
        self.give_back.take()
    }

    pub(super) fn sites(&self) -> Option<&Sites> {
        self.sites.as_deref()
    }

    pub(super) fn sites_mut(&mut self) -> Option<&mut Sites> {
        self.sites.as_deref_mut()
    }

    pub(super) fn set_sites(&mut self, sites: Box<Sites>) {
        *self.sites = Some(sites);
        self.attached = true;
    }

    /// The canceller, task and awaited slots of a pending deferred, for the caller to attach
    /// to; `None` (and nothing marked) in any other phase.
    pub(super) fn attach_pending(&mut self) -> Option<PendingParts<'_, T>> {
        let Phase::Pending {
            canceller,
            task,
            awaited,
        } = &mut self.phase
        else {
            return None;
        };
        self.attached = true;
        Some(PendingParts {
            canceller,
            task,
            awaited,
        })
    }

    /// Drops what was attached and is still held; the outcome in `phase` is dropped with the
    /// state. Only a state that ever held something has parts to drop (each drop is a call):
    /// most deferreds that end hold their outcome alone.
    pub(super) fn drop_attachments(&mut self) {
        if !self.attached {
            debug_assert!(self.owns_nothing_attached(), "`attached` not set");
            return;
        }
        if !self.reactions.is_empty() {
            drop(mem::replace(&mut *self.reactions, Reactions::new()));
        }
        if !self.takers.is_unallocated() {
            drop(mem::replace(&mut *self.takers, ThinVec::new()));
        }
        if !self.waiters.is_unallocated() {
            drop(mem::replace(&mut *self.waiters, Waiters::new()));
        }
        if self.sites.is_some() {
            drop(self.sites.take());
        }
        if self.give_back.is_some() {
            drop(self.give_back.take());
        }
    }
}

/// What a change of a deferred's state let go of: the parts that are user code or the
/// runtime's (a canceller's captures, a waker's drop or wake) and so must not be dropped or
/// called under the lock (invariant 7). [`unlock_then`] deals with them.
#[must_use = "what a state change let go of is dealt with by `unlock_then`"]
pub(super) struct LetGo<T> {
    /// A canceller no longer wanted (the deferred fired, or was not pending).
    pub(super) canceller: Option<Canceller<T>>,
    /// The phase the change left, its canceller and task taken out (see [`Phase::discard`]).
    pub(super) phase: Option<Phase<T>>,
    /// A waker replaced by a newer one, or left by a handle that stopped awaiting.
    pub(super) waker: Option<Waker>,
    /// The awaiters to wake.
    pub(super) woken: Option<Woken>,
    /// The task driving a spawned deferred, to wake.
    pub(super) task: Option<Waker>,
}

impl<T> LetGo<T> {
    #[inline]
    pub(super) const fn nothing() -> Self {
        LetGo {
            canceller: None,
            phase: None,
            waker: None,
            woken: None,
            task: None,
        }
    }

    /// The awaiters to wake, and nothing else.
    #[inline]
    pub(super) fn woken(woken: Woken) -> Self {
        LetGo {
            woken: Some(woken),
            ..LetGo::nothing()
        }
    }

    /// A replaced or stale waker to drop, and nothing else.
    #[inline]
    pub(super) fn waker(waker: Option<Waker>) -> Self {
        LetGo {
            waker,
            ..LetGo::nothing()
        }
    }

    /// The phase left, and nothing else.
    #[inline]
    pub(super) fn phase(phase: Phase<T>) -> Self {
        LetGo {
            phase: Some(phase),
            ..LetGo::nothing()
        }
    }
}

/// Ends a change of a deferred's state: releases the lock, then deals with what the change
/// let go of, always in this order: the canceller drops, then the phase left, then a
/// replaced waker; then the awaiters wake, then the task. Every site that changes the state
/// and has something to drop or wake ends through here (callbacks and takers, which run
/// with the outcome lent out, come after it).
// Measured with callgrind (`scripts/icount.sh`): as a plain `#[inline]` it stays a call on
// the chain's path, +10% instructions a link; inlined, it costs one to two percent.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(super) fn unlock_then<T>(guard: ShortGuard<'_, State<T>>, let_go: LetGo<T>) {
    drop(guard);
    let LetGo {
        canceller,
        phase,
        waker,
        woken,
        task,
    } = let_go;
    drop(canceller);
    if let Some(phase) = phase {
        phase.discard();
    }
    drop(waker);
    if let Some(woken) = woken {
        woken.wake_all();
    }
    if let Some(task) = task {
        task.wake();
    }
}

//! What the coordination primitives share: a line of waiters in request order, a hand-off
//! slot per waiter that makes cancellation race-free, and the firing of waiters outside every
//! internal lock without growing the stack.
//!
//! A waiter is handed its value (a token or a queued item) in two steps: under the primitive's
//! lock it leaves the line and the value goes into its slot; then, with no lock held,
//! [`deliver`] fires the waiter's deferred with it. A cancel that comes in between finds the
//! value in the slot and gives it back to the primitive, for the next waiter: a cancelled get
//! never swallows a put, a cancelled acquire never keeps the lock. See [`deliver`] for how
//! the two race.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::deferred::Deferred;

/// Locks `mutex`; no user code runs under the primitives' locks, so a poisoned one still holds
/// a consistent state.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waiters in request order, each with an id that its canceller names it by.
pub(crate) struct Line<W> {
    next_id: u64,
    /// Ids increase from front to back, so a cancelled waiter is found by binary search.
    waiting: VecDeque<(u64, W)>,
}

impl<W> Line<W> {
    pub(crate) const fn new() -> Self {
        Line {
            next_id: 0,
            waiting: VecDeque::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.waiting.len()
    }

    /// The id the next [`Line::push`] will give.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }

    pub(crate) fn push(&mut self, waiter: W) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.waiting.push_back((id, waiter));
        id
    }

    /// The oldest waiter.
    pub(crate) fn pop(&mut self) -> Option<W> {
        self.waiting.pop_front().map(|(_, waiter)| waiter)
    }

    /// Takes waiter `id` out of the line, if it is still in it.
    pub(crate) fn remove(&mut self, id: u64) -> Option<W> {
        let index = self.waiting.binary_search_by_key(&id, |(id, _)| *id).ok()?;
        self.waiting.remove(index).map(|(_, waiter)| waiter)
    }
}

/// Where a waiter's value waits between leaving the line and firing the waiter's deferred.
pub(crate) type Slot<T> = Mutex<Hand<T>>;

/// A waiter's hand-off slot.
pub(crate) enum Hand<T> {
    /// Nothing handed (still in line), or the value has gone on (delivered or given back).
    Empty,
    /// Handed under the owner's lock; `deliver` has not begun.
    Handed(T),
    /// `deliver` is cancelling the deferred so that its canceller fires it with this value.
    Delivering(T),
}

/// A waiter whose deferred fires with a `T`.
pub(crate) struct Waiter<T> {
    deferred: Deferred<T>,
    slot: Arc<Slot<T>>,
}

/// The primitive a waiter stands in line for, as its canceller sees it.
pub(crate) trait Owner<T>: Send + Sync + 'static {
    /// Takes waiter `id` out of the line; `false` if it had already left it (was handed a value).
    fn leave(&self, id: u64) -> bool;
    /// Takes back a value handed to a waiter that was cancelled before it could fire.
    fn give_back(self: Arc<Self>, value: T);
}

impl<T: Send + 'static> Waiter<T> {
    /// A waiter with id `id` in `owner`'s line, and the deferred its caller gets.
    ///
    /// Cancelling that deferred while it waits takes it out of the line (it then fails with
    /// `CancelledError`); cancelling it after it was handed a value that it has not fired
    /// with yet gives the value back to `owner`.
    pub(crate) fn new<O: Owner<T>>(owner: &Arc<O>, id: u64) -> (Deferred<T>, Waiter<T>) {
        let deferred = Deferred::new_pending();
        let slot: Arc<Slot<T>> = Arc::new(Mutex::new(Hand::Empty));
        // Weak: the owner's line holds this deferred, which holds its canceller.
        let weak: Weak<O> = Arc::downgrade(owner);
        let canceller_slot = Arc::clone(&slot);
        deferred.set_canceller(Box::new(move |deferred: &Deferred<T>| {
            let Some(owner) = weak.upgrade() else {
                return;
            };
            if owner.leave(id) {
                return;
            }
            let hand = mem::replace(&mut *lock(&canceller_slot), Hand::Empty);
            match hand {
                Hand::Empty => {}
                // `deliver`'s own cancel: fire with the value (the cancelling thread may).
                Hand::Delivering(value) if OWN_CANCEL.get() == slot_id(&canceller_slot) => {
                    let _ = deferred.settle(Ok(value));
                }
                // Someone else's cancel came first: the value goes back to the owner.
                Hand::Handed(value) | Hand::Delivering(value) => owner.give_back(value),
            }
        }));
        let waiter = Waiter {
            deferred: deferred.clone(),
            slot,
        };
        (deferred, waiter)
    }

    /// Whether the waiter's deferred fired already (cancelled, or fired by its holder).
    pub(crate) fn is_called(&self) -> bool {
        self.deferred.is_called()
    }

    /// Puts `value` in the slot; call under the owner's lock, as the waiter leaves the line.
    pub(crate) fn hand(&self, value: T) {
        *lock(&self.slot) = Hand::Handed(value);
    }
}

/// Fires `waiter` with the value it was handed, unless a cancel took it back first. Call with
/// no lock held (through [`fire`]). `give_back` gets the value if the deferred had been fired
/// meanwhile by its holder.
///
/// Only the thread cancelling a deferred may fire it, so a plain `settle` here could be
/// refused by a cancel begun on another thread a moment earlier, and the value dropped with
/// it (or, on the cancelling thread itself, accepted into a get whose task is going away).
/// Instead this cancels the deferred itself, and its canceller (see [`Waiter::new`]) fires it
/// with the value: if another cancel began first, this one does nothing, the value stays in
/// the slot, and that cancel's canceller gives it back. Either way the value ends up in
/// exactly one place, with no lock held while the deferred fires.
pub(crate) fn deliver<T: Send + 'static>(waiter: &Waiter<T>, give_back: impl FnOnce(T)) {
    {
        let mut slot = lock(&waiter.slot);
        match mem::replace(&mut *slot, Hand::Empty) {
            Hand::Handed(value) => *slot = Hand::Delivering(value),
            other => {
                *slot = other; // a cancel took it back already
                return;
            }
        }
    }
    // Tells the canceller that this cancel is the delivery (a cancel under way on this same
    // thread, which may have led here, is not: its canceller comes later and gives back).
    let outer = OWN_CANCEL.replace(slot_id(&waiter.slot));
    waiter.deferred.cancel();
    OWN_CANCEL.set(outer);
    // Still here if the deferred had fired by hand (no canceller ran), or if another thread's
    // cancel is under way (its canceller will take it): only the first is ours to give back.
    let left = {
        let mut slot = lock(&waiter.slot);
        if matches!(*slot, Hand::Delivering(..)) && waiter.deferred.is_called() {
            mem::replace(&mut *slot, Hand::Empty)
        } else {
            Hand::Empty
        }
    };
    if let Hand::Delivering(value) = left {
        give_back(value);
    }
}

/// [`deliver`] for a waiter whose value is a token, which can be made anew: cheaper than
/// `deliver`'s cancel (which allocates a failure, and captures a backtrace when
/// `RUST_BACKTRACE` is set).
///
/// A deferred that is closed (being cancelled, or fired by its holder) is left alone and its
/// token given back (by its canceller, or here). Otherwise a plain `settle`: if a cancel
/// begun on another thread since refuses it, the token is given back here, and that cancel's
/// canceller finds the slot empty. No cancel can begin on this thread in between.
pub(crate) fn deliver_token(waiter: &Waiter<()>, give_back: impl FnOnce()) {
    let mut slot = lock(&waiter.slot);
    if !matches!(*slot, Hand::Handed(())) {
        return; // a cancel took it back already
    }
    if waiter.deferred.closed_for_task() {
        if waiter.deferred.is_called() {
            *slot = Hand::Empty;
            drop(slot);
            give_back();
        }
        return; // being cancelled: its canceller gives the token back
    }
    *slot = Hand::Empty;
    drop(slot);
    if !waiter.deferred.settle_accepted(Ok(())) {
        give_back();
    }
}

/// How deeply firings may nest on one thread (a callback of a fired waiter releasing the lock
/// to the next one, whose callback releases it...) before the next ones are queued instead.
const MAX_NESTING: usize = 16;

/// Identifies a slot for [`OWN_CANCEL`] (its address; never dereferenced).
fn slot_id<T>(slot: &Arc<Slot<T>>) -> usize {
    Arc::as_ptr(slot).cast::<()>() as usize
}

thread_local! {
    /// The slot whose [`deliver`] is cancelling its deferred on this thread right now.
    static OWN_CANCEL: Cell<usize> = const { Cell::new(0) };
    static NESTING: Cell<usize> = const { Cell::new(0) };
    static QUEUED: RefCell<VecDeque<Box<dyn FnOnce()>>> = const { RefCell::new(VecDeque::new()) };
}

/// Runs `job` (which fires a waiter) now, or, when firings already nest [`MAX_NESTING`] deep
/// on this thread, once the outermost firing has finished: a chain of 100,000 waiters each
/// releasing the lock from its callback then runs in constant stack, in order.
pub(crate) fn fire(job: impl FnOnce() + 'static) {
    let depth = NESTING.get();
    if depth >= MAX_NESTING {
        QUEUED.with_borrow_mut(|queued| queued.push_back(Box::new(job)));
        return;
    }
    NESTING.set(depth + 1);
    let _restore = Restore(depth);
    job();
    if depth == 0 {
        while let Some(job) = QUEUED.with_borrow_mut(VecDeque::pop_front) {
            job();
        }
    }
}

/// Restores the nesting depth, also when a job unwinds.
struct Restore(usize);

impl Drop for Restore {
    fn drop(&mut self) {
        NESTING.set(self.0);
    }
}

//! What the coordination primitives share: a line of waiters in request order, a hand-off
//! slot per waiter that makes cancellation race-free, and the firing of waiters outside every
//! internal lock without growing the stack.
//!
//! A waiter is handed its value (a token or a queued item) in two steps: under the primitive's
//! lock it leaves the line and the value goes into its slot; then, with no primitive lock
//! held, [`deliver`] moves the value from the slot into the waiter's deferred, holding the
//! slot's own lock while it does. A canceller that no longer finds its waiter in the line
//! takes the value back out of the slot (and gives it back to the primitive); if the
//! delivery got there first, the canceller waits on the slot's lock until the deferred has
//! fired with the value, so the cancel then finds it fired and does nothing. Either way the
//! value ends up in exactly one place.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
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
pub(crate) type Slot<T> = Mutex<Option<T>>;

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
        let slot: Arc<Slot<T>> = Arc::new(Mutex::new(None));
        // Weak: the owner's line holds this deferred, which holds its canceller.
        let weak: Weak<O> = Arc::downgrade(owner);
        let canceller_slot = Arc::clone(&slot);
        deferred.set_canceller(Box::new(move |_: &Deferred<T>| {
            let Some(owner) = weak.upgrade() else {
                return;
            };
            if owner.leave(id) {
                return;
            }
            // Blocks while `deliver` fires the deferred; then the slot is empty.
            let handed = lock(&canceller_slot).take();
            if let Some(value) = handed {
                owner.give_back(value);
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
        *lock(&self.slot) = Some(value);
    }
}

/// Fires `waiter` with the value it was handed, unless a cancel took it back first. Call with
/// no primitive lock held (through [`fire`]). `give_back` gets the value if the deferred was
/// fired meanwhile by someone else (its holder resolved it by hand).
pub(crate) fn deliver<T: Send + 'static>(waiter: &Waiter<T>, give_back: impl FnOnce(T)) {
    let mut slot = lock(&waiter.slot);
    let Some(value) = slot.take() else {
        return;
    };
    if waiter.deferred.is_called() {
        drop(slot);
        give_back(value);
        return;
    }
    // The slot stays locked while the deferred fires, so that a concurrent canceller waits
    // for the value to be in the deferred (see the module docs). Only this waiter's canceller
    // takes this lock, and it cannot run once the deferred has fired, so callbacks that
    // re-enter the primitive cannot deadlock on it.
    let _ = waiter.deferred.settle(Ok(value));
    drop(slot);
}

/// How deeply firings may nest on one thread (a callback of a fired waiter releasing the lock
/// to the next one, whose callback releases it...) before the next ones are queued instead.
const MAX_NESTING: usize = 16;

thread_local! {
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

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
use std::sync::{Arc, Weak};

use crate::deferred::{Deferred, GiveBack, Held, TakeBack};

use crate::short_lock::ShortLock;
use crate::trampoline::Trampoline;

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

    /// Takes every waiter out of the line, oldest first.
    pub(crate) fn take_all(&mut self) -> Vec<W> {
        self.waiting.drain(..).map(|(_, waiter)| waiter).collect()
    }

    /// Takes waiter `id` out of the line, if it is still in it.
    pub(crate) fn remove(&mut self, id: u64) -> Option<W> {
        let index = self.waiting.binary_search_by_key(&id, |(id, _)| *id).ok()?;
        self.waiting.remove(index).map(|(_, waiter)| waiter)
    }
}

/// Where a waiter's value waits between leaving the line and firing the waiter's deferred.
pub(crate) type Slot<T> = ShortLock<Option<T>>;

/// A waiter whose deferred fires with a `T`. The line holds the deferred without being one
/// of its handles: when its caller's handles are all dropped before it is served, it
/// withdraws (see [`Waiter::new`]).
pub(crate) struct Waiter<T> {
    deferred: Held<T>,
    slot: Arc<Slot<T>>,
}

/// The primitive a waiter stands in line for, as its canceller sees it.
pub(crate) trait Owner<T>: Send + Sync + 'static {
    /// Takes waiter `id` out of the line; `false` if it had already left it (was handed a value).
    fn leave(&self, id: u64) -> bool;
    /// Takes back a value handed to a waiter that was cancelled before it could fire.
    fn give_back(self: Arc<Self>, value: T);
}

impl<T, O: Owner<T>> TakeBack<T> for O {
    fn take_back(self: Arc<Self>, value: T) {
        self.give_back(value);
    }
}

impl<T: Send + 'static> Waiter<T> {
    /// A waiter with id `id` in `owner`'s line, and the deferred its caller gets.
    ///
    /// Cancelling that deferred while it waits takes it out of the line (it then fails with
    /// `CancelledError`); cancelling it after it was handed a value that it has not fired
    /// with yet gives the value back to `owner`. Dropping its last handle before it is served,
    /// with no callback attached, cancels it so (tokio::sync's rule: a waiter nobody waits
    /// on any more leaves the line, and is handed nothing); dropping it after it was handed a
    /// value that nobody saw (not awaited to the end, no callback, not `is_called`) gives the
    /// value back to `owner`.
    pub(crate) fn new<O: Owner<T>>(owner: &Arc<O>, id: u64) -> (Deferred<T>, Waiter<T>) {
        // Weak: the owner's line holds this deferred. A value handed to it that nobody saw
        // before every handle dropped (a select's branch that was ready but lost) goes back.
        let deferred = Deferred::new_withdrawable(Arc::downgrade(owner) as GiveBack<T>);
        let slot: Arc<Slot<T>> = Arc::new(ShortLock::new(None));
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
            // Handed a value that `deliver` has not taken yet: it goes back to the owner.
            let handed = canceller_slot.lock().take();
            if let Some(value) = handed {
                owner.give_back(value);
            }
        }));
        let waiter = Waiter {
            deferred: deferred.hold(),
            slot,
        };
        (deferred, waiter)
    }

    /// Whether the waiter's deferred fired already (cancelled, or fired by its holder).
    pub(crate) fn is_called(&self) -> bool {
        self.deferred.is_called()
    }

    /// Fails the waiter's deferred with `failure`, unless it fired or is withdrawing. Call
    /// with no lock held (through [`fire`]), after it left the line.
    pub(crate) fn fail(&self, failure: crate::failure::Failure) {
        let _refused = self.deferred.offer(Err(failure));
    }

    /// Puts `value` in the slot; call under the owner's lock, as the waiter leaves the line.
    pub(crate) fn hand(&self, value: T) {
        *self.slot.lock() = Some(value);
    }
}

/// Fires `waiter` with the value it was handed, unless a cancel took it back first. Call with
/// no lock held (through [`fire`]). `give_back` gets the value if the deferred would not take
/// it.
///
/// The value leaves the slot under the slot's lock, so exactly one of this and the waiter's
/// canceller has it. The deferred is then *offered* it: a pending deferred fires with it; a
/// deferred that fired meanwhile, or whose cancel has begun (on any thread, this one too:
/// a get cancelled with its task is going away), or whose every handle has dropped (it is
/// withdrawing), refuses it, and it is given back here. The
/// canceller of that cancel then finds the slot empty. Either way the value ends up in
/// exactly one place, with no lock held while the deferred fires, and a hand-over costs no
/// cancel.
pub(crate) fn deliver<T: Send + 'static>(waiter: &Waiter<T>, give_back: impl FnOnce(T)) {
    let handed = waiter.slot.lock().take();
    let Some(value) = handed else {
        return; // a cancel took it back already
    };
    if let Err(Ok(value)) = waiter.deferred.offer(Ok(value)) {
        give_back(value);
    }
}

/// How deeply firings may nest on one thread (a callback of a fired waiter releasing the lock
/// to the next one, whose callback releases it...) before the next ones are queued instead.
const MAX_NESTING: u32 = 16;

/// How many firings one outermost [`fire`] runs on a runtime thread before it hands the rest
/// to a task of its own. Without a bound, a thread whose callback releases a lock that other
/// threads keep queueing for runs everyone's callbacks for as long as they keep coming.
const BUDGET: usize = 1_024;

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    static FIRING_DEPTH: Cell<u32> = const { Cell::new(0) };
    static FIRING_QUEUE: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
    /// Firings run on this thread since its outermost `fire` began.
    static RAN: Cell<usize> = const { Cell::new(0) };
}

/// Firings of waiters running on this thread, and the ones queued behind them.
static FIRINGS: Trampoline<Job> = Trampoline::new(&FIRING_DEPTH, &FIRING_QUEUE);

/// Runs `job` (which fires a waiter) now, or, when firings already nest [`MAX_NESTING`] deep
/// on this thread, once the outermost firing has finished: a chain of 100,000 waiters each
/// releasing the lock from its callback then runs in constant stack, in order.
///
/// On a runtime thread, one outermost call runs at most [`BUDGET`] firings; the rest go, in
/// order, to a task spawned on the current backend, which runs them under the same bound. On
/// a thread with no runtime there is nowhere else to run them, and the caller runs them all.
pub(crate) fn fire(job: impl FnOnce() + Send + 'static) {
    let level = if FIRINGS.is_running() && RAN.get() >= BUDGET {
        None
    } else {
        FIRINGS.enter(MAX_NESTING)
    };
    let Some(level) = level else {
        // A thread past its thread-locals' destruction has no queue: it fires here.
        if let Err(job) = FIRINGS.push(Box::new(job)) {
            job();
        }
        return;
    };
    if level.is_outermost() {
        RAN.set(0);
    }
    RAN.set(RAN.get() + 1);
    job();
    if level.is_outermost() {
        drain_queued();
    }
}

/// Runs the jobs queued on this thread, in order, until the queue is empty or, on a runtime
/// thread, the budget is spent; then the rest move to a task.
fn drain_queued() {
    loop {
        if RAN.get() >= BUDGET && crate::rt::is_runtime_thread() {
            let rest = FIRINGS.take_all();
            if !rest.is_empty() {
                crate::rt::spawn_detached(async move { run_in_order(rest) });
            }
            return;
        }
        let Some(job) = FIRINGS.pop() else {
            return;
        };
        RAN.set(RAN.get() + 1);
        job();
    }
}

/// Runs jobs handed over by another thread's [`drain_queued`], as an outermost firing would.
fn run_in_order(jobs: VecDeque<Job>) {
    // Jobs this one's callbacks queue go behind those handed over, keeping their order.
    if let Err(jobs) = FIRINGS.prepend(jobs) {
        // A thread past its thread-locals' destruction: no queue, so they run here.
        for job in jobs {
            job();
        }
        return;
    }
    // Entered past any limit: this task is where the handed-over jobs run.
    let _level = FIRINGS.enter(u32::MAX);
    RAN.set(0);
    drain_queued();
}

//! Twisted's chaining, as new deferreds beside txaio's non-chaining callbacks: `then`,
//! `recover`, `add_both`, and asyncio's `shield`.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::Arc;

use super::{Deferred, IntoDeferred, Resume, reaction};
use crate::failure::Failure;
use crate::trampoline::Trampoline;

/// A deferred that fires with `f(value)` once `d` succeeds; Twisted's `addCallback` as a new
/// deferred.
///
/// What `f` returns fires the new deferred: `Ok(value)`, `Err(error)`, or a `Deferred`, which
/// is waited for without blocking and whose result is then *moved* into the new deferred (as by
/// [`Deferred::take`]: its other holders see a [`TakenError`](crate::TakenError)). If `d`
/// fails, `f` is not called and the failure passes on: it counts as handled on `d`, and the new
/// deferred carries it. `d`'s own callbacks are unaffected: `then` adds one callback to `d`.
///
/// Chains are iterative: a chain of any length completes in constant stack and linear time.
///
/// # Panics
///
/// Never unwinds: a panic in `f` fails the new deferred with a [`Panic`](crate::Panic).
///
/// # Cancellation
///
/// Cancelling the new deferred cancels what it waits on: `d` while `d` is pending, else the
/// deferred `f` returned. It then fails with [`CancelledError`](crate::CancelledError) unless
/// `d`'s canceller gave a value that `f` turned into a result.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let d = txaio::create_future::<u32>();
/// let doubled = txaio::then(&d, |n| Ok::<_, std::fmt::Error>(n * 2));
/// let text = txaio::then(&doubled, |n| txaio::create_future_success(n.to_string()));
/// txaio::resolve(&d, 21).unwrap();
/// assert_eq!(text.await.unwrap(), "42");
/// # }
/// ```
#[doc(alias = "addCallback")]
#[track_caller]
pub fn then<T, U, R>(d: &Deferred<T>, f: impl FnOnce(T) -> R + Send + 'static) -> Deferred<U>
where
    T: Clone + Send + 'static,
    U: Send + 'static,
    R: IntoDeferred<U>,
{
    chain(d, move |outcome| match outcome {
        Ok(value) => call(f, value.clone()),
        Err(failure) => Ok(Err(failure.clone())),
    })
}

/// A deferred that fires with `d`'s value, or with `f(failure)` if `d` fails; Twisted's
/// `addErrback` whose errback returns a value (recovers).
///
/// `f` may return `Ok` (recovered), `Err` (a new failure), or a `Deferred` to wait for, as in
/// [`then`]. `d`'s failure counts as handled.
///
/// # Panics
///
/// Never unwinds: a panic in `f` fails the new deferred with a [`Panic`](crate::Panic).
///
/// # Cancellation
///
/// As [`then`].
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let d = txaio::create_future_error::<u32>(std::io::Error::other("no cache"));
/// let value = txaio::recover(&d, |failure| {
///     assert!(failure.is::<std::io::Error>());
///     Ok::<_, txaio::Failure>(0)
/// });
/// assert_eq!(value.await.unwrap(), 0);
/// # }
/// ```
#[doc(alias = "addErrback")]
#[track_caller]
pub fn recover<T, R>(d: &Deferred<T>, f: impl FnOnce(Failure) -> R + Send + 'static) -> Deferred<T>
where
    T: Clone + Send + 'static,
    R: IntoDeferred<T>,
{
    chain(d, move |outcome| match outcome {
        Ok(value) => Ok(Ok(value.clone())),
        Err(failure) => call(f, failure.clone()),
    })
}

/// A deferred that fires with `f(outcome)`, whichever way `d` fires; Twisted's `addBoth`.
///
/// `f` sees `Ok(value)` or `Err(failure)` and returns as in [`then`]. `d`'s failure counts as
/// handled.
///
/// # Panics
///
/// Never unwinds: a panic in `f` fails the new deferred with a [`Panic`](crate::Panic).
///
/// # Cancellation
///
/// As [`then`].
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let d = txaio::create_future_error::<u32>(std::fmt::Error);
/// let described = txaio::add_both(&d, |outcome| {
///     Ok::<_, txaio::Failure>(match outcome {
///         Ok(n) => format!("got {n}"),
///         Err(failure) => format!("failed: {}", txaio::failure_message(&failure)),
///     })
/// });
/// assert_eq!(described.await.unwrap(), "failed: Error: an error occurred when formatting an argument");
/// # }
/// ```
#[doc(alias = "addBoth")]
#[track_caller]
pub fn add_both<T, U, R>(
    d: &Deferred<T>,
    f: impl FnOnce(Result<T, Failure>) -> R + Send + 'static,
) -> Deferred<U>
where
    T: Clone + Send + 'static,
    U: Send + 'static,
    R: IntoDeferred<U>,
{
    chain(d, move |outcome| {
        call(f, outcome.cloned().map_err(Clone::clone))
    })
}

/// A deferred that fires with `d`'s result, and whose cancellation leaves `d` alone
/// (asyncio's `shield`).
///
/// Cancelling the shield, directly or through the cancellation of a task awaiting it, fails
/// the shield with [`CancelledError`](crate::CancelledError); `d` runs on for its other
/// holders. Await `shield(&shared)` in a task that may be cancelled while others still need
/// `shared`. `d`'s failure counts as handled once the shield carries it; a cancelled shield
/// leaves it to `d`'s other holders (or to the unhandled-error report).
///
/// # Cancellation
///
/// Never cancels `d`. So a shield over a coordination primitive's waiter (a
/// [`DeferredQueue::get`](crate::DeferredQueue::get), an `acquire`) keeps it in line while
/// the shield exists, even once the waiter's own handles are gone, as a callback on it
/// would: the value it is served goes to the shield. Dropping every handle of the shield
/// too does not withdraw the waiter (the value it is served then goes nowhere); cancel the
/// waiter itself when neither is wanted any more.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let shared = txaio::create_future::<u32>();
/// let shielded = txaio::shield(&shared);
/// txaio::cancel(&shielded);
/// assert!(!txaio::is_called(&shared));
/// txaio::resolve(&shared, 5).unwrap();
/// assert_eq!(shared.await.unwrap(), 5);
/// # }
/// ```
#[track_caller]
pub fn shield<T: Clone + Send + 'static>(d: &Deferred<T>) -> Deferred<T> {
    let shielded = Deferred::new_pending();
    let target = shielded.clone();
    let source = d.downgrade();
    let pass_on = reaction(move |outcome: Result<&T, &Failure>| {
        let failed = outcome.is_err();
        if target.settle_accepted(outcome.cloned().map_err(Clone::clone))
            && failed
            && let Some(source) = source.upgrade()
        {
            source.mark_handled();
        }
    });
    d.add_reaction(pass_on, false);
    shielded
}

/// What a chain step gives: the outcome now, or a deferred to wait for.
type Step<U> = Result<Result<U, Failure>, Deferred<U>>;

/// Calls a chain's function, containing a panic.
fn call<A, U, R: IntoDeferred<U>>(f: impl FnOnce(A) -> R, argument: A) -> Step<U> {
    match crate::panic::catch(move || f(argument)) {
        Ok(returned) => returned.into_outcome_or_deferred(),
        Err(panic) => Ok(Err(Failure::new(panic))),
    }
}

#[track_caller]
fn chain<T, U>(
    d: &Deferred<T>,
    step: impl FnOnce(Result<&T, &Failure>) -> Step<U> + Send + 'static,
) -> Deferred<U>
where
    T: Send + 'static,
    U: Send + 'static,
{
    let chained = Deferred::new_chained(d);
    let mut link = Link(Some(chained.clone()));
    let react = reaction(move |outcome: Result<&T, &Failure>| {
        let Some(target) = link.0.take() else { return };
        match step(outcome) {
            Ok(outcome) => settle_iteratively(&target, outcome),
            Err(returned) => wait_for(target, &returned),
        }
    });
    d.add_reaction(react, true);
    chained
}

/// `target` now waits on `returned`, whose result moves into it once known.
fn wait_for<U: Send + 'static>(target: Deferred<U>, returned: &Deferred<U>) {
    if returned.ptr_eq(&target) {
        // Twisted refuses a callback returning its own deferred; waiting on itself would never
        // fire, so fail it instead.
        let _ = target.settle(Err(Failure::msg(
            "a chained function returned the deferred it chains into",
        )));
        return;
    }
    target.set_awaited(returned);
    if !target.closed_for_task() {
        let mut link = Link(Some(target));
        returned.add_taker(Box::new(move |outcome| {
            if let Some(target) = link.0.take() {
                settle_iteratively(&target, outcome);
            }
        }));
        return;
    }
    // Cancelled while the function ran: what it returned is not wanted either.
    returned.cancel();
}

/// A chain's hold on the deferred it fires next. A chain that never fired is dropped link by
/// link from a queue, not recursively: dropping a deferred drops its callbacks, which drop the
/// next deferred of the chain, and so on 10,000 deep.
struct Link<U: Send + 'static>(Option<Deferred<U>>);

impl<U: Send + 'static> Drop for Link<U> {
    fn drop(&mut self) {
        if let Some(next) = self.0.take() {
            drop_iteratively(Box::new(next));
        }
    }
}

thread_local! {
    static DROP_DEPTH: Cell<u32> = const { Cell::new(0) };
    static DROP_QUEUE: RefCell<VecDeque<Box<dyn Send>>> = const { RefCell::new(VecDeque::new()) };
}

/// Drops of chain links under way on this thread, and the links queued behind them.
static DROPS: Trampoline<Box<dyn Send>> = Trampoline::new(&DROP_DEPTH, &DROP_QUEUE);

/// Drops `item` (a chain's next deferred) here, or, while a drop of a link already runs on
/// this thread, once that one has finished: a chain 10,000 links long drops in constant stack.
fn drop_iteratively(item: Box<dyn Send>) {
    let Some(_level) = DROPS.enter(1) else {
        // On a thread past its thread-locals' destruction (a runtime dropping its tasks as
        // it exits) there is no queue: the link drops here, by plain recursion.
        if let Err(item) = DROPS.push(item) {
            drop(item);
        }
        return;
    };
    // A panicking drop (user code inside a callback's captures) is reported, and the rest
    // of the chain still drops.
    if let Err(panic) = crate::panic::catch(move || drop(item)) {
        crate::report::callback_panicked(&panic);
    }
    DROPS.drain_newest_first(drop);
}

/// How many chain settles may nest on one thread before the next link is queued: shallow
/// chains fire synchronously, as a caller of `resolve` expects, and a chain of any length
/// still runs in bounded stack.
const NESTING: u32 = 16;

thread_local! {
    static SETTLE_DEPTH: Cell<u32> = const { Cell::new(0) };
    static SETTLE_QUEUE: RefCell<VecDeque<Arc<dyn Resume>>> =
        const { RefCell::new(VecDeque::new()) };
}

/// Chain settles running on this thread, and the links queued behind them: firing one link
/// of a chain fires the next from inside its callbacks, so without this a chain of 10,000
/// links would nest 10,000 deep.
static SETTLES: Trampoline<Arc<dyn Resume>> = Trampoline::new(&SETTLE_DEPTH, &SETTLE_QUEUE);

/// Fires `target` with `outcome`. Deep inside nested chain settles on this thread, the outcome
/// is stored instead and `target`'s callbacks run when the outermost settle gets to them (no
/// allocation), so that chains complete in bounded stack and linear time.
fn settle_iteratively<U: Send + 'static>(target: &Deferred<U>, outcome: Result<U, Failure>) {
    let Some(level) = SETTLES.enter(NESTING) else {
        if target.settle_queued(outcome)
            && let Err(link) = SETTLES.push(target.as_resume())
        {
            // A thread past its thread-locals' destruction resumes it here.
            link.resume();
        }
        return;
    };
    let _ = target.settle(outcome);
    if level.is_outermost() {
        // `resume` contains callback panics; one escaping would be txaio's own bug, and is
        // reported without leaving this thread's chains queued.
        SETTLES.drain(Resume::resume);
    }
}

//! `run` for `DeferredLock` and `DeferredSemaphore`: acquire, call, release.

use std::sync::Arc;

use super::gate::Gate;
use crate::deferred::{Deferred, IntoDeferred, as_future, reaction};
use crate::failure::Failure;
use crate::log::Logger;

/// Acquires a token of `gate`, calls `f`, releases the token when `f`'s deferred fires, then
/// fires the returned deferred with `f`'s result (moved, as by `take`).
pub(crate) fn run_guarded<T, R, F>(gate: &Arc<Gate>, f: F) -> Deferred<T>
where
    T: Send + 'static,
    R: IntoDeferred<T>,
    F: FnOnce() -> R + Send + 'static,
{
    if gate.try_acquire() {
        return call_holding(gate, f);
    }
    let out: Deferred<T> = Deferred::new_pending();
    let acquired = gate.acquire();
    // Cancelling `out` while it waits cancels `acquired` first (it leaves the line); `out`
    // then fails with its own `CancelledError`, so failures of `acquired` need no reaction.
    out.set_awaited(&acquired);
    let gate = Arc::clone(gate);
    let target = out.clone();
    let on_acquired = reaction(move |outcome: Result<&(), &Failure>| {
        if outcome.is_ok() {
            call_and_forward(&gate, f, target);
        }
    });
    acquired.add_reaction(on_acquired, true);
    out
}

/// With the token held: calls `f` and moves its result into `out`.
fn call_and_forward<T, R, F>(gate: &Arc<Gate>, f: F, out: Deferred<T>)
where
    T: Send + 'static,
    R: IntoDeferred<T>,
    F: FnOnce() -> R,
{
    if out.closed_for_task() {
        // Cancelled as the token arrived: `f` is not wanted any more.
        release_for_run(gate);
        return;
    }
    let running = call_holding(gate, f);
    // From now on, cancelling `out` cancels what `f` started.
    out.set_awaited(&running);
    if out.closed_for_task() {
        // Cancelled while `f` ran, before the line above: pass the cancel on by hand.
        running.cancel();
    }
    // Takers run after the callbacks, so the release above comes before `out` fires.
    running.add_taker(Box::new(move |outcome| {
        let _ = out.settle(outcome);
    }));
}

/// Calls `f` holding a token, and gives `f`'s own deferred, which releases the token as it
/// fires. On a free lock this is all `run` does: the result is `f`'s deferred itself, and
/// cancelling it cancels that.
fn call_holding<T, R, F>(gate: &Arc<Gate>, f: F) -> Deferred<T>
where
    T: Send + 'static,
    R: IntoDeferred<T>,
    F: FnOnce() -> R,
{
    let running = as_future(f);
    if running.is_called() {
        release_for_run(gate);
    } else {
        let gate = Arc::clone(gate);
        let release = reaction(move |_: Result<&T, &Failure>| release_for_run(&gate));
        running.add_reaction(release, false);
    }
    running
}

/// Releases the token `run` holds; one released by hand meanwhile is reported, not unwound.
fn release_for_run(gate: &Arc<Gate>) {
    if !gate.release() {
        Logger::new("txaio").error(format_args!(
            "DeferredLock/DeferredSemaphore::run: the lock or token was released by hand \
             before `f`'s result fired"
        ));
    }
}

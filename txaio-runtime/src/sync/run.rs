//! `run` for `DeferredLock` and `DeferredSemaphore`: acquire, call, release.

use std::mem;
use std::sync::{Arc, Mutex};

use super::line::lock;
use super::semaphore::Gate;
use crate::deferred::{Deferred, IntoDeferred, as_future, reaction};
use crate::errors::CancelledError;
use crate::failure::Failure;
use crate::log::Logger;

/// Where a `run` is, for its canceller.
enum Stage<T> {
    Acquiring(Deferred<()>),
    Running(Deferred<T>),
    /// Cancelled, or finished.
    Over,
}

/// Acquires a token of `gate`, calls `f`, releases the token when `f`'s deferred fires, then
/// fires the returned deferred with `f`'s result.
pub(crate) fn run_guarded<T, R, F>(gate: &Arc<Gate>, f: F) -> Deferred<T>
where
    T: Clone + Send + 'static,
    R: IntoDeferred<T>,
    F: FnOnce() -> R + Send + 'static,
{
    if gate.try_acquire() {
        return call_holding(gate, f);
    }
    let out: Deferred<T> = Deferred::new_pending();
    let acquired = gate.acquire();
    let stage = Arc::new(Mutex::new(Stage::Acquiring(acquired.clone())));
    let cancel_stage = Arc::clone(&stage);
    out.set_canceller(Box::new(move |_: &Deferred<T>| {
        // Bound first: the guard must not live through the cancel, whose reactions lock it.
        let was = mem::replace(&mut *lock(&cancel_stage), Stage::Over);
        match was {
            Stage::Acquiring(acquired) => acquired.cancel(),
            Stage::Running(running) => running.cancel(),
            Stage::Over => {}
        }
    }));
    let gate = Arc::clone(gate);
    let fired = out.clone();
    // Cancelling `acquired` (only `out`'s canceller does) fails it with `CancelledError`; `out`
    // then fails by its own cancel, so the reaction has nothing to do on failure.
    let on_acquired = reaction(move |outcome: Result<&(), &Failure>| {
        if outcome.is_ok() {
            call_and_release(&gate, &stage, f, fired);
        }
    });
    acquired.add_reaction(on_acquired, true);
    out
}

/// The free-token path: `f`'s own deferred is the result, released as it fires. Nothing
/// waited, so there is no stage to cancel: cancelling the result cancels `f`'s deferred.
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
        running.add_reaction(
            reaction(move |_: Result<&T, &Failure>| release_for_run(&gate)),
            false,
        );
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

fn call_and_release<T, R, F>(gate: &Arc<Gate>, stage: &Arc<Mutex<Stage<T>>>, f: F, out: Deferred<T>)
where
    T: Clone + Send + 'static,
    R: IntoDeferred<T>,
    F: FnOnce() -> R + Send + 'static,
{
    let running = as_future(f);
    let cancelled = {
        let mut stage = lock(stage);
        let cancelled = matches!(*stage, Stage::Over);
        if !cancelled {
            *stage = Stage::Running(running.clone());
        }
        cancelled
    };
    if cancelled {
        // `out` was cancelled while `f` ran: pass the cancel on to what `f` started.
        running.cancel();
    }
    let gate = Arc::clone(gate);
    let stage = Arc::clone(stage);
    let on_result = reaction(move |outcome: Result<&T, &Failure>| {
        let was = mem::replace(&mut *lock(&stage), Stage::Over);
        release_for_run(&gate);
        let cancelled_out = matches!(was, Stage::Over);
        match outcome {
            // `out` is being cancelled and fails with its own (handled) `CancelledError`.
            Err(failure) if cancelled_out && failure.is::<CancelledError>() => {}
            outcome => {
                let _ = out.settle(outcome.cloned().map_err(Clone::clone));
            }
        }
    });
    running.add_reaction(on_result, true);
}

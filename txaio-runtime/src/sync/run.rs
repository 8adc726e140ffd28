//! `run` for `DeferredLock` and `DeferredSemaphore`: acquire, call, release.

use std::mem;
use std::sync::{Arc, Mutex};

use super::line::lock;
use super::semaphore::Gate;
use crate::deferred::{Deferred, IntoDeferred, as_future, reaction};
use crate::errors::CancelledError;
use crate::failure::Failure;

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
        let released = gate.release();
        let cancelled_out = matches!(was, Stage::Over);
        match outcome {
            // `out` is being cancelled and fails with its own (handled) `CancelledError`.
            Err(failure) if cancelled_out && failure.is::<CancelledError>() => {}
            outcome => {
                let _ = out.settle(outcome.cloned().map_err(Clone::clone));
            }
        }
        // Someone released the token by hand meanwhile: their bug, reported as a panicking
        // callback once `out` has fired.
        assert!(
            released,
            "run: the lock or token was released by hand before `f`'s result fired"
        );
    });
    running.add_reaction(on_result, true);
}

//! What every combinator shares: one reaction per input feeding a [`Rule`] that decides, under
//! a lock, when the combined deferred fires; the firing, the cancelling and every drop of a
//! user value happen after that lock is released, since they run user code that may re-enter.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::deferred::{Deferred, create_future, reaction};
use crate::failure::Failure;

/// What a rule decides after one input fired.
pub(super) enum Step<R> {
    /// Not yet.
    Wait,
    /// Fire the combined deferred; inputs still pending are left as they are.
    Fire(Result<R, Failure>),
    /// Fire the combined deferred, after cancelling every other input still pending.
    FireAndCancelRest(Result<R, Failure>),
}

/// A combinator's policy: how input outcomes become the combined outcome.
///
/// `record` runs under the engine's lock, so it only moves values around: no cloning, no
/// dropping of user values (those the rule still holds are dropped after the lock is released,
/// when the engine discards the rule).
pub(super) trait Rule<T>: Send + 'static {
    type Output: Send + 'static;

    /// Whether cancelling the combined deferred decides it (it fails with `CancelledError`,
    /// `gather`'s rule), rather than letting the cancelled inputs decide.
    const CANCEL_DECIDES: bool = false;

    /// Input `index` fired with `outcome`. Called at most once per index.
    fn record(&mut self, index: usize, outcome: Result<T, Failure>) -> Step<Self::Output>;

    /// The outcome for no inputs at all; `None` never fires.
    fn when_empty(self) -> Option<Result<Self::Output, Failure>>;
}

struct Engine<T, P: Rule<T>> {
    /// `None` once decided: the combined deferred fired, is about to, or was cancelled.
    rule: Option<P>,
    combined: Option<Deferred<P::Output>>,
    /// The inputs not yet fired, kept alive while the combined deferred may still need them
    /// (a `sleep` is held by nobody else) and to cancel them. This is a reference cycle through
    /// their reactions, broken as each input fires and when the combined deferred is decided.
    pending: Vec<Option<Deferred<T>>>,
}

impl<T, P: Rule<T>> Engine<T, P> {
    /// Takes out everything the engine holds, so it can be dropped or used outside the lock.
    fn decide(&mut self) -> Decided<T, P> {
        Decided {
            rule: self.rule.take(),
            combined: self.combined.take(),
            pending: std::mem::take(&mut self.pending),
        }
    }
}

/// What an engine held, taken out of its lock: dropping it (user values, the last handle of a
/// failed input, which reports it) runs user code.
struct Decided<T, P: Rule<T>> {
    rule: Option<P>,
    combined: Option<Deferred<P::Output>>,
    pending: Vec<Option<Deferred<T>>>,
}

impl<T: Send + 'static, P: Rule<T>> Decided<T, P> {
    fn cancel_pending(&self, except: Option<usize>) {
        let pending = self.pending.iter().enumerate();
        for (_, input) in pending.filter(|(i, _)| Some(*i) != except) {
            if let Some(input) = input {
                input.cancel();
            }
        }
    }
}

fn lock<T, P: Rule<T>>(engine: &Mutex<Engine<T, P>>) -> MutexGuard<'_, Engine<T, P>> {
    // No user code runs under this lock, so a poisoned one still holds a consistent state.
    engine.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The deferred that the rule (made for the number of inputs) fires from `inputs`' outcomes.
/// With `handles_failure`, the inputs' failures count as handled.
#[track_caller]
pub(super) fn combine<T, P>(
    inputs: impl IntoIterator<Item = Deferred<T>>,
    make_rule: impl FnOnce(usize) -> P,
    handles_failure: bool,
) -> Deferred<P::Output>
where
    T: Clone + Send + 'static,
    P: Rule<T>,
{
    let inputs: Vec<Deferred<T>> = inputs.into_iter().collect();
    let rule = make_rule(inputs.len());
    let combined = create_future();
    if inputs.is_empty() {
        if let Some(outcome) = rule.when_empty() {
            let _ = combined.settle(outcome);
        }
        return combined;
    }
    let engine = Arc::new(Mutex::new(Engine {
        rule: Some(rule),
        combined: Some(combined.clone()),
        pending: inputs.iter().cloned().map(Some).collect(),
    }));
    // Weak: the inputs' reactions own the engine; the combined deferred need not.
    let canceller_engine = Arc::downgrade(&engine);
    combined.set_canceller(Box::new(move |combined| {
        cancel_inputs(&canceller_engine, combined);
    }));
    for (index, input) in inputs.iter().enumerate() {
        let engine = Arc::clone(&engine);
        let record = reaction(move |outcome: Result<&T, &Failure>| {
            record(&engine, index, outcome);
        });
        input.add_reaction(record, handles_failure);
    }
    combined
}

fn record<T, P>(engine: &Mutex<Engine<T, P>>, index: usize, outcome: Result<&T, &Failure>)
where
    T: Clone + Send + 'static,
    P: Rule<T>,
{
    // `T::clone` is user code: run it before taking the lock. A clone that panics counts as
    // this input failing, so that the combined deferred still fires.
    let owned = match outcome {
        Ok(value) => crate::panic::catch(|| value.clone()).map_err(Failure::new),
        Err(failure) => Err(failure.clone()),
    };
    let mut state = lock(engine);
    let this_input = state.pending.get_mut(index).and_then(Option::take);
    let Some(rule) = state.rule.as_mut() else {
        drop(state);
        drop((owned, this_input));
        return;
    };
    let (outcome, cancel_rest) = match rule.record(index, owned) {
        Step::Wait => {
            drop(state);
            drop(this_input);
            return;
        }
        Step::Fire(outcome) => (outcome, false),
        Step::FireAndCancelRest(outcome) => (outcome, true),
    };
    let decided = state.decide();
    drop(state);
    drop(this_input);
    if cancel_rest {
        decided.cancel_pending(Some(index));
    }
    let Decided {
        rule,
        combined,
        pending,
    } = decided;
    drop((rule, pending));
    if let Some(combined) = combined {
        // Only `Err` when the combined deferred was cancelled meanwhile: cancel won.
        let _ = combined.settle(outcome);
    }
}

/// The combined deferred's canceller: cancels every pending input. With
/// [`Rule::CANCEL_DECIDES`] the rule is dropped first, so `cancel` then fails the combined
/// deferred with `CancelledError`; without it the cancelled inputs' outcomes go to the rule as
/// any others (Twisted's rule: a cancelled `gatherResults` fails with a `FirstError` of a
/// `CancelledError`, or succeeds if every canceller gave a value).
fn cancel_inputs<T, P>(engine: &Weak<Mutex<Engine<T, P>>>, combined: &Deferred<P::Output>)
where
    T: Send + 'static,
    P: Rule<T>,
{
    // Gone only when no input can fire any more: nothing left to cancel.
    let Some(engine) = engine.upgrade() else {
        return;
    };
    let mut state = lock(&engine);
    if state.rule.is_none() {
        // Already decided: the combined deferred is firing with its result.
        return;
    }
    let decided = if P::CANCEL_DECIDES {
        state.decide()
    } else {
        Decided {
            rule: None,
            combined: None,
            pending: std::mem::take(&mut state.pending),
        }
    };
    drop(state);
    // A cancelled deferred's failure is never reported as unhandled, whatever fires it.
    combined.add_reaction(reaction(|_: Result<&P::Output, &Failure>| {}), true);
    decided.cancel_pending(None);
}

/// One slot per input, filled in any order, complete when every slot is.
pub(super) struct Slots<V> {
    slots: Vec<Option<V>>,
    remaining: usize,
}

impl<V> Slots<V> {
    pub(super) fn new(len: usize) -> Self {
        Slots {
            slots: (0..len).map(|_| None).collect(),
            remaining: len,
        }
    }

    /// Fills slot `index`; every value, in slot order, once the last slot is filled.
    pub(super) fn fill(&mut self, index: usize, value: V) -> Option<Vec<V>> {
        let slot = &mut self.slots[index];
        debug_assert!(slot.is_none(), "input {index} fired twice");
        if slot.replace(value).is_none() {
            self.remaining -= 1;
        }
        if self.remaining > 0 {
            return None;
        }
        // Every slot holds a value: `remaining` counted each one as it was filled.
        Some(
            std::mem::take(&mut self.slots)
                .into_iter()
                .flatten()
                .collect(),
        )
    }
}

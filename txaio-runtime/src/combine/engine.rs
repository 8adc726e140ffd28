//! What every combinator shares: one reaction per input feeding a [`Rule`] that decides, under
//! a lock, when the combined deferred fires; the firing, the cancelling and every drop of a
//! user value happen after that lock is released, since they run user code that may re-enter.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::deferred::{Deferred, WeakDeferred, create_future, reaction};
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

    /// Input `index` fired with `outcome`. Called at most once per index.
    fn record(&mut self, index: usize, outcome: Result<T, Failure>) -> Step<Self::Output>;

    /// The outcome for no inputs at all; `None` never fires.
    fn when_empty(self) -> Option<Result<Self::Output, Failure>>;
}

struct Engine<T, P: Rule<T>> {
    /// `None` once decided: the combined deferred fired, is about to, or was cancelled.
    rule: Option<P>,
    combined: Option<Deferred<P::Output>>,
    /// Weak, so that the combined deferred does not keep inputs alive.
    inputs: Vec<WeakDeferred<T>>,
}

impl<T, P: Rule<T>> Engine<T, P> {
    /// Takes out everything the engine holds, so it can be dropped or used outside the lock.
    fn decide(&mut self) -> Decided<T, P> {
        Decided {
            rule: self.rule.take(),
            combined: self.combined.take(),
            inputs: std::mem::take(&mut self.inputs),
        }
    }
}

struct Decided<T, P: Rule<T>> {
    rule: Option<P>,
    combined: Option<Deferred<P::Output>>,
    inputs: Vec<WeakDeferred<T>>,
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
        inputs: inputs.iter().map(Deferred::downgrade).collect(),
    }));
    // Weak: the inputs' reactions own the engine, and the combined deferred must not.
    let canceller_engine = Arc::downgrade(&engine);
    combined.set_canceller(Box::new(move |_| cancel_inputs(&canceller_engine)));
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
    // `T::clone` is user code: run it before taking the lock.
    let owned = outcome.cloned().map_err(Failure::clone);
    let mut state = lock(engine);
    let Some(rule) = state.rule.as_mut() else {
        drop(state);
        drop(owned);
        return;
    };
    let (outcome, cancel_rest) = match rule.record(index, owned) {
        Step::Wait => return,
        Step::Fire(outcome) => (outcome, false),
        Step::FireAndCancelRest(outcome) => (outcome, true),
    };
    let decided = state.decide();
    drop(state);
    drop(decided.rule);
    if cancel_rest {
        let others = decided
            .inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index);
        for (_, input) in others {
            if let Some(input) = input.upgrade() {
                input.cancel();
            }
        }
    }
    drop(decided.inputs);
    if let Some(combined) = decided.combined {
        // Only `Err` when the combined deferred was cancelled meanwhile: cancel won.
        let _ = combined.settle(outcome);
    }
}

/// The combined deferred's canceller: decides nothing more and cancels every pending input.
/// It leaves the combined deferred to `cancel`, which fails it with `CancelledError`.
fn cancel_inputs<T, P>(engine: &Weak<Mutex<Engine<T, P>>>)
where
    T: Send + 'static,
    P: Rule<T>,
{
    // Gone only when every input was dropped unfired: nothing left to cancel.
    let Some(engine) = engine.upgrade() else {
        return;
    };
    let mut state = lock(&engine);
    if state.rule.is_none() {
        // Already decided: the combined deferred is firing with its result.
        return;
    }
    let decided = state.decide();
    drop(state);
    drop(decided.rule);
    drop(decided.combined);
    for input in decided.inputs.iter().filter_map(WeakDeferred::upgrade) {
        input.cancel();
    }
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

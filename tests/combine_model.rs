//! `gather`, `gather_results`, `race` and `DeferredList` against a plain model: random inputs
//! (some with cancellers that resolve), random resolves, rejects and cancels of inputs before
//! and after the combinator is made, and cancels of the combined deferred. After every step the
//! combined deferred and every input must be where the model says, having fired at most once.

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use txaio::{
    CancelledError, Deferred, DeferredList, DeferredListResult, Failure, FailureGroup, FirstError,
};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Gather,
    GatherResults,
    Race,
    List { on_callback: bool, on_errback: bool },
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Resolve(usize, u8),
    Reject(usize, u8),
    CancelInput(usize),
    CancelCombined,
}

/// An input's failure, as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Error {
    Tagged(u8),
    Cancelled,
}

type Outcome = Result<u8, Error>;

/// What the combined deferred fired with, whatever its type.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Combined {
    All(Vec<Outcome>),
    Values(Vec<u8>),
    First(usize, u8),
    FirstError(usize, Error),
    Group(Vec<Error>),
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Tagged(u8);

impl std::fmt::Display for Tagged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tag {}", self.0)
    }
}

impl std::error::Error for Tagged {}

fn error_of(failure: &Failure) -> Error {
    if failure.is::<CancelledError>() {
        Error::Cancelled
    } else {
        Error::Tagged(failure.downcast_ref::<Tagged>().expect("a test error").0)
    }
}

fn outcome_of(outcome: &Result<u8, Failure>) -> Outcome {
    outcome.as_ref().copied().map_err(error_of)
}

// The model.

struct ModelInput {
    outcome: Option<Outcome>,
    cancelled: bool,
    /// What its canceller resolves it with, if anything.
    canceller_value: Option<u8>,
}

struct Model {
    kind: Kind,
    inputs: Vec<ModelInput>,
    /// Whether the combinator exists yet (ops run before it see no combinator).
    made: bool,
    /// The inputs' firings as the combinator saw them, in order.
    log: Vec<(usize, Outcome)>,
    combined: Option<Combined>,
}

impl Model {
    fn decide(&self) -> Option<Combined> {
        let n = self.inputs.len();
        let mut fired: Vec<Option<Outcome>> = vec![None; n];
        for &(index, outcome) in &self.log {
            fired[index] = Some(outcome);
            let done = fired.iter().all(Option::is_some);
            let every = || fired.iter().map(|o| o.unwrap()).collect::<Vec<_>>();
            match (self.kind, outcome) {
                (Kind::GatherResults, Err(e)) => return Some(Combined::FirstError(index, e)),
                (Kind::Race, Ok(v)) => return Some(Combined::First(index, v)),
                (
                    Kind::List {
                        on_callback: true, ..
                    },
                    Ok(v),
                ) => {
                    return Some(Combined::First(index, v));
                }
                (
                    Kind::List {
                        on_errback: true, ..
                    },
                    Err(e),
                ) => {
                    return Some(Combined::FirstError(index, e));
                }
                _ if !done => {}
                (Kind::GatherResults, _) => {
                    return Some(Combined::Values(
                        every().into_iter().map(Result::unwrap).collect(),
                    ));
                }
                (Kind::Race, _) => {
                    return Some(Combined::Group(
                        every().into_iter().map(Result::unwrap_err).collect(),
                    ));
                }
                (Kind::Gather | Kind::List { .. }, _) => return Some(Combined::All(every())),
            }
        }
        None
    }

    fn when_empty(&self) -> Option<Combined> {
        match self.kind {
            Kind::Gather
            | Kind::List {
                on_callback: false, ..
            } => Some(Combined::All(vec![])),
            Kind::GatherResults => Some(Combined::Values(vec![])),
            Kind::Race => Some(Combined::Group(vec![])),
            Kind::List {
                on_callback: true, ..
            } => None,
        }
    }

    fn make(&mut self) {
        self.made = true;
        if self.inputs.is_empty() {
            self.combined = self.when_empty();
            return;
        }
        // Inputs that fired already are seen in input order, as their reactions are added.
        self.log = (0..self.inputs.len())
            .filter_map(|i| self.inputs[i].outcome.map(|o| (i, o)))
            .collect();
        self.after_firing();
    }

    /// Fires input `index` (if pending) and lets the combinator see it.
    fn fire(&mut self, index: usize, outcome: Outcome) {
        self.inputs[index].outcome = Some(outcome);
        if self.made {
            self.log.push((index, outcome));
            self.after_firing();
        }
    }

    fn after_firing(&mut self) {
        if self.combined.is_some() {
            return;
        }
        self.combined = self.decide();
        if matches!(self.kind, Kind::Race) && matches!(self.combined, Some(Combined::First(..))) {
            self.cancel_pending();
        }
    }

    fn cancel_input(&mut self, index: usize) {
        let input = &mut self.inputs[index];
        if input.outcome.is_some() {
            return;
        }
        input.cancelled = true;
        let outcome = input.canceller_value.ok_or(Error::Cancelled);
        self.fire(index, outcome);
    }

    fn cancel_pending(&mut self) {
        for index in 0..self.inputs.len() {
            self.cancel_input(index);
        }
    }

    /// What `resolve`/`reject` returns: `Err` only on a fired deferred that was not cancelled.
    fn settle(&mut self, index: usize, outcome: Outcome) -> bool {
        let input = &self.inputs[index];
        if input.outcome.is_some() {
            return input.cancelled;
        }
        self.fire(index, outcome);
        true
    }

    fn cancel_combined(&mut self) {
        if self.combined.is_some() {
            return;
        }
        if matches!(self.kind, Kind::Gather) {
            self.combined = Some(Combined::Cancelled);
        }
        self.cancel_pending();
        if self.combined.is_none() {
            self.combined = Some(Combined::Cancelled);
        }
    }
}

// The real thing.

/// The combined deferred, as a way to cancel it and what it fired with.
type RealCombined = (Box<dyn Fn()>, Arc<Mutex<Vec<Combined>>>);

struct Real {
    inputs: Vec<Deferred<u8>>,
    seen_inputs: Vec<Arc<Mutex<Vec<Outcome>>>>,
    combined: Option<RealCombined>,
}

fn record<T: Clone + Send + 'static>(
    d: &Deferred<T>,
    convert: impl Fn(&T) -> Combined + Send + 'static,
    from_failure: impl Fn(&Failure) -> Combined + Send + 'static,
) -> Arc<Mutex<Vec<Combined>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (ok, err) = (Arc::clone(&seen), Arc::clone(&seen));
    txaio::add_callbacks(
        d,
        move |value| ok.lock().unwrap().push(convert(value)),
        move |failure| err.lock().unwrap().push(from_failure(failure)),
    );
    seen
}

fn failure_to_combined(failure: &Failure) -> Combined {
    if let Some(first) = failure.downcast_ref::<FirstError>() {
        Combined::FirstError(first.index, error_of(&first.failure))
    } else if let Some(group) = failure.downcast_ref::<FailureGroup>() {
        Combined::Group(group.failures.iter().map(error_of).collect())
    } else {
        assert!(
            failure.is::<CancelledError>(),
            "unexpected failure {failure}"
        );
        Combined::Cancelled
    }
}

fn make_real(kind: Kind, inputs: &[Deferred<u8>]) -> RealCombined {
    fn boxed<T: Send + 'static>(d: Deferred<T>) -> Box<dyn Fn()> {
        Box::new(move || txaio::cancel(&d))
    }
    let inputs = inputs.to_vec();
    match kind {
        Kind::Gather => {
            let d = txaio::gather(inputs, true);
            let seen = record(
                &d,
                |all| Combined::All(all.iter().map(outcome_of).collect()),
                failure_to_combined,
            );
            (boxed(d), seen)
        }
        Kind::GatherResults => {
            let d = txaio::gather_results(inputs, true);
            let seen = record(&d, |v| Combined::Values(v.clone()), failure_to_combined);
            (boxed(d), seen)
        }
        Kind::Race => {
            let d = txaio::race(inputs);
            let seen = record(&d, |&(i, v)| Combined::First(i, v), failure_to_combined);
            (boxed(d), seen)
        }
        Kind::List {
            on_callback,
            on_errback,
        } => {
            let d = DeferredList::new(inputs)
                .fire_on_one_callback(on_callback)
                .fire_on_one_errback(on_errback)
                .consume_errors(true)
                .start();
            let seen = record(
                &d,
                |result| match result {
                    DeferredListResult::All(all) => {
                        Combined::All(all.iter().map(outcome_of).collect())
                    }
                    DeferredListResult::First { index, value } => Combined::First(*index, *value),
                },
                failure_to_combined,
            );
            (boxed(d), seen)
        }
    }
}

fn new_input(canceller_value: Option<u8>) -> (Deferred<u8>, Arc<Mutex<Vec<Outcome>>>) {
    let d = match canceller_value {
        Some(v) => txaio::create_future_with_canceller(move |d| txaio::resolve(d, v).unwrap()),
        None => txaio::create_future(),
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (ok, err) = (Arc::clone(&seen), Arc::clone(&seen));
    txaio::add_callbacks(
        &d,
        move |v| ok.lock().unwrap().push(Ok(*v)),
        move |f| err.lock().unwrap().push(Err(error_of(f))),
    );
    (d, seen)
}

fn apply(op: Op, model: &mut Model, real: &Real) {
    match op {
        Op::Resolve(i, v) => {
            let accepted = txaio::resolve(&real.inputs[i], v).is_ok();
            assert_eq!(accepted, model.settle(i, Ok(v)), "{op:?}");
        }
        Op::Reject(i, tag) => {
            let accepted = txaio::reject(&real.inputs[i], Tagged(tag)).is_ok();
            assert_eq!(accepted, model.settle(i, Err(Error::Tagged(tag))), "{op:?}");
        }
        Op::CancelInput(i) => {
            txaio::cancel(&real.inputs[i]);
            model.cancel_input(i);
        }
        Op::CancelCombined => {
            if let Some((cancel, _)) = &real.combined {
                cancel();
                model.cancel_combined();
            }
        }
    }
}

fn check(model: &Model, real: &Real, step: &str) {
    for (i, seen) in real.seen_inputs.iter().enumerate() {
        let seen = seen.lock().unwrap();
        let expected: Vec<Outcome> = model.inputs[i].outcome.into_iter().collect();
        assert_eq!(*seen, expected, "input {i} after {step}");
    }
    if let Some((_, seen)) = &real.combined {
        let expected: Vec<Combined> = model.combined.clone().into_iter().collect();
        assert_eq!(*seen.lock().unwrap(), expected, "combined after {step}");
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Gather),
        Just(Kind::GatherResults),
        Just(Kind::Race),
        (any::<bool>(), any::<bool>()).prop_map(|(on_callback, on_errback)| Kind::List {
            on_callback,
            on_errback
        }),
    ]
}

fn op(n: usize) -> impl Strategy<Value = Op> {
    let i = 0..n.max(1);
    prop_oneof![
        3 => (i.clone(), 0..8u8).prop_map(|(i, v)| Op::Resolve(i, v)),
        3 => (i.clone(), 0..8u8).prop_map(|(i, t)| Op::Reject(i, t)),
        1 => i.prop_map(Op::CancelInput),
        1 => Just(Op::CancelCombined),
    ]
}

fn scenario() -> impl Strategy<Value = (Kind, Vec<Option<u8>>, Vec<Op>, Vec<Op>)> {
    (
        kind(),
        prop::collection::vec(prop::option::weighted(0.25, 0..8u8), 0..6),
    )
        .prop_flat_map(|(kind, cancellers)| {
            let n = cancellers.len();
            let ops = if n == 0 {
                prop::collection::vec(Just(Op::CancelCombined), 0..3).boxed()
            } else {
                prop::collection::vec(op(n), 0..16).boxed()
            };
            let before = if n == 0 {
                Just(Vec::new()).boxed()
            } else {
                prop::collection::vec(op(n), 0..4).boxed()
            };
            (Just(kind), Just(cancellers), before, ops)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn combinators_follow_the_model((kind, cancellers, before, ops) in scenario()) {
        let mut model = Model {
            kind,
            inputs: cancellers
                .iter()
                .map(|&canceller_value| ModelInput { outcome: None, cancelled: false, canceller_value })
                .collect(),
            made: false,
            log: Vec::new(),
            combined: None,
        };
        let (inputs, seen_inputs): (Vec<_>, Vec<_>) =
            cancellers.iter().map(|&value| new_input(value)).unzip();
        let mut real = Real { inputs, seen_inputs, combined: None };
        for op in before.into_iter().filter(|op| !matches!(op, Op::CancelCombined)) {
            apply(op, &mut model, &real);
        }
        real.combined = Some(make_real(kind, &real.inputs));
        model.make();
        check(&model, &real, "making the combinator");
        for (step, op) in ops.into_iter().enumerate() {
            apply(op, &mut model, &real);
            check(&model, &real, &format!("step {step}: {op:?}"));
        }
    }
}

//! The book, "From blocking code": `EventualResult` against a plain model: random sequences of resolve, reject,
//! cancel, wait, `original_failure` and stash/retrieve on the deferred behind a result, on
//! every backend, compared after each step with what the model says.

mod blocking_support;

use std::time::Duration;

use blocking_support::{LONG, on_every_backend};
use proptest::prelude::*;
use txaio::blocking::{self, EventualResult};
use txaio::{AlreadyCalledError, CancelledError, Failure, TimeoutError};

#[derive(Debug, Clone)]
enum Op {
    Resolve(u32),
    Reject,
    Cancel,
    Wait,
    OriginalFailure,
    StashAndRetrieve,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u32>().prop_map(Op::Resolve),
        Just(Op::Reject),
        Just(Op::Cancel),
        Just(Op::Wait),
        Just(Op::OriginalFailure),
        Just(Op::StashAndRetrieve),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    Pending,
    Value(u32),
    Rejected,
    Cancelled,
}

#[derive(Debug)]
struct Rejection;

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rejected")
    }
}

impl std::error::Error for Rejection {}

fn same(outcome: &Result<u32, Failure>, model: Model) -> bool {
    match (outcome, model) {
        (Ok(value), Model::Value(expected)) => *value == expected,
        (Err(failure), Model::Rejected) => failure.is::<Rejection>(),
        (Err(failure), Model::Cancelled) => failure.is::<CancelledError>(),
        (Err(failure), Model::Pending) => failure.is::<TimeoutError>(),
        _ => false,
    }
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let d = txaio::create_future::<u32>();
    let source = d.clone();
    let mut result: EventualResult<u32> = blocking::run_in_runtime(move || source);
    let mut model = Model::Pending;
    for op in ops {
        match op {
            Op::Resolve(value) => {
                let answer = txaio::resolve(&d, *value);
                match model {
                    Model::Pending => {
                        prop_assert_eq!(answer, Ok(()));
                        model = Model::Value(*value);
                    }
                    // After a cancel a late resolve is ignored.
                    Model::Cancelled => prop_assert_eq!(answer, Ok(())),
                    _ => prop_assert_eq!(answer, Err(AlreadyCalledError)),
                }
            }
            Op::Reject => {
                let answer = txaio::reject(&d, Rejection);
                match model {
                    Model::Pending => {
                        prop_assert_eq!(answer, Ok(()));
                        model = Model::Rejected;
                    }
                    Model::Cancelled => prop_assert_eq!(answer, Ok(())),
                    _ => prop_assert_eq!(answer, Err(AlreadyCalledError)),
                }
            }
            Op::Cancel => {
                result.cancel();
                if model == Model::Pending {
                    model = Model::Cancelled;
                    // Cancelling runs on the runtime: let it land before the next step.
                    prop_assert!(same(&result.wait(LONG), model));
                }
            }
            Op::Wait => {
                let timeout = if model == Model::Pending {
                    Duration::ZERO
                } else {
                    LONG
                };
                let outcome = result.wait(timeout);
                prop_assert!(same(&outcome, model), "{:?} vs {:?}", outcome, model);
            }
            Op::OriginalFailure => {
                if model != Model::Pending {
                    // The outcome travels to the result through the runtime.
                    let _ = result.wait(LONG);
                }
                let failure = result.original_failure();
                match model {
                    Model::Rejected => prop_assert!(failure.is_some_and(|f| f.is::<Rejection>())),
                    Model::Cancelled => {
                        prop_assert!(failure.is_some_and(|f| f.is::<CancelledError>()));
                    }
                    Model::Pending | Model::Value(_) => prop_assert!(failure.is_none()),
                }
            }
            Op::StashAndRetrieve => {
                let id = result.stash();
                prop_assert!(blocking::retrieve_result::<u64>(id).is_none());
                result = blocking::retrieve_result::<u32>(id).expect("stored");
                prop_assert!(blocking::retrieve_result::<u32>(id).is_none());
            }
        }
    }
    Ok(())
}

#[test]
fn eventual_result_follows_the_model() {
    on_every_backend(|_| {
        let config = ProptestConfig {
            cases: 48,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        proptest!(config, |(ops in proptest::collection::vec(op(), 1..24))| {
            run(&ops)?;
        });
    });
}

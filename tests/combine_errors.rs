//! The `txaio::combine` docs and the book, "Coming from Twisted": `FirstError` and `FailureGroup` as errors.

use std::error::Error;

use txaio::{Failure, FailureGroup, FirstError, failure_message};

#[derive(Debug)]
struct ParseError;

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bad digit")
    }
}

impl Error for ParseError {}

fn assert_error<E: Error + Clone + std::fmt::Debug + Send + Sync + 'static>() {}

#[test]
fn both_are_clone_debug_send_sync_errors() {
    assert_error::<FirstError>();
    assert_error::<FailureGroup>();
}

#[test]
fn first_error_displays_its_index_and_the_failure_message() {
    let error = FirstError {
        index: 3,
        failure: Failure::new(ParseError),
    };
    assert_eq!(error.to_string(), "FirstError[#3, ParseError: bad digit]");
    assert_eq!(error.source().unwrap().to_string(), "bad digit");
    let copy = error.clone();
    assert_eq!(copy.index, 3);
    assert!(copy.failure.is::<ParseError>());
    assert!(format!("{error:?}").contains("FirstError"));
}

#[test]
fn a_failure_made_from_first_error_names_it() {
    let failure = Failure::new(FirstError {
        index: 0,
        failure: Failure::msg("gone"),
    });
    assert!(failure.is::<FirstError>());
    assert_eq!(failure.type_name(), "FirstError");
    assert_eq!(
        failure_message(&failure),
        "FirstError: FirstError[#0, Error: gone]"
    );
}

#[test]
fn failure_group_lists_its_failures_in_order() {
    let group = FailureGroup {
        failures: vec![Failure::new(ParseError), Failure::msg("second")],
    };
    assert_eq!(
        group.to_string(),
        "FailureGroup[ParseError: bad digit; Error: second]"
    );
    assert_eq!(FailureGroup::default().to_string(), "FailureGroup[]");
    let copy = group.clone();
    assert!(copy.failures[0].is::<ParseError>());
    assert!(format!("{group:?}").contains("FailureGroup"));
}

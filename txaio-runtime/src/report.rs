//! txaio's own reports: failures nobody handled, panics in user callbacks.

use crate::errors::Panic;
use crate::failure::{Failure, failure_format_traceback};

/// The `tracing` target of txaio's own reports.
pub(crate) const TARGET: &str = "txaio";

pub(crate) fn unhandled_failure(failure: &Failure) {
    tracing::error!(target: TARGET, "Unhandled error in Deferred: {}", failure_format_traceback(failure));
}

pub(crate) fn callback_panicked(payload: &(dyn std::any::Any + Send)) {
    let panic = Panic::from_payload(payload);
    tracing::error!(target: TARGET, "A callback panicked: {}; the other callbacks still run", panic.message());
}

pub(crate) fn canceller_panicked(payload: &(dyn std::any::Any + Send)) {
    let panic = Panic::from_payload(payload);
    tracing::error!(target: TARGET, "A canceller panicked: {}; the deferred is cancelled anyway", panic.message());
}

pub(crate) fn timer_panicked(payload: &(dyn std::any::Any + Send)) {
    let panic = Panic::from_payload(payload);
    tracing::error!(target: TARGET, "A timer callback panicked: {}; other timers still run", panic.message());
}

//! txaio's own reports (failures nobody handled, panics in user callbacks), logged through a
//! txaio logger whose namespace is `txaio`.

use std::sync::OnceLock;

use crate::errors::Panic;
use crate::failure::{Failure, failure_format_traceback};
use crate::log::Logger;

fn logger() -> &'static Logger {
    static LOGGER: OnceLock<Logger> = OnceLock::new();
    LOGGER.get_or_init(|| Logger::new("txaio"))
}

/// `sites`: where the deferred was created and first fired, recorded while debugging.
pub(crate) fn unhandled_failure(failure: &Failure, sites: Option<&impl std::fmt::Display>) {
    match sites {
        None => logger().error(format_args!(
            "Unhandled error in Deferred: {}",
            failure_format_traceback(failure)
        )),
        Some(sites) => logger().error(format_args!(
            "Unhandled error in Deferred: {}{sites}",
            failure_format_traceback(failure)
        )),
    }
}

pub(crate) fn callback_panicked(panic: &Panic) {
    logger().error(format_args!(
        "A callback panicked: {}; the other callbacks still run",
        panic.message()
    ));
}

pub(crate) fn canceller_panicked(panic: &Panic) {
    logger().error(format_args!(
        "A canceller panicked: {}; the deferred is cancelled anyway",
        panic.message()
    ));
}

pub(crate) fn timer_panicked(panic: &Panic) {
    logger().error(format_args!(
        "A timer callback panicked: {}; other timers still run",
        panic.message()
    ));
}

pub(crate) fn unhandled_eventual_result(failure: &Failure) {
    logger().error(format_args!(
        "Unhandled error in EventualResult: {}",
        failure_format_traceback(failure)
    ));
}

pub(crate) fn unhandled_stashed_result(id: u64, failure: &Failure) {
    logger().error(format_args!(
        "Unhandled error in EventualResult (stashed as {id}): {}",
        failure_format_traceback(failure)
    ));
}

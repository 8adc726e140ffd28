//! The error types txaio itself produces.

use std::error::Error;
use std::fmt;

/// A deferred was resolved or rejected after it had already fired.
///
/// The first result stands; the second one is dropped. Twisted's `AlreadyCalledError`.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<u32>();
/// txaio::resolve(&d, 1).unwrap();
/// assert!(txaio::resolve(&d, 2).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlreadyCalledError;

impl fmt::Display for AlreadyCalledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the deferred has already fired")
    }
}

impl Error for AlreadyCalledError {}

/// A deferred was cancelled before it fired.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<u32>();
/// txaio::cancel(&d);
/// txaio::add_errback(&d, |failure| assert!(failure.is::<txaio::CancelledError>()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CancelledError;

impl fmt::Display for CancelledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the deferred was cancelled")
    }
}

impl Error for CancelledError {}

/// An operation did not complete within its time limit.
///
/// # Examples
///
/// ```
/// let failure = txaio::Failure::new(txaio::TimeoutError);
/// assert_eq!(txaio::failure_message(&failure), "TimeoutError: the operation timed out");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation timed out")
    }
}

impl Error for TimeoutError {}

/// A panic caught by txaio (in `as_future`, a spawned task or a callback), as an error.
///
/// Its message is the panic payload when that is a string.
///
/// # Examples
///
/// ```
/// let d = txaio::as_future(|| -> Result<u32, txaio::Failure> { panic!("boom") });
/// txaio::add_errback(&d, |failure| {
///     assert!(failure.is::<txaio::Panic>());
///     assert_eq!(txaio::failure_message(failure), "Panic: boom");
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    message: String,
}

impl Panic {
    /// Turns a payload caught by [`std::panic::catch_unwind`] into a `Panic`.
    #[must_use]
    pub fn from_payload(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = if let Some(text) = payload.downcast_ref::<&'static str>() {
            (*text).to_owned()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic with a non-string payload".to_owned()
        };
        Panic { message }
    }

    /// The panic's message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Panic {}

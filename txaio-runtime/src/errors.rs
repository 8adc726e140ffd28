//! The error types txaio itself produces.

use std::error::Error;
use std::fmt;
use std::panic::Location;

/// A deferred was resolved or rejected after it had already fired.
///
/// The first result stands; the second one is dropped. Twisted's `AlreadyCalledError`.
/// While [`set_debugging`](crate::set_debugging) is on, its Display names the `file:line`
/// where the deferred first fired. All `AlreadyCalledError`s compare equal, whatever they name;
/// the constant [`AlreadyCalledError`](const@AlreadyCalledError) is one that names nothing.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<u32>();
/// txaio::resolve(&d, 1).unwrap();
/// assert_eq!(txaio::resolve(&d, 2), Err(txaio::AlreadyCalledError));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AlreadyCalledError {
    first_fired: Option<&'static Location<'static>>,
}

/// An [`AlreadyCalledError`](struct@AlreadyCalledError) that names no firing site, so that
/// `Err(txaio::AlreadyCalledError)` reads as it did when the error was a unit struct.
///
/// # Examples
///
/// ```
/// assert_eq!(txaio::AlreadyCalledError.to_string(), "the deferred has already fired");
/// ```
#[allow(non_upper_case_globals)] // the unit-struct spelling, kept for callers
pub const AlreadyCalledError: AlreadyCalledError = AlreadyCalledError { first_fired: None };

impl AlreadyCalledError {
    pub(crate) fn first_fired_at(first_fired: Option<&'static Location<'static>>) -> Self {
        AlreadyCalledError { first_fired }
    }

    /// Where the deferred first fired, when debugging was on as it did.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::set_debugging(true);
    /// let d = txaio::create_future::<u32>();
    /// txaio::resolve(&d, 1).unwrap();
    /// let error = txaio::resolve(&d, 2).unwrap_err();
    /// txaio::set_debugging(false);
    /// assert_eq!(error.first_fired().unwrap().line(), line!() - 3);
    /// ```
    #[must_use]
    pub fn first_fired(&self) -> Option<&'static Location<'static>> {
        self.first_fired
    }
}

impl PartialEq for AlreadyCalledError {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for AlreadyCalledError {}

impl fmt::Display for AlreadyCalledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the deferred has already fired")?;
        if let Some(location) = self.first_fired {
            write!(f, " (first at {location})")?;
        }
        Ok(())
    }
}

impl Error for AlreadyCalledError {}

/// The result of a deferred was moved out by [`Deferred::take`](crate::Deferred::take) (or by a
/// chain that consumed it), so there is nothing left for a later taker, awaiter or callback.
///
/// A failure made of it is never reported as unhandled.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let d = txaio::create_future_success(String::from("socket"));
/// let first = d.clone().take().await.unwrap();
/// assert_eq!(first, "socket");
/// assert!(d.take().await.unwrap_err().is::<txaio::TakenError>());
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TakenError;

impl fmt::Display for TakenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the deferred's result was taken by an earlier `take`")
    }
}

impl Error for TakenError {}

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

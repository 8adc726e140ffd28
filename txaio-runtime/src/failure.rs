//! `Failure`: an error as a cheap, shareable value (Twisted's `Failure`, txaio's `IFailedFuture`).

use std::backtrace::Backtrace;
use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use std::any::Any;

use crate::blocking::{RuntimeStoppedError, RuntimeThreadError};
use crate::errors::{CancelledError, Panic, TimeoutError};

static DEBUGGING: AtomicBool = AtomicBool::new(false);

/// Turns on (or off) backtrace capture for every new [`Failure`], whatever the environment says.
///
/// Without it, backtraces are captured only when `RUST_BACKTRACE` or `RUST_LIB_BACKTRACE` ask
/// for them, and capturing costs nothing otherwise. Twisted's `Deferred.setDebugging`.
///
/// The failures txaio's own machinery makes as signals rather than as errors of your code (a
/// cancel's [`CancelledError`](crate::CancelledError), a [`TimeoutError`](crate::TimeoutError),
/// a [`RuntimeStoppedError`](crate::blocking::RuntimeStoppedError) or a
/// [`RuntimeThreadError`](crate::RuntimeThreadError)) capture a backtrace only while debugging
/// is on: with `RUST_BACKTRACE=1`, which production services often set, every cancel would
/// otherwise pay for one (microseconds instead of a fraction of one). Panics and every other
/// error follow `RUST_BACKTRACE`.
///
/// # Examples
///
/// ```standalone_crate
/// txaio::set_debugging(true);
/// let failure = txaio::create_failure(std::fmt::Error);
/// assert_eq!(
///     txaio::failure_traceback(&failure).status(),
///     std::backtrace::BacktraceStatus::Captured,
/// );
/// txaio::set_debugging(false);
/// ```
#[doc(alias = "setDebugging")]
pub fn set_debugging(on: bool) {
    DEBUGGING.store(on, Ordering::Relaxed);
}

/// Whether [`set_debugging`] is on.
///
/// # Examples
///
/// ```
/// assert!(!txaio::is_debugging());
/// ```
#[must_use]
#[inline]
pub fn is_debugging() -> bool {
    DEBUGGING.load(Ordering::Relaxed)
}

pub(crate) fn capture_backtrace() -> Backtrace {
    if is_debugging() {
        Backtrace::force_capture()
    } else {
        Backtrace::capture()
    }
}

/// A backtrace only while [`set_debugging`] is on, whatever `RUST_BACKTRACE` says.
fn debugging_backtrace() -> Backtrace {
    if is_debugging() {
        Backtrace::force_capture()
    } else {
        Backtrace::disabled()
    }
}

/// Whether `error` is one of the signals txaio's own machinery sends: a cancel
/// ([`CancelledError`]), a timeout ([`TimeoutError`]), a runtime that stopped or a wait refused
/// ([`RuntimeStoppedError`], [`RuntimeThreadError`]). Their backtraces would show txaio's
/// machinery, not the application's mistake, and a service that sets `RUST_BACKTRACE=1`
/// cancels and times out all day: they capture one only while debugging. Resolved at compile
/// time for each error type.
fn is_signal<E: 'static>(error: &E) -> bool {
    let error: &dyn Any = error;
    error.is::<CancelledError>()
        || error.is::<TimeoutError>()
        || error.is::<RuntimeStoppedError>()
        || error.is::<RuntimeThreadError>()
}

/// An error as a value: what a failed [`Deferred`](crate::Deferred) holds.
///
/// Cheap to clone (one reference count), `Send + Sync`, and convertible from any
/// `std::error::Error + Send + Sync + 'static`, so `?` and `reject(&d, my_error)` just work.
/// It does not implement `Error` itself (that would collide with the blanket `From`), the
/// same choice `anyhow::Error` makes; [`Failure::value`] gives the error inside.
///
/// # Examples
///
/// ```
/// use txaio::Failure;
///
/// let failure = Failure::from(std::io::Error::other("disk on fire"));
/// assert!(failure.is::<std::io::Error>());
/// assert_eq!(txaio::failure_message(&failure), "Error: disk on fire");
/// assert_eq!(failure.to_string(), "Error: disk on fire");
/// ```
#[derive(Clone)]
pub struct Failure {
    inner: Arc<FailureInner>,
}

struct FailureInner {
    error: Box<dyn Error + Send + Sync + 'static>,
    type_name: &'static str,
    backtrace: Backtrace,
}

/// The error inside [`Failure::msg`].
#[derive(Debug)]
struct MessageError(String);

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for MessageError {}

impl Failure {
    /// Wraps an error, capturing a backtrace if backtraces are asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = txaio::Failure::new(std::io::Error::other("it failed"));
    /// assert_eq!(failure.to_string(), "Error: it failed");
    /// ```
    #[must_use]
    pub fn new(error: impl Error + Send + Sync + 'static) -> Failure {
        let type_name = short_type_name(std::any::type_name_of_val(&error));
        if is_signal(&error) {
            return Failure::with_backtrace(Box::new(error), type_name, debugging_backtrace());
        }
        Failure::with_type_name(Box::new(error), type_name)
    }

    /// A failure carrying just a message; its type name is `Error`.
    ///
    /// ```
    /// let failure = txaio::Failure::msg(format_args!("peer {} went away", 7));
    /// assert_eq!(txaio::failure_message(&failure), "Error: peer 7 went away");
    /// ```
    #[must_use]
    pub fn msg(message: impl fmt::Display) -> Failure {
        Failure::with_type_name(Box::new(MessageError(message.to_string())), "Error")
    }

    /// A failure made from a caught panic payload; its type name is `Panic`.
    ///
    /// # Examples
    ///
    /// ```
    /// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    /// let failure = txaio::Failure::from_panic(&*payload);
    /// assert_eq!(txaio::failure_message(&failure), "Panic: boom");
    /// ```
    #[must_use]
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Failure {
        Failure::new(Panic::from_payload(payload))
    }

    fn with_type_name(
        error: Box<dyn Error + Send + Sync + 'static>,
        type_name: &'static str,
    ) -> Failure {
        Failure::with_backtrace(error, type_name, capture_backtrace())
    }

    fn with_backtrace(
        error: Box<dyn Error + Send + Sync + 'static>,
        type_name: &'static str,
        backtrace: Backtrace,
    ) -> Failure {
        Failure {
            inner: Arc::new(FailureInner {
                error,
                type_name,
                backtrace,
            }),
        }
    }

    /// A failure txaio makes as bookkeeping (a [`TakenError`](crate::TakenError) left behind a
    /// moved value), whose backtrace would only show txaio itself: captured only while
    /// debugging, whatever `RUST_BACKTRACE` says, as a chain makes one per link.
    pub(crate) fn bookkeeping(error: impl Error + Send + Sync + 'static) -> Failure {
        let type_name = short_type_name(std::any::type_name_of_val(&error));
        Failure::with_backtrace(Box::new(error), type_name, debugging_backtrace())
    }

    /// The error inside (txaio's `IFailedFuture.value`).
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = txaio::Failure::new(std::io::Error::other("it failed"));
    /// assert_eq!(failure.value().to_string(), "it failed");
    /// ```
    #[must_use]
    pub fn value(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.inner.error
    }

    /// Whether the error inside is an `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = txaio::Failure::new(std::fmt::Error);
    /// assert!(failure.is::<std::fmt::Error>());
    /// assert!(!failure.is::<std::io::Error>());
    /// ```
    #[must_use]
    pub fn is<E: Error + 'static>(&self) -> bool {
        self.inner.error.is::<E>()
    }

    /// The error inside, if it is an `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = txaio::Failure::new(std::io::Error::other("it failed"));
    /// let io = failure.downcast_ref::<std::io::Error>().unwrap();
    /// assert_eq!(io.kind(), std::io::ErrorKind::Other);
    /// ```
    #[must_use]
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        self.inner.error.downcast_ref::<E>()
    }

    /// The error type's own name, without module path or generics (`ParseError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = txaio::Failure::new("x".parse::<u8>().unwrap_err());
    /// assert_eq!(failure.type_name(), "ParseIntError");
    /// ```
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        self.inner.type_name
    }
}

impl<E: Error + Send + Sync + 'static> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure::new(error)
    }
}

/// A failure as a boxed standard error, for APIs that take one (`std::io::Error::other`, `?` into
/// `Box<dyn Error + Send + Sync>`). The box displays as the failure does and its `source` is the
/// error inside.
///
/// ```
/// let failure = txaio::Failure::msg("lost the peer");
/// let io = std::io::Error::other(failure);
/// assert_eq!(io.to_string(), "Error: lost the peer");
/// ```
impl From<Failure> for Box<dyn Error + Send + Sync + 'static> {
    fn from(failure: Failure) -> Self {
        Box::new(AsError(failure))
    }
}

/// [`Failure`] made into a standard error (it cannot be one itself; see its docs).
struct AsError(Failure);

impl fmt::Debug for AsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for AsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Error for AsError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.0.value())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.type_name, self.inner.error)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("type_name", &self.inner.type_name)
            .field("error", &self.inner.error)
            .finish_non_exhaustive()
    }
}

/// `my::ParseError<u8>` -> `ParseError`; `std::io::Error` -> `Error`.
fn short_type_name(full: &'static str) -> &'static str {
    let without_generics = full.split('<').next().unwrap_or(full);
    without_generics
        .rsplit("::")
        .next()
        .unwrap_or(without_generics)
}

/// Makes a [`Failure`] from an error (txaio's `create_failure`).
///
/// # Examples
///
/// ```
/// let failure = txaio::create_failure(std::fmt::Error);
/// assert!(failure.is::<std::fmt::Error>());
/// ```
#[must_use]
pub fn create_failure(error: impl Into<Failure>) -> Failure {
    error.into()
}

/// `"{ErrorTypeName}: {message}"` on one line: line breaks in the message are escaped
/// (`\n` becomes the two characters `\` `n`).
///
/// # Examples
///
/// ```
/// let failure = txaio::create_failure(std::io::Error::other("it failed"));
/// assert_eq!(txaio::failure_message(&failure), "Error: it failed");
/// ```
#[must_use]
pub fn failure_message(failure: &Failure) -> String {
    let text = failure.to_string();
    if !text.contains(is_line_break) {
        return text;
    }
    // One line whatever the error's Display does: line breaks are escaped, as `{:?}` would.
    let mut one_line = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_line_break(c) {
            one_line.extend(c.escape_default());
        } else {
            one_line.push(c);
        }
    }
    one_line
}

/// What any text viewer may break a line at.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// The backtrace captured when the failure was made (empty unless backtraces were asked for).
///
/// # Examples
///
/// ```
/// let failure = txaio::create_failure(std::fmt::Error);
/// let _status = txaio::failure_traceback(&failure).status();
/// ```
pub fn failure_traceback(failure: &Failure) -> &Backtrace {
    &failure.inner.backtrace
}

/// The message, then the error's sources and the backtrace, one per line.
///
/// # Examples
///
/// ```
/// let failure = txaio::create_failure(std::io::Error::other("it failed"));
/// assert!(txaio::failure_format_traceback(&failure).starts_with("Error: it failed"));
/// ```
#[doc(alias = "failure_formatted_traceback")]
#[must_use]
pub fn failure_format_traceback(failure: &Failure) -> String {
    use std::fmt::Write as _;
    let mut text = failure_message(failure);
    let mut source = failure.value().source();
    while let Some(cause) = source {
        let _ = write!(text, "\ncaused by: {cause}");
        source = cause.source();
    }
    let backtrace = failure_traceback(failure);
    if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
        let _ = write!(text, "\nbacktrace:\n{backtrace}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn short_names_drop_path_and_generics() {
        assert_eq!(short_type_name("std::io::error::Error"), "Error");
        assert_eq!(short_type_name("my::ParseError<u8>"), "ParseError");
        assert_eq!(short_type_name("a::B<c::D<e::F>>"), "B");
        assert_eq!(short_type_name("Plain"), "Plain");
    }
}

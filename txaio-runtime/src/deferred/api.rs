//! txaio's free functions over deferreds.

use super::{Deferred, reaction};
use crate::errors::AlreadyCalledError;
use crate::failure::Failure;

/// A new, pending deferred (txaio's `create_future`).
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<u32>();
/// assert!(!txaio::is_called(&d));
/// txaio::resolve(&d, 42).unwrap();
/// assert!(txaio::is_called(&d));
/// ```
#[track_caller]
pub fn create_future<T>() -> Deferred<T> {
    Deferred::new_pending()
}

/// A deferred that has already succeeded with `value` (Twisted's `succeed`).
///
/// # Examples
///
/// ```
/// let d = txaio::create_future_success("ready");
/// txaio::add_callback(&d, |value| assert_eq!(*value, "ready"));
/// ```
#[doc(alias = "succeed")]
#[track_caller]
pub fn create_future_success<T: Send + 'static>(value: T) -> Deferred<T> {
    let deferred = Deferred::new_pending();
    let _ = deferred.settle(Ok(value));
    deferred
}

/// A deferred that has already failed with `error` (Twisted's `fail`).
///
/// # Examples
///
/// ```
/// let d = txaio::create_future_error::<u32>(std::fmt::Error);
/// txaio::add_errback(&d, |failure| assert!(failure.is::<std::fmt::Error>()));
/// ```
#[doc(alias = "fail")]
#[track_caller]
pub fn create_future_error<T: Send + 'static>(error: impl Into<Failure>) -> Deferred<T> {
    let deferred = Deferred::new_pending();
    let _ = deferred.settle(Err(error.into()));
    deferred
}

/// A pending deferred whose [`cancel`] first calls `canceller`.
///
/// The canceller may fire the deferred itself; if it does not, the deferred fails with
/// [`CancelledError`](crate::CancelledError). It is dropped, uncalled, when the deferred fires.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future_with_canceller::<u32>(|d| {
///     txaio::resolve(d, 0).unwrap(); // cancelling gives a default instead of an error
/// });
/// txaio::cancel(&d);
/// txaio::add_callback(&d, |value| assert_eq!(*value, 0));
/// ```
#[track_caller]
pub fn create_future_with_canceller<T: Send + 'static>(
    canceller: impl FnOnce(&Deferred<T>) + Send + 'static,
) -> Deferred<T> {
    let deferred = Deferred::new_pending();
    deferred.set_canceller(Box::new(canceller));
    deferred
}

/// What [`as_future`] accepts from its function: a deferred, or a plain `Result`.
pub trait IntoDeferred<T> {
    /// Converts `self` into a deferred.
    fn into_deferred(self) -> Deferred<T>;

    /// The outcome at once when there is one (`Ok`), else the deferred to wait for (`Err`):
    /// spares chains a deferred per step.
    #[doc(hidden)]
    fn into_outcome_or_deferred(self) -> Result<Result<T, Failure>, Deferred<T>>
    where
        Self: Sized,
    {
        Err(self.into_deferred())
    }
}

impl<T> IntoDeferred<T> for Deferred<T> {
    fn into_deferred(self) -> Deferred<T> {
        self
    }
}

impl<T: Send + 'static, E: Into<Failure>> IntoDeferred<T> for Result<T, E> {
    fn into_deferred(self) -> Deferred<T> {
        match self {
            Ok(value) => create_future_success(value),
            Err(error) => create_future_error(error),
        }
    }

    fn into_outcome_or_deferred(self) -> Result<Result<T, Failure>, Deferred<T>> {
        Ok(self.map_err(Into::into))
    }
}

/// Calls `f` now and gives its result as a deferred (Twisted's `maybeDeferred`).
///
/// `f` may return a `Deferred<T>` or a `Result<T, E>`; a panic in `f` becomes a failed deferred
/// whose failure is a [`Panic`](crate::Panic), never an unwind into the caller.
///
/// # Examples
///
/// ```
/// let d = txaio::as_future(|| "42".parse::<u32>());
/// txaio::add_callback(&d, |value| assert_eq!(*value, 42));
///
/// let d = txaio::as_future(|| "x".parse::<u32>());
/// txaio::add_errback(&d, |failure| assert_eq!(failure.type_name(), "ParseIntError"));
/// ```
#[doc(alias = "maybeDeferred")]
#[track_caller]
pub fn as_future<T: Send + 'static, R: IntoDeferred<T>>(f: impl FnOnce() -> R) -> Deferred<T> {
    match crate::panic::catch(f) {
        Ok(result) => result.into_deferred(),
        Err(panic) => create_future_error(panic),
    }
}

/// Fires `deferred` with `value`.
///
/// # Errors
///
/// [`AlreadyCalledError`](struct@AlreadyCalledError) if it had already fired; the first result stands. After [`cancel`],
/// a late `resolve` is ignored and returns `Ok(())`.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future();
/// txaio::resolve(&d, 1).unwrap();
/// assert_eq!(txaio::resolve(&d, 2), Err(txaio::AlreadyCalledError));
/// txaio::add_callback(&d, |value| assert_eq!(*value, 1));
/// ```
#[doc(alias = "callback")]
#[track_caller]
pub fn resolve<T: Send + 'static>(
    deferred: &Deferred<T>,
    value: T,
) -> Result<(), AlreadyCalledError> {
    deferred.settle(Ok(value))
}

/// Fires `deferred` with a failure.
///
/// # Errors
///
/// [`AlreadyCalledError`](struct@AlreadyCalledError) if it had already fired, as for [`resolve`].
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<u32>();
/// txaio::add_errback(&d, |failure| println!("{}", txaio::failure_message(failure)));
/// txaio::reject(&d, std::io::Error::other("it failed")).unwrap();
/// ```
#[doc(alias = "errback")]
#[track_caller]
pub fn reject<T: Send + 'static>(
    deferred: &Deferred<T>,
    error: impl Into<Failure>,
) -> Result<(), AlreadyCalledError> {
    deferred.settle(Err(error.into()))
}

/// Cancels a pending deferred: calls its canceller, then fails it with
/// [`CancelledError`](crate::CancelledError) unless the canceller fired it.
///
/// Cancelling a fired deferred does nothing. Once `cancel` has begun, a `resolve` or `reject`
/// from anyone but the canceller is ignored (and returns `Ok(())`). A `CancelledError` is never
/// reported as unhandled: a cancel is the caller's own doing.
///
/// # Cancellation
///
/// Cancellation runs down the await chain (Twisted's `inlineCallbacks` rule). Cancelling the
/// deferred of a spawned task or a `#[portable] async fn` first cancels every deferred that
/// the task is awaiting at that moment (one, or several under a select), and what *those*
/// await, to any depth: a child portable call is stopped, a pending `sleep` releases its
/// timer. Then the task stops: its future is not polled again and its runtime drops it soon
/// after (its drop guards run then). When `cancel` returns, the awaited deferreds have been
/// cancelled and the task's deferred has failed with `CancelledError`, whatever the awaited
/// deferreds' cancellers did. A chained deferred ([`then`](crate::then)) cancels what it
/// waits on the same way. No lock is held while a canceller runs. To await a deferred that
/// others still need, await [`shield`](crate::shield) of it.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<u32>();
/// txaio::cancel(&d);
/// txaio::add_errback(&d, |failure| assert!(failure.is::<txaio::CancelledError>()));
/// assert_eq!(txaio::resolve(&d, 1), Ok(())); // ignored after cancel
/// ```
pub fn cancel<T: Send + 'static>(deferred: &Deferred<T>) {
    deferred.cancel();
}

/// Adds a callback and an errback; exactly one of them will run, once.
///
/// They run on the thread that fires the deferred, in the order added, or at once if it has
/// fired. A panic in either is caught and logged; the other callbacks still run.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<&str>();
/// txaio::add_callbacks(&d, |value| println!("Callback: {value}"), |failure| {
///     println!("Errback: {}", txaio::failure_message(failure));
/// });
/// txaio::resolve(&d, "value").unwrap();
/// ```
#[doc(alias = "addCallbacks")]
pub fn add_callbacks<T: Send + 'static>(
    deferred: &Deferred<T>,
    callback: impl FnOnce(&T) + Send + 'static,
    errback: impl FnOnce(&Failure) + Send + 'static,
) {
    let react = reaction(move |outcome: Result<&T, &Failure>| match outcome {
        Ok(value) => callback(value),
        Err(failure) => errback(failure),
    });
    deferred.add_reaction(react, true);
}

/// Adds a callback that runs if the deferred succeeds.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future_success(3);
/// txaio::add_callback(&d, |value| assert_eq!(*value, 3));
/// ```
#[doc(alias = "addCallback")]
pub fn add_callback<T: Send + 'static>(
    deferred: &Deferred<T>,
    callback: impl FnOnce(&T) + Send + 'static,
) {
    let react = reaction(move |outcome: Result<&T, &Failure>| {
        if let Ok(value) = outcome {
            callback(value);
        }
    });
    deferred.add_reaction(react, false);
}

/// Adds an errback that runs if the deferred fails; the failure then counts as handled.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future_error::<u32>(std::fmt::Error);
/// txaio::add_errback(&d, |failure| println!("{failure}"));
/// ```
#[doc(alias = "addErrback")]
pub fn add_errback<T: Send + 'static>(
    deferred: &Deferred<T>,
    errback: impl FnOnce(&Failure) + Send + 'static,
) {
    let react = reaction(move |outcome: Result<&T, &Failure>| {
        if let Err(failure) = outcome {
            errback(failure);
        }
    });
    deferred.add_reaction(react, true);
}

/// Whether `deferred` has fired.
///
/// # Examples
///
/// ```
/// let d = txaio::create_future::<()>();
/// assert!(!txaio::is_called(&d));
/// ```
#[doc(alias = "called")]
pub fn is_called<T>(deferred: &Deferred<T>) -> bool {
    deferred.is_called()
}

//! What the facade's `__private` module and generated code call. Not public API.

use std::future::Future;

use crate::rt::{self, Runtime};

pub use crate::rt::{InRuntime, block_on, block_on_test, current, enter, spawn_detached};

use crate::deferred::{Deferred, spawn_on};
use crate::failure::Failure;

/// The body of a `#[portable] async fn`: spawned at once on `runtime`.
pub fn spawn_portable<T, F>(runtime: Runtime, future: F) -> Deferred<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T, Failure>> + Send + 'static,
{
    spawn_on(runtime, future)
}

/// A `#[portable] async fn`'s `Result<T, E>` as the deferred's outcome.
///
/// # Errors
///
/// The function's own error, as a [`Failure`].
pub fn result_into_outcome<T, E: Into<Failure>>(result: Result<T, E>) -> Result<T, Failure> {
    result.map_err(Into::into)
}

/// A backend named by `#[portable(runtime = "...")]` must be compiled in; these macros turn a
/// missing one into an error naming the feature, at the runtime name's span.
#[cfg(feature = "tokio")]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_runtime_tokio {
    () => {};
}

#[cfg(not(feature = "tokio"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_runtime_tokio {
    () => {
        ::core::compile_error!(
            "the `tokio` backend is not compiled in; enable the `tokio` feature of `txaio`, or pin another runtime"
        );
    };
}

#[cfg(feature = "smol")]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_runtime_smol {
    () => {};
}

#[cfg(not(feature = "smol"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_runtime_smol {
    () => {
        ::core::compile_error!(
            "the `smol` backend is not compiled in; enable the `smol` feature of `txaio`, or pin another runtime"
        );
    };
}

#[cfg(feature = "async-std")]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_runtime_async_std {
    () => {};
}

#[cfg(not(feature = "async-std"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_runtime_async_std {
    () => {
        ::core::compile_error!(
            "the `async-std` backend is not compiled in; enable the `async-std` feature of `txaio`, or pin another runtime"
        );
    };
}

pub use crate::{__require_runtime_async_std, __require_runtime_smol, __require_runtime_tokio};

/// Runs `future` on the default backend (doctests and examples).
pub fn block_on_default<F: Future>(future: F) -> F::Output {
    rt::block_on(rt::DEFAULT, future)
}

/// What a `#[txaio::test]` may return.
pub trait TestOutcome {
    /// `Err` with a description if the test failed.
    ///
    /// # Errors
    ///
    /// When the test returned an error.
    fn into_test_result(self) -> Result<(), String>;
}

impl TestOutcome for () {
    fn into_test_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Debug> TestOutcome for Result<(), E> {
    fn into_test_result(self) -> Result<(), String> {
        self.map_err(|error| format!("returned Err({error:?})"))
    }
}

/// The body of `#[txaio::test]`: runs the test once on every compiled backend (or on the one
/// named in `TXAIO_TEST_RUNTIME`), then panics naming each backend it failed on.
pub fn run_test<F, Fut>(test_name: &str, make_test: F)
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    let only = std::env::var("TXAIO_TEST_RUNTIME").ok();
    let mut failures = Vec::new();
    for &runtime in Runtime::compiled() {
        if only
            .as_deref()
            .is_some_and(|name| name != runtime.feature())
        {
            continue;
        }
        let failure = match crate::panic::catch(|| block_on_test(runtime, make_test())) {
            Ok(outcome) => outcome.into_test_result().err(),
            Err(panic) => Some(format!("panicked: {panic}")),
        };
        if let Some(failure) = failure {
            failures.push(format!("on {runtime}: {failure}"));
        }
    }
    assert!(
        failures.is_empty(),
        "test `{test_name}` failed {}",
        failures.join("; ")
    );
}

//! What the facade's `__private` module and generated code call. Not public API.

use std::error::Error;
use std::fmt;
use std::future::Future;

use crate::rt::{self, Runtime};

pub use crate::rt::{InRuntime, block_on, block_on_test, current, enter, spawn_detached};

use crate::deferred::{Deferred, spawn_on};
use crate::failure::Failure;

/// The body of a `#[portable] async fn`: spawned at once on `runtime`.
///
/// Named for the message a body that is not `Send` gets: "required by a bound in
/// `spawn_portable`", at the user's `async fn`.
#[track_caller]
pub fn spawn_portable<T, F>(runtime: Runtime, future: F) -> Deferred<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T, Failure>> + Send + 'static,
{
    spawn_on(runtime, future)
}

/// A `#[portable] async fn`'s `Result<T, Box<dyn Error + Send + Sync>>` error as a failure (a
/// boxed error is not itself an `Error`, so it has no `Into<Failure>`).
pub fn boxed_error(error: Box<dyn Error + Send + Sync + 'static>) -> Failure {
    Failure::new(BoxedError(error))
}

/// The error inside a boxed one, shown as it shows itself.
pub struct BoxedError(Box<dyn Error + Send + Sync + 'static>);

/// Tags a `#[portable] async fn`'s error by its type, dtolnay's autoref trick (as `anyhow!`
/// does): `(&error).__txaio_error_tag().prepare(error)` gives a `Box<dyn Error + Send + Sync>`
/// (even behind an alias such as `type BoxError = ..`, which the macro cannot see through)
/// wrapped as an [`Error`], and any other error as it is, for `Into<Failure>`.
pub trait BoxedErrorTag {
    /// The tag of a boxed error.
    fn __txaio_error_tag(&self) -> BoxedTag {
        BoxedTag
    }
}

impl BoxedErrorTag for Box<dyn Error + Send + Sync + 'static> {}

/// See [`BoxedErrorTag`]: the tag of every other error (found one autoref later).
pub trait ErrorTag {
    /// The tag of any other error.
    fn __txaio_error_tag(&self) -> PlainTag {
        PlainTag
    }
}

impl<E> ErrorTag for &E {}

/// The tag of a `Box<dyn Error + Send + Sync>` error.
#[derive(Debug)]
pub struct BoxedTag;

impl BoxedTag {
    /// The boxed error, as an [`Error`].
    pub fn prepare(self, error: Box<dyn Error + Send + Sync + 'static>) -> BoxedError {
        BoxedError(error)
    }
}

/// The tag of any other error, which must be `Into<Failure>` itself.
#[derive(Debug)]
pub struct PlainTag;

impl PlainTag {
    /// The error, unchanged.
    pub fn prepare<E>(self, error: E) -> E {
        error
    }
}

impl fmt::Debug for BoxedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for BoxedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Error for BoxedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

/// A `Result` behind an alias the macro cannot see through (`fmt::Result`, `type R<T> =
/// Result<T, E>`): its value type, for the `Deferred<T>` the function returns.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Result`, but #[txaio::portable] reads it as one",
    label = "a return type named `Result` (or declared as a `Result` alias in the module) is read as `Result<T, E>`",
    note = "write the type in full, or give a non-`Result` type another name"
)]
pub trait PortableResult {
    /// The `T` of `Result<T, E>`.
    type Value;
}

impl<T, E> PortableResult for Result<T, E> {
    type Value = T;
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

/// Where a runtime is really chosen (`#[txaio::main]`, `#[txaio::test]`), a build with no
/// backend compiled is one compile error naming the features; everywhere else it builds.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_backend {
    () => {};
}

#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_backend {
    () => {
        ::core::compile_error!(
            "txaio needs a runtime backend: enable one of the cargo features `tokio` (the default), \
             `smol` or `async-std`, e.g. `txaio = { version = \"0.1\", default-features = false, \
             features = [\"smol\"] }`"
        );
    };
}

pub use crate::__require_backend;

/// `#[txaio::test(sim)]` needs the `sim` feature: without it, one compile error naming it.
#[cfg(feature = "sim")]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_sim {
    () => {};
}

#[cfg(not(feature = "sim"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __require_sim {
    () => {
        ::core::compile_error!(
            "#[txaio::test(sim)] needs txaio's `sim` feature, usually for tests only: \
             `[dev-dependencies] txaio = { version = \"0.1\", features = [\"sim\"] }`"
        );
    };
}

pub use crate::__require_sim;

/// The variable that replays one seed of a `#[txaio::test(sim, seeds = N)]`.
pub const SIM_SEED_VARIABLE: &str = "TXAIO_SIM_SEED";

/// The body of `#[txaio::test(sim)]`: runs the test as the client `test` of a fresh
/// simulation for each seed `0..seeds` (or only the seed `TXAIO_SIM_SEED` names), and panics
/// at the first failing seed, naming it and how to replay it.
///
/// # Panics
///
/// At the first failing seed; when `TXAIO_SIM_SEED` is not a number.
#[cfg(feature = "sim")]
pub fn run_sim_test<F, Fut>(test_name: &str, seeds: u64, make_test: F)
where
    F: Fn() -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: TestOutcome,
{
    let chosen: Vec<u64> = match std::env::var(SIM_SEED_VARIABLE) {
        Ok(value) if !value.is_empty() => match value.trim().parse() {
            Ok(seed) => vec![seed],
            Err(error) => panic!(
                "test `{test_name}` did not run: {SIM_SEED_VARIABLE}={value} is not a seed \
                 (a number such as 17): {error}"
            ),
        },
        _ => (0..seeds).collect(),
    };
    let count = chosen.len();
    for (index, seed) in chosen.into_iter().enumerate() {
        let mut sim = crate::sim::Builder::new().seed(seed).build();
        let test = make_test();
        let added = sim.client("test", async move {
            test.await.into_test_result().map_err(SimTestFailure)
        });
        let outcome = added.and_then(|_| sim.run());
        if let Err(error) = outcome {
            panic!(
                "test `{test_name}` failed with seed {seed} (run {} of {count}): {error}\n\
                 replay this seed alone: {SIM_SEED_VARIABLE}={seed} cargo test {test_name}",
                index + 1
            );
        }
    }
}

/// A simulated test's failure, as the client's error.
#[cfg(feature = "sim")]
#[derive(Debug)]
struct SimTestFailure(String);

#[cfg(feature = "sim")]
impl fmt::Display for SimTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "sim")]
impl Error for SimTestFailure {}

/// The variable an application's user sets to pick one of the compiled backends at start.
pub const RUNTIME_VARIABLE: &str = "TXAIO_RUNTIME";

/// The variable that runs `#[txaio::test]`s on one backend only.
pub const TEST_RUNTIME_VARIABLE: &str = "TXAIO_TEST_RUNTIME";

/// Runs `future` on the default backend (doctests and examples).
pub fn block_on_default<F: Future>(future: F) -> F::Output {
    rt::block_on(rt::DEFAULT, future)
}

/// The body of `#[txaio::main]`: runs `future` on the backend the attribute pins, else the one
/// `TXAIO_RUNTIME` names, else the default.
///
/// # Panics
///
/// Before running anything, when `TXAIO_RUNTIME` names no compiled backend, or another
/// backend than the one pinned: a run never silently uses a backend it was not asked for.
pub fn run_main<F: Future>(pinned: Option<Runtime>, future: F) -> F::Output {
    let runtime = match (pinned, rt::runtime_from_env(RUNTIME_VARIABLE)) {
        (_, Err(message)) => panic!("{message}"),
        (Some(pinned), Ok(Some(asked))) if pinned != asked => panic!(
            "{RUNTIME_VARIABLE}={asked}, but this `main` is pinned to `{pinned}` by \
             #[txaio::main(runtime = \"{pinned}\")]"
        ),
        (Some(runtime), _) | (None, Ok(Some(runtime))) => runtime,
        (None, Ok(None)) => rt::DEFAULT,
    };
    rt::block_on(runtime, future)
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
/// named in `TXAIO_TEST_RUNTIME`, or the one the attribute pins), then panics naming each
/// backend it failed on.
///
/// # Panics
///
/// When the test failed on some backend, and, before running anything, when
/// `TXAIO_TEST_RUNTIME` names no compiled backend (a misspelt name never passes by running
/// nothing).
pub fn run_test<F, Fut>(test_name: &str, pinned: Option<Runtime>, make_test: F)
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    let runtimes: Vec<Runtime> = match (pinned, rt::runtime_from_env(TEST_RUNTIME_VARIABLE)) {
        (Some(pinned), _) => vec![pinned],
        (None, Err(message)) => panic!("test `{test_name}` did not run: {message}"),
        (None, Ok(Some(only))) => vec![only],
        (None, Ok(None)) => Runtime::compiled().to_vec(),
    };
    let mut failures = Vec::new();
    for runtime in runtimes {
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

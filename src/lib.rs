#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[doc(inline)]
pub use txaio_runtime::{
    AlreadyCalledError, BatchedTimer, CancelledError, Deferred, DelayedCall, Failure, IntoDeferred,
    LogLevel, Logger, LoggingError, Panic, ParseLogLevelError, Runtime, TimeoutError,
    USING_ASYNC_STD, USING_SMOL, USING_TOKIO, add_callback, add_callbacks, add_errback, as_future,
    call_later, cancel, create_failure, create_future, create_future_error, create_future_success,
    create_future_with_canceller, critical, current_runtime, debug, error,
    failure_format_traceback, failure_message, failure_traceback, gather, global_log_level, info,
    is_called, is_debugging, make_batched_timer, make_logger, reject, resolve, runtime,
    set_debugging, set_global_log_level, sleep, spawn, start_logging, start_logging_with_writer,
    testutil, trace, warn,
};

/// Runs an `async fn main` on the default backend.
///
/// On tokio it starts a multi-thread runtime, like `#[tokio::main]`; on smol and async-std it
/// blocks on the future with their global executors. The function may return anything
/// `main` may return, such as `Result<(), Box<dyn Error>>`.
///
/// ```no_run
/// #[txaio::main]
/// async fn main() {
///     txaio::sleep(std::time::Duration::from_millis(10)).await.unwrap();
///     println!("slept on {}", txaio::runtime());
/// }
/// ```
#[doc(inline)]
pub use txaio_macros::main;

/// Runs an async test once on every compiled backend, and says which backend failed.
///
/// With the default features that is tokio alone; with `--all-features` the same test runs on
/// tokio, smol and async-std in turn. Set `TXAIO_TEST_RUNTIME=smol` to run only one. The test
/// may return `()` or `Result<(), E: Debug>`. On tokio each run gets a current-thread
/// runtime, like `#[tokio::test]`.
///
/// ```
/// #[txaio::test]
/// async fn resolves() {
///     let d = txaio::create_future();
///     txaio::resolve(&d, 7).unwrap();
///     assert_eq!(d.await.unwrap(), 7);
/// }
/// ```
#[doc(inline)]
pub use txaio_macros::test;

/// The book's chapters, compiled as doctests so that their code cannot drift.
#[cfg(doctest)]
mod book {
    #[doc = include_str!("../book/src/introduction.md")]
    mod introduction {}
    #[doc = include_str!("../book/src/choosing-a-runtime.md")]
    mod choosing_a_runtime {}
    #[doc = include_str!("../book/src/deferreds.md")]
    mod deferreds {}
    #[doc = include_str!("../book/src/async-and-time.md")]
    mod async_and_time {}
    #[doc = include_str!("../book/src/time.md")]
    mod time {}
    #[doc = include_str!("../book/src/logging.md")]
    mod logging {}
}

#[doc(hidden)]
pub mod __private {
    pub use txaio_runtime::__private::*;
}

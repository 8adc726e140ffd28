#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[doc(inline)]
pub use txaio_runtime::{
    AlreadyCalledError, BatchedTimer, CancelledError, Deferred, DelayedCall, Failure, IntoDeferred,
    LogLevel, Logger, LoggingError, Panic, ParseLogLevelError, Runtime, TimeoutError,
    USING_ASYNC_STD, USING_SMOL, USING_TOKIO, add_callback, add_callbacks, add_errback, as_future,
    call_later, cancel, create_failure, create_future, create_future_error, create_future_success,
    create_future_with_canceller, critical, current_runtime, debug, defer_to_thread, error,
    failure_format_traceback, failure_message, failure_traceback, gather, global_log_level, info,
    is_called, is_debugging, make_batched_timer, make_logger, reject, resolve, runtime,
    set_debugging, set_global_log_level, sleep, spawn, start_logging, start_logging_with_writer,
    testutil, trace, warn,
};

/// Makes a function portable: written once, it runs on whichever runtime the application
/// compiled in, and code that would tie it to one runtime or block the event loop does not
/// compile.
///
/// # On an `async fn`
///
/// The function becomes a plain `fn` returning a [`Deferred`], and its body starts at once as a
/// task on the selected runtime (Twisted's `inlineCallbacks`). A `Result<T, E>` return (with
/// `E: Into<Failure>`) becomes a `Deferred<T>` whose failure is the `Err`; any other return
/// type `R` becomes `Deferred<R>`. A panic in the body becomes the failure; cancelling the
/// deferred stops the task.
///
/// ```
/// # use std::time::Duration;
/// #[txaio::portable]
/// async fn keep_alive(peer: String, pings: u32) -> Result<u32, std::io::Error> {
///     for _ in 0..pings {
///         txaio::sleep(Duration::from_millis(1)).await.map_err(std::io::Error::other)?;
///     }
///     Ok(pings)
/// }
/// # txaio::__private::block_on_default(async {
/// let pinged: txaio::Deferred<u32> = keep_alive("peer-1".to_owned(), 3);
/// assert_eq!(pinged.await.unwrap(), 3);
/// # });
/// ```
///
/// is, without the macro:
///
/// ```
/// # use std::time::Duration;
/// fn keep_alive(peer: String, pings: u32) -> txaio::Deferred<u32> {
///     txaio::spawn(async move {
///         let output: Result<u32, std::io::Error> = async move {
///             for _ in 0..pings {
///                 txaio::sleep(Duration::from_millis(1)).await.map_err(std::io::Error::other)?;
///             }
///             Ok(pings)
///         }
///         .await;
///         output
///     })
/// }
/// ```
///
/// Its arguments are moved into the task, so they must be owned: a borrowed argument, `&self`
/// or `&mut self` is a compile error that suggests owned values or `self: Arc<Self>`.
///
/// # On a plain `fn`
///
/// Callback-style code keeps its body and signature; the body is checked like an async one.
/// With `runtime = "..."`, the txaio calls it makes (`call_later`, `spawn`, ...) go to that
/// backend: `#[txaio::portable(runtime = "smol")] fn f() { body }` is
/// `fn f() { let _entered = /* make smol current on this thread */; body }`, and without
/// `runtime` the function is left as written.
///
/// ```
/// #[txaio::portable]
/// fn on_message(payload: Vec<u8>) -> txaio::Deferred<usize> {
///     let d = txaio::create_future();
///     txaio::resolve(&d, payload.len()).unwrap();
///     d
/// }
/// assert!(txaio::is_called(&on_message(vec![1, 2])));
/// ```
///
/// # On an `impl` block
///
/// Applies to every method in it. Async methods take `self: Arc<Self>` (or `self`).
///
/// ```
/// use std::sync::Arc;
///
/// struct Session {
///     realm: String,
/// }
///
/// #[txaio::portable]
/// impl Session {
///     async fn join(self: Arc<Self>) -> Result<String, txaio::Failure> {
///         Ok(format!("joined {}", self.realm))
///     }
///
///     fn realm_length(&self) -> usize {
///         self.realm.len()
///     }
/// }
/// # txaio::__private::block_on_default(async {
/// let session = Arc::new(Session { realm: "realm1".into() });
/// assert_eq!(session.realm_length(), 6);
/// assert_eq!(session.join().await.unwrap(), "joined realm1");
/// # });
/// ```
///
/// A method's own `#[txaio::portable(runtime = "..")]` inside the block overrides the block's
/// arguments.
///
/// # On an inline `mod`
///
/// Applies to every function and inherent `impl` block inside, and the module's own `use`
/// items count as their imports (a proc macro cannot see the imports at the top of a file):
///
/// ```
/// #[txaio::portable]
/// mod protocol {
///     use std::time::Duration;
///
///     pub async fn hello(name: String) -> Result<String, txaio::Failure> {
///         txaio::sleep(Duration::from_millis(1)).await?;
///         Ok(format!("HELLO {name}"))
///     }
/// }
/// # txaio::__private::block_on_default(async {
/// assert_eq!(protocol::hello("peer".into()).await.unwrap(), "HELLO peer");
/// # });
/// ```
///
/// # Arguments
///
/// - `runtime = "tokio" | "smol" | "async-std"` pins the function to that backend, which must be
///   compiled in (naming one that is not is a compile error naming the feature). Without it,
///   the function runs on the current backend (the default one, or the one a `#[txaio::test]`
///   run entered).
/// - `crate = "path"` names the txaio crate for facades and renamed dependencies.
///
/// # The deferred's type
///
/// `Result<T, E>` (and `io::Result<T>`, `fmt::Result`, `Box<dyn Error + Send + Sync>` errors)
/// gives `Deferred<T>`; a result alias of another name declared outside a portable `mod` is
/// not seen through and gives `Deferred<Alias<T>>`. `#[tracing::instrument]` below the
/// attribute covers the body.
///
/// # What it refuses
///
/// Each with an error at the offending token and a message naming the fix; the book's
/// appendix lists them all:
///
/// - the attribute on anything but a `fn`, an `impl` block or an inline `mod`, an unknown
///   argument or runtime name, a runtime not compiled in, the attribute given twice;
/// - borrowed arguments of an `async fn` (`&T`, `&self`, `self: Pin<&mut Self>`, a
///   non-`'static` lifetime or `impl Trait`); callback types such as `Box<dyn Fn(&[u8]) + Send>`
///   borrow nothing and are accepted. The refused function keeps its rewritten signature, so
///   its callers still compile;
/// - string error types (make the failure with `txaio::Failure::msg`);
/// - calls that block the event loop: `std::thread::sleep`/`park`/`scope`, blocking `std::fs`,
///   `std::net` and `std::os::unix::net` calls, `std::process` waits, stdin reads, `mpsc`
///   receives, thread `join`, DNS through `ToSocketAddrs`, `block_on` of a known executor
///   (outside the closure of txaio's `defer_to_thread` or of `std::thread::spawn`); a method
///   is refused when its receiver is visibly of a blocking type, never for its name alone;
/// - paths of `tokio`, `tokio_util`, `tokio_stream`, `async_std`, `smol`, `async_io` and
///   `async_net`, in the body or the signature, with the txaio call to use instead
///   (`tokio::time::sleep` -> `txaio::sleep`, `tokio::time::timeout` -> `txaio::with_timeout`,
///   `tokio::time::interval` -> `txaio::interval`, `tokio::net::TcpStream` ->
///   `txaio::net::TcpStream`, `tokio::select!` -> `txaio::race`, ...).
///
/// Paths are resolved with Rust's scoping through the `use` items the attribute can see (of
/// the function, its blocks, the portable `mod`); the arguments of the common std macros are
/// checked. What it cannot see (imports at the top of the file, calls through helpers,
/// methods on values of unknown type) the clippy fragment `clippy/portable.toml` catches; the
/// book's "Portable functions" chapter says which check catches what.
#[doc(inline)]
pub use txaio_macros::portable;

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
    #[doc = include_str!("../book/src/portable.md")]
    mod portable {}
    #[doc = include_str!("../book/src/time.md")]
    mod time {}
    #[doc = include_str!("../book/src/logging.md")]
    mod logging {}
}

#[doc(hidden)]
pub mod __private {
    pub use txaio_runtime::__private::*;
}

//! Write async library code once; let the application pick the runtime.
//!
//! txaio is for authors of protocol clients, servers and SDKs who would otherwise copy
//! `#[cfg(feature = "tokio")]` / `#[cfg(feature = "async-std")]` twins of every function that
//! spawns a task, sets a timer or opens a socket. The library is written against txaio; the
//! application chooses tokio, smol or async-std with a cargo feature, and every txaio call goes
//! to the runtime that is running the caller, with no dynamic dispatch.
//!
//! It is a port of Python's [txaio](https://txaio.readthedocs.io/) (the helper that lets
//! Autobahn run unmodified on Twisted and asyncio) with Twisted's `Deferred` at its core, and
//! brings in Twisted's `defer` module and crochet's bridge for blocking code.
//!
//! # A first program
//!
//! ```
//! use std::time::Duration;
//!
//! /// Library code: nothing here names a runtime, and `#[txaio::portable]` refuses code that
//! /// would (`tokio::time::sleep`, `std::thread::sleep`, ...), naming the txaio call to use.
//! #[txaio::portable]
//! async fn ping(id: u32) -> Result<u32, txaio::Failure> {
//!     txaio::sleep(Duration::from_millis(5)).await?;
//!     Ok(id)
//! }
//!
//! #[txaio::main]
//! async fn main() -> Result<(), txaio::Failure> {
//!     let pongs = txaio::gather((1..=3).map(ping), true).await?;
//!     assert_eq!(pongs.len(), 3);
//!
//!     // Callback style, as in Python txaio:
//!     let d = txaio::create_future::<String>();
//!     txaio::add_callbacks(&d, |value| println!("got {value}"), |failure| println!("{failure}"));
//!     txaio::resolve(&d, "value".to_owned()).unwrap();
//!     Ok(())
//! }
//! ```
//!
//! # Choosing the runtime
//!
//! | feature     | runtime                                   | note                              |
//! |-------------|-------------------------------------------|-----------------------------------|
//! | `tokio`     | tokio (multi-thread under `#[txaio::main]`) | the default                     |
//! | `smol`      | smol's global executor, async-io's reactor | the recommended alternative      |
//! | `async-std` | async-std                                 | legacy: discontinued upstream     |
//!
//! A library depends on `txaio` with `default-features = false` and leaves the choice to the
//! application. The features are additive: with several compiled, the default is the first of
//! tokio, smol, async-std, and [`#[txaio::test]`](macro@test) runs each test on every one.
//! With none, the build fails with a message naming the features.
//!
//! # Where things are
//!
//! The flat names of Python txaio (`txaio::create_future`, `txaio::call_later`, ...) are all
//! here at the root; the modules group them for reading:
//!
//! - [`deferred`]: [`Deferred`], callbacks, awaiting, [`Deferred::take`], chaining, cancellation;
//! - [`failure`]: [`Failure`] and the error types txaio produces;
//! - [`combine`]: [`gather`] and Twisted's richer combinators;
//! - [`task`]: [`spawn`], [`defer_to_thread`], [`coiterate`], which [`Runtime`] runs the
//!   caller, and [`with_config`] for a captured runtime instance;
//! - [`blocking`]: crochet's bridge, for ordinary threads that call txaio code;
//! - [`time`]: [`call_later`], [`sleep`], batched timers, [`interval`], timeouts;
//! - [`log`]: [`make_logger!`], levels, and txaio's writer, on `tracing`;
//! - [`sync`]: [`DeferredLock`], [`DeferredSemaphore`], [`DeferredQueue`] (Twisted's);
//! - [`net`]: TCP, UDP and Unix sockets on the runtime running the caller, by address or host
//!   name, with the `futures-io` traits, so the runtime-neutral ecosystem (async-tungstenite,
//!   futures-rustls, ...) works on every backend;
//! - [`testutil`]: the virtual clock and log capture for deterministic tests;
//! - the macros [`portable`](macro@portable), [`main`](macro@main), [`test`](macro@test).
//!
//! The user guide (an mdBook, in the repository's `book/` directory) has a chapter for each,
//! "Getting started", "Coming from Python txaio", and the performance figures.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod deferred {
    //! [`Deferred`]: a result that arrives later, with callbacks, awaiters and cancellation
    //! (Twisted's `Deferred`, asyncio's `Future`).
    //!
    //! Create one with [`create_future`], fire it once with [`resolve`] or [`reject`], react
    //! with [`add_callbacks`] (txaio's non-chaining rule) or chain with [`then`],
    //! [`recover`] and [`add_both`] (Twisted's). Every `Deferred<T: Clone>` is a future;
    //! [`Deferred::take`] moves a value that is not `Clone` out. [`cancel`] runs down the chain
    //! of what a task awaits; [`shield`] protects a deferred that others still need.
    #[doc(inline)]
    pub use txaio_runtime::{
        CloneOnAwait, Deferred, IntoDeferred, Take, add_both, add_callback, add_callbacks,
        add_errback, as_future, cancel, create_future, create_future_error, create_future_success,
        create_future_with_canceller, is_called, recover, reject, resolve, shield, then,
    };
}

pub mod failure {
    //! [`Failure`]: an error as a cheap, shareable value (txaio's `IFailedFuture`), and the
    //! error types txaio itself produces.
    #[doc(inline)]
    pub use txaio_runtime::{
        AlreadyCalledError, CancelledError, Failure, Panic, RuntimeThreadError, TakenError,
        TimeoutError, create_failure, failure_format_traceback, failure_message, failure_traceback,
        is_debugging, set_debugging,
    };
}

pub mod combine {
    //! One deferred for many: [`gather`] (txaio's) and Twisted's richer forms.
    #[doc(inline)]
    pub use txaio_runtime::gather;
    #[doc(inline)]
    pub use txaio_runtime::{
        DeferredList, DeferredListResult, FailureGroup, FirstError, gather_results, race,
    };
}

pub mod task {
    //! Tasks and runtimes: [`spawn`] a future, [`defer_to_thread`] blocking work,
    //! [`coiterate`] a long loop, find out which [`Runtime`] runs the caller, or capture one
    //! runtime instance with [`with_config`] and call into it from anywhere ([`Txaio`]).
    #[doc(inline)]
    pub use txaio_runtime::{
        Config, ParseRuntimeError, Runtime, Txaio, USING_ASYNC_STD, USING_SMOL, USING_TOKIO,
        coiterate, current_runtime, defer_to_thread, runtime, spawn, with_config,
    };
}

pub mod time {
    //! Timers: [`call_later`], [`sleep`], batched timers for a million pending timeouts,
    //! [`interval`] for periodic work, timeouts ([`timeout`], [`with_timeout`]), and deadlines
    //! as instants ([`now`], [`sleep_until`], a movable [`Deadline`]). Inside
    //! [`testutil::replace_loop`](crate::testutil::replace_loop) they all run on a virtual clock.
    #[doc(inline)]
    pub use txaio_runtime::{
        BatchedTimer, Deadline, DelayedCall, Interval, WithTimeout, call_later, deadline, interval,
        make_batched_timer, now, sleep, sleep_until, timeout, with_timeout,
    };
}

pub mod sync {
    //! Twisted's coordination primitives for deferreds: [`DeferredLock`], [`DeferredSemaphore`]
    //! and [`DeferredQueue`], with waiters served in request order and cancellation that takes
    //! a waiter out of the line.
    #[doc(inline)]
    pub use txaio_runtime::{
        DeferredLock, DeferredLockGuard, DeferredQueue, DeferredSemaphore, Lock, QueueClosed,
        QueueOverflow, QueueUnderflow, TryPutError,
    };
}

pub mod log {
    //! Logging in txaio's style on `tracing`: [`make_logger!`](crate::make_logger), levels
    //! changed live, and a plain writer for applications that have no subscriber of their own.
    #[doc(inline)]
    pub use txaio_runtime::{
        LogLevel, Logger, LoggingError, ParseLogLevelError, global_log_level, set_global_log_level,
        start_logging, start_logging_with_writer,
    };
}

#[doc(inline)]
pub use txaio_runtime::testutil;

/// Deterministic simulation: a protocol library, unchanged, under network faults on a seed
/// (feature `sim`; see the book's chapter "Simulation").
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub use txaio_runtime::sim;
#[doc(inline)]
pub use txaio_runtime::{critical, debug, error, info, make_logger, trace, warn};

#[doc(no_inline)]
pub use crate::combine::*;
#[doc(no_inline)]
pub use crate::deferred::*;
#[doc(no_inline)]
pub use crate::failure::*;
#[doc(no_inline)]
pub use crate::log::*;
#[doc(no_inline)]
pub use crate::sync::*;
#[doc(no_inline)]
pub use crate::task::*;
#[doc(no_inline)]
pub use crate::time::*;

#[doc(inline)]
pub use txaio_runtime::blocking;

#[doc(inline)]
pub use txaio_runtime::net;

/// Makes a function portable: written once, it runs on whichever runtime the application
/// compiled in, and code that would tie it to one runtime or block the event loop does not
/// compile.
///
/// # On an `async fn`
///
/// A portable fn that borrows, or is marked `keep_signature`, keeps its signature and runs in
/// its caller's task; one that takes only owned arguments becomes a task returning a
/// [`Deferred`]. Both are checked the same way (see "What it refuses").
///
/// With owned arguments, the function becomes a plain `fn` returning a [`Deferred`], and its
/// body starts at once as a task on the selected runtime (Twisted's `inlineCallbacks`). A `Result<T, E>` return (with
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
/// # #[txaio::main]
/// # async fn main() {
/// let pinged: txaio::Deferred<u32> = keep_alive("peer-1".to_owned(), 3);
/// assert_eq!(pinged.await.unwrap(), 3);
/// # }
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
/// # Keeping the signature
///
/// A body that borrows (`&self`, `&mut self`, `&str`, any non-`'static` lifetime or `impl
/// Trait` among its arguments) cannot outlive the call, so it is not spawned: the function
/// stays the `async fn` it is, checked like any portable body, and runs in its caller's task
/// (no spawn, no allocation, its error type kept). `keep_signature` asks the same for a
/// function with owned arguments, to keep a typed error that callers match on:
///
/// ```
/// #[derive(Debug, PartialEq)]
/// enum ProtocolError {
///     Closed,
/// }
///
/// struct Session {
///     sent: Vec<String>,
/// }
///
/// #[txaio::portable]
/// impl Session {
///     // Borrows `&mut self` and `&str`: an `async fn` still, returning its own error.
///     async fn send(&mut self, frame: &str) -> Result<usize, ProtocolError> {
///         if frame.is_empty() {
///             return Err(ProtocolError::Closed);
///         }
///         self.sent.push(frame.to_owned());
///         Ok(self.sent.len())
///     }
/// }
///
/// #[txaio::portable(keep_signature)]
/// async fn parse_port(text: String) -> Result<u16, std::num::ParseIntError> {
///     text.parse()
/// }
/// # #[txaio::main]
/// # async fn main() {
/// let mut session = Session { sent: Vec::new() };
/// assert_eq!(session.send("HELLO").await, Ok(1));
/// assert_eq!(session.send("").await, Err(ProtocolError::Closed));
/// assert!(parse_port("http".to_owned()).await.is_err());
/// # }
/// ```
///
/// With `runtime = ".."`, a kept `async fn`'s body has that backend current at each poll.
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
/// Applies to every method in it. An async method taking `self: Arc<Self>` (or `self`) and
/// owned arguments becomes a task; one taking `&self` or `&mut self` keeps its signature. On a
/// trait impl every method keeps its signature (a trait fixes them), and the bodies are checked.
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
/// # #[txaio::main]
/// # async fn main() {
/// let session = Arc::new(Session { realm: "realm1".into() });
/// assert_eq!(session.realm_length(), 6);
/// assert_eq!(session.join().await.unwrap(), "joined realm1");
/// # }
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
/// # #[txaio::main]
/// # async fn main() {
/// assert_eq!(protocol::hello("peer".into()).await.unwrap(), "HELLO peer");
/// # }
/// ```
///
/// # Arguments
///
/// - `runtime = "tokio" | "smol" | "async-std"` pins the function to that backend, which must be
///   compiled in (naming one that is not is a compile error naming the feature). Without it,
///   the function runs on the current backend (the default one, or the one a `#[txaio::test]`
///   run entered).
/// - `crate = "path"` names the txaio crate for facades and renamed dependencies.
/// - `keep_signature` keeps every function's signature (see "Keeping the signature"), on a fn,
///   an `impl` block or a `mod`.
///
/// # The deferred's type
///
/// `Result<T, E>` (and `io::Result<T>`, `fmt::Result`, `Box<dyn Error + Send + Sync>` errors,
/// also behind an alias such as `type BoxError = Box<dyn Error + Send + Sync>;`) gives
/// `Deferred<T>`; a result alias of another name declared outside a portable `mod` is
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
/// - string error types of a function that becomes a deferred (make the failure with
///   `txaio::Failure::msg`, or keep the signature);
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
///
/// `#[txaio::test(sim)]` (feature `sim`) runs the test instead as the client `test` of a
/// deterministic simulation (`txaio::sim`, the book's "Simulation"); `seeds = N` runs it
/// once per seed `0..N` and stops at the first failing seed, naming it and the command that
/// replays it (`TXAIO_SIM_SEED=17 cargo test name`). Its body must be `Send`.
///
/// ```text
/// #[txaio::test(sim, seeds = 1000)]
/// async fn survives_a_partition() {
///     txaio::sim::add_host_software("server", my_server).unwrap();
///     // ... connect to "server:7000", partition, repair, assert ...
/// }
/// ```
#[doc(inline)]
pub use txaio_macros::test;

pub mod guide {
    #![doc = include_str!("guide/index.md")]
    #[doc = include_str!("guide/introduction.md")]
    pub mod introduction {}
    #[doc = include_str!("guide/getting-started.md")]
    pub mod getting_started {}
    #[doc = include_str!("guide/choosing-a-runtime.md")]
    pub mod choosing_a_runtime {}
    #[doc = include_str!("guide/deferreds.md")]
    pub mod deferreds {}
    #[doc = include_str!("guide/portable.md")]
    pub mod portable {}
    #[doc = include_str!("guide/time.md")]
    pub mod time {}
    #[doc = include_str!("guide/logging.md")]
    pub mod logging {}
    #[doc = include_str!("guide/from-blocking-code.md")]
    pub mod from_blocking_code {}
    #[doc = include_str!("guide/networking.md")]
    pub mod networking {}
    #[doc = include_str!("guide/http.md")]
    pub mod http {}
    #[doc = include_str!("guide/wamp-client.md")]
    pub mod wamp_client {}
    #[doc = include_str!("guide/coordination.md")]
    pub mod coordination {}
    // Its examples need the `sim` feature; without it, the chapter's title and where to read it.
    #[cfg_attr(feature = "sim", doc = include_str!("guide/simulation.md"))]
    #[cfg_attr(
        not(feature = "sim"),
        doc = "# Simulation\n\nThis chapter describes `txaio::sim`, which needs the `sim` \
               feature: read it in the book, or in documentation built with every feature \
               (as docs.rs builds it)."
    )]
    pub mod simulation {}
    #[doc = include_str!("guide/coming-from-txaio.md")]
    pub mod coming_from_txaio {}
    #[doc = include_str!("guide/coming-from-twisted.md")]
    pub mod coming_from_twisted {}
    #[doc = include_str!("guide/guarantees.md")]
    pub mod guarantees {}
    #[doc = include_str!("guide/performance.md")]
    pub mod performance {}
    #[doc = include_str!("guide/compile-errors.md")]
    pub mod compile_errors {}
}

/// The README's examples, compiled as doctests so that the first screen a newcomer reads works.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

#[doc(hidden)]
pub mod __private {
    pub use txaio_runtime::__private::*;
}

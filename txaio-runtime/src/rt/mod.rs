//! The backends, and the choice among them.
//!
//! The default backend is the first compiled in the order tokio, smol, async-std;
//! `#[txaio::test]` (and a pinned `#[portable(runtime = ...)]`) enter another one for the
//! duration of a future, recorded in a thread-local so nested calls follow it.
//!
//! # The backend interface
//!
//! A backend is a module (`rt/tokio/`, `rt/smol/`, `rt/async_std/`; a fourth is a folder
//! more) that provides the names below, each with the same signature in every backend. The
//! rest of the crate reaches them only through the macros of `rt/dispatch.rs`: `dispatch!`
//! (by [`Runtime`], usually the current one), `dispatch_instance!` (by runtime instance) and
//! `on_backend!` (by the backend a native socket belongs to, see `native!`).
//!
//! - tasks: `spawn`, `spawn_in`, `spawn_blocking`, `spawn_blocking_in`, `yield_now`,
//!   `block_on`, `block_on_test`, `is_runtime_thread`;
//! - runtime instances: `Instance`, `current_instance`, `background`, `shutdown_background`
//!   (and `same` where an instance is more than `()`);
//! - timers: `sleep_until`, giving this module's [`Sleep`];
//! - TCP and UDP (`rt/<backend>/net.rs`, the types of the `native!` enums in `rt/net.rs`):
//!   `TcpListener`, `TcpStream`, `ReadHalf`, `WriteHalf`, `UdpSocket`; `tcp_bind`,
//!   `tcp_accept`, `tcp_poll_accept`, `tcp_connect`, `tcp_listener_from_std`,
//!   `tcp_stream_from_std`, `tcp_split`, `write_half_dropped`, `listener_local_addr`,
//!   `stream_addr`, `read_half_addr`, `write_half_addr`, `set_nodelay`, `nodelay`,
//!   `poll_read`, `poll_write`, `poll_write_vectored`, `poll_flush`, `poll_close`, `udp_bind`,
//!   `udp_from_std`,
//!   `udp_send_to`, `udp_recv_from`, `udp_poll_send_to`, `udp_poll_recv_from`,
//!   `udp_local_addr`; every socket type `AsFd` on Unix;
//! - Unix domain sockets (`rt/net_unix.rs`): `UnixListener`, `UnixStream`, `UnixReadHalf`,
//!   `UnixWriteHalf`; `unix_bind`, `unix_accept`, `unix_poll_accept`, `unix_connect`,
//!   `unix_listener_from_std`, `unix_stream_from_std`, `unix_split`,
//!   `unix_write_half_dropped`, `unix_listener_addr`, `unix_stream_addr`, `unix_poll_read`,
//!   `unix_poll_write`, `unix_poll_write_vectored`, `unix_poll_flush`, `unix_poll_close`.
//!
//! smol and async-std share their sockets: both drive async-io's reactor, and
//! `rt/async_io_net.rs` is expanded in each (with wrapper types of each's own).

#[cfg(any(feature = "smol", feature = "async-std"))]
#[macro_use]
mod async_io_net;
#[cfg(feature = "async-std")]
pub(crate) mod async_std;
mod context;
#[macro_use]
mod dispatch;
pub(crate) mod net;
#[cfg(unix)]
pub(crate) mod net_unix;
#[cfg(feature = "sim")]
pub(crate) mod sim;
#[cfg(feature = "smol")]
pub(crate) mod smol;
#[cfg(feature = "tokio")]
pub(crate) mod tokio;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use pin_project_lite::pin_project;

pub use context::{InRuntime, current, enter};
pub(crate) use context::{as_blocking_job, as_timer_callback, instance_of, scoped};

/// What a build without a backend says where a runtime is needed: at compile time in
/// `#[txaio::main]` and `#[txaio::test]` (through `__private::__require_backend!`), at run time
/// in every call that needs one. A library that depends on txaio without a backend builds,
/// documents and publishes; only the application picks the runtime.
pub(crate) const NO_BACKEND: &str = "txaio needs a runtime backend: enable one of the cargo features `tokio` (the default), \
     `smol` or `async-std`, e.g. `txaio = { version = \"0.1\", default-features = false, \
     features = [\"smol\"] }`";

/// The panic of a runtime-dependent call in a build with no backend compiled.
#[cold]
#[track_caller]
pub(crate) fn no_backend() -> ! {
    panic!("{NO_BACKEND}")
}

/// The panic of a call sent to `runtime` when that backend is not compiled in (no backend at
/// all: [`NO_BACKEND`]).
#[cold]
#[track_caller]
pub(crate) fn not_compiled(runtime: Runtime) -> ! {
    if COMPILED.is_empty() {
        no_backend()
    }
    panic!(
        "txaio: the `{runtime}` backend is not compiled in; enable the `{}` feature of `txaio`",
        runtime.feature()
    )
}

/// An async runtime txaio can run on.
///
/// # Examples
///
/// ```
/// println!("txaio runs on {}", txaio::runtime());
/// assert!(txaio::Runtime::compiled().contains(&txaio::runtime()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// tokio, the default (`features = ["tokio"]`).
    Tokio,
    /// smol, the recommended alternative (`features = ["smol"]`).
    Smol,
    /// async-std, legacy: discontinued upstream (`features = ["async-std"]`).
    AsyncStd,
}

impl Runtime {
    /// The backends compiled into this build, default first.
    ///
    /// # Examples
    ///
    /// ```
    /// for runtime in txaio::Runtime::compiled() {
    ///     println!("compiled in: {runtime} (feature `{}`)", runtime.feature());
    /// }
    /// assert_eq!(txaio::Runtime::compiled()[0], txaio::runtime());
    /// ```
    #[must_use]
    pub const fn compiled() -> &'static [Runtime] {
        COMPILED
    }

    /// The cargo feature that compiles this backend.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(txaio::Runtime::AsyncStd.feature(), "async-std");
    /// assert_eq!(txaio::Runtime::Smol.to_string(), "smol");
    /// ```
    #[must_use]
    pub const fn feature(self) -> &'static str {
        match self {
            Runtime::Tokio => "tokio",
            Runtime::Smol => "smol",
            Runtime::AsyncStd => "async-std",
        }
    }

    /// Whether this backend is compiled into this build.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(txaio::runtime().is_compiled());
    /// if !txaio::Runtime::Smol.is_compiled() {
    ///     println!("enable the `smol` feature to run on smol");
    /// }
    /// ```
    #[must_use]
    pub fn is_compiled(self) -> bool {
        COMPILED.contains(&self)
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.feature())
    }
}

/// A name that is not one of txaio's backends, or names one this build does not compile
/// (from [`Runtime`]'s `FromStr`, `TXAIO_RUNTIME` or `TXAIO_TEST_RUNTIME`).
///
/// # Examples
///
/// ```
/// let error = "tokyo".parse::<txaio::Runtime>().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "unknown runtime `tokyo`; expected one of `tokio`, `smol`, `async-std`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseRuntimeError {
    given: String,
}

impl fmt::Display for ParseRuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown runtime `{}`; expected one of `tokio`, `smol`, `async-std`",
            self.given
        )
    }
}

impl std::error::Error for ParseRuntimeError {}

impl std::str::FromStr for Runtime {
    type Err = ParseRuntimeError;

    /// The backend of that cargo feature name: `tokio`, `smol` or `async-std`, exactly.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!("smol".parse::<txaio::Runtime>(), Ok(txaio::Runtime::Smol));
    /// assert!("async_std".parse::<txaio::Runtime>().is_err());
    /// ```
    fn from_str(name: &str) -> Result<Runtime, ParseRuntimeError> {
        [Runtime::Tokio, Runtime::Smol, Runtime::AsyncStd]
            .into_iter()
            .find(|runtime| runtime.feature() == name)
            .ok_or_else(|| ParseRuntimeError {
                given: name.to_owned(),
            })
    }
}

/// The backend an environment variable names, if it is set (and not empty).
///
/// # Errors
///
/// A message naming the variable, what it holds and the compiled backends, when it names no
/// compiled backend.
pub(crate) fn runtime_from_env(variable: &str) -> Result<Option<Runtime>, String> {
    let Some(value) = std::env::var_os(variable) else {
        return Ok(None);
    };
    let value = value.to_string_lossy();
    if value.is_empty() {
        return Ok(None);
    }
    let compiled = || {
        COMPILED
            .iter()
            .map(|runtime| format!("`{runtime}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match value.parse::<Runtime>() {
        Ok(runtime) if runtime.is_compiled() => Ok(Some(runtime)),
        Ok(runtime) => Err(format!(
            "{variable}={value}: the `{runtime}` backend is not compiled in; compiled: {} \
             (enable the `{}` feature of txaio to add it)",
            compiled(),
            runtime.feature()
        )),
        Err(error) => Err(format!(
            "{variable}={value}: {error}; compiled: {}",
            compiled()
        )),
    }
}

const COMPILED: &[Runtime] = &[
    #[cfg(feature = "tokio")]
    Runtime::Tokio,
    #[cfg(feature = "smol")]
    Runtime::Smol,
    #[cfg(feature = "async-std")]
    Runtime::AsyncStd,
];

/// The default backend: the first compiled of tokio, smol, async-std.
pub(crate) const DEFAULT: Runtime = if cfg!(feature = "tokio") {
    Runtime::Tokio
} else if cfg!(feature = "smol") {
    Runtime::Smol
} else {
    Runtime::AsyncStd
};

/// The default backend of this build (see [`Runtime`]).
///
/// # Examples
///
/// ```
/// if txaio::runtime() == txaio::Runtime::Tokio {
///     assert!(txaio::USING_TOKIO);
/// }
/// ```
#[must_use]
pub const fn runtime() -> Runtime {
    DEFAULT
}

/// The backend txaio calls on this thread go to: the one a `#[txaio::test]` run, a pinned
/// function or a task spawned by txaio entered, else the default.
///
/// # Examples
///
/// ```
/// assert_eq!(txaio::current_runtime(), txaio::runtime());
/// ```
#[must_use]
pub fn current_runtime() -> Runtime {
    current()
}

/// `true` when tokio is the default backend.
///
/// # Examples
///
/// ```
/// if txaio::USING_TOKIO {
///     println!("the default backend is {}", txaio::runtime());
/// }
/// ```
pub const USING_TOKIO: bool = matches!(DEFAULT, Runtime::Tokio);
/// `true` when smol is the default backend.
///
/// # Examples
///
/// ```
/// if txaio::USING_SMOL {
///     println!("the default backend is {}", txaio::runtime());
/// }
/// ```
pub const USING_SMOL: bool = matches!(DEFAULT, Runtime::Smol);
/// `true` when async-std is the default backend.
///
/// # Examples
///
/// ```
/// if txaio::USING_ASYNC_STD {
///     println!("the default backend is {}", txaio::runtime());
/// }
/// ```
pub const USING_ASYNC_STD: bool = matches!(DEFAULT, Runtime::AsyncStd);

/// Spawns a detached task on the current backend; it keeps that backend current inside.
pub fn spawn_detached<F: Future<Output = ()> + Send + 'static>(future: F) {
    spawn_detached_on(current(), future);
}

/// Spawns a detached task on `runtime`, which must be compiled in; it stays current inside.
/// On a thread scoped to a runtime instance of that backend (a `Txaio`), the task goes to that
/// instance and keeps it in scope.
pub(crate) fn spawn_detached_on<F: Future<Output = ()> + Send + 'static>(
    runtime: Runtime,
    future: F,
) {
    let future = InRuntime::new(runtime, future);
    #[cfg(feature = "sim")]
    let Err(future) = crate::sim::spawn_task(future) else {
        return;
    };
    match instance_of(runtime) {
        Some(instance) => spawn_in(&instance, future),
        None => dispatch!(runtime, backend => backend::spawn(future)),
    }
}

/// Runs `f` on the current backend's blocking thread pool (the scoped instance's, if any);
/// `done` receives its result.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, crate::errors::Panic>) + Send + 'static,
) {
    let runtime = current();
    // In a simulation the job runs on the simulation's thread, as a task of its own: the run
    // stays deterministic.
    #[cfg(feature = "sim")]
    if crate::sim::active() {
        let job = async move { done(crate::panic::catch(f)) };
        let _spawned = crate::sim::spawn_task(job);
        return;
    }
    let f = move || as_blocking_job(f);
    match instance_of(runtime) {
        Some(instance) => spawn_blocking_in(&instance, f, done),
        None => dispatch!(runtime, backend => backend::spawn_blocking(f, done)),
    }
}

/// One runtime instance: a tokio runtime (by its handle), a smol executor, async-std's global
/// executor. What a `Txaio` sends its tasks and timers to.
#[derive(Clone, Debug)]
pub(crate) enum Instance {
    /// A tokio runtime.
    #[cfg(feature = "tokio")]
    Tokio(tokio::Instance),
    /// A smol executor (or smol's global one).
    #[cfg(feature = "smol")]
    Smol(smol::Instance),
    /// async-std's global executor.
    #[cfg(feature = "async-std")]
    AsyncStd(async_std::Instance),
}

/// Calls `$call` with `$inner` bound to the backend's own instance type.
macro_rules! dispatch_instance {
    ($instance:expr, $module:ident, $inner:ident => $call:expr) => {
        match $instance {
            #[cfg(feature = "tokio")]
            Instance::Tokio($inner) => {
                use self::tokio as $module;
                $call
            }
            #[cfg(feature = "smol")]
            Instance::Smol($inner) => {
                use self::smol as $module;
                $call
            }
            #[cfg(feature = "async-std")]
            Instance::AsyncStd($inner) => {
                use self::async_std as $module;
                $call
            }
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            _ => no_backend(),
        }
    };
}

impl Instance {
    /// The backend this instance belongs to.
    pub(crate) fn runtime(&self) -> Runtime {
        match self {
            #[cfg(feature = "tokio")]
            Instance::Tokio(_) => Runtime::Tokio,
            #[cfg(feature = "smol")]
            Instance::Smol(_) => Runtime::Smol,
            #[cfg(feature = "async-std")]
            Instance::AsyncStd(()) => Runtime::AsyncStd,
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            _ => no_backend(),
        }
    }

    /// Whether both name the same runtime instance.
    pub(crate) fn same_as(&self, other: &Instance) -> bool {
        match (self, other) {
            #[cfg(feature = "tokio")]
            (Instance::Tokio(a), Instance::Tokio(b)) => tokio::same(a, b),
            #[cfg(feature = "smol")]
            (Instance::Smol(a), Instance::Smol(b)) => smol::same(a, b),
            #[cfg(feature = "async-std")]
            (Instance::AsyncStd(()), Instance::AsyncStd(())) => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

/// The instance running the caller on `runtime`: the scoped one, else the backend's own
/// notion of current (tokio: the entered runtime; smol, async-std: their global executors).
pub(crate) fn current_instance(runtime: Runtime) -> Option<Instance> {
    instance_of(runtime).or_else(|| dispatch!(runtime, backend => backend::current_instance()))
}

/// The instance `blocking::setup` starts for `runtime`: tokio's background runtime (started on
/// first use), smol's and async-std's global executors.
pub(crate) fn background(runtime: Runtime) -> Instance {
    dispatch!(runtime, backend => backend::background())
}

/// Stops the background instances that can be stopped (tokio's); never waits for tasks.
pub(crate) fn shutdown_background() {
    for &runtime in COMPILED {
        dispatch!(runtime, backend => backend::shutdown_background());
    }
}

/// Spawns a detached task on `instance`, keeping it (and its backend) in scope inside.
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>(instance: &Instance, future: F) {
    let future =
        context::InInstance::new(instance.clone(), InRuntime::new(instance.runtime(), future));
    dispatch_instance!(instance, backend, inner => backend::spawn_in(inner, future));
}

/// Runs `f` on `instance`'s blocking pool.
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    instance: &Instance,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, crate::errors::Panic>) + Send + 'static,
) {
    dispatch_instance!(instance, backend, inner => backend::spawn_blocking_in(inner, f, done));
}

/// Whether this thread runs tasks or timer callbacks of some backend (or is inside a
/// `block_on`), so that a blocking wait here could deadlock. A txaio blocking-pool job is not.
pub(crate) fn is_runtime_thread() -> bool {
    if context::in_blocking_pool() {
        return false;
    }
    #[cfg(feature = "sim")]
    if crate::sim::active() {
        return true;
    }
    context::driving()
        || COMPILED
            .iter()
            .any(|&runtime| dispatch!(runtime, backend => backend::is_runtime_thread()))
}

/// Yields to the current backend's scheduler once, letting its timers and I/O run.
pub(crate) async fn yield_now() {
    #[cfg(feature = "sim")]
    if crate::sim::active() {
        return crate::sim::yield_now().await;
    }
    let runtime = current();
    dispatch!(runtime, backend => backend::yield_now().await);
}

#[cfg(feature = "tokio")]
type TokioSleep = ::tokio::time::Sleep;
#[cfg(not(feature = "tokio"))]
type TokioSleep = NotCompiled;
#[cfg(any(feature = "smol", feature = "async-std"))]
type AsyncIoTimer = async_io::Timer;
#[cfg(not(any(feature = "smol", feature = "async-std")))]
type AsyncIoTimer = NotCompiled;

/// The timer type of a backend that is not compiled in: it has no values, so its variant of
/// [`Sleep`] cannot be made (unused when every backend is compiled).
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) enum NotCompiled {}

impl Future for NotCompiled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        match *self {}
    }
}

pin_project! {
    /// A real timer of one backend. Made by [`sleep_until`], which checks that the backend can
    /// run timers at all, so that a misconfigured runtime panics where the timer is created
    /// rather than inside a detached task where nobody sees it.
    #[project = SleepProj]
    pub(crate) enum Sleep {
        /// tokio's timer.
        Tokio { #[pin] sleep: TokioSleep },
        /// async-io's timer (smol and async-std).
        AsyncIo { timer: AsyncIoTimer },
        /// A deadline past what the clock can represent: never completes, holds nothing.
        Never,
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Sleep::Tokio { .. } => "tokio",
            Sleep::AsyncIo { .. } => "async-io",
            Sleep::Never => "never",
        };
        f.debug_tuple("Sleep").field(&kind).finish()
    }
}

impl Sleep {
    /// Moves the deadline of a real timer without a new one (tokio's `Sleep::reset`,
    /// async-io's `Timer::set_at`); `false` for [`Sleep::Never`], which has no timer to move.
    pub(crate) fn reset(self: Pin<&mut Self>, deadline: Instant) -> bool {
        match self.project() {
            #[cfg(feature = "tokio")]
            SleepProj::Tokio { sleep } => {
                sleep.reset(::tokio::time::Instant::from_std(deadline));
                true
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            SleepProj::AsyncIo { timer } => {
                timer.set_at(deadline);
                true
            }
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.project() {
            SleepProj::Tokio { sleep } => sleep.poll(cx),
            SleepProj::AsyncIo { timer } => Pin::new(timer).poll(cx).map(drop),
            SleepProj::Never => Poll::Pending,
        }
    }
}

/// A real timer on `runtime` that completes at `deadline` (`None`: never, for a deadline the
/// clock cannot represent, so that it can never fire early).
///
/// # Panics
///
/// Where `runtime` cannot run timers here (tokio: no runtime running on this thread, or one
/// built without its time driver), with a message naming the fix.
pub(crate) fn sleep_until(runtime: Runtime, deadline: Option<Instant>) -> Sleep {
    match deadline {
        Some(deadline) => dispatch!(runtime, backend => backend::sleep_until(deadline)),
        None => Sleep::Never,
    }
}

/// Runs a future to completion on `runtime`, the way `#[txaio::main]` does.
pub fn block_on<F: Future>(runtime: Runtime, future: F) -> F::Output {
    let _entered = enter(runtime);
    dispatch!(runtime, backend => backend::block_on(InRuntime::new(runtime, future)))
}

/// Runs a future to completion on `runtime`, the way `#[txaio::test]` does (one thread
/// where the backend allows, like `#[tokio::test]`).
pub fn block_on_test<F: Future>(runtime: Runtime, future: F) -> F::Output {
    let _entered = enter(runtime);
    dispatch!(runtime, backend => backend::block_on_test(InRuntime::new(runtime, future)))
}

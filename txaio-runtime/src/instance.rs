//! `Config`, `with_config` and `Txaio`: one runtime instance, captured once and called into
//! from anywhere (txaio's `with_config(loop=...)`).

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::blocking::{self, EventualResult};
use crate::deferred::{Deferred, IntoDeferred};
use crate::failure::Failure;
use crate::rt::{self, Instance, Runtime};
use crate::time::{BatchedTimer, DelayedCall, make_batched_timer_in};

/// Which runtime instance a [`Txaio`] uses: a tokio runtime, a smol executor, or async-std's
/// global executor.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// let config = txaio::Config::current(); // the runtime running this code
/// assert_eq!(config.runtime(), txaio::current_runtime());
/// # }
/// ```
#[derive(Clone)]
pub struct Config {
    instance: Instance,
}

impl Config {
    /// The runtime instance running the caller: inside a [`Txaio`]'s task that instance; else,
    /// on tokio, the entered runtime; on smol and async-std, their global executors.
    ///
    /// # Panics
    ///
    /// On tokio, outside any tokio runtime; the message names the fix
    /// (`Config::tokio` with a handle, or [`Config::background`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() {
    /// let txaio = txaio::with_config(txaio::Config::current());
    /// assert_eq!(txaio.spawn(async { Ok::<_, txaio::Failure>(1) }).await.unwrap(), 1);
    /// # }
    /// ```
    #[must_use]
    pub fn current() -> Config {
        let runtime = rt::current();
        let instance = rt::current_instance(runtime).unwrap_or_else(|| {
            panic!(
                "txaio: Config::current() found no running {runtime} runtime on this thread. \
                 Call it inside the runtime (`#[txaio::main]`, a task), pass the runtime with \
                 `Config::tokio(handle)`, or use `Config::background(txaio::Runtime::Tokio)`"
            )
        });
        Config { instance }
    }

    /// A tokio runtime, by its handle (`Runtime::handle()`, `Handle::current()`).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")] {
    /// let runtime = tokio::runtime::Runtime::new().unwrap();
    /// let txaio = txaio::with_config(txaio::Config::tokio(runtime.handle().clone()));
    /// assert_eq!(txaio.runtime(), txaio::Runtime::Tokio);
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    #[must_use]
    pub fn tokio(handle: tokio::runtime::Handle) -> Config {
        Config {
            instance: Instance::Tokio(handle),
        }
    }

    /// A smol executor. Its tasks run wherever the application runs the executor
    /// (`executor.run(..)` on threads of its own).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "smol")] {
    /// use std::sync::Arc;
    ///
    /// let executor = Arc::new(smol::Executor::new());
    /// let txaio = txaio::with_config(txaio::Config::smol(executor.clone()));
    /// let answer = txaio.spawn(async { Ok::<_, txaio::Failure>(42) });
    /// assert_eq!(smol::block_on(executor.run(answer)).unwrap(), 42);
    /// # }
    /// ```
    #[cfg(feature = "smol")]
    #[cfg_attr(docsrs, doc(cfg(feature = "smol")))]
    #[must_use]
    pub fn smol(executor: std::sync::Arc<smol::Executor<'static>>) -> Config {
        Config {
            instance: Instance::Smol(Some(executor)),
        }
    }

    /// The instance [`blocking::setup`](crate::blocking::setup) starts for `runtime` (started
    /// now if need be): tokio's background runtime, smol's and async-std's global executors.
    /// Works from any thread, with no runtime of your own.
    ///
    /// # Panics
    ///
    /// If `runtime` is not compiled in ([`Runtime::is_compiled`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let answer = txaio.wait_for(std::time::Duration::from_secs(5), || Ok::<_, txaio::Failure>(3));
    /// assert_eq!(answer.unwrap(), 3);
    /// ```
    #[must_use]
    pub fn background(runtime: Runtime) -> Config {
        assert!(
            runtime.is_compiled(),
            "Config::background: the `{runtime}` backend is not compiled in; enable the `{}` feature of txaio",
            runtime.feature()
        );
        Config {
            instance: rt::background(runtime),
        }
    }

    /// The backend of this instance.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = txaio::Config::background(txaio::Runtime::compiled()[0]);
    /// assert_eq!(config.runtime(), txaio::Runtime::compiled()[0]);
    /// ```
    #[must_use]
    pub fn runtime(&self) -> Runtime {
        self.instance.runtime()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("runtime", &self.runtime())
            .finish_non_exhaustive()
    }
}

/// txaio bound to one runtime instance (txaio's `with_config`).
///
/// A library captures it once and calls into it from any thread, inside or outside a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// // A library type: no runtime type in its API.
/// struct Client {
///     txaio: txaio::Txaio,
/// }
///
/// impl Client {
///     fn ping_later(&self) -> txaio::Deferred<()> {
///         self.txaio.sleep(Duration::from_millis(1))
///     }
/// }
///
/// let client = Client { txaio: txaio::with_config(txaio::Config::background(txaio::runtime())) };
/// let ping = client.ping_later(); // from a plain thread
/// let done = client.txaio.wait_for(Duration::from_secs(5), move || ping);
/// assert!(done.is_ok());
/// ```
#[must_use]
pub fn with_config(config: Config) -> Txaio {
    Txaio {
        instance: config.instance,
    }
}

/// txaio's calls, bound to one runtime instance: its tasks and timers run there, whichever
/// thread makes the call. `Clone + Send + Sync`; made by [`with_config`].
///
/// Inside [`testutil::replace_loop`](crate::testutil::replace_loop) its timers run on the
/// virtual clock, like every txaio timer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
/// // From a plain thread: the task and its timer run on the captured instance.
/// let worker = std::thread::spawn(move || {
///     let task = txaio.spawn(async {
///         txaio::sleep(Duration::from_millis(1)).await?;
///         Ok::<_, txaio::Failure>("slept")
///     });
///     txaio.wait_for(Duration::from_secs(5), move || task)
/// });
/// assert_eq!(worker.join().unwrap().unwrap(), "slept");
/// ```
#[derive(Clone)]
pub struct Txaio {
    instance: Instance,
}

impl Txaio {
    fn scoped<R>(&self, f: impl FnOnce() -> R) -> R {
        rt::scoped(&self.instance, f)
    }

    /// The backend of this instance.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// assert_eq!(txaio.runtime(), txaio::runtime());
    /// ```
    #[must_use]
    pub fn runtime(&self) -> Runtime {
        self.instance.runtime()
    }

    /// The configuration this was made from.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let again = txaio::with_config(txaio.config());
    /// assert!(again.same_instance(&txaio));
    /// ```
    #[must_use]
    pub fn config(&self) -> Config {
        Config {
            instance: self.instance.clone(),
        }
    }

    /// [`spawn`](crate::spawn) on this instance.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let d = txaio.spawn(async { Ok::<_, txaio::Failure>(5) });
    /// assert_eq!(txaio.wait_for(std::time::Duration::from_secs(5), move || d).unwrap(), 5);
    /// ```
    #[doc(alias = "ensureDeferred")]
    pub fn spawn<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T, impl Into<Failure>>> + Send + 'static,
    ) -> Deferred<T> {
        self.scoped(|| crate::deferred::spawn(future))
    }

    /// [`call_later`](crate::call_later) on this instance's timer.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// txaio.call_later(std::time::Duration::from_millis(1), move || tx.send("rang").unwrap());
    /// assert_eq!(rx.recv().unwrap(), "rang");
    /// ```
    #[doc(alias = "callLater")]
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + Send + 'static) -> DelayedCall {
        self.scoped(|| crate::time::call_later(delay, f))
    }

    /// [`sleep`](crate::sleep) on this instance's timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    ///     let nap = txaio.sleep(Duration::from_secs(60));
    ///     clock.advance(Duration::from_secs(60));
    ///     assert!(txaio::is_called(&nap));
    /// });
    /// ```
    pub fn sleep(&self, delay: Duration) -> Deferred<()> {
        self.scoped(|| crate::time::sleep(delay))
    }

    /// [`make_batched_timer`](crate::make_batched_timer) whose runtime timers run on this
    /// instance, whichever thread adds timers to it.
    ///
    /// # Panics
    ///
    /// As `make_batched_timer`: on a zero `bucket` or `chunk_size`.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let timers = txaio.make_batched_timer(std::time::Duration::from_millis(5), 100);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// timers.call_later(std::time::Duration::from_millis(1), move || tx.send(()).unwrap());
    /// rx.recv().unwrap();
    /// ```
    pub fn make_batched_timer(&self, bucket: Duration, chunk_size: usize) -> BatchedTimer {
        make_batched_timer_in(Some(self.instance.clone()), bucket, chunk_size)
    }

    /// [`defer_to_thread`](crate::defer_to_thread) on this instance's blocking pool.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let d = txaio.defer_to_thread(|| Ok::<_, std::io::Error>(std::env::temp_dir()));
    /// let dir = txaio.wait_for(std::time::Duration::from_secs(5), move || d).unwrap();
    /// assert!(dir.is_absolute());
    /// ```
    #[doc(alias = "deferToThread")]
    pub fn defer_to_thread<T: Send + 'static, E: Into<Failure>>(
        &self,
        f: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Deferred<T> {
        self.scoped(|| crate::deferred::defer_to_thread(f))
    }

    /// [`blocking::run_in_runtime`](crate::blocking::run_in_runtime) on this instance.
    ///
    /// The result fails with [`RuntimeStoppedError`](crate::blocking::RuntimeStoppedError) if
    /// the runtime drops the task (shutting down) before `f`'s result arrives.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let result = txaio.run_in_runtime(|| Ok::<_, txaio::Failure>("hi"));
    /// assert_eq!(result.wait(std::time::Duration::from_secs(5)).unwrap(), "hi");
    /// ```
    #[doc(alias = "run_in_reactor")]
    pub fn run_in_runtime<T: Send + 'static, R: IntoDeferred<T>>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> EventualResult<T> {
        blocking::run_in(&self.instance, f)
    }

    /// [`blocking::wait_for`](crate::blocking::wait_for) on this instance.
    ///
    /// # Errors
    ///
    /// As `blocking::wait_for`: `f`'s failure, a `TimeoutError` (after which `f`'s deferred
    /// is cancelled), or at once a `RuntimeThreadError` on a runtime thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let txaio = txaio::with_config(txaio::Config::background(txaio::runtime()));
    /// let failed = txaio.wait_for(std::time::Duration::from_secs(5), || Err::<u8, _>(std::fmt::Error));
    /// assert!(failed.unwrap_err().is::<std::fmt::Error>());
    /// ```
    pub fn wait_for<T: Clone + Send + 'static, R: IntoDeferred<T>>(
        &self,
        timeout: Duration,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<T, Failure> {
        if rt::is_runtime_thread() {
            return Err(Failure::new(blocking::RuntimeThreadError));
        }
        blocking::wait_or_cancel(&self.run_in_runtime(f), timeout)
    }

    /// Whether both are bound to the same runtime instance.
    ///
    /// # Examples
    ///
    /// ```
    /// let runtime = txaio::runtime();
    /// let a = txaio::with_config(txaio::Config::background(runtime));
    /// let b = txaio::with_config(txaio::Config::background(runtime));
    /// assert!(a.same_instance(&b)); // one background instance per backend
    /// ```
    #[must_use]
    pub fn same_instance(&self, other: &Txaio) -> bool {
        self.instance.same_as(&other.instance)
    }
}

impl fmt::Debug for Txaio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Txaio")
            .field("runtime", &self.runtime())
            .finish_non_exhaustive()
    }
}

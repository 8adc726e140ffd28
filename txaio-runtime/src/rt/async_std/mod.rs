//! The async-std backend (legacy: async-std is discontinued upstream; prefer smol).
//! Timers come from async-io, which async-std itself uses.

use std::future::Future;

use crate::errors::Panic;

mod net;
pub(crate) use net::*;

/// Spawns a detached task on async-std's global executor.
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    drop(async_std::task::spawn(future));
}

/// Runs `f` on async-std's blocking pool.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(async_std::task::spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// async-io's timer for `deadline`; it needs no setup.
pub(crate) fn sleep_until(deadline: std::time::Instant) -> super::Sleep {
    super::Sleep::AsyncIo {
        timer: async_io::Timer::at(deadline),
    }
}

/// Runs `future` on this thread.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// Same as [`block_on`].
pub(crate) fn block_on_test<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// async-std has one, global, executor.
pub(crate) type Instance = ();

/// The global executor: always there.
// `Option` for symmetry with tokio, where there may be no runtime.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn current_instance() -> Option<super::Instance> {
    Some(super::Instance::AsyncStd(()))
}

/// Spawns a detached task on the global executor.
// By reference, as every backend's instance is.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>((): &Instance, future: F) {
    spawn(future);
}

/// Runs `f` on async-std's blocking pool.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    (): &Instance,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    spawn_blocking(f, done);
}

/// Inside an async-std task (its executor threads and its `block_on`).
pub(crate) fn is_runtime_thread() -> bool {
    async_std::task::try_current().is_some()
}

/// Yields to the executor once.
pub(crate) async fn yield_now() {
    async_std::task::yield_now().await;
}

/// The global executor.
pub(crate) fn background() -> super::Instance {
    super::Instance::AsyncStd(())
}

/// The global executor cannot be stopped.
pub(crate) fn shutdown_background() {}

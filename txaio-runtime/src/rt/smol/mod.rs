//! The smol backend: smol's global executor, async-io's timers and reactor.

use std::future::Future;
use std::sync::Arc;

use crate::errors::Panic;

mod net;
pub(crate) use net::*;

/// Spawns a detached task on smol's global executor.
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    smol::spawn(future).detach();
}

/// Runs `f` on smol's blocking pool.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    smol::spawn(smol::unblock(move || {
        done(crate::panic::catch(f));
    }))
    .detach();
}

/// async-io's timer for `deadline`; it needs no setup.
pub(crate) fn sleep_until(deadline: std::time::Instant) -> super::Sleep {
    super::Sleep::AsyncIo {
        timer: async_io::Timer::at(deadline),
    }
}

/// Runs `future` on this thread, driving async-io's reactor.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

/// Same as [`block_on`]: smol needs no per-test runtime.
pub(crate) fn block_on_test<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

/// A smol executor; `None` is smol's global one.
pub(crate) type Instance = Option<Arc<smol::Executor<'static>>>;

/// Whether both name the same executor.
pub(crate) fn same(a: &Instance, b: &Instance) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// smol's global executor: always there.
// `Option` for symmetry with tokio, where there may be no runtime.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn current_instance() -> Option<super::Instance> {
    Some(super::Instance::Smol(None))
}

/// Spawns a detached task on `executor` (the global one for `None`).
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>(executor: &Instance, future: F) {
    match executor {
        Some(executor) => executor.spawn(future).detach(),
        None => spawn(future),
    }
}

/// Runs `f` on smol's blocking pool, its completion delivered through `executor`.
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    executor: &Instance,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    spawn_in(
        executor,
        smol::unblock(move || {
            done(crate::panic::catch(f));
        }),
    );
}

/// A thread of smol's global executor (`smol-N`); tasks of other executors are seen through
/// txaio's own marker.
pub(crate) fn is_runtime_thread() -> bool {
    std::thread::current()
        .name()
        .and_then(|name| name.strip_prefix("smol-"))
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// Yields to the executor once.
pub(crate) async fn yield_now() {
    smol::future::yield_now().await;
}

/// smol's global executor.
pub(crate) fn background() -> super::Instance {
    super::Instance::Smol(None)
}

/// The global executor cannot be stopped.
pub(crate) fn shutdown_background() {}

//! The async-std backend (legacy: async-std is discontinued upstream; prefer smol).
//! Timers come from async-io, which async-std itself uses.

use std::future::Future;
use std::time::Duration;

use crate::errors::Panic;

/// Spawns a detached task on async-std's global executor.
pub fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    drop(async_std::task::spawn(future));
}

/// Runs `f` on async-std's blocking pool.
pub fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(async_std::task::spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// Waits `delay` on async-io's timer.
pub async fn sleep(delay: Duration) {
    async_io::Timer::after(delay).await;
}

/// Runs `future` on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// Same as [`block_on`].
pub fn block_on_test<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

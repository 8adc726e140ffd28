//! The smol backend: smol's global executor, async-io's timers and reactor.

use std::future::Future;
use std::time::Duration;

use crate::errors::Panic;

/// Spawns a detached task on smol's global executor.
pub fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    smol::spawn(future).detach();
}

/// Runs `f` on smol's blocking pool.
pub fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    smol::spawn(smol::unblock(move || {
        done(crate::panic::catch(f));
    }))
    .detach();
}

/// Waits `delay` on async-io's timer.
pub async fn sleep(delay: Duration) {
    async_io::Timer::after(delay).await;
}

/// Runs `future` on this thread, driving async-io's reactor.
pub fn block_on<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

/// Same as [`block_on`]: smol needs no per-test runtime.
pub fn block_on_test<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

//! The tokio backend.

use std::future::Future;
use std::time::Duration;

use crate::errors::Panic;

use tokio::runtime::{Builder, Handle};

fn handle() -> Handle {
    Handle::try_current().unwrap_or_else(|_| {
        panic!(
            "txaio: this call needs a running tokio runtime, and none is running on this thread. \
             Run your code inside `#[txaio::main]` or `#[txaio::test]`, inside a tokio runtime \
             (`#[tokio::main]`, `Runtime::enter`), or select the `smol` backend, which needs no setup"
        )
    })
}

/// Spawns a detached task.
pub fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    drop(handle().spawn(future));
}

/// Runs `f` on tokio's blocking pool.
pub fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(handle().spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// Waits `delay` on tokio's timer.
pub async fn sleep(delay: Duration) {
    tokio::time::sleep(delay).await;
}

fn build(builder: &mut Builder) -> tokio::runtime::Runtime {
    builder
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("txaio: could not start the tokio runtime: {error}"))
}

/// Runs `future` on a new multi-thread runtime, as `#[tokio::main]` does.
pub fn block_on<F: Future>(future: F) -> F::Output {
    build(&mut Builder::new_multi_thread()).block_on(future)
}

/// Runs `future` on a new current-thread runtime, as `#[tokio::test]` does.
pub fn block_on_test<F: Future>(future: F) -> F::Output {
    build(&mut Builder::new_current_thread()).block_on(future)
}

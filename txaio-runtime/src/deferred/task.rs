//! `spawn`: run a future as a task on the selected runtime, its result as a deferred.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::Deferred;
use crate::failure::Failure;
use crate::rt;

/// Runs `future` as a task on the selected runtime and returns its result as a deferred
/// (Twisted's `ensureDeferred`).
///
/// The task starts at once. `Ok(value)` resolves the deferred, `Err(error)` rejects it, and a
/// panic becomes a [`Panic`](crate::Panic) failure. Dropping the deferred detaches the task; it
/// runs on to completion. [`cancel`](crate::cancel) stops it: its future is dropped at the
/// next poll, and the deferred fails with [`CancelledError`](crate::CancelledError).
///
/// # Panics
///
/// On tokio, if no tokio runtime is running on this thread (the message names the fix).
///
/// # Examples
///
/// ```
/// # txaio::__private::block_on_default(async {
/// let d = txaio::spawn(async { Ok::<_, std::io::Error>(6 * 7) });
/// assert_eq!(d.await.unwrap(), 42);
/// # });
/// ```
#[doc(alias = "ensureDeferred")]
pub fn spawn<T: Send + 'static>(
    future: impl Future<Output = Result<T, impl Into<Failure>>> + Send + 'static,
) -> Deferred<T> {
    spawn_on(rt::current(), future)
}

/// [`spawn`] on a given backend, which must be compiled in (`#[portable(runtime = ..)]`).
pub(crate) fn spawn_on<T, E, F>(runtime: rt::Runtime, future: F) -> Deferred<T>
where
    T: Send + 'static,
    E: Into<Failure>,
    F: Future<Output = Result<T, E>> + Send + 'static,
{
    let deferred = Deferred::new_pending();
    rt::spawn_detached_on(
        runtime,
        Driver {
            future,
            deferred: deferred.clone(),
        },
    );
    deferred
}

/// Runs `f` on the runtime's pool of blocking threads and gives its result as a deferred
/// (Twisted's `deferToThread`): for blocking file or socket I/O, or CPU-heavy work, that
/// would otherwise stall the event loop.
///
/// `Err` from `f` becomes the failure, and so does a panic. Cancelling the deferred does not
/// stop `f` (a thread cannot be interrupted); its result is then dropped.
///
/// # Panics
///
/// On tokio, outside a running tokio runtime.
///
/// # Examples
///
/// ```
/// # txaio::__private::block_on_default(async {
/// let path = std::env::temp_dir();
/// let entries = txaio::defer_to_thread(move || std::fs::read_dir(path).map(|dir| dir.count()))
///     .await
///     .unwrap();
/// println!("{entries} entries");
/// # });
/// ```
#[doc(alias = "deferToThread")]
#[doc(alias = "spawn_blocking")]
pub fn defer_to_thread<T, E, F>(f: F) -> Deferred<T>
where
    T: Send + 'static,
    E: Into<Failure>,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    let deferred = Deferred::new_pending();
    let target = deferred.clone();
    rt::spawn_blocking(
        move || f().map_err(Into::into),
        move |outcome| {
            let outcome = match outcome {
                Ok(result) => result,
                Err(panic) => Err(Failure::new(panic)),
            };
            // Fired already only if it was cancelled meanwhile.
            let _ = target.settle(outcome);
        },
    );
    deferred
}

pin_project! {
    /// Polls the user's future until it completes or its deferred fires first (cancel).
    struct Driver<F, T> {
        #[pin]
        future: F,
        deferred: Deferred<T>,
    }
}

impl<T, E, F> Future for Driver<F, T>
where
    T: Send + 'static,
    E: Into<Failure>,
    F: Future<Output = Result<T, E>>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if this.deferred.fired_for_task() {
            return Poll::Ready(());
        }
        let future = this.future;
        let outcome = match crate::panic::catch(|| future.poll(cx)) {
            Ok(Poll::Pending) => return this.deferred.poll_fired_for_task(cx),
            Ok(Poll::Ready(result)) => result.map_err(Into::into),
            Err(panic) => Err(Failure::new(panic)),
        };
        this.deferred.settle_by_task(outcome);
        Poll::Ready(())
    }
}

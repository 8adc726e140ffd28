//! `spawn`: run a future as a task on the selected runtime, its result as a deferred.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::Deferred;
use super::cascade::{self, Entry, Registry};
use crate::blocking::RuntimeStoppedError;
use crate::failure::Failure;
use crate::rt;

/// Runs `future` as a task on the selected runtime and returns its result as a deferred
/// (Twisted's `ensureDeferred`).
///
/// The task starts at once. `Ok(value)` resolves the deferred, `Err(error)` rejects it, and a
/// panic becomes a [`Panic`](crate::Panic) failure. Dropping the deferred detaches the task; it
/// runs on to completion.
///
/// # Cancellation
///
/// [`cancel`](crate::cancel) first cancels every deferred the task's future is waiting on (a
/// child task, a `sleep`, to any depth), then stops the task: its future is not polled again
/// and is dropped by the runtime soon after. When `cancel` returns, the deferred has failed with
/// [`CancelledError`](crate::CancelledError), whatever the awaited deferreds' cancellers did.
///
/// # Runtime shutdown
///
/// If the runtime drops the task before it completes (an application's own tokio runtime
/// dropped, a smol executor of its own dropped), the deferred fails with
/// [`RuntimeStoppedError`](crate::blocking::RuntimeStoppedError) instead of staying pending for
/// ever, and its holders hear of it; nobody holding it, it is not logged as unhandled.
///
/// # Panics
///
/// On tokio, if no tokio runtime is running on this thread (the message names the fix).
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let d = txaio::spawn(async { Ok::<_, std::io::Error>(6 * 7) });
/// assert_eq!(d.await.unwrap(), 42);
/// # }
/// ```
#[doc(alias = "ensureDeferred")]
#[track_caller]
pub fn spawn<T: Send + 'static>(
    future: impl Future<Output = Result<T, impl Into<Failure>>> + Send + 'static,
) -> Deferred<T> {
    spawn_on(rt::current(), future)
}

/// [`spawn`] on a given backend, which must be compiled in (`#[portable(runtime = ..)]`).
#[track_caller]
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
            awaited: Vec::new(),
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
/// # #[txaio::main] async fn main() {
/// let path = std::env::temp_dir();
/// let entries = txaio::defer_to_thread(move || std::fs::read_dir(path).map(|dir| dir.count()))
///     .await
///     .unwrap();
/// println!("{entries} entries");
/// # }
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
    /// Dropped before either (its runtime shut down with the task in it), it fails the
    /// deferred with `RuntimeStoppedError`, which would otherwise stay pending for ever.
    struct Driver<F, T>
    where
        T: Send,
        T: 'static,
    {
        #[pin]
        future: F,
        deferred: Deferred<T>,
        // What the future registers as awaited during a poll; kept for its capacity.
        awaited: Vec<Entry>,
    }

    impl<F, T> PinnedDrop for Driver<F, T>
    where
        T: Send,
        T: 'static,
    {
        fn drop(this: Pin<&mut Self>) {
            let deferred = this.project().deferred;
            // Fired (or being cancelled) unless the task was dropped unfinished. A shutdown
            // is not news: the failure is not reported as unhandled (as `EventualResult`'s
            // is not), so that detached tasks do not each log one.
            if !deferred.closed_for_task() {
                deferred.mark_handled();
                deferred.settle_by_task(Err(Failure::new(RuntimeStoppedError)));
            }
        }
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
        if this.deferred.closed_for_task() {
            return Poll::Ready(());
        }
        let future = this.future;
        let previous = cascade::enter(mem::take(this.awaited));
        let polled = crate::panic::catch(|| future.poll(cx));
        let mut registered: Registry = cascade::leave(previous);
        let outcome = match polled {
            Ok(Poll::Pending) => {
                let parked = this.deferred.park_task(cx, &mut registered);
                *this.awaited = registered.latest;
                return parked;
            }
            Ok(Poll::Ready(result)) => result.map_err(Into::into),
            Err(panic) => Err(Failure::new(panic)),
        };
        this.deferred.settle_by_task(outcome);
        Poll::Ready(())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    use super::{Deferred, Driver};

    thread_local! {
        static LOOKED_AT: RefCell<Option<Deferred<u32>>> = const { RefCell::new(None) };
    }

    /// A waker whose drop looks at the deferred its task drives: the runtime's code touching
    /// txaio, which must find the deferred's lock free.
    struct LooksWhenDropped;

    impl Wake for LooksWhenDropped {
        fn wake(self: Arc<Self>) {}
    }

    impl Drop for LooksWhenDropped {
        fn drop(&mut self) {
            if let Some(deferred) = LOOKED_AT.with_borrow(Clone::clone) {
                let _ = deferred.is_called();
            }
        }
    }

    struct Quiet;

    impl Wake for Quiet {
        fn wake(self: Arc<Self>) {}
    }

    #[test]
    fn the_task_waker_a_task_leaves_when_it_fires_its_deferred_drops_outside_the_lock() {
        let deferred = Deferred::<u32>::new_pending();
        LOOKED_AT.with_borrow_mut(|looked_at| *looked_at = Some(deferred.clone()));
        let mut polls = 0;
        let future = std::future::poll_fn(move |_| {
            polls += 1;
            if polls == 1 {
                Poll::Pending
            } else {
                Poll::Ready(Ok::<u32, std::io::Error>(7))
            }
        });
        let mut driver = Box::pin(Driver {
            future,
            deferred: deferred.clone(),
            awaited: Vec::new(),
        });
        {
            let waker = Waker::from(Arc::new(LooksWhenDropped));
            let parked = driver.as_mut().poll(&mut Context::from_waker(&waker));
            assert!(
                parked.is_pending(),
                "the task parked, keeping a clone of the waker"
            );
        }
        // The parked clone is now the waker's last handle; the task fires its deferred and
        // lets it go.
        let waker = Waker::from(Arc::new(Quiet));
        assert!(
            driver
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready()
        );
        LOOKED_AT.with_borrow_mut(|looked_at| *looked_at = None);
        assert!(deferred.is_called());
    }
}

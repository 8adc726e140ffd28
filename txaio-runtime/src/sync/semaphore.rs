//! `DeferredSemaphore`: at most `limit` holders at once.

use std::fmt;
use std::sync::Arc;

use super::gate::Gate;
use super::run::run_guarded;
use crate::deferred::{Deferred, IntoDeferred};

/// A semaphore for deferreds: at most `limit` holders at once (Twisted's `DeferredSemaphore`).
///
/// [`acquire`](Self::acquire) gives a deferred that fires when a token is the caller's: at
/// once if one is free, else when a holder [`release`](Self::release)s one, waiters being
/// served in request order. [`run`](Self::run) does the acquire-call-release dance around a
/// function. `Clone` gives another handle to the same semaphore; it is `Send + Sync`.
///
/// Use it to bound concurrency, such as the number of requests in flight to one server.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let sem = txaio::DeferredSemaphore::new(2);
/// sem.acquire().await.unwrap();
/// sem.acquire().await.unwrap();
/// assert_eq!(sem.tokens(), 0);
/// let third = sem.acquire(); // waits for a token
/// assert!(!txaio::is_called(&third));
/// sem.release(); // passes its token to `third`
/// assert!(txaio::is_called(&third));
/// assert_eq!(sem.tokens(), 0);
/// # }
/// ```
#[doc(alias = "Semaphore")]
#[derive(Clone)]
pub struct DeferredSemaphore {
    gate: Arc<Gate>,
}

impl DeferredSemaphore {
    /// A semaphore with `tokens` tokens, all free; `tokens` is also its [`limit`](Self::limit).
    ///
    /// # Panics
    ///
    /// If `tokens` is 0: such a semaphore could never be acquired (Twisted raises
    /// `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = txaio::DeferredSemaphore::new(3);
    /// assert_eq!((sem.tokens(), sem.limit()), (3, 3));
    /// ```
    #[must_use]
    pub fn new(tokens: usize) -> Self {
        assert!(
            tokens > 0,
            "DeferredSemaphore::new(0): a semaphore needs at least one token"
        );
        DeferredSemaphore {
            gate: Gate::new(tokens),
        }
    }

    /// A deferred that fires when a token is the caller's: before `acquire` returns if one is
    /// free, else when one is released, waiters being served in request order.
    ///
    /// # Cancellation
    ///
    /// Cancelling the deferred while it waits takes it out of the line, and it fails with
    /// [`CancelledError`](crate::CancelledError); the token goes to the next waiter. So does
    /// cancelling a task that awaits it. Cancelling it after it fired does nothing: the token
    /// is held, and must be released.
    ///
    /// # Cancel safety
    ///
    /// Dropping every handle to a waiting acquire before a token reaches it (a
    /// [`with_timeout`](crate::with_timeout) that ran out, the losing branch of a select, a
    /// future dropped with its task) takes it out of the line, as a cancel does: the token
    /// goes to the next waiter or back to the free ones, never to the dropped acquire
    /// (tokio::sync's rule). An acquire with a callback attached is not abandoned by dropping
    /// its handle: the callback runs when the token is its. An acquire that a `release` served
    /// but that nobody saw fire (not awaited to the end, no callback, not
    /// [`is_called`](crate::is_called)) gives the token back when its last handle drops. An
    /// acquire seen to fire, or one that fired before `acquire` returned, holds its token
    /// whatever becomes of its handles: its holder must release it.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = txaio::DeferredSemaphore::new(1);
    /// let first = sem.acquire();
    /// assert!(txaio::is_called(&first)); // a free token: fired already
    /// let second = sem.acquire();
    /// txaio::cancel(&second); // leaves the line
    /// sem.release();
    /// assert_eq!(sem.tokens(), 1);
    /// ```
    pub fn acquire(&self) -> Deferred<()> {
        self.gate.acquire()
    }

    /// Gives a token back: to the oldest waiter (its deferred fires before `release` returns),
    /// else to the free tokens.
    ///
    /// # Panics
    ///
    /// If all [`limit`](Self::limit) tokens are already free: a release without its acquire.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = txaio::DeferredSemaphore::new(1);
    /// let _held = sem.acquire();
    /// sem.release();
    /// assert_eq!(sem.tokens(), 1);
    /// ```
    pub fn release(&self) {
        assert!(
            self.gate.release(),
            "DeferredSemaphore::release: all {} tokens are already free (a release without its acquire)",
            self.gate.limit()
        );
    }

    /// How many tokens are free now (Twisted's `tokens`).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = txaio::DeferredSemaphore::new(2);
    /// let _held = sem.acquire();
    /// assert_eq!(sem.tokens(), 1);
    /// ```
    #[must_use]
    pub fn tokens(&self) -> usize {
        self.gate.tokens()
    }

    /// How many tokens there are in all: the most holders at once (Twisted's `limit`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(txaio::DeferredSemaphore::new(4).limit(), 4);
    /// ```
    #[must_use]
    pub fn limit(&self) -> usize {
        self.gate.limit()
    }

    /// Acquires a token, calls `f`, and releases the token when `f`'s result fires, whatever
    /// it is (a panic in `f` included); the returned deferred fires with `f`'s result, after
    /// the release.
    ///
    /// With a free token, `f` is called before `run` returns. `f` may return a `Result` or a
    /// [`Deferred`], which `run` waits for without blocking.
    ///
    /// # Errors
    ///
    /// The returned deferred fails with `f`'s failure, or with a [`Panic`](crate::Panic) if `f`
    /// panicked.
    ///
    /// # Cancellation
    ///
    /// Cancelling the returned deferred before `f` was called leaves the line (`f` is never
    /// called) and fails it with [`CancelledError`](crate::CancelledError); after, it cancels
    /// the deferred `f` returned, and the token is released when that one fires.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main] async fn main() {
    /// let sem = txaio::DeferredSemaphore::new(1);
    /// let answer = sem.run(|| Ok::<_, txaio::Failure>(42));
    /// assert_eq!(answer.await.unwrap(), 42);
    /// assert_eq!(sem.tokens(), 1); // released again
    /// # }
    /// ```
    pub fn run<T, R>(&self, f: impl FnOnce() -> R + Send + 'static) -> Deferred<T>
    where
        T: Send + 'static,
        R: IntoDeferred<T>,
    {
        run_guarded(&self.gate, f)
    }
}

impl fmt::Debug for DeferredSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.gate.fmt(f)
    }
}

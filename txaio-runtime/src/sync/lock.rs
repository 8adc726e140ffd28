//! `DeferredLock`: mutual exclusion for deferreds.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::gate::Gate;
use super::run::run_guarded;
use crate::deferred::{Deferred, IntoDeferred};
use crate::failure::Failure;

/// A lock for deferreds (Twisted's `DeferredLock`): one holder at a time, waiters served in
/// request order.
///
/// [`acquire`](Self::acquire) gives a deferred that fires when the lock is the caller's: at
/// once if it is free, else when the holder [`release`](Self::release)s it. The lock guards
/// no data of its own; it orders callers, across callbacks and `.await` points, which a
/// `std::sync::Mutex` cannot do. [`run`](Self::run) acquires, calls a function and releases
/// when that function's result fires. `Clone` gives another handle to the same lock; it is
/// `Send + Sync`.
///
/// A cancelled waiter never keeps the lock from the next one: cancelling a pending
/// `acquire` (or a task awaiting it), or dropping every handle to it, takes it out of the line.
///
/// # Who runs the callbacks
///
/// As in Twisted, `release` fires the next waiter's deferred before it returns, so a callback
/// attached to a waiting `acquire` runs on the releasing thread; if that callback releases in
/// turn, the next one runs there too. On a runtime thread one `release` runs at most about a
/// thousand of them and hands the rest, in order, to a task of their own, so a thread cannot
/// be kept busy with other threads' callbacks for as long as they keep queueing. On a thread
/// with no runtime there is nowhere else to run them, and `release` runs them all. Code that
/// would rather not run anyone's callbacks awaits instead: [`lock`](Self::lock)`.await` (or
/// `acquire().await`) only wakes the waiting task, which goes on in its own runtime thread.
/// [`DeferredSemaphore`](crate::DeferredSemaphore) and [`DeferredQueue`](crate::DeferredQueue)
/// hand over in the same way.
///
/// # Examples
///
/// A connection that one request at a time may use, however the requests interleave:
///
/// ```
/// # #[txaio::main] async fn main() {
/// let lock = txaio::DeferredLock::new();
/// let first = lock.run(|| Ok::<_, txaio::Failure>("first"));
/// assert_eq!(first.await.unwrap(), "first");
///
/// lock.acquire().await.unwrap(); // held
/// let waiting = lock.acquire();
/// assert!(!txaio::is_called(&waiting));
/// lock.release(); // hands the lock to `waiting`
/// waiting.await.unwrap();
/// assert!(lock.locked());
/// lock.release();
/// assert!(!lock.locked());
/// # }
/// ```
#[doc(alias = "Lock")]
#[doc(alias = "Mutex")]
#[derive(Clone)]
pub struct DeferredLock {
    gate: Arc<Gate>,
}

impl DeferredLock {
    /// A new, free lock.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!txaio::DeferredLock::new().locked());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        DeferredLock { gate: Gate::new(1) }
    }

    /// A deferred that fires when the lock is the caller's: before `acquire` returns if the
    /// lock is free, else when it is released to this caller, waiters being served in request
    /// order. The holder must [`release`](Self::release) it.
    ///
    /// # Cancellation
    ///
    /// Cancelling the deferred while it waits takes it out of the line, and it fails with
    /// [`CancelledError`](crate::CancelledError); the lock goes to the next waiter. Cancelling
    /// a task that awaits it does the same. Cancelling it after it fired does nothing: the
    /// lock is held, and must be released.
    ///
    /// # Cancel safety
    ///
    /// Dropping every handle to a waiting acquire before the lock reaches it (a
    /// [`with_timeout`](crate::with_timeout) that ran out, the losing branch of a select, a
    /// future dropped with its task) takes it out of the line, as a cancel does: `release`
    /// then hands the lock to the next waiter or frees it, never to the dropped acquire
    /// (tokio::sync's rule). An acquire with a callback attached ([`add_callback`](crate::add_callback),
    /// [`then`](crate::then)) is not abandoned by dropping its handle: the callback runs when
    /// the lock is its; a [`timeout`](crate::timeout) on it only watches, and does not keep
    /// it. An acquire its holder resolved by hand gives no lock back when it drops (the lock
    /// was never its). An acquire that a `release` served but that nobody saw fire (not
    /// awaited to the end, no callback, not [`is_called`](crate::is_called)) gives the lock
    /// back when its last handle drops: a select's branch that was ready but lost keeps no
    /// lock. An acquire seen to fire, or one that fired before `acquire` returned (the lock
    /// was free), holds the lock whatever becomes of its handles: its holder must release it,
    /// and only a holder that saw it fire may.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = txaio::DeferredLock::new();
    /// let mine = lock.acquire();
    /// assert!(txaio::is_called(&mine)); // the lock was free
    /// let next = lock.acquire();
    /// txaio::cancel(&next); // gives up waiting
    /// txaio::add_errback(&next, |f| assert!(f.is::<txaio::CancelledError>()));
    /// lock.release();
    /// assert!(!lock.locked()); // nobody left in line
    /// ```
    pub fn acquire(&self) -> Deferred<()> {
        self.gate.acquire()
    }

    /// Releases the lock: hands it to the oldest waiter, whose deferred fires before `release`
    /// returns, or frees it if nobody waits.
    ///
    /// # Panics
    ///
    /// If the lock is not held (Twisted asserts the same).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = txaio::DeferredLock::new();
    /// let _mine = lock.acquire();
    /// let next = lock.acquire();
    /// lock.release();
    /// assert!(txaio::is_called(&next));
    /// assert!(lock.locked()); // now held by `next`'s owner
    /// ```
    pub fn release(&self) {
        assert!(
            self.gate.release(),
            "DeferredLock::release: the lock is not held"
        );
    }

    /// Whether the lock is held (Twisted's `locked`): a cheap look, for a "try-lock" or a
    /// report; it may change as soon as it is read.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = txaio::DeferredLock::new();
    /// let _mine = lock.acquire();
    /// assert!(lock.locked());
    /// ```
    #[must_use]
    pub fn locked(&self) -> bool {
        self.gate.tokens() == 0
    }

    /// Acquires the lock for as long as the returned guard lives: `lock().await` gives a
    /// [`DeferredLockGuard`] that releases the lock when dropped (tokio's `Mutex::lock`
    /// shape, for code that holds the lock across `.await` points).
    ///
    /// # Errors
    ///
    /// A [`CancelledError`](crate::CancelledError) failure if the wait was cancelled (a
    /// cancelled task awaiting it).
    ///
    /// # Cancel safety
    ///
    /// Dropping the [`Lock`] future before it completes leaves the line and never keeps the
    /// lock: if the lock had reached it already, it is released.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main] async fn main() {
    /// let lock = txaio::DeferredLock::new();
    /// {
    ///     let _guard = lock.lock().await.unwrap();
    ///     assert!(lock.locked());
    /// } // released here
    /// assert!(!lock.locked());
    /// # }
    /// ```
    pub fn lock(&self) -> Lock {
        Lock {
            acquiring: self.acquire(),
            lock: Some(self.clone()),
        }
    }

    /// Acquires the lock, calls `f`, and releases the lock when `f`'s result fires, whatever
    /// it is (a panic in `f` included); the returned deferred then fires with `f`'s result.
    ///
    /// On a free lock `f` is called before `run` returns. `f` may return a `Result` or a
    /// [`Deferred`], which `run` waits for without blocking; the lock is held until it fires.
    ///
    /// # Errors
    ///
    /// The returned deferred fails with `f`'s failure, or with a [`Panic`](crate::Panic) if `f`
    /// panicked; the lock is released either way.
    ///
    /// # Cancellation
    ///
    /// Cancelling the returned deferred while it waits for the lock leaves the line (`f` is
    /// never called) and fails it with [`CancelledError`](crate::CancelledError). Once `f` has
    /// been called, it cancels the deferred `f` returned, and the lock is released when that
    /// one fires.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main] async fn main() {
    /// let lock = txaio::DeferredLock::new();
    /// let failed = lock.run(|| -> Result<u32, txaio::Failure> { panic!("boom") });
    /// assert!(failed.await.unwrap_err().is::<txaio::Panic>());
    /// assert!(!lock.locked()); // released all the same
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

impl Default for DeferredLock {
    fn default() -> Self {
        DeferredLock::new()
    }
}

impl fmt::Debug for DeferredLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferredLock")
            .field("locked", &self.locked())
            .finish_non_exhaustive()
    }
}

/// The future of [`DeferredLock::lock`]: a [`DeferredLockGuard`] once the lock is the caller's.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let lock = txaio::DeferredLock::new();
/// let locking: txaio::sync::Lock = lock.lock();
/// let guard = locking.await.unwrap();
/// drop(guard);
/// assert!(!lock.locked());
/// # }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Lock {
    acquiring: Deferred<()>,
    /// Until the guard is handed out.
    lock: Option<DeferredLock>,
}

impl Future for Lock {
    type Output = Result<DeferredLockGuard, Failure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match Pin::new(&mut this.acquiring).poll(cx) {
            Poll::Ready(Ok(())) => {
                let lock = this.lock.take().expect("`Lock` polled after it completed");
                Poll::Ready(Ok(DeferredLockGuard { lock }))
            }
            Poll::Ready(Err(failure)) => {
                this.lock = None;
                Poll::Ready(Err(failure))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Dropped before it handed out its guard: a lock that reached it is released (one
        // that has not leaves the line as the acquire drops).
        if let Some(lock) = self.lock.take()
            && self.acquiring.succeeded()
        {
            lock.release();
        }
    }
}

/// Holds a [`DeferredLock`] until dropped (made by [`DeferredLock::lock`]).
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let lock = txaio::DeferredLock::new();
/// let guard: txaio::sync::DeferredLockGuard = lock.lock().await.unwrap();
/// let next = lock.acquire();
/// assert!(!txaio::is_called(&next));
/// drop(guard); // hands the lock to `next`
/// assert!(txaio::is_called(&next));
/// # }
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
#[derive(Debug)]
pub struct DeferredLockGuard {
    lock: DeferredLock,
}

impl DeferredLockGuard {
    /// The lock it holds.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main] async fn main() {
    /// let lock = txaio::DeferredLock::new();
    /// let guard = lock.lock().await.unwrap();
    /// assert!(guard.lock().locked());
    /// # }
    /// ```
    #[must_use]
    pub fn lock(&self) -> &DeferredLock {
        &self.lock
    }
}

impl Drop for DeferredLockGuard {
    fn drop(&mut self) {
        self.lock.release();
    }
}

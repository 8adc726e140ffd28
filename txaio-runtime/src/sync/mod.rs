//! Twisted's coordination primitives for deferreds: [`DeferredLock`], [`DeferredSemaphore`]
//! and [`DeferredQueue`].
//!
//! All three share one discipline ([`line`]): waiters stand in a line in request order, a
//! waiter is handed its value (a token, or a queued item) under the primitive's lock, and its
//! deferred fires after that lock is dropped, so that callbacks may call back into the
//! primitive.

mod gate;
mod line;
mod lock;
mod queue;
mod run;
mod semaphore;

pub use lock::{DeferredLock, DeferredLockGuard, Lock};
pub use queue::{DeferredQueue, QueueClosed, QueueOverflow, QueueUnderflow, TryPutError};
pub use semaphore::DeferredSemaphore;

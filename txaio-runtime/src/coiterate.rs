//! `coiterate`: CPU-bound work that cooperates with the event loop (Twisted's
//! `task.coiterate`).

use std::time::{Duration, Instant};

use crate::deferred::{Deferred, spawn};
use crate::failure::Failure;
use crate::rt;

/// How long one slice runs before yielding: short enough that timers and other tasks barely
/// notice, long enough that yielding costs nothing next to it.
const SLICE: Duration = Duration::from_millis(4);

/// Drives `iter` to its end as a task, in slices of a few milliseconds, yielding to the runtime
/// between slices so that timers and other tasks keep running (Twisted's `task.coiterate`).
///
/// Each step of the iterator is one unit of work; its items are dropped. The deferred succeeds
/// once the iterator is exhausted; a panic in the iterator fails it with a
/// [`Panic`](crate::Panic).
///
/// # Cancellation
///
/// [`cancel`](crate::cancel) on the deferred stops the work before the next slice: the iterator
/// is dropped without being advanced again.
///
/// # Panics
///
/// On tokio, outside a running tokio runtime (as [`spawn`](crate::spawn)).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// # #[txaio::main]
/// # async fn main() {
/// let total = Arc::new(AtomicU64::new(0));
/// let sum = total.clone();
/// // A long computation, one step per item, that never stalls the runtime for long.
/// let work = (1..=100_000_u64).map(move |n| {
///     sum.fetch_add(n, Ordering::Relaxed);
/// });
/// txaio::coiterate(work).await.unwrap();
/// assert_eq!(total.load(Ordering::Relaxed), 5_000_050_000);
/// # }
/// ```
pub fn coiterate<I>(iter: I) -> Deferred<()>
where
    I: IntoIterator + Send + 'static,
    I::IntoIter: Send,
{
    let mut iter = iter.into_iter();
    spawn(async move {
        loop {
            let started = Instant::now();
            loop {
                if iter.next().is_none() {
                    return Ok::<(), Failure>(());
                }
                if started.elapsed() >= SLICE {
                    break;
                }
            }
            rt::yield_now().await;
        }
    })
}

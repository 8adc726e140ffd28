//! `timeout(d, after)`: Twisted's `Deferred.addTimeout`.

use std::time::Duration;

use crate::deferred::{Deferred, reaction};
use crate::errors::TimeoutError;
use crate::failure::Failure;
use crate::time::{ReleaseOnDrop, call_later};

/// Cancels `d` if it has not fired `after` from now, and makes the `CancelledError` that
/// results a [`TimeoutError`] (Twisted's `Deferred.addTimeout`). Returns a handle to `d`
/// itself.
///
/// If `d`'s canceller fires it with a value (or another error), that outcome stands. The
/// timer is cancelled as soon as `d` fires, so it no longer counts among pending timers
/// ([`VirtualClock::pending`](crate::testutil::VirtualClock::pending)). The timer holds `d`
/// weakly: a deferred nobody holds any more is not kept alive by its timeout, and its timer
/// is released when its last handle drops. Inside
/// [`testutil::replace_loop`](crate::testutil::replace_loop) the timer runs on the virtual
/// clock. A `TimeoutError` nobody handles is reported like any other failure (unlike a
/// cancel, a timeout is not the caller's own doing).
///
/// # Cancellation
///
/// Expiry cancels `d` as [`cancel`](crate::cancel) does: the deferreds a task awaits are
/// cancelled too. Cancelling `d` earlier cancels it with a plain `CancelledError`, and its
/// timer with it.
///
/// # Panics
///
/// As [`call_later`]: on tokio, outside a running tokio runtime (and outside a virtual clock).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let d = txaio::timeout(&txaio::create_future::<u32>(), Duration::from_secs(5));
///     clock.advance(Duration::from_secs(5));
///     txaio::add_errback(&d, |failure| assert!(failure.is::<txaio::TimeoutError>()));
///
///     let quick = txaio::timeout(&txaio::create_future::<u32>(), Duration::from_secs(5));
///     txaio::resolve(&quick, 1).unwrap();
///     assert_eq!(clock.pending(), 0, "its timer went when it fired");
/// });
/// ```
#[doc(alias = "addTimeout")]
pub fn timeout<T: Send + 'static>(d: &Deferred<T>, after: Duration) -> Deferred<T> {
    let target = d.downgrade();
    let call = ReleaseOnDrop(call_later(after, move || {
        if let Some(d) = target.upgrade() {
            d.cancel_instead(Some(Failure::new(TimeoutError)));
        }
    }));
    // Not a handler of `d`'s failure: the timeout only watches. The timer goes with this
    // reaction: when `d` fires, or when its last handle drops unfired.
    d.add_watcher(reaction(move |_: Result<&T, &Failure>| drop(call)));
    d.clone()
}

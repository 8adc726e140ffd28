//! Helpers for testing code written on txaio: a virtual clock and log capture.

mod capture;

pub use crate::time::virtual_clock::VirtualClock;
pub use capture::{CapturedLog, capture_logs};

/// Runs `f` with a virtual clock standing in for real time on this thread (txaio's
/// `testutil.replace_loop(task.Clock())`).
///
/// Every txaio timer created on this thread inside `f` (`call_later`, `sleep`, batched
/// timers, `interval`, `with_timeout`) waits on the clock; [`VirtualClock::advance`] fires what is due, synchronously, in deadline order. No
/// real time passes, on every backend, and no runtime is needed for the timers themselves.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let nap = txaio::sleep(Duration::from_secs(3600));
///     clock.advance(Duration::from_secs(3599));
///     assert!(!txaio::is_called(&nap));
///     clock.advance(Duration::from_secs(1));
///     assert!(txaio::is_called(&nap));
///     assert_eq!(clock.now(), Duration::from_secs(3600));
/// });
/// ```
pub fn replace_loop<R>(f: impl FnOnce(&VirtualClock) -> R) -> R {
    crate::time::virtual_clock::with_virtual_clock(f)
}

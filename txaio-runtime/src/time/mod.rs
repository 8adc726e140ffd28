//! Timers: `call_later`, `sleep`, and the seam that lets a virtual clock stand in for real time.

mod batched;
pub(crate) mod deadline;
mod entry;
mod interval;
mod timeout;
pub(crate) mod virtual_clock;
mod wait;
mod with_timeout;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::deferred::Deferred;
use crate::rt;
pub(crate) use batched::make_batched_timer_in;
pub use batched::{BatchedTimer, make_batched_timer};
pub(crate) use entry::TimerEntry;
use entry::UntilFired;
pub use interval::{Interval, interval};
pub use timeout::timeout;
use virtual_clock::{ClockShared, Due};
pub(crate) use wait::Wait;
pub use with_timeout::{WithTimeout, with_timeout};

/// A pending call made by [`call_later`]; Twisted's `IDelayedCall`.
///
/// `Send + Sync`; [`cancel`](DelayedCall::cancel) and [`active`](DelayedCall::active) are safe
/// from any thread, also racing the firing: the call either runs once or is cancelled, never
/// both, never twice. Dropping a `DelayedCall` does not cancel it. A handle only ever refers to
/// its own call: once that has run or been cancelled, the handle answers `false` for good.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let call: txaio::DelayedCall = txaio::call_later(Duration::from_secs(5), || {});
///     let same = call.clone(); // the same call
///     assert!(same.cancel());
///     assert!(!call.active());
/// });
/// ```
#[doc(alias = "IDelayedCall")]
#[derive(Debug, Clone)]
pub struct DelayedCall {
    handle: Handle,
}

#[derive(Debug, Clone)]
enum Handle {
    /// A timer of its own, made by `call_later`.
    Single(Arc<TimerEntry>),
    /// A place in a batched timer's bucket.
    Batched(batched::Key),
}

impl DelayedCall {
    /// Cancels the call if it is still pending; its function is dropped without running.
    ///
    /// Returns `true` if this call cancelled it, `false` if it had already run or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::testutil::replace_loop(|clock| {
    ///     let call = txaio::call_later(std::time::Duration::from_secs(1), || unreachable!());
    ///     assert!(call.cancel());
    ///     assert!(!call.cancel());
    ///     clock.advance(std::time::Duration::from_secs(2));
    /// });
    /// ```
    pub fn cancel(&self) -> bool {
        match &self.handle {
            Handle::Single(entry) => entry.cancel(),
            Handle::Batched(key) => key.cancel(),
        }
    }

    /// Whether the call is still pending (neither run nor cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let call = txaio::call_later(Duration::from_secs(1), || {});
    ///     assert!(call.active());
    ///     clock.advance(Duration::from_secs(1));
    ///     assert!(!call.active(), "it ran");
    ///     let other = txaio::call_later(Duration::from_secs(1), || {});
    ///     other.cancel();
    ///     assert!(!other.active(), "it was cancelled");
    /// });
    /// ```
    #[must_use]
    pub fn active(&self) -> bool {
        match &self.handle {
            Handle::Single(entry) => entry.is_pending(),
            Handle::Batched(key) => key.is_pending(),
        }
    }
}

/// Runs `f` once, on the runtime, no earlier than `delay` from now (txaio's `call_later`).
///
/// A panic in `f` is caught and logged. Inside [`testutil::replace_loop`](crate::testutil::replace_loop)
/// the call waits on the virtual clock instead. A `delay` too large for the clock (such as
/// `Duration::MAX`) never fires: it stays pending until cancelled.
///
/// # Panics
///
/// On tokio, outside a running tokio runtime, or in one built without its time driver
/// (`enable_time()`); the message names the fix.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let fired = Arc::new(AtomicBool::new(false));
///     let flag = fired.clone();
///     txaio::call_later(Duration::from_millis(500), move || flag.store(true, Ordering::SeqCst));
///     clock.advance(Duration::from_millis(499));
///     assert!(!fired.load(Ordering::SeqCst));
///     clock.advance(Duration::from_millis(1));
///     assert!(fired.load(Ordering::SeqCst));
/// });
/// ```
#[doc(alias = "callLater")]
pub fn call_later(delay: Duration, f: impl FnOnce() + Send + 'static) -> DelayedCall {
    call_later_on(rt::current(), delay, Box::new(f))
}

/// [`call_later`] with its real timer on `runtime` (on the virtual clock, if this thread has
/// one, as every timer).
pub(crate) fn call_later_on(runtime: rt::Runtime, delay: Duration, f: Callback) -> DelayedCall {
    let clock = Clock::current();
    let at = clock.now().checked_add(delay);
    call_at(&clock, runtime, at, f)
}

/// The one place a timer is made: `f` runs at `at` on `clock` (`None`: never), a real timer
/// waiting on `runtime`.
pub(crate) fn call_at(
    clock: &Clock,
    runtime: rt::Runtime,
    at: Option<Duration>,
    f: Callback,
) -> DelayedCall {
    // In a simulation a timer belongs to the host that set it: its callback runs as that
    // host's code, and not at all once the host has crashed.
    #[cfg(feature = "sim")]
    let f = crate::sim::on_this_host(f);
    let entry = match clock {
        Clock::Virtual(clock) => {
            let entry = TimerEntry::new(f);
            clock.schedule(at.map_or(Due::Never, Due::At), &entry);
            entry
        }
        Clock::Real => {
            // The runtime timer first: it checks the runtime, and may panic, before anything
            // else exists.
            let sleep = rt::sleep_until(runtime, at.and_then(real_instant));
            let entry = TimerEntry::new(f);
            if !matches!(sleep, rt::Sleep::Never) {
                rt::spawn_detached_on(runtime, UntilFired::new(entry.clone(), sleep));
            }
            entry
        }
    };
    DelayedCall {
        handle: Handle::Single(entry),
    }
}

type Callback = Box<dyn FnOnce() + Send>;

/// Which clock a timer made on this thread waits on.
#[derive(Clone)]
pub(crate) enum Clock {
    /// The virtual clock of `replace_loop`, captured so that a future made on it keeps it
    /// wherever it is polled.
    Virtual(Arc<ClockShared>),
    /// Real time, measured as [`Duration`] since a process-wide origin.
    Real,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Clock::Virtual(_) => "virtual",
            Clock::Real => "real",
        })
    }
}

impl Clock {
    /// This thread's clock: its virtual clock inside `replace_loop`, else real time.
    pub(crate) fn current() -> Clock {
        virtual_clock::installed().map_or(Clock::Real, Clock::Virtual)
    }

    pub(crate) fn now(&self) -> Duration {
        match self {
            Clock::Virtual(clock) => clock.now(),
            Clock::Real => origin().elapsed(),
        }
    }

    /// A future that completes at `at` on this clock (`None`: never); a real one on the
    /// current backend.
    pub(crate) fn wait_until(&self, at: Option<Duration>) -> Wait {
        match self {
            Clock::Virtual(clock) => Wait::virtual_until(clock, at.map_or(Due::Never, Due::At)),
            Clock::Real => Wait::real(rt::sleep_until(rt::current(), at.and_then(real_instant))),
        }
    }
}

pub(crate) fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

/// The instant of real clock time `at`; `None` past what `Instant` can represent.
pub(crate) fn real_instant(at: Duration) -> Option<Instant> {
    origin().checked_add(at)
}

/// Time on this thread's clock: the virtual clock's inside `replace_loop`, else monotonic real
/// time since the first call. Batched timers place their buckets on it.
pub(crate) fn now() -> Duration {
    virtual_clock::now().unwrap_or_else(|| origin().elapsed())
}

/// A deferred that succeeds with `()` after `delay` (txaio's `sleep`).
///
/// Inside [`testutil::replace_loop`](crate::testutil::replace_loop) it waits on the virtual
/// clock. A `delay` too large for the clock never fires.
///
/// # Cancellation
///
/// [`cancel`](crate::cancel) on the deferred (directly, or through a cancelled task awaiting
/// it) cancels the timer at once and fails the deferred with
/// [`CancelledError`](crate::CancelledError).
///
/// # Cancel safety
///
/// Dropping a future awaiting it drops one handle; when the last handle of a sleep that has
/// not fired drops, its timer is released at once (nobody could see it fire), so a loop that
/// gives up on sleeps leaves no timers behind. Callbacks added to a sleep whose handles are
/// all dropped are dropped with it: use [`call_later`] to run code at a time.
///
/// # Panics
///
/// As [`call_later`].
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// txaio::sleep(std::time::Duration::from_millis(1)).await.unwrap();
/// # }
/// ```
///
/// On the virtual clock, cancelled:
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let nap = txaio::sleep(Duration::from_secs(60));
///     txaio::cancel(&nap);
///     assert_eq!(clock.pending(), 0, "the timer went with the cancel");
///     txaio::add_errback(&nap, |failure| assert!(failure.is::<txaio::CancelledError>()));
/// });
/// ```
#[doc(alias = "deferLater")]
pub fn sleep(delay: Duration) -> Deferred<()> {
    let clock = Clock::current();
    let at = clock.now().checked_add(delay);
    deadline::sleep_at(&clock, at)
}

/// Owns a timer that nobody else needs once this is dropped: cancels it on drop (a no-op if
/// it ran already).
pub(crate) struct ReleaseOnDrop(pub(crate) DelayedCall);

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

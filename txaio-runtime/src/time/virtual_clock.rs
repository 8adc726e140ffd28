//! The virtual clock of `testutil::replace_loop`: a queue of timers that fire only when the
//! test advances the clock.
//!
//! The queue is shared (`Arc` + `Mutex`), not thread-bound: a timer is cancelled from any
//! thread and leaves the queue at once, and the futures that capture the clock when they are
//! made (`with_timeout`, `interval`) may be polled on another thread.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use super::TimerEntry;

thread_local! {
    static INSTALLED: RefCell<Option<Arc<ClockShared>>> = const { RefCell::new(None) };
}

/// When a queued timer is due: at a time on the clock, or never (a deadline past
/// `Duration::MAX`, which no `advance` can reach, so it can never fire early).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Due {
    At(Duration),
    Never,
}

/// A queued timer's place: its due time, then the order it was scheduled in (ties fire in
/// scheduling order).
pub(crate) type QueueKey = (Due, u64);

#[derive(Default)]
pub(crate) struct ClockShared {
    // No user code runs under this lock: timers fire after it is released.
    state: Mutex<ClockState>,
}

#[derive(Default)]
struct ClockState {
    now: Duration,
    next_sequence: u64,
    queue: BTreeMap<QueueKey, Arc<TimerEntry>>,
}

impl ClockShared {
    fn lock(&self) -> MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> Duration {
        self.lock().now
    }

    /// Queues `entry` to fire at `due`; the entry keeps a link back, so that cancelling it
    /// removes it from the queue at once.
    pub(crate) fn schedule(self: &Arc<Self>, due: Due, entry: &Arc<TimerEntry>) {
        let mut state = self.lock();
        let sequence = state.next_sequence;
        state.next_sequence += 1;
        let key = (due, sequence);
        entry.link_to_clock(Arc::downgrade(self), key);
        state.queue.insert(key, Arc::clone(entry));
    }

    /// Removes a cancelled timer's entry (and so its memory) from the queue.
    pub(crate) fn unschedule(&self, key: QueueKey) {
        let removed = self.lock().queue.remove(&key);
        // Outside the lock: the last reference may go here.
        drop(removed);
    }
}

/// A clock that moves only when told to (Twisted's `task.Clock`).
///
/// Made by [`replace_loop`](crate::testutil::replace_loop); every txaio timer created on that
/// thread inside it waits on this clock. `Clone` gives another handle to the same clock (for a
/// callback that wants to read the time); `Send + Sync`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let nap = txaio::sleep(Duration::from_secs(10));
///     assert_eq!(clock.pending(), 1);
///     clock.advance(Duration::from_secs(10));
///     assert!(txaio::is_called(&nap));
///     assert_eq!(clock.now(), Duration::from_secs(10));
/// });
/// ```
#[doc(alias = "Clock")]
#[derive(Clone)]
pub struct VirtualClock {
    state: Arc<ClockShared>,
}

impl std::fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock();
        f.debug_struct("VirtualClock")
            .field("now", &state.now)
            .field("pending", &state.queue.len())
            .finish()
    }
}

impl VirtualClock {
    /// Moves time forward by `by`, running, synchronously and in deadline order, every timer
    /// due up to the new time (including timers those callbacks schedule within it).
    ///
    /// Time saturates at `Duration::MAX`; a timer whose deadline lies beyond that never fires.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let order = Arc::new(AtomicUsize::new(0));
    ///     let first = order.clone();
    ///     txaio::call_later(Duration::from_secs(2), move || {
    ///         assert_eq!(first.fetch_add(1, Ordering::SeqCst), 1);
    ///     });
    ///     let second = order.clone();
    ///     txaio::call_later(Duration::from_secs(1), move || {
    ///         assert_eq!(second.fetch_add(1, Ordering::SeqCst), 0);
    ///     });
    ///     clock.advance(Duration::from_secs(5)); // both, earliest deadline first
    ///     assert_eq!(order.load(Ordering::SeqCst), 2);
    /// });
    /// ```
    pub fn advance(&self, by: Duration) {
        let target = self.state.lock().now.saturating_add(by);
        loop {
            let due = {
                let mut state = self.state.lock();
                match state.queue.first_key_value() {
                    Some(((Due::At(deadline), _), _)) if *deadline <= target => {
                        let deadline = *deadline;
                        state.now = state.now.max(deadline);
                        state.queue.pop_first().map(|(_, entry)| entry)
                    }
                    _ => None,
                }
            };
            let Some(entry) = due else { break };
            entry.fire();
        }
        let mut state = self.state.lock();
        state.now = state.now.max(target);
    }

    /// The due time of the earliest queued timer, if any can ever fire.
    #[cfg(feature = "sim")]
    pub(crate) fn next_due(&self) -> Option<Duration> {
        match self.state.lock().queue.first_key_value() {
            Some(((Due::At(deadline), _), _)) => Some(*deadline),
            _ => None,
        }
    }

    /// Time elapsed on this clock since it started.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::testutil::replace_loop(|clock| {
    ///     assert_eq!(clock.now(), std::time::Duration::ZERO);
    ///     clock.advance(std::time::Duration::from_millis(250));
    ///     assert_eq!(clock.now(), std::time::Duration::from_millis(250));
    /// });
    /// ```
    #[must_use]
    pub fn now(&self) -> Duration {
        self.state.now()
    }

    /// Timers scheduled on this clock that have neither fired nor been cancelled.
    ///
    /// A cancelled timer leaves the clock at once, with its closure.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::testutil::replace_loop(|clock| {
    ///     let call = txaio::call_later(std::time::Duration::from_secs(1), || {});
    ///     assert_eq!(clock.pending(), 1);
    ///     call.cancel();
    ///     assert_eq!(clock.pending(), 0);
    /// });
    /// ```
    #[must_use]
    pub fn pending(&self) -> usize {
        self.state.lock().queue.len()
    }
}

/// This thread's virtual clock, if one is installed.
pub(crate) fn installed() -> Option<Arc<ClockShared>> {
    INSTALLED.with(|installed| installed.borrow().clone())
}

/// The installed virtual clock's time, if one is installed on this thread.
pub(crate) fn now() -> Option<Duration> {
    INSTALLED.with(|installed| installed.borrow().as_ref().map(|state| state.now()))
}

/// A weak link from a timer entry to the clock that queues it.
pub(crate) type ClockLink = (Weak<ClockShared>, QueueKey);

/// Installs a fresh virtual clock on this thread for the duration of `f`.
pub(crate) fn with_virtual_clock<R>(f: impl FnOnce(&VirtualClock) -> R) -> R {
    struct Restore {
        previous: Option<Arc<ClockShared>>,
        clock: Arc<ClockShared>,
    }
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.previous.take();
            INSTALLED.with(|installed| *installed.borrow_mut() = previous);
            // Nothing can advance this clock any more, so its timers can never fire: release
            // them now (a future that captured the clock would otherwise keep them, and a
            // timer whose closure holds such a future would keep itself).
            let queue = std::mem::take(&mut self.clock.lock().queue);
            drop(queue);
        }
    }
    let state = Arc::new(ClockShared::default());
    let previous = INSTALLED.with(|installed| installed.borrow_mut().replace(Arc::clone(&state)));
    let _restore = Restore {
        previous,
        clock: Arc::clone(&state),
    };
    f(&VirtualClock { state })
}

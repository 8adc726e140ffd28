//! The virtual clock of `testutil::replace_loop`: a per-thread queue of timers that fire only
//! when the test advances the clock.

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use super::TimerEntry;

thread_local! {
    static INSTALLED: RefCell<Option<Rc<ClockState>>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct ClockState {
    now: Cell<Duration>,
    next_sequence: Cell<u64>,
    queue: RefCell<BinaryHeap<Scheduled>>,
}

struct Scheduled {
    deadline: Duration,
    /// Ties fire in the order they were scheduled.
    sequence: u64,
    entry: Arc<TimerEntry>,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    // Reversed: `BinaryHeap` is a max-heap and the earliest deadline must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.deadline, other.sequence).cmp(&(self.deadline, self.sequence))
    }
}

/// A clock that moves only when told to (Twisted's `task.Clock`).
///
/// Made by [`replace_loop`](crate::testutil::replace_loop); every txaio timer created on that
/// thread inside it waits on this clock.
#[derive(Debug)]
pub struct VirtualClock {
    state: Rc<ClockState>,
}

impl std::fmt::Debug for ClockState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClockState")
            .field("now", &self.now.get())
            .field("pending", &self.queue.borrow().len())
            .finish_non_exhaustive()
    }
}

impl VirtualClock {
    /// Moves time forward by `by`, running, synchronously and in deadline order, every timer
    /// due up to the new time (including timers those callbacks schedule within it).
    pub fn advance(&self, by: Duration) {
        let target = self.state.now.get().saturating_add(by);
        loop {
            let due = {
                let mut queue = self.state.queue.borrow_mut();
                match queue.peek() {
                    Some(next) if next.deadline <= target => queue.pop(),
                    _ => None,
                }
            };
            let Some(due) = due else { break };
            self.state.now.set(due.deadline);
            due.entry.fire();
        }
        self.state.now.set(target);
    }

    /// Time elapsed on this clock since it started.
    #[must_use]
    pub fn now(&self) -> Duration {
        self.state.now.get()
    }

    /// Timers scheduled on this clock that have neither fired nor been cancelled.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.state
            .queue
            .borrow()
            .iter()
            .filter(|s| s.entry.is_pending())
            .count()
    }
}

/// Schedules `entry` on this thread's virtual clock; `false` if none is installed.
pub(crate) fn schedule(delay: Duration, entry: &Arc<TimerEntry>) -> bool {
    INSTALLED.with(|installed| {
        let installed = installed.borrow();
        let Some(state) = installed.as_ref() else {
            return false;
        };
        let sequence = state.next_sequence.get();
        state.next_sequence.set(sequence + 1);
        state.queue.borrow_mut().push(Scheduled {
            deadline: state.now.get().saturating_add(delay),
            sequence,
            entry: Arc::clone(entry),
        });
        true
    })
}

/// The installed virtual clock's time, if one is installed on this thread.
pub(crate) fn now() -> Option<Duration> {
    INSTALLED.with(|installed| installed.borrow().as_ref().map(|state| state.now.get()))
}

/// Installs a fresh virtual clock on this thread for the duration of `f`.
pub(crate) fn with_virtual_clock<R>(f: impl FnOnce(&VirtualClock) -> R) -> R {
    struct Restore(Option<Rc<ClockState>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            INSTALLED.with(|installed| *installed.borrow_mut() = previous);
        }
    }
    let state = Rc::new(ClockState::default());
    let previous = INSTALLED.with(|installed| installed.borrow_mut().replace(Rc::clone(&state)));
    let _restore = Restore(previous);
    f(&VirtualClock { state })
}

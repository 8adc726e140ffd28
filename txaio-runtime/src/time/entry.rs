//! One pending timer: a state that moves once from pending to fired or cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::virtual_clock::{ClockLink, QueueKey};
use crate::report;

const PENDING: u8 = 0;
const FIRED: u8 = 1;
const CANCELLED: u8 = 2;

type Callback = Box<dyn FnOnce() + Send>;

pub(crate) struct TimerEntry {
    state: AtomicU8,
    slot: Mutex<Slot>,
}

struct Slot {
    callback: Option<Callback>,
    /// Who waits for this timer: the real-time task (woken on cancel so that it drops its
    /// runtime timer), or a future waiting on the virtual clock (woken when it fires).
    waiter: Option<Waker>,
    /// The virtual clock queueing this timer, so that a cancel removes it at once.
    clock: Option<ClockLink>,
}

impl TimerEntry {
    pub(crate) fn new(callback: Callback) -> Arc<TimerEntry> {
        Arc::new(TimerEntry {
            state: AtomicU8::new(PENDING),
            slot: Mutex::new(Slot {
                callback: Some(callback),
                waiter: None,
                clock: None,
            }),
        })
    }

    pub(crate) fn is_pending(&self) -> bool {
        self.state.load(Ordering::Acquire) == PENDING
    }

    pub(crate) fn is_fired(&self) -> bool {
        self.state.load(Ordering::Acquire) == FIRED
    }

    fn take_slot(&self) -> Slot {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        Slot {
            callback: slot.callback.take(),
            waiter: slot.waiter.take(),
            clock: slot.clock.take(),
        }
    }

    /// Records the virtual clock's queue place of this (pending) timer.
    pub(crate) fn link_to_clock(
        &self,
        clock: std::sync::Weak<super::virtual_clock::ClockShared>,
        key: QueueKey,
    ) {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.clock = Some((clock, key));
    }

    /// Runs the callback if the timer is still pending, then wakes a future waiting for it;
    /// the compare-exchange makes firing and cancelling exclusive.
    pub(crate) fn fire(&self) {
        self.fire_inner(true);
    }

    fn fire_inner(&self, wake: bool) {
        if self
            .state
            .compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let Slot {
            callback, waiter, ..
        } = self.take_slot();
        if let Some(callback) = callback
            && let Err(panic) = crate::panic::catch(|| crate::rt::as_timer_callback(callback))
        {
            report::timer_panicked(&panic);
        }
        if let Some(waiter) = waiter.filter(|_| wake) {
            waiter.wake();
        }
    }

    pub(crate) fn cancel(&self) -> bool {
        if self
            .state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        let Slot {
            callback,
            waiter,
            clock,
        } = self.take_slot();
        if let Some((clock, key)) = clock
            && let Some(clock) = clock.upgrade()
        {
            clock.unschedule(key);
        }
        // A panic in the closure's drop is contained like one in the closure itself.
        if let Err(panic) = crate::panic::catch(move || drop(callback)) {
            report::timer_panicked(&panic);
        }
        if let Some(waiter) = waiter {
            waiter.wake();
        }
        true
    }

    pub(crate) fn register(&self, waker: &Waker) {
        let slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let current = slot
            .waiter
            .as_ref()
            .is_some_and(|current| current.will_wake(waker));
        drop(slot);
        if current {
            return;
        }
        // Cloned and dropped outside the lock: a waker is the runtime's code.
        let waker = waker.clone();
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let replaced = slot.waiter.replace(waker);
        drop(slot);
        drop(replaced);
    }
}

impl std::fmt::Debug for TimerEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state.load(Ordering::Acquire) {
            PENDING => "pending",
            FIRED => "fired",
            _ => "cancelled",
        };
        f.debug_struct("TimerEntry")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// Waits on a runtime timer, then fires the entry; ends early, dropping the runtime timer,
    /// if the entry is cancelled.
    pub(crate) struct UntilFired<S> {
        entry: Arc<TimerEntry>,
        #[pin]
        sleep: S,
    }
}

impl<S> UntilFired<S> {
    pub(crate) fn new(entry: Arc<TimerEntry>, sleep: S) -> Self {
        UntilFired { entry, sleep }
    }
}

impl<S: Future<Output = ()>> Future for UntilFired<S> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if !this.entry.is_pending() {
            return Poll::Ready(());
        }
        this.entry.register(cx.waker());
        if !this.entry.is_pending() {
            return Poll::Ready(());
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => {
                // The waiter is this task: no need to wake it.
                this.entry.fire_inner(false);
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

//! One pending timer: a state that moves once from pending to fired or cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

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
    /// The real-time task waiting for this timer, woken on cancel so it can drop its timer.
    waiter: Option<Waker>,
}

impl TimerEntry {
    pub(crate) fn new(callback: Callback) -> Arc<TimerEntry> {
        Arc::new(TimerEntry {
            state: AtomicU8::new(PENDING),
            slot: Mutex::new(Slot {
                callback: Some(callback),
                waiter: None,
            }),
        })
    }

    pub(crate) fn is_pending(&self) -> bool {
        self.state.load(Ordering::Acquire) == PENDING
    }

    fn take_slot(&self) -> Slot {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        Slot {
            callback: slot.callback.take(),
            waiter: slot.waiter.take(),
        }
    }

    /// Runs the callback if the timer is still pending; the compare-exchange makes firing and
    /// cancelling exclusive.
    pub(crate) fn fire(&self) {
        if self
            .state
            .compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        if let Some(callback) = self.take_slot().callback {
            if let Err(panic) = crate::panic::catch(callback) {
                report::timer_panicked(&panic);
            }
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
        let Slot { callback, waiter } = self.take_slot();
        drop(callback);
        if let Some(waiter) = waiter {
            waiter.wake();
        }
        true
    }

    fn register(&self, waker: &Waker) {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        match &slot.waiter {
            Some(current) if current.will_wake(waker) => {}
            _ => slot.waiter = Some(waker.clone()),
        }
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
                this.entry.fire();
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

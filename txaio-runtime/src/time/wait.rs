//! A future that completes at a time on a clock: the timer inside `with_timeout` and
//! `Interval::tick`. Polled in place, it needs no task of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::TimerEntry;
use super::virtual_clock::{ClockShared, Due};
use crate::rt;

pin_project! {
    /// Completes once its deadline has come; dropping it releases its timer at once.
    #[derive(Debug)]
    #[project = WaitProj]
    pub(crate) enum Wait {
        /// A timer on the virtual clock, woken by `advance`.
        Virtual { timer: VirtualWait },
        /// A backend's real timer.
        Real { #[pin] sleep: rt::Sleep },
        /// Due already when made (the virtual clock fires nothing until it is advanced).
        Elapsed,
    }
}

impl Wait {
    pub(crate) fn virtual_until(clock: &Arc<ClockShared>, due: Due) -> Wait {
        if due <= Due::At(clock.now()) {
            return Wait::Elapsed;
        }
        let entry = TimerEntry::new(Box::new(|| {}));
        clock.schedule(due, &entry);
        Wait::Virtual {
            timer: VirtualWait { entry },
        }
    }

    pub(crate) fn real(sleep: rt::Sleep) -> Wait {
        Wait::Real { sleep }
    }
}

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.project() {
            WaitProj::Virtual { timer } => {
                if timer.entry.is_fired() {
                    return Poll::Ready(());
                }
                timer.entry.register(cx.waker());
                // Fired between the check and the registration: its wake went to nobody.
                if timer.entry.is_fired() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
            WaitProj::Real { sleep } => sleep.poll(cx),
            WaitProj::Elapsed => Poll::Ready(()),
        }
    }
}

/// A virtual-clock timer; it leaves the clock's queue when dropped.
#[derive(Debug)]
pub(crate) struct VirtualWait {
    entry: Arc<TimerEntry>,
}

impl Drop for VirtualWait {
    fn drop(&mut self) {
        self.entry.cancel();
    }
}

impl Wait {
    /// Moves the wait to `at` on `clock` (`None`: never): a real timer is moved in place, as
    /// hyper's and quinn's timers need; anything else is replaced.
    pub(crate) fn reset(
        mut self: Pin<&mut Self>,
        clock: &super::Clock,
        at: Option<std::time::Duration>,
    ) {
        if let (WaitProj::Real { sleep }, Some(instant)) =
            (self.as_mut().project(), at.and_then(super::real_instant))
            && sleep.reset(instant)
        {
            return;
        }
        self.set(clock.wait_until(at));
    }
}

//! The lock in front of txaio's own state (a deferred's, a queue's, a semaphore's).
//!
//! Nothing but a few field moves runs under it, never user code, so a thread that finds it
//! taken spins, yielding its time slice, rather than sleeping. Taking it is one
//! compare-and-swap and releasing it a plain store, where `std::sync::Mutex` pays a second
//! atomic read-modify-write on release: on the path of every deferred, that is measurable
//! (see the book's performance chapter).

use std::panic::{RefUnwindSafe, UnwindSafe};

pub(crate) type ShortGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

pub(crate) struct ShortLock<T>(spin::mutex::SpinMutex<T, spin::relax::Yield>);

impl<T> ShortLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        ShortLock(spin::mutex::SpinMutex::new(value))
    }

    pub(crate) fn lock(&self) -> ShortGuard<'_, T> {
        self.0.lock()
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }
}

// As `std::sync::Mutex` is: a panic cannot leave the state half-changed, because none can
// happen while the lock is held (no user code runs under it), so the types holding one stay
// unwind-safe, as they were behind `std::sync::Mutex`.
impl<T> UnwindSafe for ShortLock<T> {}
impl<T> RefUnwindSafe for ShortLock<T> {}

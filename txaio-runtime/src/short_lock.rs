//! The lock in front of txaio's own state (a deferred's, a queue's, a semaphore's).
//!
//! Nothing but a few field moves runs under it, never user code, so a thread that finds it
//! taken spins, yielding its time slice, rather than sleeping. Taking it is one
//! compare-and-swap and releasing it a plain store, where `std::sync::Mutex` pays a second
//! atomic read-modify-write on release: on the path of every deferred, that is measurable
//! (see the book's performance chapter).

use std::ops::{Deref, DerefMut};
use std::panic::{RefUnwindSafe, UnwindSafe};

#[cfg(not(txaio_std_short_lock))]
type Raw<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
#[cfg(not(txaio_std_short_lock))]
type RawGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;
// For `benches/lock_tail.rs`: the same code on the standard mutex, to compare the tails.
#[cfg(txaio_std_short_lock)]
type Raw<T> = std::sync::Mutex<T>;
#[cfg(txaio_std_short_lock)]
type RawGuard<'a, T> = std::sync::MutexGuard<'a, T>;

pub(crate) struct ShortLock<T>(Raw<T>);

/// Holds a [`ShortLock`]; releases it on drop.
pub(crate) struct ShortGuard<'a, T> {
    guard: RawGuard<'a, T>,
    #[cfg(debug_assertions)]
    _held: reentry::Held,
}

impl<T> ShortLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        ShortLock(Raw::new(value))
    }

    /// Takes the lock, spinning while another thread holds it.
    ///
    /// # Panics
    ///
    /// In debug builds, if this thread holds it already: a spin lock taken twice by one thread
    /// spins for ever, and the only way it can happen is code run under the lock that should
    /// not be (user code, a waker, a drop that calls back into txaio).
    #[track_caller]
    pub(crate) fn lock(&self) -> ShortGuard<'_, T> {
        #[cfg(debug_assertions)]
        let held = reentry::Held::enter(std::ptr::from_ref(self).addr());
        #[cfg(not(txaio_std_short_lock))]
        let guard = self.0.lock();
        // No user code runs under it, so a poisoned lock holds consistent state.
        #[cfg(txaio_std_short_lock)]
        let guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ShortGuard {
            guard,
            #[cfg(debug_assertions)]
            _held: held,
        }
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        #[cfg(not(txaio_std_short_lock))]
        let value = self.0.get_mut();
        #[cfg(txaio_std_short_lock)]
        let value = self
            .0
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        value
    }
}

impl<T> Deref for ShortGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for ShortGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

/// The debug-build check that no thread takes a short lock it holds (invariant 7 of
/// `deferred/mod.rs`: no code but field moves runs under one).
#[cfg(debug_assertions)]
mod reentry {
    use std::cell::RefCell;

    thread_local! {
        /// Addresses of the short locks this thread holds, in the order taken.
        static HELD: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    }

    /// One short lock held by this thread.
    pub(super) struct Held(usize);

    impl Held {
        #[track_caller]
        pub(super) fn enter(address: usize) -> Held {
            let reentered = HELD.with_borrow_mut(|held| {
                let reentered = held.contains(&address);
                if !reentered {
                    held.push(address);
                }
                reentered
            });
            assert!(
                !reentered,
                "txaio: an internal lock was taken again by the thread that holds it (code ran \
                 under it that must not: a callback, a waker or a drop calling back into txaio); \
                 this is a bug in txaio, please report it"
            );
            Held(address)
        }
    }

    impl Drop for Held {
        fn drop(&mut self) {
            // `try_with`: a guard dropped while the thread's locals are torn down.
            let _ = HELD.try_with(|held| {
                let mut held = held.borrow_mut();
                if let Some(at) = held.iter().rposition(|&address| address == self.0) {
                    held.swap_remove(at);
                }
            });
        }
    }
}

// As `std::sync::Mutex` is: a panic cannot leave the state half-changed, because none can
// happen while the lock is held (no user code runs under it), so the types holding one stay
// unwind-safe, as they were behind `std::sync::Mutex`.
impl<T> UnwindSafe for ShortLock<T> {}
impl<T> RefUnwindSafe for ShortLock<T> {}

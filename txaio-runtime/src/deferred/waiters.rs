//! The awaiters of a deferred: a waker slot per awaiting handle, the first one inline so
//! that the common single awaiter costs no allocation.

use std::task::Waker;

use super::thin::ThinVec;

/// The key to a handle's waker slot among the waiters: `(generation, index)`. Slots are
/// emptied all at once when the deferred's outcome arrives, and the generation moves on, so a
/// stale key is recognised.
pub(crate) type WaiterKey = (u64, usize);

#[derive(Default)]
pub(crate) struct Waiters {
    first: Option<Waker>,
    rest: ThinVec<Option<Waker>>,
    generation: u64,
}

impl Waiters {
    pub(crate) const fn new() -> Self {
        Waiters {
            first: None,
            rest: ThinVec::new(),
            generation: 0,
        }
    }

    fn slot(&mut self, index: usize) -> Option<&mut Option<Waker>> {
        match index {
            0 => Some(&mut self.first),
            _ => self.rest.as_mut_slice().get_mut(index - 1),
        }
    }

    /// Stores `waker` in the slot `key` names, taking a free slot if it names none (or a stale one).
    /// Returns the waker it replaced, to be dropped outside the lock (a waker's drop is the
    /// runtime's code, and may drop the last reference to a task and what it holds).
    #[must_use = "drop the replaced waker after releasing the lock"]
    pub(crate) fn register(&mut self, key: &mut Option<WaiterKey>, waker: &Waker) -> Option<Waker> {
        let generation = self.generation;
        if let Some((slot_generation, index)) = *key
            && slot_generation == generation
            && let Some(slot) = self.slot(index)
        {
            if slot
                .as_ref()
                .is_some_and(|current| current.will_wake(waker))
            {
                return None;
            }
            return slot.replace(waker.clone());
        }
        let index = if self.first.is_none() {
            self.first = Some(waker.clone());
            0
        } else if let Some(free) = self.rest.as_slice().iter().position(Option::is_none) {
            self.rest.as_mut_slice()[free] = Some(waker.clone());
            free + 1
        } else {
            self.rest.push(Some(waker.clone()));
            self.rest.len()
        };
        *key = Some((generation, index));
        None
    }

    /// Empties the slot `key` names; the waker is returned to be dropped outside the lock.
    pub(crate) fn remove(&mut self, key: WaiterKey) -> Option<Waker> {
        let (generation, index) = key;
        if generation != self.generation {
            return None;
        }
        self.slot(index).and_then(Option::take)
    }

    /// No waker and no allocation.
    #[inline]
    pub(crate) fn is_unallocated(&self) -> bool {
        self.first.is_none() && self.rest.is_unallocated()
    }

    /// Whether no handle waits.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none() && self.rest.as_slice().iter().all(Option::is_none)
    }

    /// Takes every waker, to be woken outside the lock; every key becomes stale.
    #[inline]
    pub(crate) fn take(&mut self) -> Woken {
        self.generation = self.generation.wrapping_add(1);
        Woken {
            first: self.first.take(),
            rest: self.rest.take(),
        }
    }
}

/// Wakers taken from [`Waiters`].
pub(crate) struct Woken {
    first: Option<Waker>,
    rest: Vec<Option<Waker>>,
}

impl Woken {
    #[inline]
    pub(crate) fn wake_all(self) {
        // The common single awaiter without an iterator chain (measured: a third of the cost).
        if let Some(waker) = self.first {
            waker.wake();
        }
        if !self.rest.is_empty() {
            self.rest.into_iter().flatten().for_each(Waker::wake);
        }
    }
}

//! The awaiters of a deferred: a waker slot per awaiting handle, the first one inline so
//! that the common single awaiter costs no allocation.

use std::task::Waker;

use super::thin::ThinVec;

/// The key to a handle's waker slot among the waiters: `(stamp, index)`. Each registration
/// gets a stamp of its own, kept in its slot while the handle keeps the slot: a key whose
/// stamp its slot no longer holds is stale (the handle dropped, or the outcome arrived and
/// every slot was emptied), even after another handle took the slot.
pub(crate) type WaiterKey = (u64, usize);

/// A registered waker and the stamp of its registration.
type Slot = Option<(u64, Waker)>;

#[derive(Default)]
pub(crate) struct Waiters {
    first: Slot,
    rest: ThinVec<Slot>,
    /// The stamp the next registration gets.
    next_stamp: u64,
}

impl Waiters {
    pub(crate) const fn new() -> Self {
        Waiters {
            first: None,
            rest: ThinVec::new(),
            next_stamp: 0,
        }
    }

    fn slot(&mut self, index: usize) -> Option<&mut Slot> {
        match index {
            0 => Some(&mut self.first),
            _ => self.rest.as_mut_slice().get_mut(index - 1),
        }
    }

    fn slot_ref(&self, index: usize) -> Option<&Slot> {
        match index {
            0 => Some(&self.first),
            _ => self.rest.as_slice().get(index - 1),
        }
    }

    /// The slot `key` names, if that registration still holds it.
    fn registered(&self, key: WaiterKey) -> Option<&Waker> {
        let (stamp, index) = key;
        match self.slot_ref(index)? {
            Some((held, waker)) if *held == stamp => Some(waker),
            _ => None,
        }
    }

    /// Whether the registration `key` still holds its slot: its handle still awaits.
    pub(crate) fn holds(&self, key: WaiterKey) -> bool {
        self.registered(key).is_some()
    }

    /// Whether the slot `key` names holds a waker that wakes the same task as `waker`: then
    /// nothing needs registering (and no waker cloning, which is the runtime's code and must
    /// not run under the deferred's lock).
    pub(crate) fn is_current(&self, key: Option<WaiterKey>, waker: &Waker) -> bool {
        key.and_then(|key| self.registered(key))
            .is_some_and(|current| current.will_wake(waker))
    }

    /// Stores `waker` (cloned by the caller before it took the lock) in the slot `key` names,
    /// or in a free slot under a new stamp if `key` names none (or a stale one). Returns the
    /// waker it replaced, to be dropped outside the lock (a waker's drop is the runtime's
    /// code, and may drop the last reference to a task and what it holds).
    #[must_use = "drop the replaced waker after releasing the lock"]
    pub(crate) fn register(&mut self, key: &mut Option<WaiterKey>, waker: Waker) -> Option<Waker> {
        if let Some((stamp, index)) = *key
            && let Some(slot) = self.slot(index)
            && let Some((held, current)) = slot
            && *held == stamp
        {
            return Some(std::mem::replace(current, waker));
        }
        let stamp = self.next_stamp;
        self.next_stamp = self.next_stamp.wrapping_add(1);
        let entry = Some((stamp, waker));
        let index = if self.first.is_none() {
            self.first = entry;
            0
        } else if let Some(free) = self.rest.as_slice().iter().position(Option::is_none) {
            self.rest.as_mut_slice()[free] = entry;
            free + 1
        } else {
            self.rest.push(entry);
            self.rest.len()
        };
        *key = Some((stamp, index));
        None
    }

    /// Empties the slot `key` names; the waker is returned to be dropped outside the lock.
    pub(crate) fn remove(&mut self, key: WaiterKey) -> Option<Waker> {
        let (stamp, index) = key;
        let slot = self.slot(index)?;
        if slot.as_ref().is_some_and(|(held, _)| *held == stamp) {
            return slot.take().map(|(_, waker)| waker);
        }
        None
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
        Woken {
            first: self.first.take().map(|(_, waker)| waker),
            rest: self.rest.take(),
        }
    }
}

/// Wakers taken from [`Waiters`].
pub(crate) struct Woken {
    first: Option<Waker>,
    rest: Vec<Slot>,
}

impl Woken {
    #[inline]
    pub(crate) fn wake_all(self) {
        // The common single awaiter without an iterator chain (measured: a third of the cost).
        if let Some(waker) = self.first {
            waker.wake();
        }
        if !self.rest.is_empty() {
            self.rest
                .into_iter()
                .flatten()
                .for_each(|(_, waker)| waker.wake());
        }
    }
}

//! The pending results of the background runtimes, failed with `RuntimeStoppedError` when
//! `shutdown` runs (crochet's `ResultRegistry`). Holds them weakly: registering a result does
//! not keep it alive.

use std::sync::{Mutex, MutexGuard, PoisonError, Weak};

/// A pending result, as the registry sees it.
pub(super) trait Stop: Send + Sync {
    /// Fails the result with `RuntimeStoppedError` unless it has an outcome.
    fn stop(&self);
}

/// A place in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key(usize);

struct Registry {
    stopped: bool,
    slots: Vec<Option<Weak<dyn Stop>>>,
    free: Vec<usize>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    stopped: false,
    slots: Vec::new(),
    free: Vec::new(),
});

fn lock() -> MutexGuard<'static, Registry> {
    // No user code runs under this lock.
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers a pending result; `None` once `stop_all` has run.
pub(super) fn register(result: Weak<dyn Stop>) -> Option<Key> {
    let mut registry = lock();
    if registry.stopped {
        return None;
    }
    if let Some(index) = registry.free.pop() {
        registry.slots[index] = Some(result);
        return Some(Key(index));
    }
    registry.slots.push(Some(result));
    Some(Key(registry.slots.len() - 1))
}

/// Forgets a result that has its outcome (or was dropped).
pub(super) fn deregister(Key(index): Key) {
    let mut registry = lock();
    let Some(slot) = registry.slots.get_mut(index) else {
        return;
    };
    if slot.take().is_some() {
        registry.free.push(index);
    }
}

/// Refuses new registrations, and fails every registered result.
pub(super) fn stop_all() {
    let pending: Vec<Weak<dyn Stop>> = {
        let mut registry = lock();
        registry.stopped = true;
        registry.free.clear();
        registry.slots.drain(..).flatten().collect()
    };
    // Outside the lock: stopping a result deregisters it.
    for result in pending {
        if let Some(result) = result.upgrade() {
            result.stop();
        }
    }
}

/// Whether `stop_all` has run.
pub(super) fn stopped() -> bool {
    lock().stopped
}

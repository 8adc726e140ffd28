//! Stashed results, by id (crochet's `ResultStore`).

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::EventualResult;
use crate::failure::Failure;

/// A stashed result of any `T`.
trait Stashed: Send {
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    fn unseen_failure(&self) -> Option<Failure>;
}

impl<T: Send + 'static> Stashed for EventualResult<T> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn unseen_failure(&self) -> Option<Failure> {
        EventualResult::unseen_failure(self)
    }
}

struct Store {
    next_id: u64,
    results: BTreeMap<u64, Box<dyn Stashed>>,
}

static STORE: Mutex<Store> = Mutex::new(Store {
    next_id: 1,
    results: BTreeMap::new(),
});

fn lock() -> MutexGuard<'static, Store> {
    // No user code runs under this lock (dropping a result happens outside it).
    STORE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn stash<T: Send + 'static>(result: EventualResult<T>) -> u64 {
    let mut store = lock();
    let id = store.next_id;
    store.next_id += 1;
    store.results.insert(id, Box::new(result));
    id
}

pub(super) fn retrieve<T: Send + 'static>(id: u64) -> Option<EventualResult<T>> {
    let mut store = lock();
    if !store.results.get(&id)?.as_any().is::<EventualResult<T>>() {
        return None;
    }
    let stashed = store.results.remove(&id)?;
    drop(store);
    stashed
        .into_any()
        .downcast::<EventualResult<T>>()
        .ok()
        .map(|boxed| *boxed)
}

/// The failures of stashed results that nobody has seen, with their ids, oldest first.
pub(super) fn unseen_failures() -> Vec<(u64, Failure)> {
    let store = lock();
    store
        .results
        .iter()
        .filter_map(|(&id, result)| result.unseen_failure().map(|failure| (id, failure)))
        .collect()
}

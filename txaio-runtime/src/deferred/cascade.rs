//! Cancellation that runs down the await chain: what a deferred waits on, and the iterative
//! walk that cancels it all.
//!
//! A deferred may name the deferreds it waits on ([`Awaited`]): the task driving a spawned
//! deferred records every deferred its future was left pending on (through the task-local
//! registry below), and a chained deferred (`then`) records its source, then the deferred its
//! function returned. Cancelling a deferred first cancels those, and theirs, to any depth,
//! without recursion and without holding any lock while a canceller runs.

use std::cell::Cell;
use std::sync::{Arc, Weak};

use super::thin::ThinVec;
use crate::failure::Failure;

/// A deferred of any value type, as the cascade sees it.
pub(crate) trait Cancel: Send + Sync {
    /// Starts cancelling: `Pending` becomes `Cancelling` and what it waits on is pushed onto
    /// `awaited`. `false` (and nothing pushed) if it was not pending.
    fn begin_cancel(&self, instead: Option<Failure>, awaited: &mut Vec<Weak<dyn Cancel>>) -> bool;

    /// Runs the canceller, then fails the deferred with `CancelledError` (or the failure given
    /// to `begin_cancel`) unless the canceller fired it.
    fn finish_cancel(self: Arc<Self>);

    /// Whether it has neither fired nor begun cancelling.
    fn is_open(&self) -> bool;
}

/// The deferreds a pending deferred waits on; cancelled before it. The first one is inline:
/// a chained deferred waits on exactly one, and costs no allocation for it.
#[derive(Default)]
pub(crate) struct Awaited {
    first: Option<Weak<dyn Cancel>>,
    rest: ThinVec<Weak<dyn Cancel>>,
}

impl Awaited {
    pub(crate) const fn new() -> Self {
        Awaited {
            first: None,
            rest: ThinVec::new(),
        }
    }

    pub(crate) fn one(target: Weak<dyn Cancel>) -> Self {
        Awaited {
            first: Some(target),
            rest: ThinVec::new(),
        }
    }

    /// Nothing awaited and nothing allocated.
    #[inline]
    pub(crate) const fn is_unallocated(&self) -> bool {
        self.first.is_none() && self.rest.is_unallocated()
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    pub(crate) fn set_one(&mut self, target: Weak<dyn Cancel>) {
        self.rest.clear();
        self.first = Some(target);
    }

    pub(crate) fn drain_into(&mut self, out: &mut Vec<Weak<dyn Cancel>>) {
        out.extend(self.first.take());
        out.append(&mut self.rest.take());
    }

    /// Adds what a task's future was left pending on in its latest poll, keeping earlier entries
    /// that are still pending: a combinator that polls only its woken children (such as
    /// `FuturesUnordered`) still has its other children cancelled with the task.
    pub(crate) fn merge(&mut self, latest: &mut Vec<Weak<dyn Cancel>>) {
        let keep = |old: &Weak<dyn Cancel>| {
            !latest.iter().any(|new| Weak::ptr_eq(old, new))
                && old.upgrade().is_some_and(|old| old.is_open())
        };
        if self.first.as_ref().is_some_and(|first| !keep(first)) {
            self.first = None;
        }
        self.rest.retain(keep);
        if self.first.is_none() {
            self.first = self.rest.pop().or_else(|| latest.pop());
        }
        self.rest.append(latest);
    }
}

/// Finishes a cascade: begins cancelling everything in `awaited` (and what those wait on, to any
/// depth), finishes them innermost first, then calls `finish_first` (the deferred whose cancel
/// started it all). Iterative: a chain of any length cancels in constant stack.
pub(crate) fn run(mut awaited: Vec<Weak<dyn Cancel>>, finish_first: impl FnOnce()) {
    let mut begun: Vec<Arc<dyn Cancel>> = Vec::new();
    while let Some(next) = awaited.pop() {
        if let Some(next) = next.upgrade()
            && next.begin_cancel(None, &mut awaited)
        {
            begun.push(next);
        }
    }
    // Inner deferreds were begun after the ones waiting on them: finish in reverse, so that
    // each is settled before what waits on it.
    while let Some(next) = begun.pop() {
        next.finish_cancel();
    }
    finish_first();
}

thread_local! {
    /// While a task polls its future: the deferreds that future was left pending on.
    static AWAITING: Cell<Option<Vec<Weak<dyn Cancel>>>> = const { Cell::new(None) };
}

/// Installs `list` as this thread's registry for one poll of a task; returns the previous one.
pub(crate) fn enter(list: Vec<Weak<dyn Cancel>>) -> Option<Vec<Weak<dyn Cancel>>> {
    AWAITING.with(|cell| cell.replace(Some(list)))
}

/// Ends the poll: restores `previous` and returns what was registered.
pub(crate) fn leave(previous: Option<Vec<Weak<dyn Cancel>>>) -> Vec<Weak<dyn Cancel>> {
    AWAITING
        .with(|cell| cell.replace(previous))
        .unwrap_or_default()
}

/// Records that the task being polled on this thread (if any) now waits on `awaited`.
pub(crate) fn register(awaited: impl FnOnce() -> Weak<dyn Cancel>) {
    AWAITING.with(|cell| {
        if let Some(mut list) = cell.take() {
            list.push(awaited());
            cell.set(Some(list));
        }
    });
}

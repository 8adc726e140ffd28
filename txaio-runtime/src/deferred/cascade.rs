//! Cancellation that runs down the await chain: what a deferred waits on, and the iterative
//! walk that cancels it all.
//!
//! A deferred may name the deferreds it waits on ([`Awaited`]): the task driving a spawned
//! deferred records every deferred its future was left pending on (through the task-local
//! registry below), and a chained deferred (`then`) records its source, then the deferred its
//! function returned. Cancelling a deferred first cancels those, and theirs, to any depth,
//! without recursion and without holding any lock while a canceller runs.
//!
//! A task's entries name the awaiting handle's registration ([`Entry`]): a deferred the task
//! stopped awaiting (the handle awaiting it was dropped: a `with_timeout` that ran out, the
//! losing branch of a select) leaves the task's set, so that the cascade reaches only what the
//! task awaits at that moment (SPEC §4), and the set does not grow with every deferred the
//! task ever polled.

use std::cell::Cell;
use std::sync::{Arc, Weak};

use super::thin::ThinVec;
use super::waiters::WaiterKey;
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

    /// Whether it is pending and the awaiting registration `key` still holds its place.
    fn still_awaited(&self, key: WaiterKey) -> bool;
}

/// What a task awaits: a deferred, and the registration of the handle awaiting it.
pub(crate) struct Entry {
    target: Weak<dyn Cancel>,
    key: WaiterKey,
}

impl Entry {
    pub(crate) fn new(target: Weak<dyn Cancel>, key: WaiterKey) -> Self {
        Entry { target, key }
    }

    fn same(&self, other: &Entry) -> bool {
        self.key == other.key && Weak::ptr_eq(&self.target, &other.target)
    }

    /// Whether the handle that registered it still awaits a pending deferred.
    fn is_live(&self) -> bool {
        self.target
            .upgrade()
            .is_some_and(|target| target.still_awaited(self.key))
    }
}

/// The deferreds a pending deferred waits on; cancelled before it. A chained deferred waits
/// on exactly one, inline (`first`), and costs no allocation for it; a task's are in `rest`,
/// each with the registration that awaits it.
#[derive(Default)]
pub(crate) struct Awaited {
    first: Option<Weak<dyn Cancel>>,
    rest: ThinVec<Entry>,
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
        out.extend(self.rest.take().into_iter().map(|entry| entry.target));
    }

    /// Adds what a task's future was left pending on in its latest poll, keeping earlier
    /// entries whose handles still await them: a combinator that polls only its woken children
    /// (such as `FuturesUnordered`) still has its other children cancelled with the task, and
    /// a deferred whose awaiting handle was dropped, or that fired, leaves the set.
    pub(crate) fn merge(&mut self, latest: &mut Vec<Entry>) {
        self.rest
            .retain(|old| !latest.iter().any(|new| new.same(old)) && old.is_live());
        self.rest.append(latest);
    }

    /// Moves a task's entries into `out` (to be cancelled by the task itself).
    pub(crate) fn drain_entries_into(&mut self, out: &mut Vec<Entry>) {
        out.append(&mut self.rest.take());
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

/// Cancels what `entries` name, as [`run`] does, with nothing to finish after.
pub(crate) fn run_entries(entries: Vec<Entry>) {
    run(
        entries.into_iter().map(|entry| entry.target).collect(),
        || {},
    );
}

thread_local! {
    /// While a task polls its future: the deferreds that future was left pending on.
    static AWAITING: Cell<Option<Registry>> = const { Cell::new(None) };
}

/// What one poll of a task registered.
#[derive(Default)]
pub(crate) struct Registry {
    /// What the future was left pending on, through which registration.
    pub(crate) latest: Vec<Entry>,
    /// A handle that awaited something was dropped during the poll: some entries, here or
    /// from earlier polls, may name a registration that no longer awaits.
    pub(crate) stale: bool,
}

impl Registry {
    /// Drops the entries whose handles no longer await, if a handle was dropped.
    pub(crate) fn prune(&mut self) {
        if self.stale {
            self.latest.retain(Entry::is_live);
        }
    }
}

/// Installs `list` (empty, kept for its capacity) as this thread's registry for one poll of a
/// task; returns the previous one.
pub(crate) fn enter(list: Vec<Entry>) -> Option<Registry> {
    AWAITING.with(|cell| {
        cell.replace(Some(Registry {
            latest: list,
            stale: false,
        }))
    })
}

/// Ends the poll: restores `previous` and returns what was registered.
pub(crate) fn leave(previous: Option<Registry>) -> Registry {
    AWAITING
        .with(|cell| cell.replace(previous))
        .unwrap_or_default()
}

/// Records that the task being polled on this thread (if any) now waits on a deferred, through
/// the registration `key` of one of its handles.
pub(crate) fn register(awaited: impl FnOnce() -> Weak<dyn Cancel>, key: WaiterKey) {
    AWAITING.with(|cell| {
        if let Some(mut registry) = cell.take() {
            registry.latest.push(Entry::new(awaited(), key));
            cell.set(Some(registry));
        }
    });
}

/// A handle that was awaiting a deferred is dropped: if that happens while a task polls its
/// future on this thread (a `with_timeout` that ran out, a select's losing branch), the task's
/// entries are checked when it parks, and the ones that no longer await leave its set.
pub(crate) fn withdraw() {
    AWAITING.with(|cell| {
        if let Some(mut registry) = cell.take() {
            registry.stale = true;
            cell.set(Some(registry));
        }
    });
}

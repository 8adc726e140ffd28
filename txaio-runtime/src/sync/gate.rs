//! The token gate behind `DeferredLock` and `DeferredSemaphore`: tokens, and the line of
//! waiters for them. `run` (in `run.rs`) and both primitives import it from here.

use std::fmt;
use std::sync::Arc;

use super::line::{Line, Owner, Waiter, deliver, fire};
use crate::deferred::{Deferred, create_future_success};
use crate::log::Logger;
use crate::short_lock::ShortLock;

/// Tokens and the line of waiters for them: a semaphore, or a lock with one token.
pub(crate) struct Gate {
    state: ShortLock<GateState>,
    limit: usize,
}

struct GateState {
    tokens: usize,
    line: Line<Waiter<()>>,
}

impl Gate {
    pub(crate) fn new(limit: usize) -> Arc<Gate> {
        Arc::new(Gate {
            state: ShortLock::new(GateState {
                tokens: limit,
                line: Line::new(),
            }),
            limit,
        })
    }

    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    pub(crate) fn tokens(&self) -> usize {
        self.state.lock().tokens
    }

    /// Takes a free token, if there is one, without waiting.
    pub(crate) fn try_acquire(&self) -> bool {
        let mut state = self.state.lock();
        let free = state.tokens > 0;
        if free {
            state.tokens -= 1;
        }
        free
    }

    /// A deferred that fires (now, if a token is free) when a token is the caller's.
    pub(crate) fn acquire(self: &Arc<Self>) -> Deferred<()> {
        let mut state = self.state.lock();
        if state.tokens > 0 {
            state.tokens -= 1;
            drop(state);
            return create_future_success(());
        }
        let (deferred, waiter) = Waiter::new(self, state.line.next_id());
        state.line.push(waiter);
        deferred
    }

    /// Gives a token back: to the oldest waiter, whose deferred fires before this returns
    /// (unless firings nest deeply on this thread, see `fire`), else to the pool. `false`, and
    /// nothing changed, if every token is already in the pool.
    #[must_use]
    pub(crate) fn release(self: &Arc<Self>) -> bool {
        // Declared before the guard, so dropped after it: dropping a deferred may log.
        let mut unwanted = Vec::new();
        let mut state = self.state.lock();
        while let Some(waiter) = state.line.pop() {
            if waiter.is_called() {
                unwanted.push(waiter); // fired by its holder: it does not want the token
                continue;
            }
            // The token passes straight from the releaser to the waiter.
            waiter.hand(());
            drop(state);
            let gate = Arc::clone(self);
            fire(move || deliver(&waiter, |()| gate.pass_on()));
            return true;
        }
        if state.tokens == self.limit {
            return false;
        }
        state.tokens += 1;
        true
    }

    /// Releases a token that was handed to a waiter which could not take it.
    fn pass_on(self: &Arc<Self>) {
        let released = self.release();
        debug_assert!(released, "a handed-over token was not out of the pool");
    }
}

impl Owner<()> for Gate {
    fn leave(&self, id: u64) -> bool {
        // Bound to a name so that it drops after the guard: dropping a deferred may log.
        let left = self.state.lock().line.remove(id);
        left.is_some()
    }

    fn give_back(self: Arc<Self>, (): ()) {
        // A token handed to a waiter that was cancelled, or dropped unseen, before it could
        // take it. Released by hand meanwhile (by code that took the waiter's token for its
        // own without seeing it fire): reported, never a panic (this runs in a drop).
        if !self.release() {
            Logger::new("txaio").error(format_args!(
                "DeferredLock/DeferredSemaphore: a token handed to an acquire that was dropped \
                 or cancelled before it saw it was released by hand meanwhile"
            ));
        }
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Read under the lock, written after it: the formatter's writer is the caller's code.
        let (tokens, waiting) = {
            let state = self.state.lock();
            (state.tokens, state.line.len())
        };
        f.debug_struct("DeferredSemaphore")
            .field("tokens", &tokens)
            .field("limit", &self.limit)
            .field("waiting", &waiting)
            .finish()
    }
}

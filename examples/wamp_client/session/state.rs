//! The tables of a session: one entry per request in flight, keyed by its request id.

use std::collections::{HashMap, HashSet};

use txaio::{Deferred, DelayedCall, Failure};

use super::{EventHandler, Procedure, Registration, Subscription};
use crate::error::SessionClosed;
use crate::message::{Id, MAX_ID, Payload};

pub(super) type Reply = Box<dyn FnOnce(Result<Payload, Failure>) + Send>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Established,
    /// GOODBYE sent, waiting for the router's GOODBYE.
    Leaving,
    Closed,
}

impl Phase {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Phase::Established => "established",
            Phase::Leaving => "leaving",
            Phase::Closed => "closed",
        }
    }
}

pub(super) struct State {
    pub(super) phase: Phase,
    pub(super) close_reason: Option<SessionClosed>,
    last_request: Id,
    next_token: u64,
    pub(super) calls: HashMap<Id, Reply>,
    /// Calls given up (cancelled, timed out) whose reply may still come, and is then dropped.
    pub(super) cancelled: HashSet<Id>,
    pub(super) publishes: HashMap<Id, Deferred<Id>>,
    pub(super) subscribes: HashMap<Id, (String, EventHandler, Deferred<Subscription>)>,
    pub(super) subscriptions: HashMap<Id, Vec<(u64, EventHandler)>>,
    pub(super) unsubscribes: HashMap<Id, (Id, Deferred<()>)>,
    pub(super) registers: HashMap<Id, (String, Procedure, Deferred<Registration>)>,
    pub(super) registrations: HashMap<Id, Procedure>,
    pub(super) unregisters: HashMap<Id, (Id, Deferred<()>)>,
    pub(super) ping: super::ping::PingState,
}

impl State {
    pub(super) fn new() -> State {
        State {
            phase: Phase::Established,
            close_reason: None,
            last_request: 0,
            next_token: 0,
            calls: HashMap::new(),
            cancelled: HashSet::new(),
            publishes: HashMap::new(),
            subscribes: HashMap::new(),
            subscriptions: HashMap::new(),
            unsubscribes: HashMap::new(),
            registers: HashMap::new(),
            registrations: HashMap::new(),
            unregisters: HashMap::new(),
            ping: super::ping::PingState::default(),
        }
    }

    /// `Ok` while new requests may be made.
    pub(super) fn open(&self) -> Result<(), SessionClosed> {
        match self.phase {
            Phase::Established => Ok(()),
            Phase::Leaving => Err(SessionClosed {
                reason: "wamp.close.normal".into(),
                message: "the session is leaving".into(),
            }),
            Phase::Closed => Err(self.close_reason.clone().unwrap_or_else(|| SessionClosed {
                reason: "wamp.close.normal".into(),
                message: String::new(),
            })),
        }
    }

    /// The next session-scoped request id: 1, 2, 3, ... up to 2^53, then 1 again (the spec's
    /// rule; an id still in flight after 2^53 requests would be skipped).
    pub(super) fn next_request(&mut self) -> Id {
        loop {
            self.last_request = if self.last_request >= MAX_ID {
                1
            } else {
                self.last_request + 1
            };
            if !self.in_flight(self.last_request) {
                return self.last_request;
            }
        }
    }

    fn in_flight(&self, id: Id) -> bool {
        self.calls.contains_key(&id)
            || self.cancelled.contains(&id)
            || self.publishes.contains_key(&id)
            || self.subscribes.contains_key(&id)
            || self.unsubscribes.contains_key(&id)
            || self.registers.contains_key(&id)
            || self.unregisters.contains_key(&id)
    }

    /// Jumps the request counter (tests of the wrap-around at 2^53).
    #[cfg(test)]
    pub(super) fn set_last_request(&mut self, id: Id) {
        self.last_request = id;
    }

    pub(super) fn next_token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Empties every table; the returned closures fail what was pending (run them unlocked:
    /// the deferreds' callbacks may call back into the session).
    pub(super) fn drain(&mut self, why: &SessionClosed) -> Vec<Box<dyn FnOnce() + Send>> {
        self.close_reason = Some(why.clone());
        let timers: Vec<DelayedCall> = self.ping.take_timers();
        let mut out: Vec<Box<dyn FnOnce() + Send>> = Vec::new();
        let fail = || Failure::new(why.clone());
        for (_, reply) in self.calls.drain() {
            let f = fail();
            out.push(Box::new(move || reply(Err(f))));
        }
        self.cancelled.clear();
        for (_, d) in self.publishes.drain() {
            out.push(reject(d, fail()));
        }
        for (_, (_, _, d)) in self.subscribes.drain() {
            out.push(reject(d, fail()));
        }
        for (_, (_, d)) in self.unsubscribes.drain().chain(self.unregisters.drain()) {
            out.push(reject(d, fail()));
        }
        for (_, (_, _, d)) in self.registers.drain() {
            out.push(reject(d, fail()));
        }
        // Handlers may hold handles to the session: dropping them here breaks the cycle.
        self.subscriptions.clear();
        self.registrations.clear();
        out.push(Box::new(move || {
            for timer in timers {
                timer.cancel();
            }
        }));
        out
    }
}

fn reject<T: Send + 'static>(d: Deferred<T>, f: Failure) -> Box<dyn FnOnce() + Send> {
    Box::new(move || {
        let _ = txaio::reject(&d, f);
    })
}

//! WebSocket auto-ping on a batched timer (Autobahn's `auto_ping_interval` and
//! `auto_ping_timeout`).
//!
//! Each session needs two timers at a time at most (the next ping, the current pong's
//! deadline), and neither needs precision. On one [`BatchedTimer`] shared by every session of
//! a process, ten thousand sessions cost the runtime one timer per bucket, not twenty thousand.

use std::time::Duration;

use txaio::{BatchedTimer, DelayedCall};

use super::Session;
use crate::error::SessionClosed;
use crate::transport::Frame;

/// When to ping and how long to wait for the pong.
#[derive(Debug, Clone)]
pub struct PingConfig {
    /// The timer every session of the application shares.
    pub timer: BatchedTimer,
    /// Time between pings.
    pub interval: Duration,
    /// How long a pong may take before the session is closed as lost.
    pub timeout: Duration,
}

#[derive(Debug, Default)]
pub(super) struct PingState {
    /// The payload of the ping waiting for its pong.
    outstanding: Option<Vec<u8>>,
    sent: u64,
    next: Option<DelayedCall>,
    deadline: Option<DelayedCall>,
}

impl PingState {
    pub(super) fn take_timers(&mut self) -> Vec<DelayedCall> {
        self.next
            .take()
            .into_iter()
            .chain(self.deadline.take())
            .collect()
    }

    /// How many pings this session has sent.
    pub(super) fn sent(&self) -> u64 {
        self.sent
    }
}

/// Schedules the first ping.
pub(super) fn start(session: &Session, config: PingConfig) {
    schedule(session, config);
}

fn schedule(session: &Session, config: PingConfig) {
    let weak = session.downgrade();
    let timer = config.timer.clone();
    let interval = config.interval;
    let next = timer.call_later(interval, move || {
        if let Some(session) = Session::upgrade(&weak) {
            tick(&session, config);
        }
    });
    let mut st = session.lock();
    if st.phase == super::Phase::Closed {
        next.cancel();
    } else {
        st.ping.next = Some(next);
    }
}

// ANCHOR: tick
fn tick(session: &Session, config: PingConfig) {
    let payload = {
        let mut st = session.lock();
        if st.phase == super::Phase::Closed {
            return;
        }
        if st.ping.outstanding.is_some() {
            // The ping in flight has its own deadline: wait for it rather than replace it.
            drop(st);
            schedule(session, config);
            return;
        }
        st.ping.sent += 1;
        let payload = st.ping.sent.to_be_bytes().to_vec();
        st.ping.outstanding = Some(payload.clone());
        payload
    };
    let _ = session
        .inner
        .out
        .unbounded_send(Frame::Ping(payload.clone()));
    let weak = session.downgrade();
    let timeout = config.timeout;
    let deadline = config.timer.call_later(timeout, move || {
        let Some(session) = Session::upgrade(&weak) else {
            return;
        };
        let late = session.lock().ping.outstanding.as_ref() == Some(&payload);
        if late {
            let why = SessionClosed {
                reason: "wamp.close.transport_lost".into(),
                message: format!("no pong within {timeout:?} (auto-ping)"),
            };
            session.close(&why, None);
        }
    });
    session.lock().ping.deadline = Some(deadline);
    schedule(session, config);
}
// ANCHOR_END: tick

impl Session {
    /// A pong: the peer is alive if it answers the ping in flight.
    pub(super) fn on_pong(&self, payload: &[u8]) {
        let deadline = {
            let mut st = self.lock();
            if st.ping.outstanding.as_deref() != Some(payload) {
                return;
            }
            st.ping.outstanding = None;
            st.ping.deadline.take()
        };
        if let Some(deadline) = deadline {
            deadline.cancel();
        }
    }

    /// How many auto-pings the session has sent.
    pub fn pings_sent(&self) -> u64 {
        self.lock().ping.sent()
    }
}

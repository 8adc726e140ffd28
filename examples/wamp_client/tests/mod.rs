//! Unit tests of the protocol layer, on every compiled backend (`#[txaio::test]`).
//!
//! The session tests drive a [`Session`] through an in-memory transport: the test plays the
//! router, frame by frame, so every exchange is deterministic and needs no socket.

// The wire examples are copied verbatim from the WAMP spec: its ids, its quoting.
#![allow(clippy::unreadable_literal, clippy::needless_raw_string_hashes)]

mod cli;
mod handshake;
mod messages;
mod model;
mod ping;
mod session;
mod sim;

use futures_channel::mpsc::UnboundedReceiver;
use serde_json::{Value, json};

use crate::message::{Dict, Message};
use crate::session::{Session, SessionConfig};
use crate::transport::Frame;

/// A JSON object literal as a [`Dict`].
pub(crate) fn dict(value: Value) -> Dict {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// A router that announces call canceling, like Crossbar.io.
pub(crate) fn crossbar_welcome() -> Dict {
    dict(json!({"roles": {"broker": {}, "dealer": {"features": {"call_canceling": true}}}}))
}

/// An established session and the queue of what it sends.
pub(crate) fn established(welcome: Dict) -> (Session, UnboundedReceiver<Frame>) {
    let (tx, rx) = futures_channel::mpsc::unbounded();
    (
        Session::established(9_129_137_332, welcome, tx, &SessionConfig::default()),
        rx,
    )
}

/// Everything the session has queued since the last look.
pub(crate) fn sent(rx: &mut UnboundedReceiver<Frame>) -> Vec<Frame> {
    let mut out = Vec::new();
    while let Ok(frame) = rx.try_recv() {
        out.push(frame);
    }
    out
}

/// The messages among what the session has queued since the last look.
pub(crate) fn sent_messages(rx: &mut UnboundedReceiver<Frame>) -> Vec<Message> {
    sent(rx)
        .into_iter()
        .filter_map(|frame| match frame {
            Frame::Text(text) => {
                Some(Message::decode(&text).expect("the client sent a malformed message"))
            }
            _ => None,
        })
        .collect()
}

/// The router's side: a message to the session.
pub(crate) fn deliver(session: &Session, value: &Value) -> bool {
    session.on_frame(Frame::Text(value.to_string()))
}

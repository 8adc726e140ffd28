//! What the session needs from a transport: a stream of WebSocket frames in, a queue of
//! frames out. The WebSocket driver (`ws.rs`) provides one over a real socket; [`memory`]
//! provides one for tests, so the whole protocol runs without sockets.

use std::pin::Pin;

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::Stream;

/// One WebSocket frame, as far as WAMP cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text frame: one WAMP message in JSON.
    Text(String),
    /// A binary frame (not used by `wamp.2.json`; a protocol violation when received).
    Binary(Vec<u8>),
    /// A WebSocket ping (the auto-ping sends these).
    Ping(Vec<u8>),
    /// A WebSocket pong (the answer to an auto-ping).
    Pong(Vec<u8>),
    /// The close handshake: the connection is ending.
    Close,
}

/// The frames arriving from the router.
pub type Incoming = Pin<Box<dyn Stream<Item = Frame> + Send>>;

/// An open connection: frames to send, frames received.
///
/// Sending never waits: the session queues frames on an unbounded channel, and the transport's
/// writer task drains it in order (WAMP is request/response, so the queue stays as long as
/// the requests in flight).
pub struct Connection {
    /// Where outgoing frames go.
    pub outgoing: UnboundedSender<Frame>,
    /// Where incoming frames come from; ends when the connection does.
    pub incoming: Incoming,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

/// The far end of an in-memory connection: a test plays the router through it.
#[derive(Debug)]
pub struct MemoryPeer {
    /// Frames the client sent.
    pub from_client: UnboundedReceiver<Frame>,
    /// Frames to deliver to the client; dropping it ends the client's incoming stream.
    pub to_client: UnboundedSender<Frame>,
}

/// An in-memory connection and the peer end that drives it.
pub fn memory() -> (Connection, MemoryPeer) {
    let (out_tx, out_rx) = unbounded();
    let (in_tx, in_rx) = unbounded();
    let connection = Connection {
        outgoing: out_tx,
        incoming: Box::pin(in_rx),
    };
    (
        connection,
        MemoryPeer {
            from_client: out_rx,
            to_client: in_tx,
        },
    )
}

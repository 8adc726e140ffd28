//! Joining a realm: HELLO, then WELCOME (a session) or ABORT (a typed refusal).

use futures_util::StreamExt;
use serde_json::json;

use crate::error::{JoinError, ProtocolError};
use crate::message::{Dict, Message};
use crate::session::{Session, SessionConfig};
use crate::transport::{Connection, Frame, Incoming};

/// The roles and features this client announces in HELLO.
pub fn hello_details() -> Dict {
    let details = json!({
        "agent": concat!("txaio-wamp-client/", env!("CARGO_PKG_VERSION")),
        "roles": {
            "caller": { "features": { "call_canceling": true, "call_timeout": false } },
            "callee": { "features": {} },
            "publisher": { "features": { "publisher_exclusion": true } },
            "subscriber": { "features": {} },
        },
    });
    match details {
        serde_json::Value::Object(map) => map,
        _ => Dict::new(),
    }
}

/// Joins `realm` over `connection`; the returned session's reader runs as a task.
///
/// # Errors
///
/// [`JoinError::Aborted`] when the router refuses (its reason URI and details),
/// [`JoinError::Protocol`] when it answers with anything but WELCOME or ABORT (an ABORT
/// `wamp.error.protocol_violation` is sent back), [`JoinError::Disconnected`] when the
/// connection ends first.
#[txaio::portable]
pub async fn join(
    connection: Connection,
    realm: String,
    config: SessionConfig,
) -> Result<Session, JoinError> {
    handshake(connection, realm, config).await
}

/// [`join`] as a plain future, for portable functions that open the connection themselves.
///
/// # Errors
///
/// As [`join`].
#[txaio::portable(keep_signature)]
pub async fn handshake(
    connection: Connection,
    realm: String,
    config: SessionConfig,
) -> Result<Session, JoinError> {
    let Connection {
        outgoing,
        mut incoming,
    } = connection;
    let hello = Message::Hello {
        realm,
        details: hello_details(),
    };
    let _ = outgoing.unbounded_send(Frame::Text(hello.encode()));
    let refuse = |violation: ProtocolError| {
        let mut details = Dict::new();
        details.insert("message".into(), json!(violation.to_string()));
        let abort = Message::Abort {
            details,
            reason: "wamp.error.protocol_violation".into(),
        };
        let _ = outgoing.unbounded_send(Frame::Text(abort.encode()));
        let _ = outgoing.unbounded_send(Frame::Close);
        outgoing.close_channel();
        JoinError::Protocol(violation)
    };
    loop {
        let text = match incoming.next().await {
            None | Some(Frame::Close) => return Err(JoinError::Disconnected),
            Some(Frame::Ping(_) | Frame::Pong(_)) => continue,
            Some(Frame::Binary(_)) => return Err(refuse(ProtocolError::BinaryFrame)),
            Some(Frame::Text(text)) => text,
        };
        return match Message::decode(&text) {
            Ok(Message::Welcome { session, details }) => {
                let session = Session::established(session, details, outgoing, &config);
                // Detached: the reader lives as long as the connection.
                drop(read_loop(session.clone(), incoming));
                Ok(session)
            }
            Ok(Message::Abort { details, reason }) => {
                let _ = outgoing.unbounded_send(Frame::Close);
                outgoing.close_channel();
                Err(JoinError::Aborted { reason, details })
            }
            Ok(other) => Err(refuse(ProtocolError::Unexpected {
                message: other.name(),
                state: "joining",
            })),
            Err(e) => Err(refuse(ProtocolError::Decode(e))),
        };
    }
}

/// Feeds the session every frame until it closes or the connection ends.
#[txaio::portable]
async fn read_loop(session: Session, mut incoming: Incoming) {
    while let Some(frame) = incoming.next().await {
        if !session.on_frame(frame) {
            return;
        }
    }
    session.transport_lost();
}

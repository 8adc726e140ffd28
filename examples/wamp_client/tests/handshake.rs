//! Joining over the in-memory transport, with the session's reader running as a real task on
//! each backend.

use futures_util::StreamExt;
use serde_json::{Value, json};

use super::dict;
use crate::error::{DecodeError, JoinError, ProtocolError, SessionClosed};
use crate::join::join;
use crate::message::Message;
use crate::session::SessionConfig;
use crate::transport::{Frame, MemoryPeer, memory};

async fn next_message(peer: &mut MemoryPeer) -> Option<Message> {
    loop {
        match peer.from_client.next().await? {
            Frame::Text(text) => {
                return Some(Message::decode(&text).expect("the client sent a malformed message"));
            }
            Frame::Close => return None,
            _ => {}
        }
    }
}

fn send(peer: &MemoryPeer, value: &Value) {
    peer.to_client
        .unbounded_send(Frame::Text(value.to_string()))
        .unwrap();
}

// ANCHOR: test
#[txaio::test]
async fn hello_announces_the_four_roles_and_welcome_gives_a_working_session() {
    let (connection, mut peer) = memory();
    let joining = join(connection, "realm1".into(), SessionConfig::default());
    let Some(Message::Hello { realm, details }) = next_message(&mut peer).await else {
        panic!("no HELLO")
    };
    assert_eq!(realm, "realm1");
    for role in ["caller", "callee", "publisher", "subscriber"] {
        assert!(
            details["roles"].get(role).is_some(),
            "HELLO lacks the {role} role"
        );
    }
    send(
        &peer,
        &json!([2, 9129137332_u64, {"roles": {"broker": {}, "dealer": {}}}]),
    );
    let session = joining.await.unwrap();
    assert_eq!(session.id(), 9_129_137_332);

    // A round trip through the reader task.
    let call = session.call("com.myapp.add2", vec![json!(23), json!(7)]);
    let Some(Message::Call {
        request,
        procedure,
        payload,
        ..
    }) = next_message(&mut peer).await
    else {
        panic!("no CALL")
    };
    assert_eq!(
        (procedure.as_str(), payload.args.clone()),
        ("com.myapp.add2", vec![json!(23), json!(7)])
    );
    send(&peer, &json!([50, request, {}, [30]]));
    assert_eq!(call.await.unwrap(), json!(30));

    // The connection dropping under the session closes it and fails what is pending.
    let pending = session.call("com.myapp.never", vec![]);
    drop(peer);
    let failure = pending.await.unwrap_err();
    assert_eq!(
        failure.downcast_ref::<SessionClosed>().unwrap().reason,
        "wamp.close.transport_lost"
    );
    assert_eq!(
        session.closed().await.unwrap().reason,
        "wamp.close.transport_lost"
    );
}
// ANCHOR_END: test

#[txaio::test]
async fn an_abort_refuses_the_join_with_its_reason() {
    let (connection, mut peer) = memory();
    let joining = join(connection, "nosuchrealm".into(), SessionConfig::default());
    next_message(&mut peer).await.unwrap();
    send(
        &peer,
        &json!([3, {"message": "The realm does not exist."}, "wamp.error.no_such_realm"]),
    );
    let failure = joining.await.unwrap_err();
    let error = failure.downcast_ref::<JoinError>().expect("a JoinError");
    assert_eq!(
        *error,
        JoinError::Aborted {
            reason: "wamp.error.no_such_realm".into(),
            details: dict(json!({"message": "The realm does not exist."})),
        }
    );
    assert_eq!(
        error.to_string(),
        "the router aborted the join: wamp.error.no_such_realm (The realm does not exist.)"
    );
}

fn not_json_error(text: &str) -> String {
    serde_json::from_str::<Value>(text).unwrap_err().to_string()
}

#[txaio::test]
async fn anything_but_welcome_or_abort_is_a_violation_answered_with_abort() {
    for (bad, expected) in [
        (
            json!([50, 1, {}]).to_string(),
            ProtocolError::Unexpected {
                message: "RESULT",
                state: "joining",
            },
        ),
        (
            "not json".to_owned(),
            ProtocolError::Decode(DecodeError::NotJson(not_json_error("not json"))),
        ),
        (
            json!([2, 1]).to_string(),
            ProtocolError::Decode(DecodeError::Length {
                message: "WELCOME",
                len: 2,
            }),
        ),
    ] {
        let (connection, mut peer) = memory();
        let joining = join(connection, "realm1".into(), SessionConfig::default());
        next_message(&mut peer).await.unwrap();
        peer.to_client
            .unbounded_send(Frame::Text(bad.clone()))
            .unwrap();
        let failure = joining.await.unwrap_err();
        assert_eq!(
            failure.downcast_ref::<JoinError>(),
            Some(&JoinError::Protocol(expected)),
            "{bad}"
        );
        let Some(Message::Abort { reason, .. }) = next_message(&mut peer).await else {
            panic!("{bad}: no ABORT")
        };
        assert_eq!(reason, "wamp.error.protocol_violation");
        assert!(
            next_message(&mut peer).await.is_none(),
            "{bad}: the connection closes after ABORT"
        );
    }
}

#[txaio::test]
async fn a_connection_that_ends_before_welcome_is_disconnected() {
    let (connection, mut peer) = memory();
    let joining = join(connection, "realm1".into(), SessionConfig::default());
    next_message(&mut peer).await.unwrap();
    drop(peer);
    assert_eq!(
        joining.await.unwrap_err().downcast_ref::<JoinError>(),
        Some(&JoinError::Disconnected)
    );
}

//! The client's session logic, unchanged, against a simulated router (a WebSocket server that
//! speaks the router's side of the messages the client uses: WELCOME, RESULT, ERROR,
//! SUBSCRIBED, EVENT, PUBLISHED, GOODBYE) in txaio's deterministic simulation, under 200 ms of
//! latency and a connection reset, over many seeds.

use std::io;
use std::time::Duration;

use async_tungstenite::tungstenite::Message as WsMessage;
use async_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use async_tungstenite::tungstenite::http::HeaderValue;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use txaio::net::{TcpListener, TcpStream};

use crate::commands::open;
use crate::error::SessionClosed;
use crate::message::Message;
use crate::session::PingConfig;

const ROUTER: &str = "ws://router:8080/ws";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Auto-ping made in this run: a batched timer lives on the clock it was made on.
fn ping() -> PingConfig {
    PingConfig {
        timer: txaio::make_batched_timer(ms(100), 100),
        interval: Duration::from_secs(2),
        timeout: Duration::from_secs(1),
    }
}

/// The router: accepts WebSockets on port 8080, one task per connection.
async fn router() -> io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:8080").await?;
    let mut sessions = 0;
    loop {
        let (stream, _) = listener.accept().await?;
        sessions += 1;
        let _task = txaio::spawn(serve(stream, 1000 + sessions));
    }
}

/// Accepts the WebSocket upgrade with WAMP's subprotocol (tungstenite's callback signature).
#[allow(clippy::result_large_err, clippy::unnecessary_wraps)]
fn choose_wamp(_: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    response.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("wamp.2.json"),
    );
    Ok(response)
}

/// One client's WAMP session, router side.
async fn serve(stream: TcpStream, session: u64) -> io::Result<()> {
    let ws = async_tungstenite::accept_hdr_async(stream, choose_wamp)
        .await
        .map_err(io::Error::other)?;
    let (mut sink, mut frames) = ws.split();
    let mut subscriptions = Vec::new();
    while let Some(frame) = frames.next().await {
        let text = match frame {
            Ok(WsMessage::Text(text)) => text.as_str().to_owned(),
            Ok(WsMessage::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        let mut replies = Vec::new();
        let mut goodbye = false;
        match Message::decode(&text).map_err(io::Error::other)? {
            Message::Hello { .. } => {
                replies.push(json!([2, session, {"roles": {"dealer": {}, "broker": {}}}]));
            }
            Message::Call {
                request,
                procedure,
                payload,
                ..
            } => replies.push(if procedure == "com.example.add2" {
                let sum: i64 = payload.args.iter().filter_map(Value::as_i64).sum();
                json!([50, request, {}, [sum]])
            } else {
                json!([8, 48, request, {}, "wamp.error.no_such_procedure"])
            }),
            Message::Subscribe { request, topic, .. } => {
                let id = 500 + subscriptions.len() as u64;
                subscriptions.push((id, topic));
                replies.push(json!([33, request, id]));
            }
            Message::Publish {
                request,
                options,
                topic,
                payload,
            } => {
                // Publisher exclusion is the default: the events go to the other
                // subscriptions of this session's topic only when it asks not to be excluded.
                let exclude_me = options
                    .get("exclude_me")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if !exclude_me {
                    for (id, _) in subscriptions.iter().filter(|(_, t)| *t == topic) {
                        replies.push(json!([36, id, 900 + request, {}, payload.args]));
                    }
                }
                if options.get("acknowledge").and_then(Value::as_bool) == Some(true) {
                    replies.push(json!([17, request, 900 + request]));
                }
            }
            Message::Goodbye { .. } => {
                replies.push(json!([6, {}, "wamp.close.goodbye_and_out"]));
                goodbye = true;
            }
            _ => {}
        }
        for reply in replies {
            sink.send(WsMessage::Text(reply.to_string().into()))
                .await
                .map_err(io::Error::other)?;
        }
        if goodbye {
            break;
        }
    }
    let _ = SinkExt::close(&mut sink).await;
    Ok(())
}

#[txaio::test(sim, seeds = 200)]
async fn calls_and_events_under_200_ms_of_latency() {
    txaio::sim::add_host_software("router", router).unwrap();
    txaio::sim::set_latency("test", "router", ms(200), ms(200)).unwrap();
    let start = txaio::now();
    let session = open(ROUTER.into(), "realm1".into(), Some(ping()))
        .await
        .unwrap();
    // TCP connect, the WebSocket upgrade and HELLO/WELCOME: three round trips of 400 ms.
    assert_eq!(txaio::now() - start, ms(1200));
    // Ten calls in flight at once: their results find them by request id, in one round trip.
    let start = txaio::now();
    let calls: Vec<_> = (0..10)
        .map(|i| session.call("com.example.add2", vec![json!(i), json!(100)]))
        .collect();
    for (i, call) in (0i64..).zip(calls) {
        assert_eq!(call.await.unwrap(), json!(i + 100));
    }
    assert_eq!(txaio::now() - start, ms(400));
    let missing = session
        .call("com.example.nothing", vec![])
        .await
        .unwrap_err();
    assert_eq!(
        crate::commands::error_uri(&missing).as_deref(),
        Some("wamp.error.no_such_procedure")
    );
    // Auto-pings (every 2 s, 1 s to answer) keep the session up across quiet time.
    txaio::sleep(Duration::from_secs(7)).await.unwrap();
    assert!(
        session.is_open(),
        "the router's pongs arrived within the timeout"
    );
    let closed = session.leave().await.unwrap();
    assert_eq!(closed.reason, "wamp.close.goodbye_and_out");
}

#[txaio::test(sim, seeds = 200)]
async fn a_connection_reset_closes_the_session_and_fails_its_calls() {
    txaio::sim::add_host_software("router", router).unwrap();
    txaio::sim::set_latency("test", "router", ms(50), ms(150)).unwrap();
    let session = open(ROUTER.into(), "realm1".into(), None).await.unwrap();
    assert_eq!(
        session
            .call("com.example.add2", vec![json!(2), json!(3)])
            .await
            .unwrap(),
        json!(5)
    );
    // A call whose CALL is held on the way, then the connection is reset under it.
    txaio::sim::hold("test", "router").unwrap();
    let pending = session.call("com.example.add2", vec![json!(1), json!(1)]);
    txaio::sleep(ms(100)).await.unwrap();
    txaio::sim::reset("test", "router").unwrap();
    txaio::sim::release("test", "router").unwrap();
    let failure = pending.await.unwrap_err();
    let closed = failure
        .downcast_ref::<SessionClosed>()
        .unwrap_or_else(|| panic!("the call fails with the session's close: {failure:?}"));
    assert_eq!(closed.reason, "wamp.close.transport_lost");
    let why = session.closed().await.unwrap();
    assert_eq!(why.reason, "wamp.close.transport_lost");
    assert!(!session.is_open());
    // A new connection joins a new session.
    let again = open(ROUTER.into(), "realm1".into(), None).await.unwrap();
    assert_ne!(again.id(), session.id());
    assert_eq!(
        again
            .call("com.example.add2", vec![json!(20), json!(22)])
            .await
            .unwrap(),
        json!(42)
    );
}

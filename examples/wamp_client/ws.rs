//! The real transport: WebSocket (`async-tungstenite`, generic over futures-io, no runtime
//! features) over `txaio::net::TcpStream`, subprotocol `wamp.2.json`.

use std::io;
use std::net::SocketAddr;

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::{Message as WsMessage, Utf8Bytes};
use futures_channel::mpsc::{UnboundedReceiver, unbounded};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use txaio::net::TcpStream;

use crate::transport::{Connection, Frame};

/// The WAMP-over-WebSocket subprotocol this client speaks.
pub const SUBPROTOCOL: &str = "wamp.2.json";

/// `ws://host:port/path`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterUrl {
    /// Host name or IP literal.
    pub host: String,
    /// Port (80 when the URL names none).
    pub port: u16,
    /// The whole URL, for the WebSocket request.
    pub url: String,
}

impl RouterUrl {
    /// Parses a `ws://` URL (TLS, `wss://`, is not built in).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for anything else, with the reason.
    pub fn parse(url: &str) -> io::Result<RouterUrl> {
        let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: {why}"));
        let rest = url
            .strip_prefix("ws://")
            .ok_or_else(|| bad("only ws:// URLs are supported"))?;
        let authority = rest.split('/').next().unwrap_or("");
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => (
                host,
                port.parse::<u16>()
                    .map_err(|_| bad("the port is not a number"))?,
            ),
            _ => (authority, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(RouterUrl {
            host: host.to_owned(),
            port,
            url: url.to_owned(),
        })
    }
}

/// Opens a WebSocket to the router and starts its writer task.
///
/// A [`Connection`] is not `Clone`, so its deferred is not awaited but taken:
/// `connect(url).take().await` moves it out.
///
/// # Errors
///
/// The OS's error when the address does not resolve or the connection is refused; `Other`
/// when the WebSocket handshake fails or the server does not accept `wamp.2.json`.
#[txaio::portable]
pub async fn connect(url: RouterUrl) -> Result<Connection, io::Error> {
    // Off the event loop on every backend (the blocking pool), and the simulation's own
    // names inside `txaio::sim`.
    let addrs: Vec<SocketAddr> = txaio::net::lookup_host((url.host.as_str(), url.port))
        .await?
        .collect();
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        "the router's name resolved to nothing",
    );
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e,
        }
    }
    let stream = stream.ok_or(last)?;
    // Request/response latency matters more than segment count here.
    stream.set_nodelay(true)?;
    let mut request = url
        .url
        .as_str()
        .into_client_request()
        .map_err(io::Error::other)?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let (ws, response) = async_tungstenite::client_async(request, stream)
        .await
        .map_err(io::Error::other)?;
    let chosen = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok());
    if chosen != Some(SUBPROTOCOL) {
        return Err(io::Error::other(format!(
            "the router did not accept {SUBPROTOCOL} (it chose {chosen:?})"
        )));
    }
    Ok(wrap(ws))
}

fn wrap(ws: WebSocketStream<TcpStream>) -> Connection {
    let (sink, stream) = StreamExt::split(ws);
    let (tx, rx) = unbounded();
    // Detached: the writer lives as long as the queue.
    drop(write_loop(sink, rx));
    // A read error ends the stream: the session then closes as `transport_lost`.
    let incoming = stream
        .take_while(|message| std::future::ready(message.is_ok()))
        .map(|message| match message {
            Ok(WsMessage::Text(text)) => Frame::Text(text.as_str().to_owned()),
            Ok(WsMessage::Binary(data)) => Frame::Binary(data.to_vec()),
            Ok(WsMessage::Ping(data)) => Frame::Ping(data.to_vec()),
            Ok(WsMessage::Pong(data)) => Frame::Pong(data.to_vec()),
            // Raw frames are not produced when reading; a close ends the session.
            Ok(WsMessage::Close(_) | WsMessage::Frame(_)) | Err(_) => Frame::Close,
        });
    Connection {
        outgoing: tx,
        incoming: Box::pin(incoming),
    }
}

/// Drains the session's outgoing queue into the socket, in order; a `Close` frame (or the
/// queue's end) closes the WebSocket.
#[txaio::portable]
async fn write_loop(
    mut sink: SplitSink<WebSocketStream<TcpStream>, WsMessage>,
    mut frames: UnboundedReceiver<Frame>,
) {
    while let Some(frame) = frames.next().await {
        let message = match frame {
            Frame::Text(text) => WsMessage::Text(Utf8Bytes::from(text)),
            Frame::Binary(data) => WsMessage::Binary(data.into()),
            Frame::Ping(data) => WsMessage::Ping(data.into()),
            Frame::Pong(data) => WsMessage::Pong(data.into()),
            Frame::Close => break,
        };
        if sink.send(message).await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}

//! A WebSocket echo server and its clients, written once on `txaio::net` and
//! `async-tungstenite` (whose core is generic over `futures-io`), with Autobahn's auto-ping:
//! every connection is pinged every `--ping-ms`, and a peer that does not answer within
//! `--ping-timeout-ms` is dropped. All connections share ONE batched timer.
//!
//! ```text
//! cargo run --release -p txaio-examples --example ws_echo                              # server + clients, tokio
//! cargo run --release -p txaio-examples --example ws_echo --no-default-features --features smol
//! cargo run --release -p txaio-examples --example ws_echo --no-default-features --features async-std
//! cargo run --release -p txaio-examples --example ws_echo -- --clients 50 --messages 1000
//! cargo run --release -p txaio-examples --example ws_echo -- --serve 127.0.0.1:9001    # the server alone
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::{Error as WsError, Message};
use async_tungstenite::{WebSocketStream, accept_async, client_async};
use futures_util::StreamExt;
use futures_util::future::{Either, select};
use txaio::net::{TcpListener, TcpStream};
use txaio::{BatchedTimer, Deferred, DelayedCall};

/// What the server does, and how hard the clients push.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--serve ADDR`: run only the server, on `ADDR`.
    pub serve: Option<SocketAddr>,
    /// `--clients N`: concurrent clients of the default run.
    pub clients: usize,
    /// `--messages N`: messages each client sends and reads back.
    pub messages: usize,
    /// `--ping-ms MS`: how often the server pings each connection.
    pub ping_every: Duration,
    /// `--ping-timeout-ms MS`: how long a pong may take before the peer is dropped.
    pub ping_timeout: Duration,
    /// `--bucket-ms MS`: the width of the batched timer's buckets (the timers' precision).
    pub bucket: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            serve: None,
            clients: 10,
            messages: 100,
            // Short, so that even the default run of a few tens of milliseconds pings.
            ping_every: Duration::from_millis(10),
            ping_timeout: Duration::from_millis(100),
            bucket: Duration::from_millis(5),
        }
    }
}

fn millis(value: &str, flag: &str) -> Result<Duration, String> {
    let ms: u64 = value.parse().map_err(|e| format!("{flag}: {e}"))?;
    Ok(Duration::from_millis(ms.max(1)))
}

/// Parses the command line.
///
/// # Errors
///
/// An unknown flag or a value that does not parse, described.
pub fn options(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--serve" => {
                options.serve = Some(value.parse().map_err(|e| format!("--serve: {e}"))?);
            }
            "--clients" => {
                options.clients = value.parse().map_err(|e| format!("--clients: {e}"))?;
            }
            "--messages" => {
                options.messages = value.parse().map_err(|e| format!("--messages: {e}"))?;
            }
            "--ping-ms" => options.ping_every = millis(&value, &flag)?,
            "--ping-timeout-ms" => options.ping_timeout = millis(&value, &flag)?,
            "--bucket-ms" => options.bucket = millis(&value, &flag)?,
            other => {
                return Err(format!(
                    "unknown flag {other}; expected --serve ADDR, --clients N, --messages N, \
                     --ping-ms MS, --ping-timeout-ms MS, --bucket-ms MS"
                ));
            }
        }
    }
    Ok(options)
}

// ANCHOR: autoping
/// What the auto-ping of one connection wants done next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Time to send a ping.
    Ping,
    /// The last ping went unanswered for the whole timeout: drop the peer.
    Timeout,
}

/// Autobahn's auto-ping for one connection, on a batched timer shared by all of them: a ping
/// every `every`; a pong must come back within `timeout`.
///
/// Runtime-neutral: the timer callbacks only fire [`due`](AutoPing::due), which the
/// connection's task awaits beside its socket.
#[derive(Debug)]
pub struct AutoPing {
    timers: BatchedTimer,
    every: Duration,
    timeout: Duration,
    due: Deferred<Due>,
    call: DelayedCall,
    outstanding: Option<u64>,
    sent: u64,
}

impl AutoPing {
    /// Starts the schedule: the first ping is due `every` from now.
    pub fn start(timers: &BatchedTimer, every: Duration, timeout: Duration) -> AutoPing {
        let (due, call) = arm(timers, every, Due::Ping);
        AutoPing {
            timers: timers.clone(),
            every,
            timeout,
            due,
            call,
            outstanding: None,
            sent: 0,
        }
    }

    /// Fires when the next ping is due or the pending one timed out.
    pub fn due(&self) -> Deferred<Due> {
        self.due.clone()
    }

    /// A ping is being sent: returns its payload and starts the pong's timeout.
    pub fn ping_sent(&mut self) -> Vec<u8> {
        self.sent += 1;
        self.outstanding = Some(self.sent);
        (self.due, self.call) = arm(&self.timers, self.timeout, Due::Timeout);
        self.sent.to_be_bytes().to_vec()
    }

    /// A pong came in: if it answers the pending ping, the next ping is due `every` from now.
    /// Returns whether it did.
    pub fn pong_received(&mut self, payload: &[u8]) -> bool {
        let answers = self
            .outstanding
            .is_some_and(|sent| payload == sent.to_be_bytes());
        if answers {
            self.outstanding = None;
            self.call.cancel();
            (self.due, self.call) = arm(&self.timers, self.every, Due::Ping);
        }
        answers
    }
}

impl Drop for AutoPing {
    fn drop(&mut self) {
        // A dropped connection must not leave its timer in the shared batched timer.
        self.call.cancel();
    }
}

fn arm(timers: &BatchedTimer, after: Duration, what: Due) -> (Deferred<Due>, DelayedCall) {
    let due = txaio::create_future();
    let fire = due.clone();
    let call = timers.call_later(after, move || {
        let _ = txaio::resolve(&fire, what);
    });
    (due, call)
}
// ANCHOR_END: autoping

/// What the server counted.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted and upgraded.
    pub connections: AtomicU64,
    /// Messages echoed (counted as the echo is sent).
    pub echoed: AtomicU64,
    /// Pings sent.
    pub pings: AtomicU64,
    /// Pongs that answered a ping.
    pub pongs: AtomicU64,
    /// Peers dropped for not answering a ping in time.
    pub dropped: AtomicU64,
}

/// The server's shared state: one batched timer and the counters.
#[derive(Debug)]
pub struct Server {
    options: Options,
    timers: BatchedTimer,
    /// What the server counted so far.
    pub stats: Stats,
}

impl Server {
    /// A server with `options`' timing; its batched timer holds every connection's timers.
    pub fn new(options: Options) -> Arc<Server> {
        Arc::new(Server {
            timers: txaio::make_batched_timer(options.bucket, 1000),
            options,
            stats: Stats::default(),
        })
    }

    /// Accepts connections until the listener fails, each in a task of its own.
    ///
    /// # Errors
    ///
    /// The listener's.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _peer) = listener.accept().await?;
            let server = Arc::clone(&self);
            let _detached = txaio::spawn(async move { server.connection(stream).await });
        }
    }

    // ANCHOR: connection
    async fn connection(self: Arc<Self>, stream: TcpStream) -> Result<(), WsError> {
        stream.set_nodelay(true)?;
        let mut ws = accept_async(stream).await?;
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        let options = &self.options;
        let mut autoping = AutoPing::start(&self.timers, options.ping_every, options.ping_timeout);
        loop {
            // The socket and the timer race; whichever is first is handled, the other is
            // polled again on the next turn (neither loses anything by being dropped).
            let next = match select(ws.next(), autoping.due()).await {
                Either::Left((message, _)) => Event::Message(message),
                Either::Right((due, _)) => Event::Due(due.ok()),
            };
            match next {
                Event::Message(Some(Ok(message))) => match message {
                    Message::Text(_) | Message::Binary(_) => {
                        // Counted first: the peer may read the echo (and a test the counter)
                        // before `send` returns here.
                        self.stats.echoed.fetch_add(1, Ordering::Relaxed);
                        ws.send(message).await?;
                    }
                    Message::Pong(payload) => {
                        if autoping.pong_received(&payload) {
                            self.stats.pongs.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    // tungstenite answers pings and close frames itself.
                    Message::Ping(_) | Message::Close(_) | Message::Frame(_) => {}
                },
                // The peer closed, or the connection's timer was cancelled.
                Event::Message(None) | Event::Due(None) => return Ok(()),
                Event::Message(Some(Err(error))) => return closed_or(error),
                Event::Due(Some(Due::Ping)) => {
                    let payload = autoping.ping_sent();
                    ws.send(Message::Ping(payload.into())).await?;
                    self.stats.pings.fetch_add(1, Ordering::Relaxed);
                }
                Event::Due(Some(Due::Timeout)) => {
                    self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    // Dropped, not closed: a peer that does not answer pings will not answer
                    // a close handshake either.
                    return Ok(());
                }
            }
        }
    }
    // ANCHOR_END: connection
}

enum Event {
    Message(Option<Result<Message, WsError>>),
    Due(Option<Due>),
}

/// A closed connection is the normal end of a session, not an error.
fn closed_or(error: WsError) -> Result<(), WsError> {
    match error {
        WsError::ConnectionClosed | WsError::AlreadyClosed => Ok(()),
        error => Err(error),
    }
}

/// One client: `messages` text messages, each read back and checked. Returns how many
/// pings it saw (tungstenite answered them).
///
/// # Errors
///
/// The connection's, or a reply that differs from what was sent.
pub async fn client(addr: SocketAddr, id: usize, messages: usize) -> Result<u64, WsError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut ws, _response) = client_async(format!("ws://{addr}/"), stream).await?;
    let mut pings = 0;
    for n in 0..messages {
        let sent = format!("client {id} message {n}");
        ws.send(Message::text(sent.clone())).await?;
        pings += read_echo(&mut ws, &sent).await?;
    }
    ws.close(None).await?;
    while let Some(message) = ws.next().await {
        if let Err(error) = message {
            closed_or(error)?;
            break;
        }
    }
    Ok(pings)
}

async fn read_echo(ws: &mut WebSocketStream<TcpStream>, sent: &str) -> Result<u64, WsError> {
    let mut pings = 0;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) if text.as_str() == sent => return Ok(pings),
            Some(Ok(Message::Ping(_))) => pings += 1,
            Some(Ok(other)) => {
                return Err(WsError::Io(std::io::Error::other(format!(
                    "expected the echo of {sent:?}, got {other:?}"
                ))));
            }
            Some(Err(error)) => return Err(error),
            None => return Err(WsError::ConnectionClosed),
        }
    }
}

#[txaio::main]
async fn main() -> Result<(), String> {
    let options = options(std::env::args().skip(1))?;
    let bind = options
        .serve
        .unwrap_or_else(|| "127.0.0.1:0".parse().expect("a valid address"));
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|e| format!("bind {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = Server::new(options.clone());
    println!(
        "ws_echo on {} listening on ws://{addr}/",
        txaio::current_runtime()
    );
    if options.serve.is_some() {
        return server.serve(listener).await.map_err(|e| e.to_string());
    }
    let serving = txaio::spawn(Arc::clone(&server).serve(listener));
    let started = Instant::now();
    let clients = (0..options.clients)
        .map(|id| txaio::spawn(client(addr, id, options.messages)))
        .collect::<Vec<_>>();
    let mut client_pings = 0;
    for (id, outcome) in txaio::gather(clients, true)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .enumerate()
    {
        client_pings += outcome.map_err(|failure| format!("client {id}: {failure}"))?;
    }
    let elapsed = started.elapsed();
    txaio::cancel(&serving);
    let stats = &server.stats;
    let echoed = stats.echoed.load(Ordering::Relaxed);
    println!(
        "{} clients x {} messages: {echoed} echoed in {:.1} ms ({:.0} messages/s); \
         server pings {}, pongs {}, peers dropped {}; clients saw {client_pings} pings",
        options.clients,
        options.messages,
        elapsed.as_secs_f64() * 1e3,
        echoed as f64 / elapsed.as_secs_f64(),
        stats.pings.load(Ordering::Relaxed),
        stats.pongs.load(Ordering::Relaxed),
        stats.dropped.load(Ordering::Relaxed),
    );
    let expected = (options.clients * options.messages) as u64;
    if echoed != expected {
        return Err(format!(
            "expected {expected} echoes, the server made {echoed}"
        ));
    }
    Ok(())
}

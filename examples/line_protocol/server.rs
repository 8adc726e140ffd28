//! The server: greets, answers pings, drops the silent.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::future::{Either, select};
use txaio::BatchedTimer;
use txaio::net::{OwnedWriteHalf, TcpListener, TcpStream};

use crate::{Config, IdleWatch, LineReader};

/// What a server counted.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Sessions that said HELLO.
    pub sessions: AtomicU64,
    /// PONGs sent.
    pub pongs: AtomicU64,
    /// Connections dropped for being silent for the idle timeout.
    pub idle_drops: AtomicU64,
    /// Connections closed for a protocol error.
    pub protocol_errors: AtomicU64,
}

/// The line protocol's server: one batched timer for every connection's idle watch.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use line_protocol::{Config, Server, run_client};
///
/// # #[txaio::main]
/// # async fn main() -> Result<(), std::io::Error> {
/// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let config = Config { ping_every: std::time::Duration::from_millis(5), ..Config::default() };
/// let server = Server::new(config.clone());
/// txaio::spawn(Arc::clone(&server).serve(listener));
/// run_client(addr, "alice".into(), config, 3).await?;
/// assert_eq!(server.stats().pongs.load(std::sync::atomic::Ordering::SeqCst), 3);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Server {
    config: Config,
    timers: BatchedTimer,
    stats: ServerStats,
}

// Checked, signatures kept: `serve` and `session` stay futures with `io::Error`s.
#[txaio::portable(keep_signature)]
impl Server {
    /// A server with `config`'s timing.
    pub fn new(config: Config) -> Arc<Server> {
        Arc::new(Server {
            timers: txaio::make_batched_timer(config.bucket, 1000),
            config,
            stats: ServerStats::default(),
        })
    }

    /// What the server counted so far.
    pub fn stats(&self) -> &ServerStats {
        &self.stats
    }

    /// Accepts connections until the listener fails, each in a task of its own.
    ///
    /// # Errors
    ///
    /// The listener's.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> io::Result<()> {
        loop {
            let (stream, _peer) = listener.accept().await?;
            self.stats.connections.fetch_add(1, Ordering::SeqCst);
            let _detached = txaio::spawn(Arc::clone(&self).session(stream));
        }
    }

    /// Serves one connection to its end.
    ///
    /// # Errors
    ///
    /// The socket's, or [`io::ErrorKind::InvalidData`] for a protocol error (after telling
    /// the peer).
    pub async fn session(self: Arc<Self>, stream: TcpStream) -> io::Result<()> {
        stream.set_nodelay(true)?;
        let (reader, mut writer) = stream.into_split();
        let mut lines = LineReader::new(reader);
        let mut idle = IdleWatch::start(&self.timers, self.config.idle_timeout);
        let mut greeted = false;
        loop {
            let line = match select(Box::pin(lines.read_line()), idle.idle()).await {
                Either::Left((line, _)) => line?,
                Either::Right(_) => {
                    self.stats.idle_drops.fetch_add(1, Ordering::SeqCst);
                    return Ok(());
                }
            };
            let Some(line) = line else { return Ok(()) };
            idle.touch();
            let reply = match (greeted, line.split_once(' ')) {
                (false, Some(("HELLO", name))) => {
                    greeted = true;
                    self.stats.sessions.fetch_add(1, Ordering::SeqCst);
                    format!("WELCOME {name}\n")
                }
                (true, Some(("PING", n))) => {
                    self.stats.pongs.fetch_add(1, Ordering::SeqCst);
                    format!("PONG {n}\n")
                }
                (true, None) if line == "BYE" => return Ok(()),
                _ => return self.refuse(&mut writer, &line, greeted).await,
            };
            writer.write_all(reply.as_bytes()).await?;
        }
    }

    async fn refuse(
        &self,
        writer: &mut OwnedWriteHalf,
        line: &str,
        greeted: bool,
    ) -> io::Result<()> {
        self.stats.protocol_errors.fetch_add(1, Ordering::SeqCst);
        let expected = if greeted {
            "PING <n> or BYE"
        } else {
            "HELLO <name>"
        };
        writer
            .write_all(format!("ERROR expected {expected}\n").as_bytes())
            .await?;
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("expected {expected}, got {line:?}"),
        ))
    }
}

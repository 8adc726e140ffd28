//! A line protocol written once on txaio: the reference of a portable protocol crate.
//!
//! There is no `cfg` in this crate: its sockets come from [`txaio::net`], its idle timers from
//! one [`txaio::BatchedTimer`], its ping schedule from [`txaio::interval`], its tasks from
//! [`txaio::spawn`], so the application (or
//! `#[txaio::test]`) picks tokio, smol or async-std, when the code runs.
//!
//! The wire, one UTF-8 line per message, `\n`-terminated:
//!
//! ```text
//! client: HELLO <name>        server: WELCOME <name>
//! client: PING <n>            server: PONG <n>          (every `ping_every`, 200 ms)
//! client: BYE                 server closes
//! ```
//!
//! The server drops a connection that sends nothing for `idle_timeout` (1 s), on one batched
//! timer for all connections; the client treats a server that stops answering the same way,
//! and reconnects with exponential backoff.
//!
//! ```no_run
//! use std::sync::Arc;
//! use line_protocol::{Config, Server, run_client};
//!
//! #[txaio::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = Server::new(Config::default());
//!     txaio::spawn(Arc::clone(&server).serve(listener));
//!     let report = run_client(addr, "alice".into(), Config::default(), 5).await?;
//!     assert_eq!(report.pongs, 5);
//!     Ok(())
//! }
//! ```

mod backoff;
mod client;
mod idle;
mod lines;
mod server;

pub use backoff::Backoff;
pub use client::{ClientReport, run_client};
pub use idle::IdleWatch;
pub use lines::LineReader;
pub use server::{Server, ServerStats};

use std::time::Duration;

/// The protocol's timing, the same for both ends.
#[derive(Debug, Clone)]
pub struct Config {
    /// How often the client pings (200 ms).
    pub ping_every: Duration,
    /// How long either end waits for a line before it drops the connection (1 s).
    pub idle_timeout: Duration,
    /// The width of the batched timer's buckets: the precision of the idle drop (50 ms).
    pub bucket: Duration,
    /// The client's first reconnect delay (50 ms), doubled after each failure.
    pub backoff_initial: Duration,
    /// The longest reconnect delay (2 s).
    pub backoff_max: Duration,
    /// Connection attempts in a row the client makes before it gives up (10).
    pub max_attempts: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ping_every: Duration::from_millis(200),
            idle_timeout: Duration::from_secs(1),
            bucket: Duration::from_millis(50),
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
            max_attempts: 10,
        }
    }
}

/// The longest line either end accepts; a longer one is a protocol error.
pub const MAX_LINE: usize = 1024;

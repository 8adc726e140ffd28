//! The client: greets, pings on a schedule, reconnects with backoff.

use std::io;
use std::net::SocketAddr;

use futures_util::future::{Either, select};
use txaio::net::{OwnedReadHalf, OwnedWriteHalf, TcpStream};

use crate::{Backoff, Config, IdleWatch, LineReader};

/// What a client run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientReport {
    /// Connections it made (more than one after reconnecting).
    pub connections: u32,
    /// PONGs it received, each answering its PING.
    pub pongs: u64,
}

/// Runs a client named `name` until the server has answered `pings` PINGs, reconnecting with
/// backoff whenever the connection fails, closes, or goes silent for the idle timeout.
/// Answered pings count across reconnections.
///
/// # Errors
///
/// The last connection error after `config.max_attempts` failed attempts in a row (a
/// refused connection is [`io::ErrorKind::ConnectionRefused`]), or a protocol error.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> Result<(), std::io::Error> {
/// let config = line_protocol::Config { max_attempts: 2, ..Default::default() };
/// let nobody = {
///     let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
///     listener.local_addr()?
/// };
/// let error = line_protocol::run_client(nobody, "alice".into(), config, 1).await.unwrap_err();
/// assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
/// # Ok(())
/// # }
/// ```
#[txaio::portable(keep_signature)]
pub async fn run_client(
    addr: SocketAddr,
    name: String,
    config: Config,
    pings: u64,
) -> io::Result<ClientReport> {
    let mut backoff = Backoff::new(config.backoff_initial, config.backoff_max);
    let timers = txaio::make_batched_timer(config.bucket, 100);
    let mut report = ClientReport {
        connections: 0,
        pongs: 0,
    };
    let mut failures = 0;
    loop {
        let answered_before = report.pongs;
        let outcome = match TcpStream::connect(addr).await {
            Ok(stream) => {
                report.connections += 1;
                session(stream, &name, &config, &timers, pings, &mut report).await
            }
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => return Ok(report),
            Err(error) if error.kind() == io::ErrorKind::InvalidData => return Err(error),
            Err(error) => {
                // A session that got answers proved the server alive: back off from the start.
                if report.pongs > answered_before {
                    backoff.reset();
                    failures = 0;
                }
                failures += 1;
                if failures >= config.max_attempts {
                    return Err(error);
                }
            }
        }
        txaio::sleep(backoff.next_delay())
            .await
            .map_err(io::Error::other)?;
    }
}

/// One connection: HELLO, then PINGs until `pings` are answered in all. `Ok` when done.
#[txaio::portable]
async fn session(
    stream: TcpStream,
    name: &str,
    config: &Config,
    timers: &txaio::BatchedTimer,
    pings: u64,
    report: &mut ClientReport,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut lines = LineReader::new(reader);
    let mut idle = IdleWatch::start(timers, config.idle_timeout);
    writer
        .write_all(format!("HELLO {name}\n").as_bytes())
        .await?;
    expect(&mut lines, &mut idle, &format!("WELCOME {name}")).await?;
    // A grid, not a sleep after each round trip: pings do not drift, and a slow round trip
    // skips a tick rather than bunching the next ones.
    let mut ticks = txaio::interval(config.ping_every);
    while report.pongs < pings {
        ticks.tick().await;
        let n = report.pongs + 1;
        writer.write_all(format!("PING {n}\n").as_bytes()).await?;
        expect(&mut lines, &mut idle, &format!("PONG {n}")).await?;
        report.pongs = n;
    }
    bye(&mut writer).await
}

#[txaio::portable]
async fn bye(writer: &mut OwnedWriteHalf) -> io::Result<()> {
    writer.write_all(b"BYE\n").await?;
    writer.shutdown_write().await
}

/// Waits for `expected`; a silent server (idle timeout) or a closed one is a lost
/// connection, anything else a protocol error.
#[txaio::portable]
async fn expect(
    lines: &mut LineReader<OwnedReadHalf>,
    idle: &mut IdleWatch,
    expected: &str,
) -> io::Result<()> {
    let line = match select(Box::pin(lines.read_line()), idle.idle()).await {
        Either::Left((line, _)) => line?,
        Either::Right(_) => {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the server was silent for the idle timeout, waiting for {expected:?}"),
            ));
        }
    };
    idle.touch();
    match line {
        Some(line) if line == expected => Ok(()),
        Some(line) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("expected {expected:?}, got {line:?}"),
        )),
        None => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the server closed the connection, waiting for {expected:?}"),
        )),
    }
}

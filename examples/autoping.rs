//! A keep-alive server in miniature: N simulated connections, each with an auto-ping timer on
//! one batched timer, reset whenever the connection sees traffic.
//!
//! ```text
//! cargo run --release --example autoping                          # 100,000 connections, tokio
//! cargo run --release --example autoping -- --connections 1000000 --seconds 10
//! cargo run --release --example autoping --no-default-features --features smol
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use txaio::{BatchedTimer, DelayedCall};

struct Options {
    connections: usize,
    seconds: u64,
    ping_interval: Duration,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        connections: 100_000,
        seconds: 5,
        ping_interval: Duration::from_secs(1),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--connections" => {
                options.connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?;
            }
            "--seconds" => {
                options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?;
            }
            "--ping-ms" => {
                let millis: u64 = value()?.parse().map_err(|e| format!("--ping-ms: {e}"))?;
                options.ping_interval = Duration::from_millis(millis.max(1));
            }
            other => {
                return Err(format!(
                    "unknown flag {other}; expected --connections N, --seconds S, --ping-ms MS"
                ));
            }
        }
    }
    Ok(options)
}

// ANCHOR: connection
/// One connection: its pending auto-ping, replaced whenever traffic arrives.
struct Connection {
    ping: Mutex<Option<DelayedCall>>,
}

struct Server {
    timers: BatchedTimer,
    ping_interval: Duration,
    pings_sent: AtomicU64,
    closing: AtomicBool,
}

impl Server {
    /// (Re)arms the auto-ping of `connection`: traffic proves the peer alive, so the ping
    /// waits a whole interval again.
    fn arm(self: &Arc<Self>, connection: &Arc<Connection>) {
        if self.closing.load(Ordering::Relaxed) {
            return;
        }
        let (server, target) = (Arc::clone(self), Arc::clone(connection));
        let call = self.timers.call_later(self.ping_interval, move || {
            server.pings_sent.fetch_add(1, Ordering::Relaxed);
            server.arm(&target); // a real server would write a ping frame here
        });
        let previous = connection
            .ping
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(call);
        if let Some(previous) = previous {
            previous.cancel();
        }
    }
}
// ANCHOR_END: connection

/// Resident memory, from /proc on Linux.
fn resident_mib() -> String {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    match statm
        .split_whitespace()
        .nth(1)
        .and_then(|pages| pages.parse::<u64>().ok())
    {
        Some(pages) => format!("{:.1} MiB", (pages * 4096) as f64 / (1024.0 * 1024.0)),
        None => "n/a".to_owned(),
    }
}

#[txaio::main]
async fn main() -> Result<(), String> {
    let options = options()?;
    let server = Arc::new(Server {
        // Ping precision does not matter: 50 ms buckets, at most 1000 callbacks at a time.
        timers: txaio::make_batched_timer(Duration::from_millis(50), 1000),
        ping_interval: options.ping_interval,
        pings_sent: AtomicU64::new(0),
        closing: AtomicBool::new(false),
    });
    let started = Instant::now();
    let connections: Vec<Arc<Connection>> = (0..options.connections)
        .map(|_| {
            let connection = Arc::new(Connection {
                ping: Mutex::new(None),
            });
            server.arm(&connection);
            connection
        })
        .collect();
    println!(
        "{} connections armed in {:?} on {}",
        connections.len(),
        started.elapsed(),
        txaio::current_runtime()
    );
    let mut traffic = 0u64;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let deadline = started + Duration::from_secs(options.seconds);
    let mut next_report = Instant::now();
    while Instant::now() < deadline {
        // Simulated traffic: 1% of the connections see a frame every 10 ms.
        for _ in 0..connections.len() / 100 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let index = usize::try_from(seed % connections.len().max(1) as u64).unwrap_or(0);
            if let Some(connection) = connections.get(index) {
                server.arm(connection);
                traffic += 1;
            }
        }
        if Instant::now() >= next_report {
            println!(
                "t={:>5.1}s connections={} timers_pending={} runtime_timers={} pings_sent={} traffic={} rss={}",
                started.elapsed().as_secs_f64(),
                connections.len(),
                server.timers.pending(),
                server.timers.buckets(),
                server.pings_sent.load(Ordering::Relaxed),
                traffic,
                resident_mib(),
            );
            next_report += Duration::from_millis(500);
        }
        txaio::sleep(Duration::from_millis(10))
            .await
            .map_err(|f| f.to_string())?;
    }
    server.closing.store(true, Ordering::Relaxed);
    for connection in &connections {
        if let Some(ping) = connection
            .ping
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            ping.cancel();
        }
    }
    println!(
        "closed: timers_pending={} runtime_timers={}",
        server.timers.pending(),
        server.timers.buckets()
    );
    Ok(())
}

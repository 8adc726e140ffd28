//! Simulation speed: 1,000 connections pinging every 200 ms for 10 simulated minutes (3
//! million round trips), in wall time, on txaio's simulation and on turmoil (tokio's
//! simulator) with the same scenario: one server host echoing 8-byte pings, one client host
//! with a task per connection, 1 ms of latency each way.
//!
//! `cargo bench -p txaio-benches --bench sim` (`SIM_CONNECTIONS`, `SIM_SECONDS` scale it).

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

const PERIOD: Duration = Duration::from_millis(200);
const LATENCY: Duration = Duration::from_millis(1);

fn scale() -> (usize, u64) {
    let read = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let connections = usize::try_from(read("SIM_CONNECTIONS", 1000)).unwrap_or(1000);
    (connections, read("SIM_SECONDS", 600))
}

fn pings(seconds: u64) -> u64 {
    seconds * 1000 / u64::try_from(PERIOD.as_millis()).unwrap_or(200)
}

mod on_txaio {
    use super::{LATENCY, PERIOD, pings};
    use std::io;
    use txaio::net::{TcpListener, TcpStream};

    async fn echo(mut stream: TcpStream) -> io::Result<()> {
        let mut buf = [0; 8];
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            stream.write_all(&buf[..n]).await?;
        }
    }

    async fn server() -> io::Result<()> {
        let listener = TcpListener::bind("0.0.0.0:7000").await?;
        loop {
            let (stream, _) = listener.accept().await?;
            drop(txaio::spawn(echo(stream)));
        }
    }

    async fn client(count: u64) -> io::Result<()> {
        let mut stream = TcpStream::connect("server:7000").await?;
        let mut ticks = txaio::interval(PERIOD);
        let mut buf = [0; 8];
        for n in 0..count {
            ticks.tick().await;
            stream.write_all(&n.to_le_bytes()).await?;
            let mut got = 0;
            while got < 8 {
                got += stream.read(&mut buf[got..]).await?;
            }
            assert_eq!(u64::from_le_bytes(buf), n);
        }
        Ok(())
    }

    pub(super) fn run(connections: usize, seconds: u64) {
        let mut sim = txaio::sim::Builder::new()
            .latency(LATENCY)
            .time_limit(std::time::Duration::from_secs(seconds + 60))
            .build();
        sim.host("server", server).unwrap();
        sim.client("clients", async move {
            let tasks: Vec<_> = (0..connections)
                .map(|_| txaio::spawn(client(pings(seconds))))
                .collect();
            for task in tasks {
                task.await?;
            }
            Ok::<_, txaio::Failure>(())
        })
        .unwrap();
        sim.run().unwrap();
    }
}

mod on_turmoil {
    use super::{LATENCY, PERIOD, pings};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use turmoil::net::{TcpListener, TcpStream};

    async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
        let mut buf = [0; 8];
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            stream.write_all(&buf[..n]).await?;
        }
    }

    async fn client(count: u64) -> std::io::Result<()> {
        let mut stream = TcpStream::connect("server:7000").await?;
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + PERIOD, PERIOD);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut buf = [0; 8];
        for n in 0..count {
            ticks.tick().await;
            stream.write_all(&n.to_le_bytes()).await?;
            stream.read_exact(&mut buf).await?;
            assert_eq!(u64::from_le_bytes(buf), n);
        }
        Ok(())
    }

    pub(super) fn run(connections: usize, seconds: u64) {
        let mut sim = turmoil::Builder::new()
            .min_message_latency(LATENCY)
            .max_message_latency(LATENCY)
            .simulation_duration(std::time::Duration::from_secs(seconds + 60))
            // Every connection's SYN lands at once: the server's queue holds them all.
            .tcp_capacity(connections * 4 + 64)
            .build();
        sim.host("server", || async {
            let listener = TcpListener::bind("0.0.0.0:7000").await?;
            loop {
                let (stream, _) = listener.accept().await?;
                tokio::spawn(echo(stream));
            }
        });
        sim.client("clients", async move {
            let tasks: Vec<_> = (0..connections)
                .map(|_| tokio::spawn(client(pings(seconds))))
                .collect();
            for task in tasks {
                task.await??;
            }
            Ok(())
        });
        sim.run().unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let (connections, seconds) = scale();
    // `SIM_ONLY=txaio::sim` (or `turmoil`): one timed run of that one, for a profiler.
    let only = std::env::var("SIM_ONLY").ok();
    // One timed run of each first: the speed against real time, read at a glance.
    for (name, run) in [
        ("txaio::sim", on_txaio::run as fn(usize, u64)),
        ("turmoil", on_turmoil::run),
    ] {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        let start = Instant::now();
        run(connections, seconds);
        let wall = start.elapsed();
        eprintln!(
            "{name}: {connections} connections x {seconds} simulated s in {wall:.2?} wall, {:.0}x real time",
            seconds as f64 / wall.as_secs_f64()
        );
    }
    if only.is_some() {
        return;
    }
    let mut group = c.benchmark_group(format!("sim_{connections}_connections_{seconds}_s"));
    group.sample_size(10);
    group.bench_function("txaio_sim", |b| {
        b.iter(|| on_txaio::run(connections, seconds));
    });
    group.bench_function("turmoil", |b| {
        b.iter(|| on_turmoil::run(connections, seconds));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

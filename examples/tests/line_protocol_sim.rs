//! The reference line protocol, unchanged, in txaio's deterministic simulation: its client and
//! server on two simulated hosts, under a partition, held packets and 200 ms of latency, each
//! over 1,000 seeds. A failing seed is named with the command that replays it.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use line_protocol::{Config, Server, run_client};
use txaio::net::TcpListener;

const SECOND: Duration = Duration::from_secs(1);

/// The server, as the software of host `server` (started again after a restart); the slot
/// holds the running one, for its statistics.
fn start_server(config: Config) -> (SocketAddr, Arc<Mutex<Option<Arc<Server>>>>) {
    let running = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&running);
    let ip = txaio::sim::add_host_software("server", move || {
        let server = Server::new(config.clone());
        *slot.lock().unwrap() = Some(Arc::clone(&server));
        async move {
            let listener = TcpListener::bind("0.0.0.0:7000").await?;
            server.serve(listener).await
        }
    })
    .unwrap();
    (SocketAddr::new(ip, 7000), running)
}

fn stat(server: &Mutex<Option<Arc<Server>>>, read: impl Fn(&Server) -> u64) -> u64 {
    server.lock().unwrap().as_deref().map_or(0, read)
}

#[txaio::test(sim, seeds = 1000)]
async fn reconnects_with_backoff_across_a_partition_and_its_repair() {
    let (addr, server) = start_server(Config::default());
    let chaos = txaio::spawn(async {
        txaio::sleep(SECOND).await?;
        txaio::sim::partition("test", "server")?;
        txaio::sleep(3 * SECOND).await?;
        txaio::sim::repair("test", "server")?;
        Ok::<_, txaio::Failure>(())
    });
    let start = txaio::now();
    let report = run_client(addr, "alice".into(), Config::default(), 30)
        .await
        .unwrap();
    chaos.await.unwrap();
    assert_eq!(
        report.pongs, 30,
        "every ping answered, across the partition"
    );
    assert!(report.connections >= 2, "it reconnected: {report:?}");
    // 30 pings at 200 ms take 6 s; three of them were lost to the partition.
    assert!(txaio::now() - start >= 7 * SECOND);
    let stats = |read: fn(&Server) -> u64| stat(&server, read);
    assert!(
        stats(|s| s.stats().idle_drops.load(Ordering::SeqCst)) >= 1,
        "the server dropped the silent connection"
    );
    assert_eq!(
        stats(|s| s.stats().pongs.load(Ordering::SeqCst)),
        30 + lost_pongs(&server)
    );
}

/// PONGs the server sent that the client never read (lost in the partition).
fn lost_pongs(server: &Mutex<Option<Arc<Server>>>) -> u64 {
    let sent = stat(server, |s| s.stats().pongs.load(Ordering::SeqCst));
    sent.saturating_sub(30)
}

#[txaio::test(sim, seeds = 1000)]
async fn the_server_drops_an_idle_connection_while_packets_are_held() {
    let (addr, server) = start_server(Config::default());
    let watched = Arc::clone(&server);
    let chaos = txaio::spawn(async move {
        txaio::sleep(SECOND).await?;
        txaio::sim::hold("test", "server")?;
        // The server's idle watch (1 s, in 50 ms buckets) fires while the hold lasts.
        txaio::sleep(SECOND + 200 * Duration::from_millis(1)).await?;
        let drops = stat(&watched, |s| s.stats().idle_drops.load(Ordering::SeqCst));
        assert_eq!(drops, 1, "dropped while held");
        txaio::sleep(SECOND).await?;
        txaio::sim::release("test", "server")?;
        Ok::<_, txaio::Failure>(())
    });
    let report = run_client(addr, "bob".into(), Config::default(), 20)
        .await
        .unwrap();
    chaos.await.unwrap();
    assert_eq!(report.pongs, 20);
    assert_eq!(
        report.connections, 2,
        "one reconnect after the hold: {report:?}"
    );
    assert_eq!(
        stat(&server, |s| s.stats().sessions.load(Ordering::SeqCst)),
        2
    );
}

#[txaio::test(sim, seeds = 1000)]
async fn pings_are_answered_under_200_ms_of_latency() {
    let (addr, server) = start_server(Config::default());
    txaio::sim::set_latency(
        "test",
        "server",
        200 * Duration::from_millis(1),
        200 * Duration::from_millis(1),
    )
    .unwrap();
    let start = txaio::now();
    let report = run_client(addr, "carol".into(), Config::default(), 10)
        .await
        .unwrap();
    let elapsed = txaio::now() - start;
    assert_eq!(
        report,
        line_protocol::ClientReport {
            connections: 1,
            pongs: 10
        }
    );
    // Each round trip takes 400 ms: the 200 ms grid skips a tick per ping.
    assert!(
        elapsed >= 10 * 400 * Duration::from_millis(1),
        "{elapsed:?}"
    );
    assert_eq!(
        stat(&server, |s| s.stats().idle_drops.load(Ordering::SeqCst)),
        0
    );
}

/// One run of the line protocol under a fixed fault, on `seed`, from a `Builder`.
fn scenario(seed: u64) -> txaio::sim::Outcome {
    let mut sim = txaio::sim::Builder::new()
        .seed(seed)
        .latency_range(Duration::from_millis(1), Duration::from_millis(40))
        .build();
    let ip = sim
        .host("server", || async {
            let listener = TcpListener::bind("0.0.0.0:7000").await?;
            Server::new(Config::default()).serve(listener).await
        })
        .unwrap();
    sim.client("client", async move {
        let report = run_client(
            SocketAddr::new(ip, 7000),
            "dave".into(),
            Config::default(),
            15,
        )
        .await?;
        assert_eq!(report.pongs, 15);
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.client("chaos", async {
        txaio::sleep(SECOND).await?;
        txaio::sim::partition("client", "server")?;
        txaio::sleep(2 * SECOND).await?;
        txaio::sim::repair("client", "server")?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap()
}

#[test]
fn one_seed_twice_gives_the_same_trace_digest() {
    let first = scenario(11);
    let second = scenario(11);
    assert_eq!(first, second, "digest, events, polls and time agree");
    // Also on another thread: nothing depends on the thread or the process.
    let elsewhere = std::thread::spawn(|| scenario(11)).join().unwrap();
    assert_eq!(first.digest(), elsewhere.digest());
}

#[test]
fn two_seeds_give_different_runs() {
    let digests: std::collections::BTreeSet<u64> =
        (0..20).map(|seed| scenario(seed).digest()).collect();
    assert_eq!(digests.len(), 20, "each seed its own run");
}

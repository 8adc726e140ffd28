//! The reference line protocol on every backend: its timing on the virtual clock, its
//! sessions over loopback sockets.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use line_protocol::{Backoff, Config, IdleWatch, LineReader, Server, run_client};
use txaio::net::{TcpListener, TcpStream};
use txaio::testutil::replace_loop;

const MS: Duration = Duration::from_millis(1);

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Fast timing for sessions over real sockets; only lower bounds are asserted on real time.
fn quick() -> Config {
    Config {
        ping_every: 5 * MS,
        idle_timeout: 150 * MS,
        bucket: 10 * MS,
        backoff_initial: 5 * MS,
        backoff_max: 40 * MS,
        max_attempts: 5,
    }
}

async fn start_server(
    config: Config,
) -> io::Result<(Arc<Server>, SocketAddr, txaio::Deferred<()>)> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let server = Server::new(config);
    let serving = txaio::spawn(Arc::clone(&server).serve(listener));
    Ok((server, addr, serving))
}

#[txaio::test]
async fn backoff_doubles_to_its_cap_and_resets() {
    let mut backoff = Backoff::new(50 * MS, 2000 * MS);
    let delays: Vec<Duration> = (0..8).map(|_| backoff.next_delay()).collect();
    let expected: Vec<Duration> = [50, 100, 200, 400, 800, 1600, 2000, 2000]
        .iter()
        .map(|&ms| ms * MS)
        .collect();
    assert_eq!(delays, expected);
    backoff.reset();
    assert_eq!(backoff.next_delay(), 50 * MS);
    // A cap below the start is raised to it; a zero start stays zero without panicking.
    assert_eq!(Backoff::new(10 * MS, MS).next_delay(), 10 * MS);
    assert_eq!(
        Backoff::new(Duration::ZERO, MS).next_delay(),
        Duration::ZERO
    );
    let mut huge = Backoff::new(Duration::MAX, Duration::MAX);
    assert_eq!(
        (huge.next_delay(), huge.next_delay()),
        (Duration::MAX, Duration::MAX)
    );
}

#[txaio::test]
async fn idle_drop_comes_after_one_silent_second_and_at_most_two_buckets_later() {
    replace_loop(|clock| {
        let bucket = 50 * MS;
        let timers = txaio::make_batched_timer(bucket, 100);
        // Off a bucket boundary, as connections start.
        clock.advance(13 * MS);
        let started = clock.now();
        let watch = IdleWatch::start(&timers, Duration::from_secs(1));
        let idle = watch.idle();
        while !txaio::is_called(&idle) {
            assert!(
                clock.now().saturating_sub(started) < Duration::from_secs(1) + 2 * bucket,
                "too late"
            );
            clock.advance(MS);
            if clock.now().saturating_sub(started) < Duration::from_secs(1) {
                assert!(
                    !txaio::is_called(&idle),
                    "idle {:?} early",
                    clock.now().saturating_sub(started)
                );
            }
        }
        drop(watch);
        assert_eq!(timers.pending(), 0);
    });
}

#[txaio::test]
async fn every_line_postpones_the_idle_drop_and_a_dropped_watch_releases_its_timer() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(50 * MS, 100);
        let mut watch = IdleWatch::start(&timers, Duration::from_secs(1));
        for _ in 0..10 {
            clock.advance(900 * MS);
            assert!(!txaio::is_called(&watch.idle()));
            watch.touch();
        }
        assert_eq!(timers.pending(), 1);
        clock.advance(Duration::from_secs(2));
        assert!(txaio::is_called(&watch.idle()));
        // Touching after the drop does not bring the connection back.
        watch.touch();
        assert!(txaio::is_called(&watch.idle()));
        let other = IdleWatch::start(&timers, Duration::from_secs(1));
        assert_eq!(timers.pending(), 1);
        drop(other);
        assert_eq!(timers.pending(), 0);
    });
}

#[txaio::test]
async fn ten_thousand_idle_watches_share_a_handful_of_runtime_timers() {
    replace_loop(|clock| {
        let timers = txaio::make_batched_timer(50 * MS, 1000);
        let watches: Vec<IdleWatch> = (0..10_000)
            .map(|_| IdleWatch::start(&timers, Duration::from_secs(1)))
            .collect();
        assert_eq!(timers.pending(), 10_000);
        assert!(clock.pending() <= 2, "{} runtime timers", clock.pending());
        clock.advance(Duration::from_millis(1100));
        assert!(watches.iter().all(|watch| txaio::is_called(&watch.idle())));
    });
}

#[txaio::test]
async fn lines_are_split_and_bad_ones_refused() -> io::Result<()> {
    let mut lines = LineReader::new(&b"HELLO a\r\nPING 1\n\nPING"[..]);
    assert_eq!(lines.read_line().await?.as_deref(), Some("HELLO a"));
    assert_eq!(lines.read_line().await?.as_deref(), Some("PING 1"));
    assert_eq!(lines.read_line().await?.as_deref(), Some(""));
    let partial = lines.read_line().await.unwrap_err();
    assert_eq!(partial.kind(), io::ErrorKind::InvalidData);
    let long = vec![b'x'; 5000];
    let error = LineReader::new(&long[..]).read_line().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    let error = LineReader::new(&b"\xff\xfe\n"[..])
        .read_line()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    Ok(())
}

#[txaio::test]
async fn clients_greet_ping_and_say_bye() -> io::Result<()> {
    let (server, addr, serving) = start_server(quick()).await?;
    let clients: Vec<_> = (0..5)
        .map(|id| txaio::spawn(run_client(addr, format!("client-{id}"), quick(), 4)))
        .collect();
    for client in clients {
        let report = client.await.map_err(io::Error::other)?;
        assert_eq!(report.connections, 1);
        assert_eq!(report.pongs, 4);
    }
    let stats = server.stats();
    assert_eq!(stats.sessions.load(Ordering::SeqCst), 5);
    assert_eq!(stats.pongs.load(Ordering::SeqCst), 20);
    assert_eq!(stats.protocol_errors.load(Ordering::SeqCst), 0);
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn a_silent_peer_is_dropped_after_the_idle_timeout() -> io::Result<()> {
    let config = quick();
    let (server, addr, serving) = start_server(config.clone()).await?;
    let mut silent = TcpStream::connect(addr).await?;
    silent.write_all(b"HELLO mute\n").await?;
    let started = Instant::now();
    let mut lines = LineReader::new(&mut silent);
    assert_eq!(lines.read_line().await?.as_deref(), Some("WELCOME mute"));
    // Then nothing: the server drops the connection, and the client reads the end.
    assert_eq!(lines.read_line().await?, None);
    assert!(started.elapsed() >= config.idle_timeout.saturating_sub(config.bucket));
    assert_eq!(server.stats().idle_drops.load(Ordering::SeqCst), 1);
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn a_peer_that_breaks_the_protocol_is_told_and_dropped() -> io::Result<()> {
    let (server, addr, serving) = start_server(quick()).await?;
    let mut rude = TcpStream::connect(addr).await?;
    rude.write_all(b"PING 1\n").await?;
    let mut lines = LineReader::new(&mut rude);
    assert_eq!(
        lines.read_line().await?.as_deref(),
        Some("ERROR expected HELLO <name>")
    );
    assert_eq!(lines.read_line().await?, None);
    assert_eq!(server.stats().protocol_errors.load(Ordering::SeqCst), 1);
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn the_client_reconnects_with_backoff_after_losing_the_server() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let server = Server::new(quick());
    let serving = txaio::spawn({
        let server = Arc::clone(&server);
        async move {
            // The first connection is welcomed, then lost at its first PING...
            let (stream, _) = listener.accept().await?;
            let (reader, mut writer) = stream.into_split();
            let mut lines = LineReader::new(reader);
            assert_eq!(lines.read_line().await?.as_deref(), Some("HELLO stubborn"));
            writer.write_all(b"WELCOME stubborn\n").await?;
            assert_eq!(lines.read_line().await?.as_deref(), Some("PING 1"));
            drop((lines, writer));
            // ...then a real server takes over.
            server.serve(listener).await
        }
    });
    let report = run_client(addr, "stubborn".into(), quick(), 3).await?;
    assert_eq!(
        report,
        line_protocol::ClientReport {
            connections: 2,
            pongs: 3
        }
    );
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn the_client_gives_up_after_its_attempts_with_the_os_error() -> io::Result<()> {
    let addr = TcpListener::bind(loopback()).await?.local_addr()?;
    let error = run_client(addr, "alone".into(), quick(), 1)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    Ok(())
}

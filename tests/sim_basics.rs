//! The simulation backend (`txaio::sim`): the executor, virtual time, the network and its
//! faults, determinism.
#![cfg(feature = "sim")]

use std::sync::Arc;
use std::time::Duration;

use txaio::net::{TcpListener, TcpStream, UdpSocket};
use txaio::sim::{Builder, SimError};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// An echo server on `port`: each connection gets back what it sends, until it closes.
fn echo_server(
    port: u16,
) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>
+ Send
+ Sync
+ 'static {
    move || {
        Box::pin(async move {
            let listener = TcpListener::bind(("0.0.0.0", port)).await?;
            loop {
                let (stream, _) = listener.accept().await?;
                let _task = txaio::spawn(async move {
                    let (mut reader, mut writer) = stream.into_split();
                    let mut buf = vec![0; 4096];
                    loop {
                        let n = reader.read(&mut buf).await?;
                        if n == 0 {
                            return Ok::<_, std::io::Error>(());
                        }
                        writer.write_all(&buf[..n]).await?;
                    }
                });
            }
        })
    }
}

async fn round_trip(stream: &mut TcpStream, message: &[u8]) -> std::io::Result<Vec<u8>> {
    stream.write_all(message).await?;
    let mut got = Vec::new();
    let mut buf = [0; 256];
    while got.len() < message.len() {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    Ok(got)
}

#[test]
fn time_jumps_when_every_task_waits() {
    let mut sim = Builder::new()
        .time_limit(Duration::from_secs(86_400))
        .build();
    sim.client("c", async {
        let start = txaio::now();
        txaio::sleep(Duration::from_secs(86_400)).await?;
        assert_eq!(txaio::now() - start, Duration::from_secs(86_400));
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    let outcome = sim.run().unwrap();
    assert_eq!(outcome.elapsed(), Duration::from_secs(86_400));
}

#[test]
fn spawned_tasks_timeouts_and_defer_to_thread_run_inside() {
    let mut sim = Builder::new().build();
    sim.client("c", async {
        let task = txaio::spawn(async {
            txaio::sleep(ms(50)).await?;
            Ok::<_, txaio::Failure>(7)
        });
        let offloaded = txaio::defer_to_thread(|| Ok::<_, std::io::Error>(6));
        assert_eq!(task.await? * offloaded.await?, 42);
        let late = txaio::with_timeout(ms(10), txaio::sleep(ms(100))).await;
        assert!(late.is_err(), "the timeout fires first");
        let mut ticks = txaio::interval(ms(200));
        for _ in 0..5 {
            ticks.tick().await;
        }
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    let outcome = sim.run().unwrap();
    assert_eq!(outcome.elapsed(), ms(50 + 10 + 1000));
}

#[test]
fn tcp_echo_between_hosts_by_name() {
    let mut sim = Builder::new().latency(ms(10)).build();
    let server_ip = sim.host("server", echo_server(7000)).unwrap();
    sim.client("client", async move {
        let addrs: Vec<_> = txaio::net::lookup_host("server:7000").await?.collect();
        assert_eq!(addrs, vec![std::net::SocketAddr::new(server_ip, 7000)]);
        let mut stream = TcpStream::connect("server:7000").await?;
        assert_eq!(stream.peer_addr()?, addrs[0]);
        let start = txaio::now();
        assert_eq!(round_trip(&mut stream, b"hello").await?, b"hello");
        assert_eq!(
            txaio::now() - start,
            ms(20),
            "one round trip at 10 ms each way"
        );
        let error = txaio::net::lookup_host("nowhere:1").await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn refused_and_timed_out_connects() {
    let mut sim = Builder::new()
        .connect_timeout(Duration::from_secs(3))
        .build();
    sim.host("server", echo_server(7000)).unwrap();
    sim.client("client", async {
        let refused = TcpStream::connect("server:7001").await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        txaio::sim::partition("client", "server").unwrap();
        let start = txaio::now();
        let timed_out = TcpStream::connect("server:7000").await.unwrap_err();
        assert_eq!(timed_out.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(txaio::now() - start, Duration::from_secs(3));
        txaio::sim::repair("client", "server").unwrap();
        let mut stream = TcpStream::connect("server:7000").await?;
        assert_eq!(round_trip(&mut stream, b"back").await?, b"back");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn a_partition_delays_tcp_and_a_repair_delivers_in_order() {
    let mut sim = Builder::new().latency(ms(5)).build();
    sim.host("server", echo_server(7000)).unwrap();
    sim.client("client", async {
        let mut stream = TcpStream::connect("server:7000").await?;
        txaio::sim::partition("client", "server").unwrap();
        let _repair = txaio::call_later(Duration::from_secs(2), || {
            txaio::sim::repair("client", "server").unwrap();
        });
        let start = txaio::now();
        let mut message = Vec::new();
        for i in 0..100u8 {
            message.push(i);
        }
        assert_eq!(round_trip(&mut stream, &message).await?, message);
        assert_eq!(txaio::now() - start, Duration::from_secs(2) + ms(10));
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn backpressure_holds_a_writer_whose_peer_does_not_read() {
    let mut sim = Builder::new().tcp_window(1000).build();
    sim.host("sink", || async move {
        let listener = TcpListener::bind("0.0.0.0:9").await?;
        let (mut stream, _) = listener.accept().await?;
        txaio::sleep(Duration::from_secs(5))
            .await
            .map_err(std::io::Error::other)?;
        let mut buf = vec![0; 10_000];
        let mut total = 0;
        while total < 5000 {
            total += stream.read(&mut buf).await?;
        }
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.client("client", async {
        let mut stream = TcpStream::connect("sink:9").await?;
        let start = txaio::now();
        stream.write_all(&[1; 5000]).await?;
        assert!(
            txaio::now() - start >= Duration::from_secs(5),
            "4000 of the 5000 bytes had to wait for the reader"
        );
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn eof_reset_and_crash() {
    let mut sim = Builder::new().build();
    sim.host("server", echo_server(7000)).unwrap();
    sim.client("client", async {
        let mut stream = TcpStream::connect("server:7000").await?;
        stream.shutdown_write().await?;
        let mut buf = [0; 8];
        assert_eq!(
            stream.read(&mut buf).await?,
            0,
            "the echo task ends, closing its side"
        );
        let mut second = TcpStream::connect("server:7000").await?;
        txaio::sim::reset("client", "server").unwrap();
        let error = second.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
        // A crash is silence; after the restart the old connection is reset.
        let mut third = TcpStream::connect("server:7000").await?;
        txaio::sim::crash("server").unwrap();
        let silent = txaio::with_timeout(Duration::from_secs(1), async {
            round_trip(&mut third, b"x").await
        })
        .await;
        assert!(
            matches!(silent, Err(txaio::TimeoutError { .. })),
            "nothing answers a crashed host: {silent:?}"
        );
        txaio::sim::restart("server").unwrap();
        third.write_all(b"y").await?;
        let error = third.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
        let mut fourth = TcpStream::connect("server:7000").await?;
        assert_eq!(round_trip(&mut fourth, b"up").await?, b"up");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

async fn collect_datagrams(sink: Arc<std::sync::Mutex<Vec<Vec<u8>>>>) -> std::io::Result<()> {
    let socket = UdpSocket::bind("0.0.0.0:5000").await?;
    let mut buf = [0; 8];
    loop {
        let (n, _) = socket.recv_from(&mut buf).await?;
        sink.lock().unwrap().push(buf[..n].to_vec());
    }
}

#[test]
fn udp_loses_and_reorders_from_the_seed() {
    let run = |seed| {
        let mut sim = Builder::new()
            .seed(seed)
            .latency_range(ms(1), ms(50))
            .udp_loss(0.2)
            .build();
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        sim.host("sink", move || collect_datagrams(Arc::clone(&sink)))
            .unwrap();
        sim.client("source", async {
            let socket = UdpSocket::bind("0.0.0.0:0").await?;
            let sink = txaio::net::lookup_host("sink:5000").await?.next().unwrap();
            for i in 0..200u8 {
                socket.send_to(&[i], sink).await?;
            }
            txaio::sleep(Duration::from_secs(1))
                .await
                .map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
        let outcome = sim.run().unwrap();
        let got: Vec<u8> = received.lock().unwrap().iter().map(|d| d[0]).collect();
        (outcome.digest(), got)
    };
    let (digest, got) = run(3);
    assert!(
        got.len() > 120 && got.len() < 190,
        "about 20% lost: {}",
        got.len()
    );
    assert!(got.windows(2).any(|w| w[0] > w[1]), "some reordered");
    assert_eq!(run(3), (digest, got.clone()), "the same seed, the same run");
    assert_ne!(run(4).0, digest, "another seed, another run");
}

#[test]
fn errors_panics_stalls_and_the_time_limit_are_reported() {
    let mut sim = Builder::new().build();
    sim.client("c", async { Err::<(), _>(std::io::Error::other("boom")) })
        .unwrap();
    assert!(matches!(sim.run(), Err(SimError::Failed { message, .. }) if message.contains("boom")));

    let mut sim = Builder::new().build();
    sim.client("c", async {
        panic!("odd payload {}", 7);
        #[allow(unreachable_code)]
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    assert!(
        matches!(sim.run(), Err(SimError::Panicked { message, .. }) if message.contains("odd payload 7"))
    );

    let mut sim = Builder::new().build();
    sim.client("c", async {
        txaio::create_future::<()>().await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    assert!(matches!(sim.run(), Err(SimError::Stalled { tasks: 1, .. })));

    let mut sim = Builder::new().time_limit(Duration::from_secs(5)).build();
    sim.client("c", async {
        txaio::sleep(Duration::from_secs(6)).await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    assert_eq!(
        sim.run(),
        Err(SimError::TimeLimit {
            limit: Duration::from_secs(5)
        })
    );

    let mut sim = Builder::new().build();
    sim.client("c", async { Ok::<_, txaio::Failure>(()) })
        .unwrap();
    assert_eq!(
        sim.client("c", async { Ok::<_, txaio::Failure>(()) }),
        Err(SimError::DuplicateHost { name: "c".into() })
    );
    assert_eq!(txaio::sim::partition("a", "b"), Err(SimError::NotRunning));
}

#[txaio::test(sim, seeds = 50)]
async fn the_test_attribute_runs_the_body_as_a_client() {
    assert!(txaio::sim::is_simulated());
    assert_eq!(txaio::sim::host_name().unwrap(), "test");
    txaio::sim::add_host_software("server", echo_server(7000)).unwrap();
    let mut stream = TcpStream::connect("server:7000").await.unwrap();
    assert_eq!(round_trip(&mut stream, b"seeded").await.unwrap(), b"seeded");
}

#[test]
fn a_failing_seed_is_named_with_its_replay() {
    let panic = std::panic::catch_unwind(|| {
        txaio::__private::run_sim_test("demo", 100, || async {
            let roll = txaio::sim::random_u64().unwrap() % 10;
            assert_ne!(roll, 9, "rolled a nine");
        });
    })
    .unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("failed with seed"), "{message}");
    assert!(message.contains("TXAIO_SIM_SEED="), "{message}");
    assert!(message.contains("rolled a nine"), "{message}");
}

/// Writes a greeting to each connection and closes it at once.
async fn greeter() -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:7000").await?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        stream.write_all(b"hi").await?;
    }
}

#[test]
fn data_and_close_right_behind_the_syn_ack_reach_the_client() {
    // The server writes and drops its socket before the SYN-ACK reaches the client: the data
    // and the end of stream must still arrive (they were lost, and the client stalled).
    for seed in 0..50 {
        let mut sim = Builder::new()
            .seed(seed)
            .latency_range(ms(1), ms(40))
            .build();
        sim.host("server", greeter).unwrap();
        sim.client("client", async {
            for _ in 0..10 {
                let mut stream = TcpStream::connect("server:7000").await?;
                let mut buf = [0; 8];
                assert_eq!(stream.read(&mut buf).await?, 2);
                assert_eq!(stream.read(&mut buf).await?, 0, "then the end of stream");
            }
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
        sim.run()
            .unwrap_or_else(|error| panic!("seed {seed}: {error}"));
    }
}

#[test]
fn a_connect_dropped_midway_leaves_the_server_a_reset_connection() {
    let mut sim = Builder::new().latency(ms(10)).build();
    let accepted = Arc::new(std::sync::Mutex::new(None));
    let seen = Arc::clone(&accepted);
    sim.host("server", move || {
        let seen = Arc::clone(&seen);
        async move {
            let listener = TcpListener::bind("0.0.0.0:7000").await?;
            let (mut stream, _) = listener.accept().await?;
            txaio::sleep(ms(100)).await.map_err(std::io::Error::other)?;
            let mut buf = [0; 4];
            *seen.lock().unwrap() = Some(stream.read(&mut buf).await.map_err(|e| e.kind()));
            Ok::<_, std::io::Error>(())
        }
    })
    .unwrap();
    sim.client("client", async {
        // Given up 5 ms in: the SYN reaches the server, the SYN-ACK finds nobody.
        let gave_up =
            txaio::with_timeout(ms(5), async { TcpStream::connect("server:7000").await }).await;
        assert!(gave_up.is_err());
        txaio::sleep(Duration::from_secs(1)).await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        *accepted.lock().unwrap(),
        Some(Err(std::io::ErrorKind::ConnectionReset))
    );
}

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

#[test]
fn coordination_primitives_batched_timers_and_coiterate_run_inside() {
    let mut sim = Builder::new().build();
    sim.client("c", async {
        // A queue between a producer task and this consumer, the producer pacing on sleeps.
        let queue = txaio::DeferredQueue::new(None, None);
        let producer_queue = queue.clone();
        let producer = txaio::spawn(async move {
            for i in 0..5u32 {
                txaio::sleep(ms(100)).await?;
                producer_queue.put(i).map_err(txaio::Failure::new)?;
            }
            Ok::<_, txaio::Failure>(())
        });
        let mut got = Vec::new();
        for _ in 0..5 {
            got.push(queue.get().map_err(txaio::Failure::new)?.await?);
        }
        producer.await?;
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        // A lock held across a sleep by one task, waited for by three more.
        let lock = txaio::DeferredLock::new();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let (lock, order) = (lock.clone(), Arc::clone(&order));
                txaio::spawn(async move {
                    let guard = lock.lock().await?;
                    order
                        .lock()
                        .unwrap()
                        .push((i, txaio::sim::host_name().unwrap()));
                    txaio::sleep(ms(10)).await?;
                    drop(guard);
                    Ok::<_, txaio::Failure>(())
                })
            })
            .collect();
        let start = txaio::now();
        for task in tasks {
            task.await?;
        }
        assert_eq!(txaio::now() - start, ms(40), "one holder at a time");
        assert_eq!(order.lock().unwrap().len(), 4);
        // A semaphore of two, a batched timer, a cooperative iteration, a gather.
        let semaphore = txaio::DeferredSemaphore::new(2);
        let runs: Vec<_> = (0..4)
            .map(|i| semaphore.run(move || Ok::<_, txaio::Failure>(i)))
            .collect();
        let results = txaio::gather(runs, false).await?;
        assert_eq!(results.len(), 4);
        let timers = txaio::make_batched_timer(ms(50), 10);
        let fired = txaio::create_future::<()>();
        let fire = fired.clone();
        let _call = timers.call_later(ms(120), move || {
            let _ = txaio::resolve(&fire, ());
        });
        let before = txaio::now();
        fired.await?;
        let waited = txaio::now() - before;
        assert!(waited >= ms(120) && waited <= ms(220), "{waited:?}");
        txaio::coiterate((0..1000).map(|_| ())).await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn a_zero_delay_timer_fires_without_spinning() {
    let mut sim = Builder::new().build();
    sim.client("c", async {
        txaio::sleep(Duration::ZERO).await?;
        let fired = txaio::create_future::<()>();
        let fire = fired.clone();
        let _call = txaio::call_later(Duration::ZERO, move || {
            let _ = txaio::resolve(&fire, ());
        });
        fired.await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    assert_eq!(sim.run().unwrap().elapsed(), Duration::ZERO);
}

#[test]
fn closing_with_unread_data_resets_a_writer_waiting_on_the_window() {
    let mut sim = Builder::new().tcp_window(1000).build();
    sim.host("sink", || async {
        let listener = TcpListener::bind("0.0.0.0:9").await?;
        let (stream, _) = listener.accept().await?;
        txaio::sleep(Duration::from_secs(1))
            .await
            .map_err(std::io::Error::other)?;
        drop(stream); // never read
        txaio::sleep(Duration::from_secs(3600))
            .await
            .map_err(std::io::Error::other)?;
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.client("client", async {
        let mut stream = TcpStream::connect("sink:9").await?;
        let error = stream.write_all(&[1; 5000]).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn a_reset_during_the_handshake_resets_the_accepted_end() {
    let mut sim = Builder::new().latency(ms(10)).build();
    let outcome = Arc::new(std::sync::Mutex::new(None));
    let seen = Arc::clone(&outcome);
    sim.host("server", move || {
        let seen = Arc::clone(&seen);
        async move {
            let listener = TcpListener::bind("0.0.0.0:7000").await?;
            let (mut stream, peer) = listener.accept().await?;
            txaio::sleep(ms(50)).await.map_err(std::io::Error::other)?;
            let mut buf = [0; 4];
            *seen.lock().unwrap() = Some((
                peer.port() != 7000,
                stream.read(&mut buf).await.map_err(|e| e.kind()),
            ));
            Ok::<_, std::io::Error>(())
        }
    })
    .unwrap();
    sim.client("client", async {
        let connecting = txaio::spawn(async { TcpStream::connect("server:7000").await });
        txaio::sleep(ms(12)).await?; // the SYN is in the backlog, the SYN-ACK on its way
        txaio::sim::reset("client", "server")?;
        let refused = connecting.take().await.map(|_| ()).unwrap_err();
        assert!(refused.to_string().contains("refused"), "{refused}");
        txaio::sleep(Duration::from_secs(1)).await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        *outcome.lock().unwrap(),
        Some((true, Err(std::io::ErrorKind::ConnectionReset))),
        "the accepted end is reset, and names the client as its peer"
    );
}

#[test]
fn two_tasks_accepting_on_one_listener_are_both_served() {
    let mut sim = Builder::new().build();
    sim.host("server", || async {
        let listener = Arc::new(TcpListener::bind("0.0.0.0:7000").await?);
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let listener = Arc::clone(&listener);
                txaio::spawn(async move {
                    let (mut stream, _) = listener.accept().await?;
                    stream.write_all(b"k").await
                })
            })
            .collect();
        for task in tasks {
            task.await.map_err(std::io::Error::other)?;
        }
        txaio::sleep(Duration::from_secs(3600))
            .await
            .map_err(std::io::Error::other)?;
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.client("client", async {
        for _ in 0..2 {
            let mut stream = TcpStream::connect("server:7000").await?;
            let mut buf = [0; 1];
            assert_eq!(stream.read(&mut buf).await?, 1);
        }
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.run().unwrap();
}

#[test]
fn what_a_crashed_host_sent_into_a_partition_never_arrives() {
    let mut sim = Builder::new().build();
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    sim.host("sink", move || collect_datagrams(Arc::clone(&sink)))
        .unwrap();
    sim.host("source", || async {
        let socket = UdpSocket::bind("0.0.0.0:0").await?;
        let sink = txaio::net::lookup_host("sink:5000").await?.next().unwrap();
        socket.send_to(b"x", sink).await?;
        txaio::sleep(Duration::from_secs(3600))
            .await
            .map_err(std::io::Error::other)?;
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
    sim.client("chaos", async {
        txaio::sim::hold("source", "sink")?;
        txaio::sleep(ms(100)).await?; // the first incarnation's datagram waits
        txaio::sim::crash("source")?;
        txaio::sim::restart("source")?; // the second sends one too, also held
        txaio::sleep(ms(100)).await?;
        txaio::sim::release("source", "sink")?;
        txaio::sleep(ms(100)).await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        got.lock().unwrap().len(),
        1,
        "only the living incarnation's datagram"
    );
}

#[test]
fn timers_belong_to_the_host_that_set_them() {
    let mut sim = Builder::new().build();
    let fired = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&fired);
    sim.host("server", move || {
        let log = Arc::clone(&log);
        async move {
            let early = Arc::clone(&log);
            // Runs as the server's code: a task it spawns may use the server's sockets.
            let _early = txaio::call_later(ms(10), move || {
                let log = Arc::clone(&early);
                let _task = txaio::spawn(async move {
                    let listener = TcpListener::bind("0.0.0.0:0").await?;
                    log.lock()
                        .unwrap()
                        .push(format!("bound on {}", txaio::sim::host_name().unwrap()));
                    drop(listener);
                    Ok::<_, std::io::Error>(())
                });
            });
            // Set before the crash: never runs.
            let late = Arc::clone(&log);
            let _late = txaio::call_later(Duration::from_secs(5), move || {
                late.lock().unwrap().push("late".to_owned());
            });
            txaio::sleep(Duration::from_secs(3600))
                .await
                .map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(())
        }
    })
    .unwrap();
    sim.client("chaos", async {
        txaio::sleep(Duration::from_secs(1)).await?;
        txaio::sim::crash("server")?;
        txaio::sleep(Duration::from_secs(10)).await?;
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(*fired.lock().unwrap(), vec!["bound on server".to_owned()]);
}

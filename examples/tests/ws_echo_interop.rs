//! The ws_echo server served to a client that is not ours: async-tungstenite's own
//! `client_async` over a plain `tokio::net::TcpStream`, on its own tokio runtime, while the
//! txaio server runs on each backend in turn (`#[txaio::test]`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::Message;
use futures_util::StreamExt;
use txaio::net::TcpListener;

#[allow(dead_code, unreachable_pub)]
#[path = "../ws_echo.rs"]
mod ws_echo;

use ws_echo::{AutoPing, Due, Options, Server};

const MS: Duration = Duration::from_millis(1);

/// Runs `client` on a tokio runtime of its own, on another thread; its outcome fires the
/// returned deferred, which the test awaits on whichever backend it runs.
fn outside<T, F>(client: impl FnOnce() -> F + Send + 'static) -> txaio::Deferred<T>
where
    T: Clone + Send + 'static,
    F: Future<Output = Result<T, String>>,
{
    let done = txaio::create_future();
    let fire = done.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let _ = match runtime.block_on(client()) {
            Ok(value) => txaio::resolve(&fire, value),
            Err(error) => txaio::reject(&fire, txaio::create_failure(std::io::Error::other(error))),
        };
    });
    done
}

async fn start(
    options: Options,
) -> std::io::Result<(Arc<Server>, SocketAddr, txaio::Deferred<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = Server::new(options);
    let serving = txaio::spawn(Arc::clone(&server).serve(listener));
    Ok((server, addr, serving))
}

#[txaio::test]
async fn an_outside_client_echoes_a_thousand_messages() -> std::io::Result<()> {
    let (server, addr, serving) = start(Options::default()).await?;
    let echoed = outside(move || async move {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        // Pongs and messages are small writes back to back: without this, Nagle's algorithm
        // meets the server's delayed ACKs and a round trip can wait 40 ms.
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let (mut ws, _) = async_tungstenite::tokio::client_async(format!("ws://{addr}/"), tcp)
            .await
            .map_err(|e| e.to_string())?;
        let mut echoed = 0u32;
        for n in 0..1000u32 {
            let sent = if n % 2 == 0 {
                Message::text(format!("message {n}"))
            } else {
                Message::binary(n.to_be_bytes().to_vec())
            };
            ws.send(sent.clone()).await.map_err(|e| e.to_string())?;
            loop {
                match ws.next().await {
                    Some(Ok(Message::Ping(_))) => {}
                    Some(Ok(reply)) if reply == sent => break,
                    other => return Err(format!("message {n}: got {other:?}")),
                }
            }
            echoed += 1;
        }
        ws.close(None).await.map_err(|e| e.to_string())?;
        Ok(echoed)
    });
    assert_eq!(echoed.await.map_err(std::io::Error::other)?, 1000);
    assert_eq!(server.stats.echoed.load(Ordering::SeqCst), 1000);
    assert_eq!(server.stats.dropped.load(Ordering::SeqCst), 0);
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn an_outside_client_that_stops_answering_pings_is_dropped() -> std::io::Result<()> {
    let options = Options {
        ping_every: 20 * MS,
        ping_timeout: 60 * MS,
        bucket: 10 * MS,
        ..Options::default()
    };
    let (server, addr, serving) = start(options.clone()).await?;
    let dropped_after = outside(move || async move {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let (ws, _) = async_tungstenite::tokio::client_async(format!("ws://{addr}/"), tcp)
            .await
            .map_err(|e| e.to_string())?;
        // Not reading means not answering: tungstenite sends its pongs from reads. Wait for
        // the server to hang up by watching the raw socket instead.
        let started = Instant::now();
        let tcp = ws.into_inner().into_inner();
        let mut buf = [0u8; 256];
        loop {
            tcp.readable().await.map_err(|e| e.to_string())?;
            match tcp.try_read(&mut buf) {
                Ok(0) => return Ok(started.elapsed()),
                Ok(_) => {} // the server's pings, unanswered
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    });
    let dropped_after = dropped_after.await.map_err(std::io::Error::other)?;
    // Never before the first ping plus its timeout (real time: only the lower bound is
    // asserted; the upper bound is the virtual-clock test below).
    assert!(
        dropped_after >= (options.ping_every + options.ping_timeout).saturating_sub(options.bucket),
        "dropped after {dropped_after:?}"
    );
    assert_eq!(server.stats.dropped.load(Ordering::SeqCst), 1);
    assert!(server.stats.pings.load(Ordering::SeqCst) >= 1);
    assert_eq!(server.stats.pongs.load(Ordering::SeqCst), 0);
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn a_pong_keeps_the_peer_and_silence_drops_it_within_timeout_plus_one_bucket() {
    replace_loop_autoping();
}

/// On the virtual clock: the schedule of `AutoPing` exactly as the server drives it.
fn replace_loop_autoping() {
    txaio::testutil::replace_loop(|clock| {
        let bucket = 20 * MS;
        let (every, timeout) = (100 * MS, 300 * MS);
        let timers = txaio::make_batched_timer(bucket, 1000);
        clock.advance(7 * MS); // off a bucket boundary
        let mut autoping = AutoPing::start(&timers, every, timeout);
        for round in 0..5 {
            let armed = clock.now();
            let due = autoping.due();
            while !txaio::is_called(&due) {
                clock.advance(MS);
            }
            let late = clock.now().saturating_sub(armed);
            assert!(
                late >= every && late <= every + bucket,
                "ping {round} due after {late:?}"
            );
            let payload = autoping.ping_sent();
            clock.advance(5 * MS);
            assert!(!autoping.pong_received(b"not the payload"));
            assert!(autoping.pong_received(&payload));
            assert!(!autoping.pong_received(&payload), "a pong answers one ping");
        }
        // Now the peer goes silent after a ping.
        let due = autoping.due();
        while !txaio::is_called(&due) {
            clock.advance(MS);
        }
        autoping.ping_sent();
        let pinged = clock.now();
        let due = autoping.due();
        while !txaio::is_called(&due) {
            clock.advance(MS);
        }
        let dropped_after = clock.now().saturating_sub(pinged);
        assert!(
            dropped_after >= timeout && dropped_after <= timeout + bucket,
            "dropped {dropped_after:?} after the ping"
        );
        drop(autoping);
        assert_eq!(timers.pending(), 0);
    });
    // The deferred's value says why it fired.
    txaio::testutil::replace_loop(|clock| {
        let timers = txaio::make_batched_timer(10 * MS, 10);
        let mut autoping = AutoPing::start(&timers, 10 * MS, 10 * MS);
        let due = autoping.due();
        clock.advance(30 * MS);
        let first = std::sync::Arc::new(std::sync::Mutex::new(None));
        let seen = first.clone();
        txaio::add_callback(&due, move |what| *seen.lock().unwrap() = Some(*what));
        assert_eq!(*first.lock().unwrap(), Some(Due::Ping));
        autoping.ping_sent();
        let timeout = autoping.due();
        clock.advance(30 * MS);
        let seen = first.clone();
        txaio::add_callback(&timeout, move |what| *seen.lock().unwrap() = Some(*what));
        assert_eq!(*first.lock().unwrap(), Some(Due::Timeout));
    });
}

/// A small deterministic generator, so that every run checks the same sequences.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

#[txaio::test]
async fn autoping_against_a_model_over_random_pong_delays() {
    for seed in 0..20 {
        txaio::testutil::replace_loop(|clock| {
            let (bucket, every, timeout) = (10 * MS, 50 * MS, 80 * MS);
            let timers = txaio::make_batched_timer(bucket, 100);
            let mut random = Lcg(seed);
            let mut autoping = AutoPing::start(&timers, every, timeout);
            // The model: what is due next, and since when it was armed.
            let mut waiting_for = Due::Ping;
            let mut armed = clock.now();
            let mut pong_at: Option<(Duration, Vec<u8>)> = None;
            let mut dropped = false;
            // Random answers for 3 s, then silence, which must end in a drop.
            for step in 0..4_000 {
                clock.advance(MS);
                let now = clock.now();
                if let Some((at, payload)) = pong_at.take_if(|(at, _)| *at <= now) {
                    let _ = at;
                    if autoping.pong_received(&payload) {
                        (waiting_for, armed) = (Due::Ping, now);
                    }
                }
                let elapsed = now.saturating_sub(armed);
                let limit = if waiting_for == Due::Ping {
                    every
                } else {
                    timeout
                };
                let due = autoping.due();
                if !txaio::is_called(&due) {
                    assert!(
                        elapsed < limit + 2 * bucket,
                        "seed {seed}: {waiting_for:?} late"
                    );
                    continue;
                }
                assert!(
                    elapsed >= limit,
                    "seed {seed}: {waiting_for:?} after {elapsed:?}"
                );
                let fired = std::sync::Arc::new(std::sync::Mutex::new(None));
                let seen = fired.clone();
                txaio::add_callback(&due, move |what| *seen.lock().unwrap() = Some(*what));
                assert_eq!(*fired.lock().unwrap(), Some(waiting_for), "seed {seed}");
                if waiting_for == Due::Timeout {
                    dropped = true;
                    break;
                }
                let payload = autoping.ping_sent();
                (waiting_for, armed) = (Due::Timeout, now);
                // The peer answers after a random delay, sometimes too late.
                let delay = Duration::from_millis(random.below(90));
                if step < 3_000 {
                    pong_at = Some((now + delay, payload));
                }
            }
            assert!(dropped, "seed {seed}: a silent peer was never dropped");
            drop(autoping);
            assert_eq!(timers.pending(), 0, "seed {seed}");
        });
    }
}

//! The book, "Networking" and "Time": deadlines on socket operations are `txaio::with_timeout`, on every backend.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use txaio::TimeoutError;
use txaio::net::{TcpListener, TcpStream, UdpSocket};
use txaio::testutil::replace_loop;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind(loopback()).await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

#[txaio::test]
async fn a_read_that_gets_no_data_times_out_on_the_virtual_clock() -> io::Result<()> {
    let (mut client, _server) = pair().await?;
    let mut buf = [0; 16];
    replace_loop(|clock| {
        let mut read = pin!(txaio::with_timeout(
            Duration::from_secs(30),
            client.read(&mut buf)
        ));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(read.as_mut().poll(&mut cx).is_pending());
        clock.advance(Duration::from_millis(29_999));
        assert!(read.as_mut().poll(&mut cx).is_pending(), "timed out early");
        clock.advance(Duration::from_millis(1));
        match read.as_mut().poll(&mut cx) {
            Poll::Ready(Err(TimeoutError)) => {}
            other => panic!("expected Err(TimeoutError), got {other:?}"),
        }
    });
    Ok(())
}

#[txaio::test]
async fn a_read_that_gets_no_data_times_out_and_the_stream_reads_on() -> io::Result<()> {
    let (mut client, mut server) = pair().await?;
    let mut buf = [0; 16];
    let outcome = txaio::with_timeout(Duration::from_millis(20), client.read(&mut buf)).await;
    assert!(matches!(outcome, Err(TimeoutError)), "{outcome:?}");
    // The abandoned read lost nothing: data written now is read whole.
    server.write_all(b"late").await?;
    let outcome = txaio::with_timeout(Duration::from_secs(60), client.read(&mut buf)).await;
    let n = outcome.map_err(io::Error::other)??;
    assert_eq!(&buf[..n], b"late");
    Ok(())
}

#[txaio::test]
async fn a_connect_under_a_timeout_that_succeeds_is_the_stream() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let stream = txaio::with_timeout(Duration::from_secs(60), TcpStream::connect(addr))
        .await
        .map_err(io::Error::other)??;
    assert_eq!(stream.peer_addr()?, addr);
    // A refusal inside the deadline is the OS error, not a timeout.
    drop((stream, listener));
    let refused = txaio::with_timeout(Duration::from_secs(60), TcpStream::connect(addr))
        .await
        .map_err(io::Error::other)?
        .unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    Ok(())
}

#[txaio::test]
async fn an_accept_and_a_recv_with_nothing_coming_time_out() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let accepted = txaio::with_timeout(Duration::from_millis(10), listener.accept()).await;
    assert!(matches!(accepted, Err(TimeoutError)));
    let socket = UdpSocket::bind(loopback()).await?;
    let mut buf = [0; 8];
    let received = txaio::with_timeout(Duration::from_millis(10), socket.recv_from(&mut buf)).await;
    assert!(matches!(received, Err(TimeoutError)));
    // Both still work afterwards.
    let _client = TcpStream::connect(listener.local_addr()?).await?;
    listener.accept().await?;
    socket.send_to(b"x", socket.local_addr()?).await?;
    assert_eq!(socket.recv_from(&mut buf).await?.0, 1);
    Ok(())
}

#[txaio::test]
async fn zero_and_max_deadlines() -> io::Result<()> {
    let (mut client, mut server) = pair().await?;
    let mut buf = [0; 8];
    let zero = txaio::with_timeout(Duration::ZERO, client.read(&mut buf)).await;
    assert!(matches!(zero, Err(TimeoutError)), "{zero:?}");
    server.write_all(b"x").await?;
    let forever = txaio::with_timeout(Duration::MAX, client.read(&mut buf)).await;
    assert_eq!(forever.map_err(io::Error::other)??, 1);
    Ok(())
}

//! Issue 20, item 6: sockets that runtime traits (hyper's, quinn's, hickory's, libp2p's) can
//! drive: `from_std`, `poll_accept`, `poll_send_to` / `poll_recv_from`, and the fd traits, on
//! every backend. Loopback only.

use std::future::poll_fn;
use std::net::SocketAddr;
#[cfg(unix)]
use std::os::fd::AsRawFd;
use std::task::Poll;

use txaio::net::{TcpListener, TcpStream, UdpSocket};

#[txaio::test]
async fn sockets_of_the_applications_own_are_adopted() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    #[cfg(unix)]
    let fd = std_listener.as_raw_fd();
    let listener = TcpListener::from_std(std_listener).unwrap();
    #[cfg(unix)]
    assert_eq!(listener.as_raw_fd(), fd);
    assert_eq!(listener.runtime(), txaio::current_runtime());
    let addr = listener.local_addr().unwrap();

    // A blocking std stream, adopted: it must not block the event loop (non-blocking mode).
    let std_client = std::net::TcpStream::connect(addr).unwrap();
    let mut client = TcpStream::from_std(std_client).unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    let mut buf = [0; 4];
    let reading = txaio::spawn(async move {
        let n = server.read(&mut buf).await?;
        Ok::<_, std::io::Error>(buf[..n].to_vec())
    });
    client.write_all(b"ping").await.unwrap();
    assert_eq!(reading.take().await.unwrap(), b"ping");

    let socket = UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket
        .send_to(b"dgram", peer.local_addr().unwrap())
        .await
        .unwrap();
    let mut buf = [0; 16];
    let (n, from) = peer.recv_from(&mut buf).await.unwrap();
    assert_eq!(
        (&buf[..n], from),
        (&b"dgram"[..], socket.local_addr().unwrap())
    );
}

#[txaio::test]
async fn poll_accept_is_pending_until_a_connection_arrives() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Nobody has connected: the poll registers the task and is pending.
    let first = poll_fn(|cx| Poll::Ready(listener.poll_accept(cx).is_pending())).await;
    assert!(first, "nothing to accept yet");
    let client = TcpStream::connect(addr).await.unwrap();
    let (stream, peer) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    assert_eq!(stream.runtime(), txaio::current_runtime());
}

#[txaio::test]
async fn poll_send_to_and_poll_recv_from_carry_datagrams() {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let to: SocketAddr = b.local_addr().unwrap();
    for round in 0..50u8 {
        let sent = poll_fn(|cx| a.poll_send_to(cx, &[round; 3], to))
            .await
            .unwrap();
        assert_eq!(sent, 3);
        let mut buf = [0; 8];
        let (n, from) = poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await.unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&[round; 3][..], a.local_addr().unwrap())
        );
    }
}

#[cfg(unix)]
#[txaio::test]
async fn unix_sockets_adopt_and_poll_too() {
    use txaio::net::{UnixListener, UnixStream};
    let (left, right) = std::os::unix::net::UnixStream::pair().unwrap();
    let fd = left.as_raw_fd();
    let mut left = UnixStream::from_std(left).unwrap();
    let mut right = UnixStream::from_std(right).unwrap();
    assert_eq!(left.as_raw_fd(), fd);
    left.write_all(b"pair").await.unwrap();
    let mut buf = [0; 4];
    let mut got = 0;
    while got < 4 {
        got += right.read(&mut buf[got..]).await.unwrap();
    }
    assert_eq!(&buf, b"pair");

    let dir = std::env::temp_dir().join(format!(
        "txaio-net-poll-{}-{}",
        std::process::id(),
        txaio::current_runtime()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("poll.sock");
    let listener =
        UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path).unwrap()).unwrap();
    let _client = UnixStream::connect(&path).await.unwrap();
    let (stream, _) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
    assert_eq!(stream.runtime(), txaio::current_runtime());
    std::fs::remove_dir_all(&dir).unwrap();
}

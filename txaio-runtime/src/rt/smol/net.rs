//! Sockets (`txaio::net`): async-io's, on the reactor smol drives.

use async_io::Async;
use futures_io::{AsyncRead, AsyncWrite};
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A TCP listener on async-io's reactor.
pub(crate) type TcpListener = Async<std::net::TcpListener>;
/// A TCP stream on async-io's reactor.
pub(crate) type TcpStream = Async<std::net::TcpStream>;
/// A UDP socket on async-io's reactor.
pub(crate) type UdpSocket = Async<std::net::UdpSocket>;
/// The read half of a split stream: a shared handle, as `&Async<TcpStream>` reads.
pub(crate) type ReadHalf = Arc<TcpStream>;
/// The write half of a split stream.
pub(crate) type WriteHalf = Arc<TcpStream>;

/// Binds a TCP listener.
#[allow(clippy::unused_async)] // async like its siblings in the other backends
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    Async::<std::net::TcpListener>::bind(addr)
}

/// Accepts one connection.
pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    listener.accept().await
}

/// Connects to `addr`.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    Async::<std::net::TcpStream>::connect(addr).await
}

/// Splits a stream into halves that may move to different tasks.
pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    let shared = Arc::new(stream);
    (Arc::clone(&shared), shared)
}

/// Shuts the write direction down, as tokio's write half does when it drops.
pub(crate) fn write_half_dropped(half: &mut WriteHalf) {
    let _ = half.get_ref().shutdown(Shutdown::Write);
}

/// A listener's address.
pub(crate) fn listener_local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
    listener.get_ref().local_addr()
}

/// A stream's local and peer addresses (`peer = true` for the peer's).
pub(crate) fn stream_addr(stream: &TcpStream, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        stream.get_ref().peer_addr()
    } else {
        stream.get_ref().local_addr()
    }
}

/// A read half's local and peer addresses.
pub(crate) fn read_half_addr(half: &ReadHalf, peer: bool) -> io::Result<SocketAddr> {
    stream_addr(half, peer)
}

/// A write half's local and peer addresses.
pub(crate) fn write_half_addr(half: &WriteHalf, peer: bool) -> io::Result<SocketAddr> {
    stream_addr(half, peer)
}

/// Sets `TCP_NODELAY`.
pub(crate) fn set_nodelay(stream: &TcpStream, on: bool) -> io::Result<()> {
    stream.get_ref().set_nodelay(on)
}

/// Reads `TCP_NODELAY`.
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    stream.get_ref().nodelay()
}

/// Reads into `buf` (a stream or either half: all read through `&Async<TcpStream>`).
pub(crate) fn poll_read(
    io: &TcpStream,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let mut io = io;
    Pin::new(&mut io).poll_read(cx, buf)
}

/// Writes from `buf`.
pub(crate) fn poll_write(
    io: &TcpStream,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    let mut io = io;
    Pin::new(&mut io).poll_write(cx, buf)
}

/// Flushes (a no-op for TCP, kept for the traits).
pub(crate) fn poll_flush(io: &TcpStream, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    let mut io = io;
    Pin::new(&mut io).poll_flush(cx)
}

/// Shuts the write direction down. Not the `poll_close` of async-io (and so of async-std),
/// which only flushes: the peer must read the end of the stream, as under tokio.
pub(crate) fn poll_close(io: &TcpStream, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    Poll::Ready(io.get_ref().shutdown(Shutdown::Write))
}

/// Binds a UDP socket.
#[allow(clippy::unused_async)] // async like its siblings in the other backends
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    Async::<std::net::UdpSocket>::bind(addr)
}

/// Sends one datagram.
pub(crate) async fn udp_send_to(
    socket: &UdpSocket,
    buf: &[u8],
    to: SocketAddr,
) -> io::Result<usize> {
    socket.send_to(buf, to).await
}

/// Receives one datagram.
pub(crate) async fn udp_recv_from(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    socket.recv_from(buf).await
}

/// A UDP socket's address.
pub(crate) fn udp_local_addr(socket: &UdpSocket) -> io::Result<SocketAddr> {
    socket.get_ref().local_addr()
}

/// Unix domain sockets on async-io's reactor.
#[cfg(unix)]
mod unix {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    async_io_unix!();
}

#[cfg(unix)]
pub(crate) use unix::*;

//! Sockets (`txaio::net`): async-std's own (async-io's reactor underneath).

use futures_io::{AsyncRead, AsyncWrite};
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

pub(crate) use async_std::net::{TcpListener, TcpStream, UdpSocket};
/// The read half of a split stream: async-std streams are shared handles.
pub(crate) type ReadHalf = TcpStream;
/// The write half of a split stream.
pub(crate) type WriteHalf = TcpStream;

/// Binds a TCP listener.
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Accepts one connection.
pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    listener.accept().await
}

/// Connects to `addr`.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    TcpStream::connect(addr).await
}

/// Splits a stream into halves that may move to different tasks.
pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    (stream.clone(), stream)
}

/// Shuts the write direction down, as tokio's write half does when it drops.
pub(crate) fn write_half_dropped(half: &mut WriteHalf) {
    let _ = half.shutdown(Shutdown::Write);
}

/// A listener's address.
pub(crate) fn listener_local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
    listener.local_addr()
}

/// A stream's local and peer addresses (`peer = true` for the peer's).
pub(crate) fn stream_addr(stream: &TcpStream, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        stream.peer_addr()
    } else {
        stream.local_addr()
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
    stream.set_nodelay(on)
}

/// Reads `TCP_NODELAY`.
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    stream.nodelay()
}

/// Reads into `buf` (a stream or either half: all read through `&TcpStream`).
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
    Poll::Ready(io.shutdown(Shutdown::Write))
}

/// Binds a UDP socket.
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    UdpSocket::bind(addr).await
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
    socket.local_addr()
}

/// Unix domain sockets: async-std drives async-io's reactor, so they are smol's, on async-io.
#[cfg(unix)]
mod unix {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    async_io_unix!();
}

#[cfg(unix)]
pub(crate) use unix::*;

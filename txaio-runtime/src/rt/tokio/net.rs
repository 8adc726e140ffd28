//! Sockets (`txaio::net`): tokio's own, registered with the reactor of the runtime running
//! the caller, so no second reactor thread exists under tokio.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::handle;

pub(crate) use tokio::net::tcp::{OwnedReadHalf as ReadHalf, OwnedWriteHalf as WriteHalf};
pub(crate) use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// Binds a TCP listener.
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    handle();
    TcpListener::bind(addr).await
}

/// Accepts one connection.
pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    listener.accept().await
}

/// Accepts one connection, if one is waiting; else registers `cx` for the next.
pub(crate) fn tcp_poll_accept(
    listener: &TcpListener,
    cx: &mut Context<'_>,
) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
    listener.poll_accept(cx)
}

/// A listener of the application's own, registered with the running runtime's reactor.
pub(crate) fn tcp_listener_from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
    let _entered = handle().enter();
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
}

/// A stream of the application's own, registered with the running runtime's reactor.
pub(crate) fn tcp_stream_from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
    let _entered = handle().enter();
    stream.set_nonblocking(true)?;
    TcpStream::from_std(stream)
}

/// A UDP socket of the application's own, registered with the running runtime's reactor.
pub(crate) fn udp_from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
    let _entered = handle().enter();
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket)
}

/// Sends one datagram if the socket can take it; else registers `cx`.
pub(crate) fn udp_poll_send_to(
    socket: &UdpSocket,
    cx: &mut Context<'_>,
    buf: &[u8],
    to: SocketAddr,
) -> Poll<io::Result<usize>> {
    socket.poll_send_to(cx, buf, to)
}

/// Receives one datagram if one is waiting; else registers `cx`.
pub(crate) fn udp_poll_recv_from(
    socket: &UdpSocket,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<(usize, SocketAddr)>> {
    let mut buf = ReadBuf::new(buf);
    let from = ready!(socket.poll_recv_from(cx, &mut buf))?;
    Poll::Ready(Ok((buf.filled().len(), from)))
}

/// Connects to `addr`.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    handle();
    TcpStream::connect(addr).await
}

/// Splits a stream into halves that may move to different tasks.
pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    stream.into_split()
}

/// Nothing to do: tokio's write half shuts the write direction down when it drops.
pub(crate) fn write_half_dropped(_half: &mut WriteHalf) {}

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
    if peer {
        half.peer_addr()
    } else {
        half.local_addr()
    }
}

/// A write half's local and peer addresses.
pub(crate) fn write_half_addr(half: &WriteHalf, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        half.peer_addr()
    } else {
        half.local_addr()
    }
}

/// Sets `TCP_NODELAY`.
pub(crate) fn set_nodelay(stream: &TcpStream, on: bool) -> io::Result<()> {
    stream.set_nodelay(on)
}

/// Reads `TCP_NODELAY`.
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    stream.nodelay()
}

/// Reads into `buf` (a stream or its read half).
pub(crate) fn poll_read(
    io: &mut (impl AsyncRead + Unpin),
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let mut buf = ReadBuf::new(buf);
    ready!(Pin::new(io).poll_read(cx, &mut buf))?;
    Poll::Ready(Ok(buf.filled().len()))
}

/// Writes from `buf` (a stream or its write half).
pub(crate) fn poll_write(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    Pin::new(io).poll_write(cx, buf)
}

/// Writes from `bufs` in one system call (`writev`), a stream or its write half.
pub(crate) fn poll_write_vectored(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
    bufs: &[io::IoSlice<'_>],
) -> Poll<io::Result<usize>> {
    Pin::new(io).poll_write_vectored(cx, bufs)
}

/// Flushes (a no-op for TCP, kept for the traits).
pub(crate) fn poll_flush(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    Pin::new(io).poll_flush(cx)
}

/// Shuts the write direction down.
pub(crate) fn poll_close(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    Pin::new(io).poll_shutdown(cx)
}

/// Binds a UDP socket.
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    handle();
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

/// Unix domain sockets: tokio's own.
#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::unix::net::SocketAddr;
    use std::path::Path;
    use std::task::{Context, Poll, ready};

    use super::handle;

    pub(crate) use tokio::net::unix::{
        OwnedReadHalf as UnixReadHalf, OwnedWriteHalf as UnixWriteHalf,
    };
    pub(crate) use tokio::net::{UnixListener, UnixStream};

    pub(crate) use super::{
        poll_close as unix_poll_close, poll_flush as unix_poll_flush, poll_read as unix_poll_read,
        poll_write as unix_poll_write, poll_write_vectored as unix_poll_write_vectored,
    };

    /// Binds a listener to `path`.
    pub(crate) fn unix_bind(path: &Path) -> io::Result<UnixListener> {
        let _enter = handle().enter();
        UnixListener::bind(path)
    }

    /// Accepts one connection.
    pub(crate) async fn unix_accept(
        listener: &UnixListener,
    ) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = listener.accept().await?;
        Ok((stream, addr.into()))
    }

    /// Accepts one connection, if one is waiting; else registers `cx` for the next.
    pub(crate) fn unix_poll_accept(
        listener: &UnixListener,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, addr) = ready!(listener.poll_accept(cx))?;
        Poll::Ready(Ok((stream, addr.into())))
    }

    /// A listener of the application's own, registered with the running runtime's reactor.
    pub(crate) fn unix_listener_from_std(
        listener: std::os::unix::net::UnixListener,
    ) -> io::Result<UnixListener> {
        let _entered = handle().enter();
        listener.set_nonblocking(true)?;
        UnixListener::from_std(listener)
    }

    /// A stream of the application's own, registered with the running runtime's reactor.
    pub(crate) fn unix_stream_from_std(
        stream: std::os::unix::net::UnixStream,
    ) -> io::Result<UnixStream> {
        let _entered = handle().enter();
        stream.set_nonblocking(true)?;
        UnixStream::from_std(stream)
    }

    /// Connects to the listener at `path`.
    pub(crate) async fn unix_connect(path: &Path) -> io::Result<UnixStream> {
        handle();
        UnixStream::connect(path).await
    }

    /// Splits a stream into halves that may move to different tasks.
    pub(crate) fn unix_split(stream: UnixStream) -> (UnixReadHalf, UnixWriteHalf) {
        stream.into_split()
    }

    /// Nothing to do: tokio's write half shuts the write direction down when it drops.
    pub(crate) fn unix_write_half_dropped(_half: &mut UnixWriteHalf) {}

    /// A listener's address.
    pub(crate) fn unix_listener_addr(listener: &UnixListener) -> io::Result<SocketAddr> {
        listener.local_addr().map(Into::into)
    }

    /// The halves and the stream: local and peer addresses (`peer = true` for the peer's).
    pub(crate) trait UnixAddrs {
        fn local(&self) -> io::Result<tokio::net::unix::SocketAddr>;
        fn peer(&self) -> io::Result<tokio::net::unix::SocketAddr>;
    }

    macro_rules! unix_addrs {
        ($($type:ty),*) => {$(
            impl UnixAddrs for $type {
                fn local(&self) -> io::Result<tokio::net::unix::SocketAddr> {
                    self.local_addr()
                }
                fn peer(&self) -> io::Result<tokio::net::unix::SocketAddr> {
                    self.peer_addr()
                }
            }
        )*};
    }

    unix_addrs!(UnixStream, UnixReadHalf, UnixWriteHalf);

    /// A stream's (or a half's) local and peer addresses.
    pub(crate) fn unix_stream_addr(io: &impl UnixAddrs, peer: bool) -> io::Result<SocketAddr> {
        if peer { io.peer() } else { io.local() }.map(Into::into)
    }
}

#[cfg(unix)]
pub(crate) use unix::*;

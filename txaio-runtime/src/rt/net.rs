//! The native sockets behind `txaio::net`: one enum variant per compiled backend, made on the
//! backend running the caller and driven by its reactor from then on.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

native!(
    /// A TCP listener.
    Listener => TcpListener
);
native!(
    /// A TCP stream.
    Stream => TcpStream
);
native!(
    /// A UDP socket.
    Udp => UdpSocket
);
native!(
    /// The read half of a split TCP stream.
    ReadHalf => ReadHalf
);
native!(
    /// The write half of a split TCP stream.
    WriteHalf => WriteHalf
);

native_as_fd!(Listener);
native_as_fd!(Stream);
native_as_fd!(Udp);

impl Listener {
    /// Binds on the backend running the caller.
    pub(crate) async fn bind(addr: SocketAddr) -> io::Result<Listener> {
        on_current!(backend => backend::tcp_bind(addr).await.map(Listener::from))
    }

    /// A listener of the application's own, on the backend running the caller.
    pub(crate) fn from_std(listener: std::net::TcpListener) -> io::Result<Listener> {
        on_current!(backend => backend::tcp_listener_from_std(listener).map(Listener::from))
    }

    pub(crate) async fn accept(&self) -> io::Result<(Stream, SocketAddr)> {
        on_backend!(self, Listener, backend, listener => {
            let (stream, peer) = backend::tcp_accept(listener).await?;
            Ok((Stream::from(stream), peer))
        })
    }

    pub(crate) fn poll_accept(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(Stream, SocketAddr)>> {
        on_backend!(self, Listener, backend, listener => {
            backend::tcp_poll_accept(listener, cx).map_ok(|(stream, peer)| (Stream::from(stream), peer))
        })
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        on_backend!(self, Listener, backend, listener => backend::listener_local_addr(listener))
    }
}

impl Stream {
    /// Connects on the backend running the caller.
    pub(crate) async fn connect(addr: SocketAddr) -> io::Result<Stream> {
        on_current!(backend => backend::tcp_connect(addr).await.map(Stream::from))
    }

    /// A stream of the application's own, on the backend running the caller.
    pub(crate) fn from_std(stream: std::net::TcpStream) -> io::Result<Stream> {
        on_current!(backend => backend::tcp_stream_from_std(stream).map(Stream::from))
    }

    pub(crate) fn addr(&self, peer: bool) -> io::Result<SocketAddr> {
        on_backend!(self, Stream, backend, stream => backend::stream_addr(stream, peer))
    }

    pub(crate) fn set_nodelay(&self, on: bool) -> io::Result<()> {
        on_backend!(self, Stream, backend, stream => backend::set_nodelay(stream, on))
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        on_backend!(self, Stream, backend, stream => backend::nodelay(stream))
    }

    pub(crate) fn split(self) -> (ReadHalf, WriteHalf) {
        on_backend!(self, Stream, backend, stream => {
            let (read, write) = backend::tcp_split(stream);
            (ReadHalf::from(read), WriteHalf::from(write))
        })
    }

    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Stream, backend, stream => backend::poll_read(stream, cx, buf))
    }

    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Stream, backend, stream => backend::poll_write(stream, cx, buf))
    }

    pub(crate) fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Stream, backend, stream => backend::poll_write_vectored(stream, cx, bufs))
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, Stream, backend, stream => backend::poll_flush(stream, cx))
    }

    pub(crate) fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, Stream, backend, stream => backend::poll_close(stream, cx))
    }
}

impl ReadHalf {
    pub(crate) fn addr(&self, peer: bool) -> io::Result<SocketAddr> {
        on_backend!(self, ReadHalf, backend, half => backend::read_half_addr(half, peer))
    }

    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, ReadHalf, backend, half => backend::poll_read(half, cx, buf))
    }
}

impl WriteHalf {
    pub(crate) fn addr(&self, peer: bool) -> io::Result<SocketAddr> {
        on_backend!(self, WriteHalf, backend, half => backend::write_half_addr(half, peer))
    }

    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, WriteHalf, backend, half => backend::poll_write(half, cx, buf))
    }

    pub(crate) fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, WriteHalf, backend, half => backend::poll_write_vectored(half, cx, bufs))
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, WriteHalf, backend, half => backend::poll_flush(half, cx))
    }

    pub(crate) fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, WriteHalf, backend, half => backend::poll_close(half, cx))
    }
}

impl Drop for WriteHalf {
    fn drop(&mut self) {
        on_backend!(self, WriteHalf, backend, half => backend::write_half_dropped(half));
    }
}

impl Udp {
    /// Binds on the backend running the caller.
    pub(crate) async fn bind(addr: SocketAddr) -> io::Result<Udp> {
        on_current!(backend => backend::udp_bind(addr).await.map(Udp::from))
    }

    /// A socket of the application's own, on the backend running the caller.
    pub(crate) fn from_std(socket: std::net::UdpSocket) -> io::Result<Udp> {
        on_current!(backend => backend::udp_from_std(socket).map(Udp::from))
    }

    pub(crate) fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        to: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Udp, backend, socket => backend::udp_poll_send_to(socket, cx, buf, to))
    }

    pub(crate) fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        on_backend!(self, Udp, backend, socket => backend::udp_poll_recv_from(socket, cx, buf))
    }

    pub(crate) async fn send_to(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        on_backend!(self, Udp, backend, socket => backend::udp_send_to(socket, buf, to).await)
    }

    pub(crate) async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        on_backend!(self, Udp, backend, socket => backend::udp_recv_from(socket, buf).await)
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        on_backend!(self, Udp, backend, socket => backend::udp_local_addr(socket))
    }
}

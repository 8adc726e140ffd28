//! The native Unix domain sockets behind `txaio::net::{UnixListener, UnixStream}`: one enum
//! variant per compiled backend (tokio's own; async-io's under smol and async-std).

use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

native!(
    /// A Unix listener.
    Listener => UnixListener
);
native!(
    /// A Unix stream.
    Stream => UnixStream
);
native!(
    /// The read half of a split Unix stream.
    ReadHalf => UnixReadHalf
);
native!(
    /// The write half of a split Unix stream.
    WriteHalf => UnixWriteHalf
);

native_as_fd!(Listener);
native_as_fd!(Stream);

impl Listener {
    /// Binds on the backend running the caller.
    pub(crate) fn bind(path: &Path) -> io::Result<Listener> {
        on_current!(backend => backend::unix_bind(path).map(Listener::from))
    }

    /// A listener of the application's own, on the backend running the caller.
    pub(crate) fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<Listener> {
        on_current!(backend => backend::unix_listener_from_std(listener).map(Listener::from))
    }

    pub(crate) fn poll_accept(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(Stream, SocketAddr)>> {
        on_backend!(self, Listener, backend, listener => {
            backend::unix_poll_accept(listener, cx).map_ok(|(stream, peer)| (Stream::from(stream), peer))
        })
    }

    pub(crate) async fn accept(&self) -> io::Result<(Stream, SocketAddr)> {
        on_backend!(self, Listener, backend, listener => {
            let (stream, peer) = backend::unix_accept(listener).await?;
            Ok((Stream::from(stream), peer))
        })
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        on_backend!(self, Listener, backend, listener => backend::unix_listener_addr(listener))
    }
}

impl Stream {
    /// Connects on the backend running the caller.
    pub(crate) async fn connect(path: &Path) -> io::Result<Stream> {
        on_current!(backend => backend::unix_connect(path).await.map(Stream::from))
    }

    /// A stream of the application's own, on the backend running the caller.
    pub(crate) fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<Stream> {
        on_current!(backend => backend::unix_stream_from_std(stream).map(Stream::from))
    }

    pub(crate) fn addr(&self, peer: bool) -> io::Result<SocketAddr> {
        on_backend!(self, Stream, backend, stream => backend::unix_stream_addr(stream, peer))
    }

    pub(crate) fn split(self) -> (ReadHalf, WriteHalf) {
        on_backend!(self, Stream, backend, stream => {
            let (read, write) = backend::unix_split(stream);
            (ReadHalf::from(read), WriteHalf::from(write))
        })
    }

    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Stream, backend, stream => backend::unix_poll_read(stream, cx, buf))
    }

    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Stream, backend, stream => backend::unix_poll_write(stream, cx, buf))
    }

    pub(crate) fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, Stream, backend, stream => backend::unix_poll_write_vectored(stream, cx, bufs))
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, Stream, backend, stream => backend::unix_poll_flush(stream, cx))
    }

    pub(crate) fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, Stream, backend, stream => backend::unix_poll_close(stream, cx))
    }
}

impl ReadHalf {
    pub(crate) fn addr(&self, peer: bool) -> io::Result<SocketAddr> {
        on_backend!(self, ReadHalf, backend, half => backend::unix_stream_addr(half, peer))
    }

    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, ReadHalf, backend, half => backend::unix_poll_read(half, cx, buf))
    }
}

impl WriteHalf {
    pub(crate) fn addr(&self, peer: bool) -> io::Result<SocketAddr> {
        on_backend!(self, WriteHalf, backend, half => backend::unix_stream_addr(half, peer))
    }

    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, WriteHalf, backend, half => backend::unix_poll_write(half, cx, buf))
    }

    pub(crate) fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        on_backend!(self, WriteHalf, backend, half => backend::unix_poll_write_vectored(half, cx, bufs))
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, WriteHalf, backend, half => backend::unix_poll_flush(half, cx))
    }

    pub(crate) fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_backend!(self, WriteHalf, backend, half => backend::unix_poll_close(half, cx))
    }
}

impl Drop for WriteHalf {
    fn drop(&mut self) {
        on_backend!(self, WriteHalf, backend, half => backend::unix_write_half_dropped(half));
    }
}

//! The simulation as a backend of `txaio::net` (`crate::sim`): its TCP and UDP sockets, and
//! Unix domain sockets, which a simulation does not have (their types have no values, and
//! making one is `Unsupported`).

pub(crate) use crate::sim::backend::*;

#[cfg(unix)]
pub(crate) use unix::*;

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::unix::net::SocketAddr;
    use std::path::Path;
    use std::task::{Context, Poll};

    /// Never made: a simulation has no Unix domain sockets.
    #[derive(Debug)]
    pub(crate) struct UnixListener {
        never: std::convert::Infallible,
    }
    /// Never made: a simulation has no Unix domain sockets.
    #[derive(Debug)]
    pub(crate) struct UnixStream {
        never: std::convert::Infallible,
    }
    pub(crate) type UnixReadHalf = UnixStream;
    pub(crate) type UnixWriteHalf = UnixStream;

    fn unsupported() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "Unix domain sockets are not simulated: use TCP between simulated hosts",
        )
    }

    pub(crate) fn unix_bind(_path: &Path) -> io::Result<UnixListener> {
        Err(unsupported())
    }

    #[allow(clippy::unused_async)]
    pub(crate) async fn unix_connect(_path: &Path) -> io::Result<UnixStream> {
        Err(unsupported())
    }

    pub(crate) fn unix_listener_from_std(
        _listener: std::os::unix::net::UnixListener,
    ) -> io::Result<UnixListener> {
        Err(unsupported())
    }

    pub(crate) fn unix_stream_from_std(
        _stream: std::os::unix::net::UnixStream,
    ) -> io::Result<UnixStream> {
        Err(unsupported())
    }

    #[allow(clippy::unused_async)]
    pub(crate) async fn unix_accept(
        listener: &UnixListener,
    ) -> io::Result<(UnixStream, SocketAddr)> {
        match listener.never {}
    }

    pub(crate) fn unix_poll_accept(
        listener: &UnixListener,
        _cx: &mut Context<'_>,
    ) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        match listener.never {}
    }

    #[allow(clippy::needless_pass_by_value)] // the backend interface's signature
    pub(crate) fn unix_split(stream: UnixStream) -> (UnixReadHalf, UnixWriteHalf) {
        match stream.never {}
    }

    pub(crate) fn unix_write_half_dropped(half: &mut UnixWriteHalf) {
        match half.never {}
    }

    pub(crate) fn unix_listener_addr(listener: &UnixListener) -> io::Result<SocketAddr> {
        match listener.never {}
    }

    pub(crate) fn unix_stream_addr(stream: &UnixStream, _peer: bool) -> io::Result<SocketAddr> {
        match stream.never {}
    }

    pub(crate) fn unix_poll_read(
        stream: &UnixStream,
        _cx: &mut Context<'_>,
        _buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match stream.never {}
    }

    pub(crate) fn unix_poll_write(
        stream: &UnixStream,
        _cx: &mut Context<'_>,
        _buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match stream.never {}
    }

    pub(crate) fn unix_poll_write_vectored(
        stream: &UnixStream,
        _cx: &mut Context<'_>,
        _bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match stream.never {}
    }

    pub(crate) fn unix_poll_flush(
        stream: &UnixStream,
        _cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        match stream.never {}
    }

    pub(crate) fn unix_poll_close(
        stream: &UnixStream,
        _cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        match stream.never {}
    }
}

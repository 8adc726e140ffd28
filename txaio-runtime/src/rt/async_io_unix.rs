//! Unix domain sockets on async-io's reactor, which smol and async-std both drive: one
//! implementation, expanded in each of the two backend modules. Each expansion declares its
//! own wrapper types, so that the native socket enums can tell a smol socket from an
//! async-std one by its type.

macro_rules! async_io_unix {
    () => {
        use async_io::Async;
        use futures_io::{AsyncRead as _, AsyncWrite as _};
        use std::net::Shutdown;
        use std::os::unix::net::{self as std_unix, SocketAddr};
        use std::path::Path;
        use std::sync::Arc;

        /// A Unix listener on async-io's reactor.
        #[derive(Debug)]
        pub(crate) struct UnixListener(Async<std_unix::UnixListener>);
        /// A Unix stream on async-io's reactor; its halves share it, as `&Async<_>` reads
        /// and writes.
        #[derive(Debug)]
        pub(crate) struct UnixStream(Arc<Async<std_unix::UnixStream>>);
        /// The read half of a split stream.
        pub(crate) type UnixReadHalf = UnixStream;
        /// The write half of a split stream.
        pub(crate) type UnixWriteHalf = UnixStream;

        /// Binds a listener to `path`.
        pub(crate) fn unix_bind(path: &Path) -> io::Result<UnixListener> {
            Async::<std_unix::UnixListener>::bind(path).map(UnixListener)
        }

        /// Accepts one connection.
        pub(crate) async fn unix_accept(
            listener: &UnixListener,
        ) -> io::Result<(UnixStream, SocketAddr)> {
            let (stream, peer) = listener.0.accept().await?;
            Ok((UnixStream(Arc::new(stream)), peer))
        }

        /// Connects to the listener at `path`.
        pub(crate) async fn unix_connect(path: &Path) -> io::Result<UnixStream> {
            let stream = Async::<std_unix::UnixStream>::connect(path).await?;
            Ok(UnixStream(Arc::new(stream)))
        }

        /// Splits a stream into halves that may move to different tasks.
        pub(crate) fn unix_split(stream: UnixStream) -> (UnixReadHalf, UnixWriteHalf) {
            let read = UnixStream(Arc::clone(&stream.0));
            (read, stream)
        }

        /// Shuts the write direction down, as tokio's write half does when it drops.
        pub(crate) fn unix_write_half_dropped(half: &mut UnixWriteHalf) {
            let _ = half.0.get_ref().shutdown(Shutdown::Write);
        }

        /// A listener's address.
        pub(crate) fn unix_listener_addr(listener: &UnixListener) -> io::Result<SocketAddr> {
            listener.0.get_ref().local_addr()
        }

        /// A stream's (or a half's) local and peer addresses (`peer = true` for the peer's).
        pub(crate) fn unix_stream_addr(stream: &UnixStream, peer: bool) -> io::Result<SocketAddr> {
            if peer {
                stream.0.get_ref().peer_addr()
            } else {
                stream.0.get_ref().local_addr()
            }
        }

        /// Reads into `buf`.
        pub(crate) fn unix_poll_read(
            io: &UnixStream,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut &*io.0).poll_read(cx, buf)
        }

        /// Writes from `buf`.
        pub(crate) fn unix_poll_write(
            io: &UnixStream,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut &*io.0).poll_write(cx, buf)
        }

        /// Flushes (a no-op for a stream socket, kept for the traits).
        pub(crate) fn unix_poll_flush(
            io: &UnixStream,
            cx: &mut Context<'_>,
        ) -> Poll<io::Result<()>> {
            Pin::new(&mut &*io.0).poll_flush(cx)
        }

        /// Shuts the write direction down (async-io's `poll_close` only flushes).
        pub(crate) fn unix_poll_close(
            io: &UnixStream,
            _cx: &mut Context<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(io.0.get_ref().shutdown(Shutdown::Write))
        }
    };
}

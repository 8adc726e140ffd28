//! Sockets on async-io's reactor, which smol and async-std both drive: one implementation,
//! expanded in each of the two backend modules (`async_io_net!()`). Each expansion declares its
//! own wrapper types, so that the native socket enums (`rt/net.rs`, `rt/net_unix.rs`) tell a
//! smol socket from an async-std one by its type.

macro_rules! async_io_net {
    () => {
        use async_io::Async;
        use futures_io::{AsyncRead as _, AsyncWrite as _};
        use std::io;
        use std::net::{Shutdown, SocketAddr};
        use std::pin::Pin;
        use std::sync::Arc;
        use std::task::{Context, Poll, ready};

        /// A TCP listener on async-io's reactor.
        #[derive(Debug)]
        pub(crate) struct TcpListener(Async<std::net::TcpListener>);
        /// A TCP stream on async-io's reactor; its halves share it, as `&Async<_>` reads and
        /// writes.
        #[derive(Debug)]
        pub(crate) struct TcpStream(Arc<Async<std::net::TcpStream>>);
        /// The read half of a split stream.
        pub(crate) type ReadHalf = TcpStream;
        /// The write half of a split stream.
        pub(crate) type WriteHalf = TcpStream;
        /// A UDP socket on async-io's reactor.
        #[derive(Debug)]
        pub(crate) struct UdpSocket(Async<std::net::UdpSocket>);

        /// Polls a non-blocking call until it stops answering `WouldBlock`, waiting for the
        /// readiness `poll_ready` reports in between.
        fn poll_io<T>(
            cx: &mut Context<'_>,
            mut call: impl FnMut() -> io::Result<T>,
            mut poll_ready: impl FnMut(&mut Context<'_>) -> Poll<io::Result<()>>,
        ) -> Poll<io::Result<T>> {
            loop {
                match call() {
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                        ready!(poll_ready(cx))?;
                    }
                    done => return Poll::Ready(done),
                }
            }
        }

        /// Binds a TCP listener.
        #[allow(clippy::unused_async)] // async like its siblings in the tokio backend
        pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
            Async::<std::net::TcpListener>::bind(addr).map(TcpListener)
        }

        /// Accepts one connection.
        pub(crate) async fn tcp_accept(
            listener: &TcpListener,
        ) -> io::Result<(TcpStream, SocketAddr)> {
            std::future::poll_fn(|cx| tcp_poll_accept(listener, cx)).await
        }

        /// Accepts one connection, if one is waiting; else registers `cx` for the next.
        pub(crate) fn tcp_poll_accept(
            listener: &TcpListener,
            cx: &mut Context<'_>,
        ) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
            let (stream, peer) = ready!(poll_io(
                cx,
                || listener.0.get_ref().accept(),
                |cx| listener.0.poll_readable(cx)
            ))?;
            Poll::Ready(tcp_stream_from_std(stream).map(|stream| (stream, peer)))
        }

        /// Connects to `addr`.
        pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
            let stream = Async::<std::net::TcpStream>::connect(addr).await?;
            Ok(TcpStream(Arc::new(stream)))
        }

        /// A listener of the application's own, registered with the reactor.
        pub(crate) fn tcp_listener_from_std(
            listener: std::net::TcpListener,
        ) -> io::Result<TcpListener> {
            Async::new(listener).map(TcpListener)
        }

        /// A stream of the application's own, registered with the reactor.
        pub(crate) fn tcp_stream_from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
            Async::new(stream).map(|stream| TcpStream(Arc::new(stream)))
        }

        /// Splits a stream into halves that may move to different tasks.
        pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
            (TcpStream(Arc::clone(&stream.0)), stream)
        }

        /// Shuts the write direction down, as tokio's write half does when it drops.
        pub(crate) fn write_half_dropped(half: &mut WriteHalf) {
            let _ = half.0.get_ref().shutdown(Shutdown::Write);
        }

        /// A listener's address.
        pub(crate) fn listener_local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
            listener.0.get_ref().local_addr()
        }

        /// A stream's (or a half's) local and peer addresses (`peer = true` for the peer's).
        pub(crate) fn stream_addr(stream: &TcpStream, peer: bool) -> io::Result<SocketAddr> {
            if peer {
                stream.0.get_ref().peer_addr()
            } else {
                stream.0.get_ref().local_addr()
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
            stream.0.get_ref().set_nodelay(on)
        }

        /// Reads `TCP_NODELAY`.
        pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
            stream.0.get_ref().nodelay()
        }

        /// Reads into `buf` (a stream or either half).
        pub(crate) fn poll_read(
            io: &TcpStream,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut &*io.0).poll_read(cx, buf)
        }

        /// Writes from `buf`.
        pub(crate) fn poll_write(
            io: &TcpStream,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut &*io.0).poll_write(cx, buf)
        }

        /// Writes from `bufs` in one system call (`writev`).
        pub(crate) fn poll_write_vectored(
            io: &TcpStream,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut &*io.0).poll_write_vectored(cx, bufs)
        }

        /// Flushes (a no-op for TCP, kept for the traits).
        pub(crate) fn poll_flush(io: &TcpStream, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut &*io.0).poll_flush(cx)
        }

        /// Shuts the write direction down. Not async-io's `poll_close`, which only flushes: the
        /// peer must read the end of the stream, as under tokio.
        pub(crate) fn poll_close(io: &TcpStream, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(io.0.get_ref().shutdown(Shutdown::Write))
        }

        /// Binds a UDP socket.
        #[allow(clippy::unused_async)] // async like its siblings in the tokio backend
        pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
            Async::<std::net::UdpSocket>::bind(addr).map(UdpSocket)
        }

        /// A UDP socket of the application's own, registered with the reactor.
        pub(crate) fn udp_from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
            Async::new(socket).map(UdpSocket)
        }

        /// Sends one datagram.
        pub(crate) async fn udp_send_to(
            socket: &UdpSocket,
            buf: &[u8],
            to: SocketAddr,
        ) -> io::Result<usize> {
            socket.0.send_to(buf, to).await
        }

        /// Receives one datagram.
        pub(crate) async fn udp_recv_from(
            socket: &UdpSocket,
            buf: &mut [u8],
        ) -> io::Result<(usize, SocketAddr)> {
            socket.0.recv_from(buf).await
        }

        /// Sends one datagram if the socket can take it; else registers `cx`.
        pub(crate) fn udp_poll_send_to(
            socket: &UdpSocket,
            cx: &mut Context<'_>,
            buf: &[u8],
            to: SocketAddr,
        ) -> Poll<io::Result<usize>> {
            poll_io(
                cx,
                || socket.0.get_ref().send_to(buf, to),
                |cx| socket.0.poll_writable(cx),
            )
        }

        /// Receives one datagram if one is waiting; else registers `cx`.
        pub(crate) fn udp_poll_recv_from(
            socket: &UdpSocket,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<(usize, SocketAddr)>> {
            poll_io(
                cx,
                || socket.0.get_ref().recv_from(buf),
                |cx| socket.0.poll_readable(cx),
            )
        }

        /// A UDP socket's address.
        pub(crate) fn udp_local_addr(socket: &UdpSocket) -> io::Result<SocketAddr> {
            socket.0.get_ref().local_addr()
        }

        #[cfg(unix)]
        mod fd {
            use std::os::fd::{AsFd, BorrowedFd};

            impl AsFd for super::TcpListener {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    self.0.as_fd()
                }
            }
            impl AsFd for super::TcpStream {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    self.0.as_fd()
                }
            }
            impl AsFd for super::UdpSocket {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    self.0.as_fd()
                }
            }
            impl AsFd for super::UnixListener {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    self.0.as_fd()
                }
            }
            impl AsFd for super::UnixStream {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    self.0.as_fd()
                }
            }
        }

        #[cfg(unix)]
        pub(crate) use unix::*;

        /// Unix domain sockets on async-io's reactor.
        #[cfg(unix)]
        mod unix {
            use async_io::Async;
            use futures_io::{AsyncRead as _, AsyncWrite as _};
            use std::io;
            use std::net::Shutdown;
            use std::os::unix::net::{self as std_unix, SocketAddr};
            use std::path::Path;
            use std::pin::Pin;
            use std::sync::Arc;
            use std::task::{Context, Poll, ready};

            use super::poll_io;

            /// A Unix listener on async-io's reactor.
            #[derive(Debug)]
            pub(crate) struct UnixListener(pub(super) Async<std_unix::UnixListener>);
            /// A Unix stream on async-io's reactor, shared by its halves.
            #[derive(Debug)]
            pub(crate) struct UnixStream(pub(super) Arc<Async<std_unix::UnixStream>>);
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
                std::future::poll_fn(|cx| unix_poll_accept(listener, cx)).await
            }

            /// Accepts one connection, if one is waiting; else registers `cx` for the next.
            pub(crate) fn unix_poll_accept(
                listener: &UnixListener,
                cx: &mut Context<'_>,
            ) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
                let (stream, peer) = ready!(poll_io(
                    cx,
                    || listener.0.get_ref().accept(),
                    |cx| listener.0.poll_readable(cx)
                ))?;
                Poll::Ready(unix_stream_from_std(stream).map(|stream| (stream, peer)))
            }

            /// Connects to the listener at `path`.
            pub(crate) async fn unix_connect(path: &Path) -> io::Result<UnixStream> {
                let stream = Async::<std_unix::UnixStream>::connect(path).await?;
                Ok(UnixStream(Arc::new(stream)))
            }

            /// A listener of the application's own, registered with the reactor.
            pub(crate) fn unix_listener_from_std(
                listener: std_unix::UnixListener,
            ) -> io::Result<UnixListener> {
                Async::new(listener).map(UnixListener)
            }

            /// A stream of the application's own, registered with the reactor.
            pub(crate) fn unix_stream_from_std(
                stream: std_unix::UnixStream,
            ) -> io::Result<UnixStream> {
                Async::new(stream).map(|stream| UnixStream(Arc::new(stream)))
            }

            /// Splits a stream into halves that may move to different tasks.
            pub(crate) fn unix_split(stream: UnixStream) -> (UnixReadHalf, UnixWriteHalf) {
                (UnixStream(Arc::clone(&stream.0)), stream)
            }

            /// Shuts the write direction down, as tokio's write half does when it drops.
            pub(crate) fn unix_write_half_dropped(half: &mut UnixWriteHalf) {
                let _ = half.0.get_ref().shutdown(Shutdown::Write);
            }

            /// A listener's address.
            pub(crate) fn unix_listener_addr(listener: &UnixListener) -> io::Result<SocketAddr> {
                listener.0.get_ref().local_addr()
            }

            /// A stream's (or a half's) local and peer addresses.
            pub(crate) fn unix_stream_addr(
                stream: &UnixStream,
                peer: bool,
            ) -> io::Result<SocketAddr> {
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

            /// Writes from `bufs` in one system call (`writev`).
            pub(crate) fn unix_poll_write_vectored(
                io: &UnixStream,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*io.0).poll_write_vectored(cx, bufs)
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
        }
    };
}

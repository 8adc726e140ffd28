//! `TcpStream`: a TCP connection on the backend that made it.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::addr::each_addr;
use super::{OwnedReadHalf, OwnedWriteHalf, ToSocketAddrs};
use crate::rt::{self, Runtime};

/// A TCP connection.
///
/// Made by [`connect`](TcpStream::connect) or [`TcpListener::accept`](super::TcpListener::accept)
/// on the backend running the caller, and driven by that backend's reactor (see [the module
/// docs](crate::net)). It implements `futures_io::AsyncRead + AsyncWrite` on every backend (and
/// tokio's traits with the `tokio` feature); `poll_close` shuts the write direction down.
/// `Send + Sync`; to read and write from two tasks, [`into_split`](TcpStream::into_split) it.
///
/// # Examples
///
/// ```
/// use txaio::net::{TcpListener, TcpStream};
///
/// # #[txaio::main]
/// # async fn main() -> Result<(), std::io::Error> {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = TcpStream::connect(listener.local_addr()?).await?;
/// let (mut server, _) = listener.accept().await?;
/// client.write_all(b"ping").await?;
/// client.shutdown_write().await?;
/// let mut received = Vec::new();
/// let mut buf = [0; 16];
/// loop {
///     match server.read(&mut buf).await? {
///         0 => break, // the client shut its write direction down
///         n => received.extend_from_slice(&buf[..n]),
///     }
/// }
/// assert_eq!(received, b"ping");
/// # Ok(())
/// # }
/// ```
pub struct TcpStream {
    inner: rt::net::Stream,
}

impl TcpStream {
    pub(crate) fn from_native(inner: rt::net::Stream) -> Self {
        TcpStream { inner }
    }

    /// Connects to `addr`, on the backend running the caller.
    ///
    /// For a deadline, wrap it: `txaio::with_timeout(after, TcpStream::connect(addr))`.
    ///
    /// # Errors
    ///
    /// The operating system's, unchanged: nobody listening is
    /// [`io::ErrorKind::ConnectionRefused`] on every backend.
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime (the message names the fix).
    ///
    /// # Cancellation
    ///
    /// Dropping the future abandons the attempt and closes the half-open socket.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use txaio::net::{TcpListener, TcpStream};
    ///
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = listener.local_addr()?;
    /// let stream = TcpStream::connect(addr).await?;
    /// assert_eq!(stream.peer_addr()?, addr);
    ///
    /// drop((stream, listener)); // nobody listens there any more
    /// let refused = TcpStream::connect(addr).await.unwrap_err();
    /// assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let inner = each_addr(&addr, rt::net::Stream::connect).await?;
        Ok(TcpStream::from_native(inner))
    }

    /// A connection the application made itself, registered with the reactor of the backend
    /// running the caller. It is put in non-blocking mode.
    ///
    /// # Errors
    ///
    /// The operating system's, from registering the socket.
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime (the message names the fix).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// // A connection made elsewhere (blocking code, a connection pool, FFI):
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let mut stream = txaio::net::TcpStream::from_std(std_stream)?;
    /// stream.write_all(b"adopted").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream::from_native(rt::net::Stream::from_std(stream)?))
    }

    /// Reads what is available into `buf`, waiting until at least one byte is; `Ok(0)` is the
    /// end of the stream (the peer shut its write direction down or closed).
    ///
    /// # Errors
    ///
    /// The operating system's, e.g. [`io::ErrorKind::ConnectionReset`].
    ///
    /// # Cancellation
    ///
    /// Cancel-safe: dropping the future before it completes loses no data.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (mut server, _) = listener.accept().await?;
    /// server.write_all(b"x").await?;
    /// let mut buf = [0; 8];
    /// assert_eq!(client.read(&mut buf).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_read(cx, buf)).await
    }

    /// Writes some of `buf`, waiting until the socket takes at least one byte; returns how
    /// many it took.
    ///
    /// # Errors
    ///
    /// The operating system's, e.g. [`io::ErrorKind::BrokenPipe`].
    ///
    /// # Cancellation
    ///
    /// Cancel-safe: if the future is dropped before it completes, nothing was written.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = TcpStream::connect(listener.local_addr()?).await?;
    /// let written = client.write(b"hello").await?;
    /// assert!((1..=5).contains(&written));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_write(cx, buf)).await
    }

    /// Writes all of `buf`.
    ///
    /// # Errors
    ///
    /// The operating system's, or [`io::ErrorKind::WriteZero`] if the socket took nothing.
    ///
    /// # Cancellation
    ///
    /// Not cancel-safe: dropping the future may leave a prefix of `buf` written.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = TcpStream::connect(listener.local_addr()?).await?;
    /// client.write_all(b"HELLO\n").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        write_all(buf, |cx, rest| self.inner.poll_write(cx, rest)).await
    }

    /// Shuts the write direction down: the peer reads the end of the stream (`Ok(0)`) once it
    /// has read everything written before. Reading goes on.
    ///
    /// # Errors
    ///
    /// The operating system's, e.g. [`io::ErrorKind::NotConnected`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = TcpStream::connect(listener.local_addr()?).await?;
    /// let (mut server, _) = listener.accept().await?;
    /// client.shutdown_write().await?;
    /// assert_eq!(server.read(&mut [0; 8]).await?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.inner.poll_close(cx)).await
    }

    /// The address of the peer.
    ///
    /// # Errors
    ///
    /// The operating system's, e.g. [`io::ErrorKind::NotConnected`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let client = TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(client.peer_addr()?, listener.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(true)
    }

    /// The local address of this end.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let client = TcpStream::connect(listener.local_addr()?).await?;
    /// let (_, peer) = listener.accept().await?;
    /// assert_eq!(client.local_addr()?, peer);
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(false)
    }

    /// Sets `TCP_NODELAY`: `true` sends small writes at once instead of coalescing them
    /// (Nagle's algorithm off), what request/response and ping/pong protocols want.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let client = TcpStream::connect(listener.local_addr()?).await?;
    /// client.set_nodelay(true)?;
    /// assert!(client.nodelay()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.inner.set_nodelay(on)
    }

    /// Reads `TCP_NODELAY` (see [`set_nodelay`](TcpStream::set_nodelay)).
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let client = TcpStream::connect(listener.local_addr()?).await?;
    /// client.set_nodelay(false)?;
    /// assert!(!client.nodelay()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Splits the stream into a read half and a write half, each `Send + Sync + 'static`, so
    /// that one task reads while another writes. Dropping the write half shuts the write
    /// direction down (as tokio's does); the socket closes when both halves are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (mut server, _) = listener.accept().await?;
    /// let (mut reader, mut writer) = client.into_split();
    /// let writing = txaio::spawn(async move { writer.write_all(b"hi").await });
    /// let mut buf = [0; 2];
    /// let mut got = 0;
    /// while got < 2 {
    ///     got += server.read(&mut buf[got..]).await?;
    /// }
    /// server.write_all(&buf).await?;
    /// assert_eq!(reader.read(&mut [0; 2]).await?, 2);
    /// writing.await.unwrap();
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let (read, write) = self.inner.split();
        (OwnedReadHalf::new(read), OwnedWriteHalf::new(write))
    }

    /// The backend this stream belongs to, which drives it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let client = TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(client.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

/// Writes all of `buf` through `poll_write`, the loop behind every `write_all`.
pub(crate) async fn write_all(
    mut buf: &[u8],
    mut poll_write: impl FnMut(&mut Context<'_>, &[u8]) -> Poll<io::Result<usize>>,
) -> io::Result<()> {
    while !buf.is_empty() {
        let written = poll_fn(|cx| poll_write(cx, buf)).await?;
        if written == 0 {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "the socket accepted no more bytes",
            ));
        }
        buf = &buf[written..];
    }
    Ok(())
}

impl futures_io::AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_read(cx, buf)
    }
}

impl futures_io::AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_close(cx)
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("TcpStream");
        debug.field("runtime", &self.runtime());
        if let Ok(addr) = self.local_addr() {
            debug.field("local_addr", &addr);
        }
        if let Ok(addr) = self.peer_addr() {
            debug.field("peer_addr", &addr);
        }
        debug.finish()
    }
}

fd_traits!(TcpStream);

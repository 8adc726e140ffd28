//! The owned halves of a split `TcpStream`, for reading and writing from two tasks.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::tcp_stream::write_all;
use crate::rt::{self, Runtime};

/// The read half of a [`TcpStream`](super::TcpStream), made by
/// [`into_split`](super::TcpStream::into_split).
///
/// `Send + Sync + 'static`; implements `futures_io::AsyncRead` (and tokio's with the `tokio`
/// feature).
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
/// let (server, _) = listener.accept().await?;
/// let (mut reader, _writer) = server.into_split();
/// let reading = txaio::spawn(async move {
///     let mut buf = [0; 4];
///     let n = reader.read(&mut buf).await?;
///     Ok::<_, std::io::Error>(buf[..n].to_vec())
/// });
/// client.write_all(b"ping").await?;
/// assert!(b"ping".starts_with(&reading.take().await.unwrap()));
/// # Ok(())
/// # }
/// ```
pub struct OwnedReadHalf {
    inner: rt::net::ReadHalf,
}

/// The write half of a [`TcpStream`](super::TcpStream), made by
/// [`into_split`](super::TcpStream::into_split).
///
/// `Send + Sync + 'static`; implements `futures_io::AsyncWrite` (and tokio's with the `tokio`
/// feature). Dropping it shuts the write direction down, as tokio's write half does, so the
/// peer reads the end of the stream.
///
/// # Examples
///
/// ```
/// use txaio::net::{TcpListener, TcpStream};
///
/// # #[txaio::main]
/// # async fn main() -> Result<(), std::io::Error> {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let client = TcpStream::connect(listener.local_addr()?).await?;
/// let (mut server, _) = listener.accept().await?;
/// let (_reader, mut writer) = client.into_split();
/// txaio::spawn(async move { writer.write_all(b"bye").await }).await.unwrap();
/// // The task dropped the write half: the server reads "bye", then the end of the stream.
/// let mut received = Vec::new();
/// let mut buf = [0; 8];
/// loop {
///     match server.read(&mut buf).await? {
///         0 => break,
///         n => received.extend_from_slice(&buf[..n]),
///     }
/// }
/// assert_eq!(received, b"bye");
/// # Ok(())
/// # }
/// ```
pub struct OwnedWriteHalf {
    inner: rt::net::WriteHalf,
}

impl OwnedReadHalf {
    pub(crate) fn new(inner: rt::net::ReadHalf) -> Self {
        OwnedReadHalf { inner }
    }

    /// Reads what is available into `buf`, as [`TcpStream::read`](super::TcpStream::read).
    ///
    /// # Errors
    ///
    /// The operating system's.
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
    /// # let client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (mut server, _) = listener.accept().await?;
    /// let (mut reader, _writer) = client.into_split();
    /// server.write_all(b"x").await?;
    /// assert_eq!(reader.read(&mut [0; 8]).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_read(cx, buf)).await
    }

    /// The address of the peer.
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
    /// let (reader, _writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(reader.peer_addr()?, listener.local_addr()?);
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
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let (reader, writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(reader.local_addr()?, writer.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(false)
    }

    /// The backend the stream belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let (reader, _) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(reader.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

impl OwnedWriteHalf {
    pub(crate) fn new(inner: rt::net::WriteHalf) -> Self {
        OwnedWriteHalf { inner }
    }

    /// Writes some of `buf`, as [`TcpStream::write`](super::TcpStream::write).
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
    /// let (_reader, mut writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert!(writer.write(b"abc").await? >= 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_write(cx, buf)).await
    }

    /// Writes all of `buf`, as [`TcpStream::write_all`](super::TcpStream::write_all).
    ///
    /// # Errors
    ///
    /// The operating system's, or [`io::ErrorKind::WriteZero`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let (_reader, mut writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// writer.write_all(b"PING\n").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        write_all(buf, |cx, rest| self.inner.poll_write(cx, rest)).await
    }

    /// Shuts the write direction down, as
    /// [`TcpStream::shutdown_write`](super::TcpStream::shutdown_write); the read half reads on.
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
    /// let (_reader, mut writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// let (mut server, _) = listener.accept().await?;
    /// writer.shutdown_write().await?;
    /// assert_eq!(server.read(&mut [0; 4]).await?, 0);
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
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let (_reader, writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(writer.peer_addr()?, listener.local_addr()?);
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
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let (_reader, writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert!(writer.local_addr()?.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(false)
    }

    /// The backend the stream belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::{TcpListener, TcpStream};
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let (_, writer) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(writer.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

impl futures_io::AsyncRead for OwnedReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_read(cx, buf)
    }
}

impl futures_io::AsyncWrite for OwnedWriteHalf {
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

fn debug_half(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    runtime: Runtime,
    local: &io::Result<SocketAddr>,
    peer: &io::Result<SocketAddr>,
) -> fmt::Result {
    let mut debug = f.debug_struct(name);
    debug.field("runtime", &runtime);
    if let Ok(addr) = local {
        debug.field("local_addr", &addr);
    }
    if let Ok(addr) = peer {
        debug.field("peer_addr", &addr);
    }
    debug.finish()
}

impl fmt::Debug for OwnedReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_half(
            f,
            "OwnedReadHalf",
            self.runtime(),
            &self.local_addr(),
            &self.peer_addr(),
        )
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_half(
            f,
            "OwnedWriteHalf",
            self.runtime(),
            &self.local_addr(),
            &self.peer_addr(),
        )
    }
}

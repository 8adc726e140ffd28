//! Unix domain sockets: [`UnixListener`] and [`UnixStream`] on the backend running the caller,
//! and the [owned halves](OwnedReadHalf) of a split stream.
//!
//! Like the TCP types: each wraps the native socket of the backend that made it (tokio's own
//! under tokio, async-io's under smol and async-std), implements the `futures-io` traits (and
//! tokio's with the `tokio` feature), and is `Send + Sync`.
//!
//! # Examples
//!
//! ```
//! use txaio::net::{UnixListener, UnixStream};
//!
//! # #[txaio::main]
//! # async fn main() -> std::io::Result<()> {
//! let dir = std::env::temp_dir().join(format!("txaio-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("echo.sock");
//! # let _ = std::fs::remove_file(&path);
//! let listener = UnixListener::bind(&path)?;
//! let mut client = UnixStream::connect(&path).await?;
//! let (mut server, _peer) = listener.accept().await?;
//! client.write_all(b"ping").await?;
//! client.shutdown_write().await?;
//! let mut buf = [0; 4];
//! let mut got = 0;
//! while got < 4 {
//!     got += server.read(&mut buf[got..]).await?;
//! }
//! assert_eq!(&buf, b"ping");
//! assert_eq!(server.read(&mut buf).await?, 0); // the client shut its write direction down
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::tcp_stream::write_all;
use crate::rt::{self, Runtime};

/// A Unix domain socket server, listening for connections on a path.
///
/// Bound on the backend running the caller; the streams it accepts belong to that backend
/// too. The socket file stays after the listener drops (as with std and tokio): remove it
/// before binding the same path again.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("s.sock");
/// # let _ = std::fs::remove_file(&path);
/// let listener = txaio::net::UnixListener::bind(&path)?;
/// let _client = txaio::net::UnixStream::connect(&path).await?;
/// let (_server, _peer) = listener.accept().await?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
pub struct UnixListener {
    inner: rt::net_unix::Listener,
}

impl UnixListener {
    /// Binds a listener to the socket file at `path`, which must not exist yet (tokio's
    /// `bind`, synchronous like it).
    ///
    /// # Errors
    ///
    /// The operating system's: [`io::ErrorKind::AddrInUse`] when the file exists,
    /// [`io::ErrorKind::NotFound`] when its directory does not.
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime (the message names the fix).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() {
    /// let error = txaio::net::UnixListener::bind("/nonexistent-dir/x.sock").unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    /// # }
    /// ```
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        let inner = rt::net_unix::Listener::bind(path.as_ref())?;
        Ok(UnixListener { inner })
    }

    /// A listener the application bound itself (or was handed by a service manager),
    /// registered with the reactor of the backend running the caller; put in non-blocking
    /// mode.
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
    /// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("s.sock");
    /// # let _ = std::fs::remove_file(&path);
    /// let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
    /// let listener = txaio::net::UnixListener::from_std(std_listener)?;
    /// let _client = txaio::net::UnixStream::connect(&path).await?;
    /// let (_server, _peer) = listener.accept().await?;
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        let inner = rt::net_unix::Listener::from_std(listener)?;
        Ok(UnixListener { inner })
    }

    /// Accepts a connection if one is waiting; otherwise registers `cx` to be woken when one
    /// may be, and returns `Poll::Pending` (as [`TcpListener::poll_accept`](crate::net::TcpListener::poll_accept)).
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("s.sock");
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = txaio::net::UnixListener::bind(&path)?;
    /// let _client = txaio::net::UnixStream::connect(&path).await?;
    /// let (_server, _peer) = std::future::poll_fn(|cx| listener.poll_accept(cx)).await?;
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        self.inner
            .poll_accept(cx)
            .map_ok(|(stream, peer)| (UnixStream { inner: stream }, peer))
    }

    /// Accepts a connection: the stream, and the peer's address (usually unnamed).
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Cancellation
    ///
    /// Cancel safe: dropping the future before it completes accepts nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("s.sock");
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = txaio::net::UnixListener::bind(&path)?;
    /// let client = txaio::net::UnixStream::connect(&path).await?;
    /// let (server, _peer) = listener.accept().await?;
    /// assert_eq!(server.runtime(), client.runtime());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, peer) = self.inner.accept().await?;
        Ok((UnixStream { inner: stream }, peer))
    }

    /// The address this listener is bound to (its path).
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("s.sock");
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = txaio::net::UnixListener::bind(&path)?;
    /// assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The backend this listener belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("s.sock");
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = txaio::net::UnixListener::bind(&path)?;
    /// assert_eq!(listener.runtime(), txaio::current_runtime());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("UnixListener");
        debug.field("runtime", &self.runtime());
        if let Ok(addr) = self.local_addr() {
            debug.field("local_addr", &addr);
        }
        debug.finish()
    }
}

/// A Unix domain socket connection.
///
/// Made by [`connect`](UnixStream::connect) or [`UnixListener::accept`]; implements
/// `futures_io::AsyncRead + AsyncWrite` on every backend, like
/// [`TcpStream`](crate::net::TcpStream), whose methods it shares. `poll_close` shuts the write
/// direction down. To read and write from two tasks, [`into_split`](UnixStream::into_split) it.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
/// stream.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// let mut got = 0;
/// while got < 4 {
///     got += peer.read(&mut buf[got..]).await?;
/// }
/// assert_eq!(&buf, b"ping");
/// # Ok(())
/// # }
/// ```
pub struct UnixStream {
    inner: rt::net_unix::Stream,
}

impl UnixStream {
    /// Connects to the listener at `path`, on the backend running the caller.
    ///
    /// # Errors
    ///
    /// The operating system's: [`io::ErrorKind::NotFound`] for a path with no socket,
    /// [`io::ErrorKind::ConnectionRefused`] for a socket file nobody listens on.
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime (the message names the fix).
    ///
    /// # Cancellation
    ///
    /// Dropping the future abandons the attempt and closes the socket.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("txaio-doc-l-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # let path = dir.join("s.sock");
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = txaio::net::UnixListener::bind(&path)?;
    /// let stream = txaio::net::UnixStream::connect(&path).await?;
    /// assert_eq!(stream.peer_addr()?.as_pathname(), Some(path.as_path()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        let inner = rt::net_unix::Stream::connect(path.as_ref()).await?;
        Ok(UnixStream { inner })
    }

    /// A connection the application made itself (`std::os::unix::net::UnixStream::pair`, a
    /// socket handed over by a parent process), registered with the reactor of the backend
    /// running the caller; put in non-blocking mode.
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
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// let (mut a, mut b) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// a.write_all(b"x").await?;
    /// let mut buf = [0; 1];
    /// assert_eq!(b.read(&mut buf).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        let inner = rt::net_unix::Stream::from_std(stream)?;
        Ok(UnixStream { inner })
    }

    /// Reads into `buf`: the number of bytes read, `0` at the end of the stream.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Cancellation
    ///
    /// Cancel safe: dropping the future before it completes reads nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// peer.write_all(b"hi").await?;
    /// let mut buf = [0; 2];
    /// let n = stream.read(&mut buf).await?;
    /// assert!(n > 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_read(cx, buf)).await
    }

    /// Writes some of `buf`: the number of bytes written.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Cancellation
    ///
    /// Cancel safe: dropping the future before it completes writes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let written = stream.write(b"hello").await?;
    /// assert!(written > 0);
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
    /// The operating system's; [`io::ErrorKind::WriteZero`] if the socket takes no more.
    ///
    /// # Cancellation
    ///
    /// Not cancel safe: dropping the future may leave a prefix of `buf` written.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// stream.write_all(b"hello").await?;
    /// let mut buf = [0; 5];
    /// let mut got = 0;
    /// while got < 5 {
    ///     got += peer.read(&mut buf[got..]).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        write_all(buf, |cx, rest| self.inner.poll_write(cx, rest)).await
    }

    /// Shuts the write direction down: the peer reads the end of the stream.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// stream.shutdown_write().await?;
    /// assert_eq!(peer.read(&mut [0; 8]).await?, 0); // the end of the stream
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.inner.poll_close(cx)).await
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// assert!(stream.peer_addr()?.as_pathname().is_none()); // a pair is unnamed
    /// # Ok(())
    /// # }
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(true)
    }

    /// This end's address.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// assert!(stream.local_addr()?.is_unnamed());
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(false)
    }

    /// Splits the stream into a read half and a write half that may move to different tasks.
    /// Dropping the write half shuts the write direction down.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (mut reader, mut writer) = stream.into_split();
    /// writer.write_all(b"x").await?;
    /// peer.write_all(b"y").await?;
    /// assert_eq!(reader.read(&mut [0; 1]).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let (read, write) = self.inner.split();
        (
            OwnedReadHalf { inner: read },
            OwnedWriteHalf { inner: write },
        )
    }

    /// The backend this stream belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// assert_eq!(stream.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

/// The read half of a [`UnixStream`], from [`UnixStream::into_split`].
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
/// let (mut reader, _writer) = stream.into_split();
/// peer.write_all(b"x").await?;
/// assert_eq!(reader.read(&mut [0; 1]).await?, 1);
/// # Ok(())
/// # }
/// ```
pub struct OwnedReadHalf {
    inner: rt::net_unix::ReadHalf,
}

impl OwnedReadHalf {
    /// Reads into `buf`, as [`UnixStream::read`].
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (mut reader, _writer) = stream.into_split();
    /// peer.write_all(b"x").await?;
    /// assert_eq!(reader.read(&mut [0; 1]).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_read(cx, buf)).await
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (reader, _writer) = stream.into_split();
    /// assert!(reader.peer_addr().is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(true)
    }

    /// The backend this half belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (reader, _writer) = stream.into_split();
    /// assert_eq!(reader.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

/// The write half of a [`UnixStream`], from [`UnixStream::into_split`]. Dropping it shuts the
/// write direction down.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
/// let (_reader, writer) = stream.into_split();
/// drop(writer);
/// assert_eq!(peer.read(&mut [0; 1]).await?, 0);
/// # Ok(())
/// # }
/// ```
pub struct OwnedWriteHalf {
    inner: rt::net_unix::WriteHalf,
}

impl OwnedWriteHalf {
    /// Writes some of `buf`, as [`UnixStream::write`].
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (_reader, mut writer) = stream.into_split();
    /// assert!(writer.write(b"x").await? > 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_write(cx, buf)).await
    }

    /// Writes all of `buf`, as [`UnixStream::write_all`].
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (_reader, mut writer) = stream.into_split();
    /// writer.write_all(b"x").await?;
    /// assert_eq!(peer.read(&mut [0; 1]).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        write_all(buf, |cx, rest| self.inner.poll_write(cx, rest)).await
    }

    /// Shuts the write direction down.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (_reader, mut writer) = stream.into_split();
    /// writer.shutdown_write().await?;
    /// assert_eq!(peer.read(&mut [0; 1]).await?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.inner.poll_close(cx)).await
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (_reader, writer) = stream.into_split();
    /// assert!(writer.peer_addr().is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.addr(true)
    }

    /// The backend this half belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// # let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// # let (mut stream, mut peer) = (txaio::net::UnixStream::from_std(a)?, txaio::net::UnixStream::from_std(b)?);
    /// let (_reader, writer) = stream.into_split();
    /// assert_eq!(writer.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

macro_rules! futures_io_read {
    ($($type:ty),*) => {$(
        impl futures_io::AsyncRead for $type {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().inner.poll_read(cx, buf)
            }
        }
    )*};
}

macro_rules! futures_io_write {
    ($($type:ty),*) => {$(
        impl futures_io::AsyncWrite for $type {
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
    )*};
}

futures_io_read!(UnixStream, OwnedReadHalf);
futures_io_write!(UnixStream, OwnedWriteHalf);

macro_rules! debug_by_addresses {
    ($($type:ident),*) => {$(
        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut debug = f.debug_struct(stringify!($type));
                debug.field("runtime", &self.runtime());
                if let Ok(addr) = self.peer_addr() {
                    debug.field("peer_addr", &addr);
                }
                debug.finish()
            }
        }
    )*};
}

debug_by_addresses!(UnixStream, OwnedReadHalf, OwnedWriteHalf);

fd_traits!(UnixListener, UnixStream);

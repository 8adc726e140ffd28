//! `TcpListener`: accepts TCP connections on the backend that bound it.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use super::addr::each_addr;
use super::{TcpStream, ToSocketAddrs};
use crate::rt::{self, Runtime};

/// A TCP socket server, listening for connections.
///
/// Bound on the backend running the caller (see [the module docs](crate::net)); the streams it
/// accepts belong to that backend too. `Send + Sync`: share it in an `Arc` to accept from
/// several tasks.
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
/// let (server_side, peer) = listener.accept().await?;
/// assert_eq!(peer, client.local_addr()?);
/// assert_eq!(server_side.peer_addr()?, client.local_addr()?);
/// # Ok(())
/// # }
/// ```
pub struct TcpListener {
    inner: rt::net::Listener,
}

impl TcpListener {
    /// Binds a listener to `addr` (port 0 picks a free port: read it with
    /// [`local_addr`](TcpListener::local_addr)).
    ///
    /// # Errors
    ///
    /// The operating system's, e.g. [`io::ErrorKind::AddrInUse`].
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime (the message names the fix).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert_ne!(listener.local_addr()?.port(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let inner = each_addr(&addr, rt::net::Listener::bind).await?;
        Ok(TcpListener { inner })
    }

    /// A listener the application bound itself (with socket options std does not set, or
    /// handed over by a service manager), registered with the reactor of the backend running
    /// the caller. It is put in non-blocking mode.
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
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let listener = txaio::net::TcpListener::from_std(std_listener)?;
    /// let _client = txaio::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (_server, _peer) = listener.accept().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        let inner = rt::net::Listener::from_std(listener)?;
        Ok(TcpListener { inner })
    }

    /// Accepts a connection if one is waiting; otherwise registers `cx` to be woken when one
    /// may be, and returns `Poll::Pending`. For runtime traits that accept by polling (hyper's
    /// server helpers, libp2p's `Provider`); an `async` caller uses [`accept`](Self::accept).
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
    /// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let _client = txaio::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (_server, _peer) = std::future::poll_fn(|cx| listener.poll_accept(cx)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.inner
            .poll_accept(cx)
            .map_ok(|(stream, peer)| (TcpStream::from_native(stream), peer))
    }

    /// Waits for the next connection; returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// The operating system's (e.g. too many open files); the listener stays usable.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes accepts nothing: a pending connection waits
    /// for the next `accept`.
    ///
    /// # Examples
    ///
    /// ```
    /// use txaio::net::{TcpListener, TcpStream};
    ///
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let _client = TcpStream::connect(listener.local_addr()?).await?;
    /// let (stream, peer) = listener.accept().await?;
    /// assert_eq!(stream.peer_addr()?, peer);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.inner.accept().await?;
        Ok((TcpStream::from_native(stream), peer))
    }

    /// The address this listener is bound to.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(listener.local_addr()?.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The backend this listener was bound on, which drives it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert_eq!(listener.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("TcpListener");
        debug.field("runtime", &self.runtime());
        if let Ok(addr) = self.local_addr() {
            debug.field("local_addr", &addr);
        }
        debug.finish()
    }
}

fd_traits!(TcpListener);

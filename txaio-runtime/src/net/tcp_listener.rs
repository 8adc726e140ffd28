//! `TcpListener`: accepts TCP connections on the backend that bound it.

use std::fmt;
use std::io;
use std::net::SocketAddr;

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

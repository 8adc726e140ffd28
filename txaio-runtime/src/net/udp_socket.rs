//! `UdpSocket`: datagrams on the backend that bound it.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use super::ToSocketAddrs;
use super::addr::each_addr;
use crate::rt::{self, Runtime};

/// A UDP socket.
///
/// Bound on the backend running the caller (see [the module docs](crate::net)). Its methods
/// take `&self` and it is `Send + Sync`: share it in an `Arc` to send from one task while
/// another receives.
///
/// # Examples
///
/// ```
/// use txaio::net::UdpSocket;
///
/// # #[txaio::main]
/// # async fn main() -> Result<(), std::io::Error> {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"ping", b.local_addr()?).await?;
/// let mut buf = [0; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # Ok(())
/// # }
/// ```
pub struct UdpSocket {
    inner: rt::net::Udp,
}

impl UdpSocket {
    /// Binds a socket to `addr` (port 0 picks a free port).
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
    /// let socket = txaio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let inner = each_addr(&addr, rt::net::Udp::bind).await?;
        Ok(UdpSocket { inner })
    }

    /// A socket the application bound itself (with options std does not set), registered with
    /// the reactor of the backend running the caller. It is put in non-blocking mode.
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
    /// let socket = txaio::net::UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// assert!(socket.local_addr()?.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        let inner = rt::net::Udp::from_std(socket)?;
        Ok(UdpSocket { inner })
    }

    /// Sends one datagram to `target` if the socket can take it now; otherwise registers `cx`
    /// to be woken when it may, and returns `Poll::Pending`. For runtime traits that send by
    /// polling (quinn's `AsyncUdpSocket`); an `async` caller uses [`send_to`](Self::send_to).
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    ///
    /// # #[txaio::main]
    /// # async fn main() -> std::io::Result<()> {
    /// let a = txaio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = txaio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let to = b.local_addr()?;
    /// poll_fn(|cx| a.poll_send_to(cx, b"hi", to)).await?;
    /// let mut buf = [0; 8];
    /// let (n, from) = poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await?;
    /// assert_eq!((&buf[..n], from), (&b"hi"[..], a.local_addr()?));
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_send_to(cx, buf, target)
    }

    /// Receives one datagram into `buf` if one is waiting: its length and sender; otherwise
    /// registers `cx` to be woken when one may be, and returns `Poll::Pending`.
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
    /// let socket = txaio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let mut buf = [0; 8];
    /// // Nothing sent yet: the poll registers the task and is pending.
    /// let pending = std::future::poll_fn(|cx| {
    ///     std::task::Poll::Ready(socket.poll_recv_from(cx, &mut buf).is_pending())
    /// });
    /// assert!(pending.await);
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.inner.poll_recv_from(cx, buf)
    }

    /// Sends `buf` as one datagram to `to`; returns the bytes sent.
    ///
    /// # Errors
    ///
    /// The operating system's, e.g. a datagram too large for the socket.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::UdpSocket;
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await?;
    /// let sink = UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_eq!(socket.send_to(b"hello", sink.local_addr()?).await?, 5);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_to(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        self.inner.send_to(buf, to).await
    }

    /// Waits for one datagram; copies it into `buf` (truncating what does not fit) and
    /// returns its length and sender.
    ///
    /// # Errors
    ///
    /// The operating system's.
    ///
    /// # Cancellation
    ///
    /// Cancel-safe: dropping the future before it completes loses no datagram.
    ///
    /// # Examples
    ///
    /// ```
    /// # use txaio::net::UdpSocket;
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"to myself", socket.local_addr()?).await?;
    /// let mut buf = [0; 32];
    /// let (n, from) = socket.recv_from(&mut buf).await?;
    /// assert_eq!(&buf[..n], b"to myself");
    /// assert_eq!(from, socket.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.recv_from(buf).await
    }

    /// The address this socket is bound to.
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
    /// let socket = txaio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(socket.local_addr()?.ip().is_loopback());
    /// # Ok(())
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The backend this socket was bound on, which drives it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() -> Result<(), std::io::Error> {
    /// let socket = txaio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_eq!(socket.runtime(), txaio::current_runtime());
    /// # Ok(())
    /// # }
    /// ```
    pub fn runtime(&self) -> Runtime {
        self.inner.runtime()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("UdpSocket");
        debug.field("runtime", &self.runtime());
        if let Ok(addr) = self.local_addr() {
            debug.field("local_addr", &addr);
        }
        debug.finish()
    }
}

fd_traits!(UdpSocket);

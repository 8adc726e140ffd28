//! Portable sockets: TCP, UDP and Unix domain sockets on whichever backend runs the caller,
//! reached by address or by host name ([`lookup_host`]).
//!
//! [`TcpListener`], [`TcpStream`] and [`UdpSocket`] each wrap the native socket of the backend
//! that is running the code that makes them (tokio's `tokio::net` under tokio, async-io's
//! `Async<std::net::…>` under smol, `async_std::net` under async-std), chosen when the code
//! runs, like every txaio call: one binary with all three backends compiled works on each,
//! which is what lets `#[txaio::test]` run a socket test on every backend. Each socket is
//! driven by its backend's own reactor; under tokio there is no second reactor thread.
//!
//! [`TcpStream`] and its split halves implement `futures_io::AsyncRead` and `AsyncWrite`, so
//! the runtime-neutral ecosystem (async-tungstenite, futures-rustls, asynchronous-codec) works
//! on them, and, with the `tokio` feature, tokio's `AsyncRead` and `AsyncWrite` too.
//!
//! Errors are the operating system's [`std::io::Error`]s, unchanged: a refused connection is
//! [`ErrorKind::ConnectionRefused`](std::io::ErrorKind::ConnectionRefused) on every backend.
//! A connect or read with a deadline is `txaio::with_timeout(after, future)`.
//!
//! # Examples
//!
//! An echo server and its client:
//!
//! ```
//! use txaio::net::{TcpListener, TcpStream};
//!
//! # #[txaio::main]
//! # async fn main() -> Result<(), std::io::Error> {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = txaio::spawn(async move {
//!     let (mut stream, _peer) = listener.accept().await?;
//!     let mut buf = [0; 64];
//!     loop {
//!         let n = stream.read(&mut buf).await?;
//!         if n == 0 {
//!             return Ok::<_, std::io::Error>(());
//!         }
//!         stream.write_all(&buf[..n]).await?;
//!     }
//! });
//! let mut client = TcpStream::connect(addr).await?;
//! client.write_all(b"hello").await?;
//! let mut reply = [0; 5];
//! let mut got = 0;
//! while got < reply.len() {
//!     got += client.read(&mut reply[got..]).await?;
//! }
//! assert_eq!(&reply, b"hello");
//! client.shutdown_write().await?;
//! server.await.unwrap();
//! # Ok(())
//! # }
//! ```

/// `AsFd` and `AsRawFd` of a socket type, from its native socket's.
macro_rules! fd_traits {
    ($($type:ty),*) => {$(
        #[cfg(unix)]
        #[cfg_attr(docsrs, doc(cfg(unix)))]
        impl std::os::fd::AsFd for $type {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }

        #[cfg(unix)]
        #[cfg_attr(docsrs, doc(cfg(unix)))]
        impl std::os::fd::AsRawFd for $type {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsFd::as_fd(self).as_raw_fd()
            }
        }
    )*};
}

mod addr;
mod split;
mod tcp_listener;
mod tcp_stream;
#[cfg(feature = "tokio")]
mod tokio_io;
mod udp_socket;
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub mod unix;

pub use addr::{ToSocketAddrs, lookup_host};
pub use split::{OwnedReadHalf, OwnedWriteHalf};
pub use tcp_listener::TcpListener;
pub use tcp_stream::TcpStream;
pub use udp_socket::UdpSocket;
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub use unix::{UnixListener, UnixStream};

//! The tokio backend.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, ready};

use crate::errors::Panic;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use tokio::runtime::{Builder, Handle};

fn handle() -> Handle {
    // A thread scoped to a `Txaio`'s tokio runtime uses that one, entered or not.
    if let Some(super::Instance::Tokio(handle)) = super::instance_of(super::Runtime::Tokio) {
        return handle;
    }
    Handle::try_current().unwrap_or_else(|_| {
        panic!(
            "txaio: this call needs a running tokio runtime, and none is running on this thread. \
             Run your code inside `#[txaio::main]` or `#[txaio::test]`, inside a tokio runtime \
             (`#[tokio::main]`, `Runtime::enter`), or select the `smol` backend, which needs no setup"
        )
    })
}

/// Spawns a detached task.
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    drop(handle().spawn(future));
}

/// Runs `f` on tokio's blocking pool.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(handle().spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// tokio's timer for `deadline`, made here so that a runtime without a time driver panics
/// with the fix in the caller, not silently in a detached task.
pub(crate) fn sleep_until(deadline: std::time::Instant) -> super::Sleep {
    let runtime = handle();
    // Entered, so that tokio makes the timer on that runtime's driver.
    let _entered = runtime.enter();
    let deadline = tokio::time::Instant::from_std(deadline);
    // tokio checks for its time driver when the timer is made; its own panic would not say
    // how to build the runtime.
    match crate::panic::catch(|| tokio::time::sleep_until(deadline)) {
        Ok(sleep) => super::Sleep::Tokio { sleep },
        Err(tokio_panic) => panic!(
            "txaio: the running tokio runtime has no timers: it was built without its time \
             driver. Build it with `enable_time()` or `enable_all()` on \
             `tokio::runtime::Builder`, or run your code inside `#[txaio::main]` (tokio: \
             {tokio_panic})"
        ),
    }
}

fn build(builder: &mut Builder) -> tokio::runtime::Runtime {
    builder
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("txaio: could not start the tokio runtime: {error}"))
}

/// Runs `future` on a new multi-thread runtime, as `#[tokio::main]` does.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    build(&mut Builder::new_multi_thread()).block_on(future)
}

/// Runs `future` on a new current-thread runtime, as `#[tokio::test]` does.
pub(crate) fn block_on_test<F: Future>(future: F) -> F::Output {
    build(&mut Builder::new_current_thread()).block_on(future)
}

/// A tokio runtime instance, by its handle.
pub(crate) type Instance = Handle;

/// Whether both handles drive the same runtime.
pub(crate) fn same(a: &Handle, b: &Handle) -> bool {
    a.id() == b.id()
}

/// The entered runtime, if any.
pub(crate) fn current_instance() -> Option<super::Instance> {
    Handle::try_current().ok().map(super::Instance::Tokio)
}

/// Spawns a detached task on `handle`'s runtime, from any thread.
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>(handle: &Handle, future: F) {
    drop(handle.spawn(future));
}

/// Runs `f` on `handle`'s blocking pool.
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    handle: &Handle,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(handle.spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// Inside a tokio runtime: a worker, a `block_on`, an entered runtime or its blocking pool
/// (tokio does not tell the last apart; txaio's own blocking jobs are marked separately).
pub(crate) fn is_runtime_thread() -> bool {
    Handle::try_current().is_ok()
}

/// Yields to the scheduler; tokio's own version also lets the I/O and timer driver run.
pub(crate) async fn yield_now() {
    tokio::task::yield_now().await;
}

static BACKGROUND: Mutex<Option<tokio::runtime::Runtime>> = Mutex::new(None);

/// The background runtime of `blocking::setup`, started on first use: a multi-thread runtime
/// whose threads are named `txaio-runtime`.
pub(crate) fn background() -> super::Instance {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    let handle = HANDLE.get_or_init(|| {
        let runtime = build(Builder::new_multi_thread().thread_name("txaio-runtime"));
        let handle = runtime.handle().clone();
        *BACKGROUND.lock().unwrap_or_else(PoisonError::into_inner) = Some(runtime);
        handle
    });
    super::Instance::Tokio(handle.clone())
}

/// Stops the background runtime, if it was started, without waiting for its tasks (its
/// blocking jobs run on to their end).
pub(crate) fn shutdown_background() {
    let runtime = BACKGROUND
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(runtime) = runtime {
        runtime.shutdown_background();
    }
}
// Sockets (`txaio::net`): tokio's own, registered with the reactor of the runtime running
// the caller, so no second reactor thread exists under tokio.

pub(crate) use tokio::net::tcp::{OwnedReadHalf as ReadHalf, OwnedWriteHalf as WriteHalf};
pub(crate) use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// Binds a TCP listener.
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    handle();
    TcpListener::bind(addr).await
}

/// Accepts one connection.
pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    listener.accept().await
}

/// Connects to `addr`.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    handle();
    TcpStream::connect(addr).await
}

/// Splits a stream into halves that may move to different tasks.
pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    stream.into_split()
}

/// Nothing to do: tokio's write half shuts the write direction down when it drops.
pub(crate) fn write_half_dropped(_half: &mut WriteHalf) {}

/// A listener's address.
pub(crate) fn listener_local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
    listener.local_addr()
}

/// A stream's local and peer addresses (`peer = true` for the peer's).
pub(crate) fn stream_addr(stream: &TcpStream, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        stream.peer_addr()
    } else {
        stream.local_addr()
    }
}

/// A read half's local and peer addresses.
pub(crate) fn read_half_addr(half: &ReadHalf, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        half.peer_addr()
    } else {
        half.local_addr()
    }
}

/// A write half's local and peer addresses.
pub(crate) fn write_half_addr(half: &WriteHalf, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        half.peer_addr()
    } else {
        half.local_addr()
    }
}

/// Sets `TCP_NODELAY`.
pub(crate) fn set_nodelay(stream: &TcpStream, on: bool) -> io::Result<()> {
    stream.set_nodelay(on)
}

/// Reads `TCP_NODELAY`.
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    stream.nodelay()
}

/// Reads into `buf` (a stream or its read half).
pub(crate) fn poll_read(
    io: &mut (impl AsyncRead + Unpin),
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let mut buf = ReadBuf::new(buf);
    ready!(Pin::new(io).poll_read(cx, &mut buf))?;
    Poll::Ready(Ok(buf.filled().len()))
}

/// Writes from `buf` (a stream or its write half).
pub(crate) fn poll_write(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    Pin::new(io).poll_write(cx, buf)
}

/// Flushes (a no-op for TCP, kept for the traits).
pub(crate) fn poll_flush(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    Pin::new(io).poll_flush(cx)
}

/// Shuts the write direction down.
pub(crate) fn poll_close(
    io: &mut (impl AsyncWrite + Unpin),
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    Pin::new(io).poll_shutdown(cx)
}

/// Binds a UDP socket.
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    handle();
    UdpSocket::bind(addr).await
}

/// Sends one datagram.
pub(crate) async fn udp_send_to(
    socket: &UdpSocket,
    buf: &[u8],
    to: SocketAddr,
) -> io::Result<usize> {
    socket.send_to(buf, to).await
}

/// Receives one datagram.
pub(crate) async fn udp_recv_from(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    socket.recv_from(buf).await
}

/// A UDP socket's address.
pub(crate) fn udp_local_addr(socket: &UdpSocket) -> io::Result<SocketAddr> {
    socket.local_addr()
}

// tokio's own I/O traits on txaio's sockets, so tokio-only crates (tokio-util codecs,
// tokio-rustls) work on them too. They forward to the `futures-io` impls.

macro_rules! tokio_io {
    (read $type:ty) => {
        #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
        impl AsyncRead for $type {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let read = ready!(futures_io::AsyncRead::poll_read(
                    self,
                    cx,
                    buf.initialize_unfilled()
                ))?;
                buf.advance(read);
                Poll::Ready(Ok(()))
            }
        }
    };
    (write $type:ty) => {
        #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
        impl AsyncWrite for $type {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    };
}

tokio_io!(read crate::net::TcpStream);
tokio_io!(write crate::net::TcpStream);
tokio_io!(read crate::net::OwnedReadHalf);
tokio_io!(write crate::net::OwnedWriteHalf);

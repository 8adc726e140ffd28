//! The smol backend: smol's global executor, async-io's timers and reactor.

use std::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::errors::Panic;
use async_io::Async;
use futures_io::{AsyncRead, AsyncWrite};

/// Spawns a detached task on smol's global executor.
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    smol::spawn(future).detach();
}

/// Runs `f` on smol's blocking pool.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    smol::spawn(smol::unblock(move || {
        done(crate::panic::catch(f));
    }))
    .detach();
}

/// async-io's timer for `deadline`; it needs no setup.
pub(crate) fn sleep_until(deadline: std::time::Instant) -> super::Sleep {
    super::Sleep::AsyncIo {
        timer: async_io::Timer::at(deadline),
    }
}

/// Runs `future` on this thread, driving async-io's reactor.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

/// Same as [`block_on`]: smol needs no per-test runtime.
pub(crate) fn block_on_test<F: Future>(future: F) -> F::Output {
    smol::block_on(future)
}

/// A smol executor; `None` is smol's global one.
pub(crate) type Instance = Option<Arc<smol::Executor<'static>>>;

/// Whether both name the same executor.
pub(crate) fn same(a: &Instance, b: &Instance) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// smol's global executor: always there.
// `Option` for symmetry with tokio, where there may be no runtime.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn current_instance() -> Option<super::Instance> {
    Some(super::Instance::Smol(None))
}

/// Spawns a detached task on `executor` (the global one for `None`).
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>(executor: &Instance, future: F) {
    match executor {
        Some(executor) => executor.spawn(future).detach(),
        None => spawn(future),
    }
}

/// Runs `f` on smol's blocking pool, its completion delivered through `executor`.
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    executor: &Instance,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    spawn_in(
        executor,
        smol::unblock(move || {
            done(crate::panic::catch(f));
        }),
    );
}

/// A thread of smol's global executor (`smol-N`); tasks of other executors are seen through
/// txaio's own marker.
pub(crate) fn is_runtime_thread() -> bool {
    std::thread::current()
        .name()
        .and_then(|name| name.strip_prefix("smol-"))
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// Yields to the executor once.
pub(crate) async fn yield_now() {
    smol::future::yield_now().await;
}

/// smol's global executor.
pub(crate) fn background() -> super::Instance {
    super::Instance::Smol(None)
}

/// The global executor cannot be stopped.
pub(crate) fn shutdown_background() {}
// Sockets (`txaio::net`): async-io's, on the reactor smol drives.

/// A TCP listener on async-io's reactor.
pub(crate) type TcpListener = Async<std::net::TcpListener>;
/// A TCP stream on async-io's reactor.
pub(crate) type TcpStream = Async<std::net::TcpStream>;
/// A UDP socket on async-io's reactor.
pub(crate) type UdpSocket = Async<std::net::UdpSocket>;
/// The read half of a split stream: a shared handle, as `&Async<TcpStream>` reads.
pub(crate) type ReadHalf = Arc<TcpStream>;
/// The write half of a split stream.
pub(crate) type WriteHalf = Arc<TcpStream>;

/// Binds a TCP listener.
#[allow(clippy::unused_async)] // async like its siblings in the other backends
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    Async::<std::net::TcpListener>::bind(addr)
}

/// Accepts one connection.
pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    listener.accept().await
}

/// Connects to `addr`.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    Async::<std::net::TcpStream>::connect(addr).await
}

/// Splits a stream into halves that may move to different tasks.
pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    let shared = Arc::new(stream);
    (Arc::clone(&shared), shared)
}

/// Shuts the write direction down, as tokio's write half does when it drops.
pub(crate) fn write_half_dropped(half: &mut WriteHalf) {
    let _ = half.get_ref().shutdown(Shutdown::Write);
}

/// A listener's address.
pub(crate) fn listener_local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
    listener.get_ref().local_addr()
}

/// A stream's local and peer addresses (`peer = true` for the peer's).
pub(crate) fn stream_addr(stream: &TcpStream, peer: bool) -> io::Result<SocketAddr> {
    if peer {
        stream.get_ref().peer_addr()
    } else {
        stream.get_ref().local_addr()
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
    stream.get_ref().set_nodelay(on)
}

/// Reads `TCP_NODELAY`.
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    stream.get_ref().nodelay()
}

/// Reads into `buf` (a stream or either half: all read through `&Async<TcpStream>`).
pub(crate) fn poll_read(
    io: &TcpStream,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let mut io = io;
    Pin::new(&mut io).poll_read(cx, buf)
}

/// Writes from `buf`.
pub(crate) fn poll_write(
    io: &TcpStream,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    let mut io = io;
    Pin::new(&mut io).poll_write(cx, buf)
}

/// Flushes (a no-op for TCP, kept for the traits).
pub(crate) fn poll_flush(io: &TcpStream, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    let mut io = io;
    Pin::new(&mut io).poll_flush(cx)
}

/// Shuts the write direction down. Not the `poll_close` of async-io (and so of async-std),
/// which only flushes: the peer must read the end of the stream, as under tokio.
pub(crate) fn poll_close(io: &TcpStream, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    Poll::Ready(io.get_ref().shutdown(Shutdown::Write))
}

/// Binds a UDP socket.
#[allow(clippy::unused_async)] // async like its siblings in the other backends
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    Async::<std::net::UdpSocket>::bind(addr)
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
    socket.get_ref().local_addr()
}

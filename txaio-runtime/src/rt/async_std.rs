//! The async-std backend (legacy: async-std is discontinued upstream; prefer smol).
//! Timers come from async-io, which async-std itself uses.

use std::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::errors::Panic;
use futures_io::{AsyncRead, AsyncWrite};

/// Spawns a detached task on async-std's global executor.
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    drop(async_std::task::spawn(future));
}

/// Runs `f` on async-std's blocking pool.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(async_std::task::spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// async-io's timer for `deadline`; it needs no setup.
pub(crate) fn sleep_until(deadline: std::time::Instant) -> super::Sleep {
    super::Sleep::AsyncIo {
        timer: async_io::Timer::at(deadline),
    }
}

/// Runs `future` on this thread.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// Same as [`block_on`].
pub(crate) fn block_on_test<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// async-std has one, global, executor.
pub(crate) type Instance = ();

/// The global executor: always there.
// `Option` for symmetry with tokio, where there may be no runtime.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn current_instance() -> Option<super::Instance> {
    Some(super::Instance::AsyncStd(()))
}

/// Spawns a detached task on the global executor.
// By reference, as every backend's instance is.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>((): &Instance, future: F) {
    spawn(future);
}

/// Runs `f` on async-std's blocking pool.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    (): &Instance,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    spawn_blocking(f, done);
}

/// Inside an async-std task (its executor threads and its `block_on`).
pub(crate) fn is_runtime_thread() -> bool {
    async_std::task::try_current().is_some()
}

/// Yields to the executor once.
pub(crate) async fn yield_now() {
    async_std::task::yield_now().await;
}

/// The global executor.
pub(crate) fn background() -> super::Instance {
    super::Instance::AsyncStd(())
}

/// The global executor cannot be stopped.
pub(crate) fn shutdown_background() {}
// Sockets (`txaio::net`): async-std's own (async-io's reactor underneath).

pub(crate) use async_std::net::{TcpListener, TcpStream, UdpSocket};
/// The read half of a split stream: async-std streams are shared handles.
pub(crate) type ReadHalf = TcpStream;
/// The write half of a split stream.
pub(crate) type WriteHalf = TcpStream;

/// Binds a TCP listener.
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Accepts one connection.
pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    listener.accept().await
}

/// Connects to `addr`.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    TcpStream::connect(addr).await
}

/// Splits a stream into halves that may move to different tasks.
pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    (stream.clone(), stream)
}

/// Shuts the write direction down, as tokio's write half does when it drops.
pub(crate) fn write_half_dropped(half: &mut WriteHalf) {
    let _ = half.shutdown(Shutdown::Write);
}

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
    stream_addr(half, peer)
}

/// A write half's local and peer addresses.
pub(crate) fn write_half_addr(half: &WriteHalf, peer: bool) -> io::Result<SocketAddr> {
    stream_addr(half, peer)
}

/// Sets `TCP_NODELAY`.
pub(crate) fn set_nodelay(stream: &TcpStream, on: bool) -> io::Result<()> {
    stream.set_nodelay(on)
}

/// Reads `TCP_NODELAY`.
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    stream.nodelay()
}

/// Reads into `buf` (a stream or either half: all read through `&TcpStream`).
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
    Poll::Ready(io.shutdown(Shutdown::Write))
}

/// Binds a UDP socket.
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
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

//! hyper's runtime traits on txaio: [`TxaioExecutor`], [`TxaioTimer`] and [`TxaioIo`].

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use hyper::rt::{Executor, ReadBufCursor, Sleep, Timer};

/// hyper's [`Executor`] on txaio: each future hyper hands it (an HTTP/2 stream, a client
/// connection) becomes a task on the runtime running the caller, as `txaio::spawn` does.
///
/// hyper calls it from the connection it serves, which runs on the application's runtime, so
/// the tasks land there: tokio's, smol's or async-std's, whichever the application picked.
///
/// # Examples
///
/// ```
/// let builder = hyper_util::server::conn::auto::Builder::new(txaio_hyper::TxaioExecutor);
/// # drop(builder);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TxaioExecutor;

impl<F> Executor<F> for TxaioExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        // Detached: hyper keeps its own handles to what the task does.
        drop(txaio::spawn(async move {
            future.await;
            Ok::<(), std::convert::Infallible>(())
        }));
    }
}

/// hyper's [`Timer`] on txaio's clock: its sleeps are [`txaio::Deadline`]s, reset in place,
/// and its `now` is [`txaio::now`], so inside [`txaio::testutil::replace_loop`] hyper's
/// timeouts (header read, keep-alive, pool idle) run on the virtual clock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let mut builder = hyper_util::server::conn::auto::Builder::new(txaio_hyper::TxaioExecutor);
/// builder
///     .http1()
///     .timer(txaio_hyper::TxaioTimer)
///     .header_read_timeout(Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TxaioTimer;

/// The [`Sleep`] of [`TxaioTimer`]: a [`txaio::Deadline`].
#[derive(Debug)]
struct TxaioSleep(Pin<Box<txaio::Deadline>>);

impl Future for TxaioSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Sleep for TxaioSleep {}

impl Timer for TxaioTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        let deadline = txaio::now()
            .checked_add(duration)
            .unwrap_or_else(far_future);
        self.sleep_until(deadline)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(TxaioSleep(Box::pin(txaio::deadline(deadline))))
    }

    fn now(&self) -> Instant {
        txaio::now()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<TxaioSleep>() {
            Some(mut ours) => ours.0.as_mut().reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// About thirty years ahead: a deadline past what `Instant` can hold never fires.
fn far_future() -> Instant {
    txaio::now() + Duration::from_secs(86_400 * 365 * 30)
}

/// Adapts a `futures-io` stream (every `txaio::net` stream, a futures-rustls TLS stream) to
/// hyper's [`hyper::rt::Read`] and [`hyper::rt::Write`], and back: it also implements the
/// `futures-io` traits.
///
/// Reads go through a buffer of its own (16 KiB, allocated on the first read) and are copied
/// into hyper's: safe code cannot hand hyper's uninitialised buffer to a `futures-io` reader.
/// The performance chapter of txaio's book measures the copy.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let stream = txaio::net::TcpStream::connect(listener.local_addr()?).await?;
/// let io = txaio_hyper::TxaioIo::new(stream); // ready for hyper's client::conn or server::conn
/// assert!(io.inner().peer_addr().is_ok());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TxaioIo<T> {
    inner: T,
    bounce: Vec<u8>,
}

/// The size of [`TxaioIo`]'s read buffer: hyper reads in chunks of up to this size.
const BOUNCE: usize = 16 * 1024;

impl<T> TxaioIo<T> {
    /// Wraps a `futures-io` stream.
    pub fn new(inner: T) -> Self {
        TxaioIo {
            inner,
            bounce: Vec::new(),
        }
    }

    /// The wrapped stream.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped stream, unwrapped.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: futures_io::AsyncRead + Unpin> hyper::rt::Read for TxaioIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.bounce.is_empty() {
            this.bounce = vec![0; BOUNCE];
        }
        let want = buf.remaining().min(this.bounce.len());
        let read = ready!(Pin::new(&mut this.inner).poll_read(cx, &mut this.bounce[..want]))?;
        buf.put_slice(&this.bounce[..read]);
        Poll::Ready(Ok(()))
    }
}

impl<T: futures_io::AsyncWrite + Unpin> hyper::rt::Write for TxaioIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    /// `true`, so hyper queues headers and body and hands them over in one vectored write
    /// (its `Queue` strategy, as with hyper-util's `TokioIo` over `tokio::net`) instead of
    /// copying the body behind the headers. `futures-io` has no way to ask the stream; every
    /// `txaio::net` stream and futures-rustls's streams write vectored (a stream that does not
    /// still works: `futures-io`'s default writes the first buffer, and hyper writes the rest).
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

impl<T: futures_io::AsyncRead + Unpin> futures_io::AsyncRead for TxaioIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: futures_io::AsyncWrite + Unpin> futures_io::AsyncWrite for TxaioIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

//! Serving a hyper service on a `txaio::net::TcpListener`: HTTP/1.1 and HTTP/2 (detected per
//! connection), each connection a task, with graceful shutdown.

use std::error::Error;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::task::Poll;

use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::server::conn::auto;
use txaio::net::TcpListener;

use crate::{TxaioExecutor, TxaioIo, TxaioTimer};

/// Serves a hyper [`Service`] on a listener: each connection in a task of its own, HTTP/1.1
/// (keep-alive) or HTTP/2 (prior knowledge) as the client speaks, until a shutdown signal;
/// then it stops accepting, lets every connection finish the requests it has (HTTP/1.1 closes
/// after the current response, HTTP/2 sends GOAWAY), and returns when the last one closed.
///
/// hyper-util's `auto::Builder` does the protocol work; [`Server::builder`] gives it for
/// settings (header read timeout, HTTP/2 windows). Its executor and timer are txaio's.
///
/// # Examples
///
/// ```
/// use std::convert::Infallible;
///
/// use http_body_util::Full;
/// use hyper::{Request, Response, body::Bytes};
///
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let service = hyper::service::service_fn(|_request: Request<hyper::body::Incoming>| async {
///     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("hello"))))
/// });
/// let stop = txaio::create_future::<()>();
/// let server = txaio_hyper::Server::new(listener, service).with_graceful_shutdown(stop.clone());
/// let running = txaio::spawn(server.run());
/// txaio::resolve(&stop, ()).unwrap(); // stop at once: no connection to wait for
/// running.take().await.unwrap();
/// # Ok(())
/// # }
/// ```
pub struct Server<S> {
    listener: TcpListener,
    service: S,
    builder: auto::Builder<TxaioExecutor>,
    shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<S> fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("graceful_shutdown", &self.shutdown.is_some())
            .finish_non_exhaustive()
    }
}

impl<S, B> Server<S>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    /// A server of `service` on `listener`, with hyper-util's default settings and txaio's
    /// executor and timer.
    pub fn new(listener: TcpListener, service: S) -> Self {
        let mut builder = auto::Builder::new(TxaioExecutor);
        builder.http1().timer(TxaioTimer);
        builder.http2().timer(TxaioTimer);
        Server {
            listener,
            service,
            builder,
            shutdown: None,
        }
    }

    /// hyper-util's connection builder, for settings: `server.builder().http1()
    /// .header_read_timeout(..)`, `.http2().max_concurrent_streams(..)`.
    pub fn builder(&mut self) -> &mut auto::Builder<TxaioExecutor> {
        &mut self.builder
    }

    /// Shuts down gracefully when `signal` completes (a deferred fired by a signal handler,
    /// `txaio::sleep(..)`, a oneshot receiver): see [`Server`].
    #[must_use]
    pub fn with_graceful_shutdown(mut self, signal: impl Future + Send + 'static) -> Self {
        self.shutdown = Some(Box::pin(async move {
            signal.await;
        }));
        self
    }

    /// Serves until the shutdown signal (for ever without one), then waits for the open
    /// connections to finish.
    ///
    /// # Errors
    ///
    /// An error from `accept` that is not about one connection (the listener itself failed).
    /// Per-connection errors (a peer that resets, a malformed request) end that connection
    /// only.
    pub async fn run(self) -> io::Result<()> {
        let Server {
            listener,
            service,
            builder,
            shutdown,
        } = self;
        let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
        let stopping = txaio::create_future::<()>();
        let mut connections: Vec<txaio::Deferred<()>> = Vec::new();
        loop {
            let next = poll_fn(|cx| {
                if shutdown.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                listener.poll_accept(cx).map(Some)
            })
            .await;
            let stream = match next {
                None => break,
                Some(Ok((stream, _peer))) => stream,
                Some(Err(error)) if is_per_connection(&error) => continue,
                Some(Err(error)) if is_out_of_descriptors(&error) => {
                    // Too many open files: back off, as the connections close, then go on.
                    let _ = txaio::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
                Some(Err(error)) => return Err(error),
            };
            let _ = stream.set_nodelay(true);
            connections.retain(|connection| !txaio::is_called(connection));
            connections.push(txaio::spawn(serve_one(
                builder.clone(),
                TxaioIo::new(stream),
                service.clone(),
                stopping.clone(),
            )));
        }
        drop(listener);
        let _ = txaio::resolve(&stopping, ());
        for connection in connections {
            // A connection task fails only if it panicked; the others still get their time.
            let _ = connection.await;
        }
        Ok(())
    }
}

/// One connection, until it closes; on `stopping`, a graceful shutdown of it.
async fn serve_one<S, B>(
    builder: auto::Builder<TxaioExecutor>,
    io: TxaioIo<txaio::net::TcpStream>,
    service: S,
    stopping: txaio::Deferred<()>,
) -> Result<(), std::convert::Infallible>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn Error + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut stopping = pin!(stopping);
    let mut asked_to_stop = false;
    // The connection's own errors (a reset, a malformed request) end it and nothing else.
    let _ = poll_fn(|cx| {
        if !asked_to_stop && stopping.as_mut().poll(cx).is_ready() {
            asked_to_stop = true;
            connection.as_mut().graceful_shutdown();
        }
        connection.as_mut().poll(cx)
    })
    .await;
    Ok(())
}

/// Errors of `accept` that concern one connection, after which the listener goes on.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// `EMFILE`/`ENFILE`: the process or the system ran out of file descriptors, for now.
fn is_out_of_descriptors(error: &io::Error) -> bool {
    cfg!(unix) && matches!(error.raw_os_error(), Some(23 | 24))
}

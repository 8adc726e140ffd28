//! `cargo bench -p txaio-benches --bench http`: requests per second of `http_server`'s handler
//! (a small fixed answer) under 16 keep-alive connections, each sending its requests one after
//! another, from hyper's own HTTP/1.1 client on the same runtime, over loopback.
//!
//! Contenders, each serving with hyper-util's `auto::Builder`:
//! - tokio: txaio-hyper's `Server` against hyper-util's own tokio glue (`TokioIo`,
//!   `TokioExecutor`, `tokio::net`), on one tokio multi-thread runtime of 2 workers;
//! - smol: txaio-hyper's `Server` against smol-hyper (`FuturesIo` over `async-net`), tasks on
//!   smol's global executor, `smol::block_on` driving the client.
//!
//! Each peer also runs with its own hyper timer (`TokioTimer`, `SmolTimer`), as txaio-hyper's
//! `Server` always has one, so hyper arms its header-read timeout on every request.
//!
//! The client is the same for both contenders of a runtime (txaio's sockets under hyper's
//! `client::conn::http1`). Target: within 5% of each peer.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::server::conn::auto;
use txaio::__private::InRuntime;
use txaio::Runtime;

/// A load, boxed so that one runner per runtime can drive it.
type Load<'a> = std::pin::Pin<Box<dyn Future<Output = Duration> + 'a>>;

const CONNECTIONS: usize = 16;
const REQUESTS: usize = 100;

async fn handle(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"hello from txaio\n",
    ))))
}

/// txaio-hyper's server on a fresh port of the runtime running the caller.
async fn serve_txaio() -> SocketAddr {
    let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = txaio_hyper::Server::new(listener, hyper::service::service_fn(handle));
    drop(txaio::spawn(server.run()));
    addr
}

/// hyper-util's tokio glue, as its examples write it.
async fn serve_hyper_util_tokio() -> SocketAddr {
    serve_hyper_util_tokio_with(false).await
}

/// The same with hyper-util's `TokioTimer`, so that hyper arms its header-read timeout on every
/// request as it does under txaio-hyper's `Server` (which always gives hyper a timer).
async fn serve_hyper_util_tokio_timed() -> SocketAddr {
    serve_hyper_util_tokio_with(true).await
}

async fn serve_hyper_util_tokio_with(timed: bool) -> SocketAddr {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut builder = auto::Builder::new(TokioExecutor::new());
                if timed {
                    builder.http1().timer(TokioTimer::new());
                    builder.http2().timer(TokioTimer::new());
                }
                let _ = builder
                    .serve_connection(TokioIo::new(stream), hyper::service::service_fn(handle))
                    .await;
            });
        }
    });
    addr
}

/// smol-hyper, as its examples write it.
async fn serve_smol_hyper() -> SocketAddr {
    serve_smol_hyper_with(false).await
}

/// The same with smol-hyper's `SmolTimer` (see `serve_hyper_util_tokio_timed`).
async fn serve_smol_hyper_timed() -> SocketAddr {
    serve_smol_hyper_with(true).await
}

async fn serve_smol_hyper_with(timed: bool) -> SocketAddr {
    use smol_hyper::rt::{FuturesIo, SmolExecutor, SmolTimer};
    let listener = async_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let executor = Arc::new(smol::Executor::new());
    smol::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            let executor = SmolExecutor::new(Arc::clone(&executor));
            smol::spawn(async move {
                let mut builder = auto::Builder::new(executor);
                if timed {
                    builder.http1().timer(SmolTimer::new());
                    builder.http2().timer(SmolTimer::new());
                }
                let _ = builder
                    .serve_connection(FuturesIo::new(stream), hyper::service::service_fn(handle))
                    .await;
            })
            .detach();
        }
    })
    .detach();
    addr
}

/// The load: `CONNECTIONS` keep-alive connections, `REQUESTS` requests each, one after
/// another; the time until the last answer's body is read.
async fn load(addr: SocketAddr) -> Duration {
    let start = Instant::now();
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            txaio::spawn(async move {
                let stream = txaio::net::TcpStream::connect(addr).await?;
                let (mut sender, connection) = hyper::client::conn::http1::handshake::<
                    _,
                    Empty<Bytes>,
                >(txaio_hyper::TxaioIo::new(stream))
                .await
                .map_err(txaio::Failure::msg)?;
                drop(txaio::spawn(async move {
                    let _ = connection.await;
                    Ok::<(), Infallible>(())
                }));
                for _ in 0..REQUESTS {
                    let request = Request::get("/").body(Empty::new()).unwrap();
                    let response = sender
                        .send_request(request)
                        .await
                        .map_err(txaio::Failure::msg)?;
                    let body = response
                        .into_body()
                        .collect()
                        .await
                        .map_err(txaio::Failure::msg)?;
                    assert!(!body.to_bytes().is_empty());
                }
                Ok::<(), txaio::Failure>(())
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    start.elapsed()
}

fn bench_on<F, Fut>(
    c: &mut Criterion,
    runtime: Runtime,
    name: &str,
    serve: F,
    block_on: &dyn Fn(Load<'_>) -> Duration,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = SocketAddr>,
{
    let mut group = c.benchmark_group(format!("http_keepalive_{runtime}"));
    group.throughput(Throughput::Elements((CONNECTIONS * REQUESTS) as u64));
    group.sample_size(20);
    // One server for the whole run (it keeps serving on the runtime's worker threads between
    // iterations), warmed by one load.
    let addr = std::cell::Cell::new(None);
    block_on(Box::pin(InRuntime::new(runtime, async {
        let served = serve().await;
        addr.set(Some(served));
        load(served).await
    })));
    let addr = addr.get().expect("the server started");
    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| block_on(Box::pin(InRuntime::new(runtime, load(addr)))))
                .sum()
        });
    });
    group.finish();
}

fn http(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let on_tokio = |future: Load<'_>| tokio.block_on(future);
    bench_on(c, Runtime::Tokio, "txaio_hyper", serve_txaio, &on_tokio);
    bench_on(
        c,
        Runtime::Tokio,
        "hyper_util_tokio",
        serve_hyper_util_tokio,
        &on_tokio,
    );
    bench_on(
        c,
        Runtime::Tokio,
        "hyper_util_tokio_with_timer",
        serve_hyper_util_tokio_timed,
        &on_tokio,
    );
    let on_smol = |future: Load<'_>| smol::block_on(future);
    bench_on(c, Runtime::Smol, "txaio_hyper", serve_txaio, &on_smol);
    bench_on(c, Runtime::Smol, "smol_hyper", serve_smol_hyper, &on_smol);
    bench_on(
        c,
        Runtime::Smol,
        "smol_hyper_with_timer",
        serve_smol_hyper_timed,
        &on_smol,
    );
}

criterion_group!(benches, http);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

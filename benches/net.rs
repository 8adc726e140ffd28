//! `cargo bench -p txaio-benches --bench net`: `txaio::net` against the raw sockets of the
//! runtime it wraps, over loopback.
//!
//! - `echo_64k`: a 64 KiB message written and read back through an echo task (throughput);
//! - `ping_pong_1b`: one byte there and back (latency);
//! - `accept_close_10k`: 10,000 connections connected, accepted and closed, one after another.
//!
//! Contenders: txaio on tokio against `tokio::net` (one current-thread tokio runtime), txaio
//! on smol against `async-net` (smol's own sockets; `smol::block_on`, tasks on smol's global
//! executor). The target is at most 1.05x the raw socket's time (1.1x for accept-and-close).

// The trait spells out `+ Send` on the futures the echo task holds across awaits.
#![allow(clippy::manual_async_fn)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use txaio::__private::InRuntime;
use txaio::Runtime;

const MESSAGE: usize = 64 * 1024;
const CONNECTIONS: usize = 10_000;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// One contender: a socket API and the runtime that drives it.
trait Net: 'static {
    const NAME: &'static str;
    type Listener: Send + Sync + 'static;
    type Stream: Send + 'static;
    fn bind() -> impl Future<Output = Self::Listener>;
    fn local_addr(listener: &Self::Listener) -> SocketAddr;
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send;
    fn connect(addr: SocketAddr) -> impl Future<Output = Self::Stream>;
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = usize> + Send + 'a;
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = ()> + Send + 'a;
    fn spawn(task: impl Future<Output = ()> + Send + 'static);
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T;
}

/// Accepts one connection and echoes it until it closes.
async fn echo_server<N: Net>(listener: N::Listener) {
    let mut stream = N::accept(&listener).await;
    let mut buf = vec![0; MESSAGE];
    loop {
        let n = N::read(&mut stream, &mut buf).await;
        if n == 0 {
            return;
        }
        N::write_all(&mut stream, &buf[..n]).await;
    }
}

/// A client connected to a fresh echo task.
async fn echo_client<N: Net>() -> N::Stream {
    let listener = N::bind().await;
    let addr = N::local_addr(&listener);
    N::spawn(echo_server::<N>(listener));
    N::connect(addr).await
}

/// Writes `message` and reads as many bytes back.
async fn round_trip<N: Net>(stream: &mut N::Stream, message: &[u8], buf: &mut [u8]) {
    N::write_all(stream, message).await;
    let mut got = 0;
    while got < message.len() {
        let n = N::read(stream, &mut buf[got..message.len()]).await;
        assert_ne!(n, 0, "the echo closed early");
        got += n;
    }
}

fn echo_bench<N: Net>(net: &N, c: &mut Criterion, group: &str, size: usize) {
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Bytes(size as u64));
    group.bench_function(N::NAME, |b| {
        b.iter_custom(|iters| {
            net.block_on(async {
                let mut stream = echo_client::<N>().await;
                let message = vec![7u8; size];
                let mut buf = vec![0; size];
                round_trip::<N>(&mut stream, &message, &mut buf).await; // warm the path
                let started = Instant::now();
                for _ in 0..iters {
                    round_trip::<N>(&mut stream, &message, &mut buf).await;
                }
                started.elapsed()
            })
        });
    });
    group.finish();
}

fn accept_close_bench<N: Net>(net: &N, c: &mut Criterion) {
    let mut group = c.benchmark_group("accept_close_10k");
    group.throughput(Throughput::Elements(CONNECTIONS as u64));
    group.sample_size(10);
    group.bench_function(N::NAME, |b| {
        b.iter_custom(|iters| {
            net.block_on(async {
                let listener = N::bind().await;
                let addr = N::local_addr(&listener);
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let started = Instant::now();
                    for _ in 0..CONNECTIONS {
                        let client = N::connect(addr).await;
                        let server = N::accept(&listener).await;
                        drop((client, server));
                    }
                    total += started.elapsed();
                }
                total
            })
        });
    });
    group.finish();
}

struct TxaioTokio(tokio::runtime::Runtime);
struct RawTokio(tokio::runtime::Runtime);
struct TxaioSmol;
struct RawAsyncNet;

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The txaio contender on `runtime`; `block_on` is that runtime's own.
macro_rules! txaio_net {
    ($type:ty, $name:literal, $runtime:expr, |$this:ident, $future:ident| $block_on:expr) => {
        impl Net for $type {
            const NAME: &'static str = $name;
            type Listener = txaio::net::TcpListener;
            type Stream = txaio::net::TcpStream;
            async fn bind() -> Self::Listener {
                txaio::net::TcpListener::bind(loopback()).await.unwrap()
            }
            fn local_addr(listener: &Self::Listener) -> SocketAddr {
                listener.local_addr().unwrap()
            }
            fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send {
                async move { listener.accept().await.unwrap().0 }
            }
            async fn connect(addr: SocketAddr) -> Self::Stream {
                let stream = txaio::net::TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                stream
            }
            fn read<'a>(
                s: &'a mut Self::Stream,
                buf: &'a mut [u8],
            ) -> impl Future<Output = usize> + Send + 'a {
                async move { s.read(buf).await.unwrap() }
            }
            fn write_all<'a>(
                s: &'a mut Self::Stream,
                buf: &'a [u8],
            ) -> impl Future<Output = ()> + Send + 'a {
                async move { s.write_all(buf).await.unwrap() }
            }
            fn spawn(task: impl Future<Output = ()> + Send + 'static) {
                drop(txaio::spawn(async move {
                    task.await;
                    Ok::<(), txaio::Failure>(())
                }));
            }
            fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
                let $this = self;
                let $future = InRuntime::new($runtime, future);
                $block_on
            }
        }
    };
}

txaio_net!(
    TxaioTokio,
    "txaio::net on tokio",
    Runtime::Tokio,
    |this, future| this.0.block_on(future)
);
txaio_net!(
    TxaioSmol,
    "txaio::net on smol",
    Runtime::Smol,
    |_this, future| smol::block_on(future)
);

impl Net for RawTokio {
    const NAME: &'static str = "tokio::net";
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;
    async fn bind() -> Self::Listener {
        tokio::net::TcpListener::bind(loopback()).await.unwrap()
    }
    fn local_addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().unwrap()
    }
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send {
        async move { listener.accept().await.unwrap().0 }
    }
    async fn connect(addr: SocketAddr) -> Self::Stream {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        stream
    }
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = usize> + Send + 'a {
        use tokio::io::AsyncReadExt;
        async move { s.read(buf).await.unwrap() }
    }
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = ()> + Send + 'a {
        use tokio::io::AsyncWriteExt;
        async move { s.write_all(buf).await.unwrap() }
    }
    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        drop(tokio::spawn(task));
    }
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.0.block_on(future)
    }
}

impl Net for RawAsyncNet {
    const NAME: &'static str = "async-net on smol";
    type Listener = async_net::TcpListener;
    type Stream = async_net::TcpStream;
    async fn bind() -> Self::Listener {
        async_net::TcpListener::bind(loopback()).await.unwrap()
    }
    fn local_addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().unwrap()
    }
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send {
        async move { listener.accept().await.unwrap().0 }
    }
    async fn connect(addr: SocketAddr) -> Self::Stream {
        let stream = async_net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        stream
    }
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = usize> + Send + 'a {
        use futures_lite::AsyncReadExt;
        async move { s.read(buf).await.unwrap() }
    }
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = ()> + Send + 'a {
        use futures_lite::AsyncWriteExt;
        async move { s.write_all(buf).await.unwrap() }
    }
    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        smol::spawn(task).detach();
    }
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        smol::block_on(future)
    }
}

fn echo_64k(c: &mut Criterion) {
    echo_bench(&TxaioTokio(tokio_runtime()), c, "echo_64k", MESSAGE);
    echo_bench(&RawTokio(tokio_runtime()), c, "echo_64k", MESSAGE);
    echo_bench(&TxaioSmol, c, "echo_64k", MESSAGE);
    echo_bench(&RawAsyncNet, c, "echo_64k", MESSAGE);
}

fn ping_pong_1b(c: &mut Criterion) {
    echo_bench(&TxaioTokio(tokio_runtime()), c, "ping_pong_1b", 1);
    echo_bench(&RawTokio(tokio_runtime()), c, "ping_pong_1b", 1);
    echo_bench(&TxaioSmol, c, "ping_pong_1b", 1);
    echo_bench(&RawAsyncNet, c, "ping_pong_1b", 1);
}

fn accept_close_10k(c: &mut Criterion) {
    accept_close_bench(&TxaioTokio(tokio_runtime()), c);
    accept_close_bench(&RawTokio(tokio_runtime()), c);
    accept_close_bench(&TxaioSmol, c);
    accept_close_bench(&RawAsyncNet, c);
}

criterion_group!(benches, echo_64k, ping_pong_1b, accept_close_10k);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

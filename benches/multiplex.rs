//! `cargo bench -p txaio-benches --bench multiplex`: the pattern protocol clients are built on,
//! N tasks sharing one connection.
//!
//! Each request is a reply slot handed through a queue to a writer task, which batches what
//! is waiting into one write; a reader task matches the replies, in order, to the slots the
//! writer passed it. The server is an in-process echo of 8-byte request ids over loopback.
//!
//! - txaio: a `Deferred` per request, `DeferredQueue`s between the tasks, `txaio::net` halves,
//!   on tokio;
//! - peer: the same design on `tokio::sync::mpsc` + `oneshot` over `tokio::net` (redis-rs's
//!   multiplexed connection is built this way), on the same kind of runtime.
//!
//! Both run on a tokio runtime with 2 workers. Target: txaio at most 1.2x the peer's time.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use futures::StreamExt as _;
use txaio::__private::InRuntime;
use txaio::{Deferred, DeferredQueue, Failure, Runtime};

/// Tasks sharing the connection.
const TASKS: usize = 50;
/// Requests each task makes, one after another, per iteration.
const REQUESTS: usize = 200;
/// The most requests the writer puts in one write.
const BATCH: usize = 64;
const ID: usize = 8;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// An echo server on loopback, on the runtime that polls it: the same for both contenders.
async fn echo_server() -> SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            stream.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let mut buf = vec![0; 64 * 1024];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

/// Reads whole replies from `buf[..*have]` into `reply`, keeping a partial one at the front.
fn take_replies(buf: &mut [u8], have: &mut usize, mut reply: impl FnMut(u64)) {
    let whole = *have / ID * ID;
    for chunk in buf[..whole].chunks_exact(ID) {
        reply(u64::from_le_bytes(chunk.try_into().unwrap()));
    }
    buf.copy_within(whole..*have, 0);
    *have -= whole;
}

/// One client connection, shared by the tasks of a workload.
trait Client: Clone + Send + Sync + 'static {
    fn call(&self, id: u64) -> impl Future<Output = u64> + Send;
}

#[derive(Clone)]
struct TxaioClient {
    requests: DeferredQueue<(u64, Deferred<u64>)>,
}

impl TxaioClient {
    async fn connect(addr: SocketAddr) -> Self {
        let stream = txaio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let requests = DeferredQueue::<(u64, Deferred<u64>)>::new(None, None);
        let in_flight = DeferredQueue::<Deferred<u64>>::new(None, None);

        let mut incoming = requests.clone();
        let to_reader = in_flight.clone();
        drop(txaio::spawn(async move {
            let mut out = Vec::with_capacity(BATCH * ID);
            while let Some((id, reply)) = incoming.next().await {
                out.clear();
                out.extend_from_slice(&id.to_le_bytes());
                to_reader.put(reply).unwrap();
                while out.len() < BATCH * ID {
                    let Some((id, reply)) = incoming.try_get() else {
                        break;
                    };
                    out.extend_from_slice(&id.to_le_bytes());
                    to_reader.put(reply).unwrap();
                }
                writer.write_all(&out).await?;
            }
            Ok::<(), Failure>(())
        }));

        drop(txaio::spawn(async move {
            let mut buf = vec![0; 64 * 1024];
            let mut have = 0;
            loop {
                let n = reader.read(&mut buf[have..]).await?;
                if n == 0 {
                    return Ok::<(), Failure>(());
                }
                have += n;
                take_replies(&mut buf, &mut have, |id| {
                    let reply = in_flight.try_get().expect("a request in flight");
                    txaio::resolve(&reply, id).unwrap();
                });
            }
        }));
        TxaioClient { requests }
    }
}

impl Client for TxaioClient {
    fn call(&self, id: u64) -> impl Future<Output = u64> + Send {
        let reply = txaio::create_future::<u64>();
        self.requests.put((id, reply.clone())).unwrap();
        async move { reply.await.unwrap() }
    }
}

type Request = (u64, tokio::sync::oneshot::Sender<u64>);

#[derive(Clone)]
struct TokioClient {
    requests: tokio::sync::mpsc::UnboundedSender<Request>,
}

impl TokioClient {
    async fn connect(addr: SocketAddr) -> Self {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let (requests, mut incoming) = tokio::sync::mpsc::unbounded_channel::<Request>();
        let (to_reader, mut in_flight) = tokio::sync::mpsc::unbounded_channel();

        tokio::spawn(async move {
            let mut out = Vec::with_capacity(BATCH * ID);
            while let Some((id, reply)) = incoming.recv().await {
                out.clear();
                out.extend_from_slice(&id.to_le_bytes());
                to_reader.send(reply).unwrap();
                while out.len() < BATCH * ID {
                    let Ok((id, reply)) = incoming.try_recv() else {
                        break;
                    };
                    out.extend_from_slice(&id.to_le_bytes());
                    to_reader.send(reply).unwrap();
                }
                if writer.write_all(&out).await.is_err() {
                    return;
                }
            }
        });

        tokio::spawn(async move {
            let mut buf = vec![0; 64 * 1024];
            let mut have = 0;
            loop {
                let n = reader.read(&mut buf[have..]).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                have += n;
                take_replies(&mut buf, &mut have, |id| {
                    let reply = in_flight.try_recv().expect("a request in flight");
                    let _ = reply.send(id);
                });
            }
        });
        TokioClient { requests }
    }
}

impl Client for TokioClient {
    fn call(&self, id: u64) -> impl Future<Output = u64> + Send {
        let (reply, replied) = tokio::sync::oneshot::channel();
        self.requests.send((id, reply)).unwrap();
        async move { replied.await.unwrap() }
    }
}

/// `TASKS` tasks, each making `REQUESTS` calls one after another on `client`.
async fn workload<C: Client>(client: &C, spawn: impl Fn(C, usize) -> Waiting) {
    let tasks: Vec<Waiting> = (0..TASKS).map(|task| spawn(client.clone(), task)).collect();
    for task in tasks {
        task.await;
    }
}

type Waiting = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

async fn calls<C: Client>(client: C, task: usize) {
    for n in 0..REQUESTS {
        let id = (task * REQUESTS + n) as u64;
        assert_eq!(client.call(id).await, id);
    }
}

fn spawn_txaio(client: TxaioClient, task: usize) -> Waiting {
    let done = txaio::spawn(async move {
        calls(client, task).await;
        Ok::<(), Failure>(())
    });
    Box::pin(async move { done.await.unwrap() })
}

fn spawn_tokio(client: TokioClient, task: usize) -> Waiting {
    let done = tokio::spawn(calls(client, task));
    Box::pin(async move { done.await.unwrap() })
}

fn multiplexed(c: &mut Criterion) {
    let mut group = c.benchmark_group("multiplex/50 tasks x 200 requests");
    group.throughput(Throughput::Elements((TASKS * REQUESTS) as u64));

    let rt = runtime();
    let client = rt.block_on(InRuntime::new(Runtime::Tokio, async {
        TxaioClient::connect(echo_server().await).await
    }));
    group.bench_function("txaio Deferred + DeferredQueue on tokio", |b| {
        b.iter_custom(|iters| {
            rt.block_on(InRuntime::new(Runtime::Tokio, async {
                let start = Instant::now();
                for _ in 0..iters {
                    workload(&client, spawn_txaio).await;
                }
                start.elapsed()
            }))
        });
    });
    drop(client);
    rt.shutdown_timeout(Duration::from_secs(1));

    let rt = runtime();
    let client = rt.block_on(async { TokioClient::connect(echo_server().await).await });
    group.bench_function("tokio mpsc + oneshot", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    workload(&client, spawn_tokio).await;
                }
                start.elapsed()
            })
        });
    });
    drop(client);
    rt.shutdown_timeout(Duration::from_secs(1));
    group.finish();
}

criterion_group!(benches, multiplexed);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

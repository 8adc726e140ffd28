//! `cargo bench -p txaio-benches --bench tls`: a 64 KiB message written and read back
//! through a TLS echo task over loopback (`tls_echo_64k`).
//!
//! Contenders, each on one current-thread tokio runtime: futures-rustls over
//! `txaio::net::TcpStream` (txaio on tokio, as `examples/tls_echo.rs` does it), against
//! tokio-rustls over `tokio::net::TcpStream`. Both are the same rustls with the same *ring*
//! provider, TLS 1.3, the same certificate (made by rcgen at start) and the same echo loop, so
//! the difference is the socket and the futures-io/tokio trait adapters. A third contender,
//! tokio-rustls over `txaio::net` (whose streams implement tokio's traits too), tells the
//! socket's share from the TLS adapter's. The target is at most 1.05x tokio-rustls's time.

use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group};
use futures_rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use futures_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use txaio::__private::InRuntime;
use txaio::Runtime;

const MESSAGE: usize = 64 * 1024;

/// rustls's *ring* provider (deprecated in rustls 0.23.48 for its lack of post-quantum key
/// exchange; the benched bulk path does not depend on the key exchange).
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A CA, a certificate for `localhost` it signed, and the two configurations (TLS 1.3).
fn configs() -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "txaio bench CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &*ca)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let server = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let client = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client))
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

/// futures-rustls over `txaio::net` (futures-io traits).
mod txaio_tls {
    use super::{Arc, ClientConfig, MESSAGE, ServerConfig, localhost};
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    use futures_rustls::client::TlsStream;
    use futures_rustls::{TlsAcceptor, TlsConnector};
    use txaio::net::{TcpListener, TcpStream};

    /// A client connected to a fresh echo task.
    pub(super) async fn client(
        server: Arc<ServerConfig>,
        client: Arc<ClientConfig>,
    ) -> TlsStream<TcpStream> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(txaio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            tcp.set_nodelay(true)?;
            let mut tls = TlsAcceptor::from(server).accept(tcp).await?;
            let mut buf = vec![0; MESSAGE];
            loop {
                let n = tls.read(&mut buf).await?;
                if n == 0 {
                    return Ok::<(), std::io::Error>(());
                }
                tls.write_all(&buf[..n]).await?;
                tls.flush().await?;
            }
        }));
        let tcp = TcpStream::connect(addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        TlsConnector::from(client)
            .connect(localhost(), tcp)
            .await
            .unwrap()
    }

    pub(super) async fn round_trip(stream: &mut TlsStream<TcpStream>, message: &[u8]) {
        stream.write_all(message).await.unwrap();
        stream.flush().await.unwrap();
        let mut buf = vec![0; message.len()];
        stream.read_exact(&mut buf).await.unwrap();
    }
}

/// tokio-rustls over `tokio::net` (tokio's traits).
mod tokio_tls {
    use super::{Arc, ClientConfig, MESSAGE, ServerConfig, localhost};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::client::TlsStream;
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    pub(super) async fn client(
        server: Arc<ServerConfig>,
        client: Arc<ClientConfig>,
    ) -> TlsStream<TcpStream> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(tokio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            tcp.set_nodelay(true)?;
            let mut tls = TlsAcceptor::from(server).accept(tcp).await?;
            let mut buf = vec![0; MESSAGE];
            // Ends at the client's close, or its drop without close_notify (an error).
            loop {
                let n = tls.read(&mut buf).await?;
                if n == 0 {
                    return Ok::<(), std::io::Error>(());
                }
                tls.write_all(&buf[..n]).await?;
                tls.flush().await?;
            }
        }));
        let tcp = TcpStream::connect(addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        TlsConnector::from(client)
            .connect(localhost(), tcp)
            .await
            .unwrap()
    }

    pub(super) async fn round_trip(stream: &mut TlsStream<TcpStream>, message: &[u8]) {
        stream.write_all(message).await.unwrap();
        stream.flush().await.unwrap();
        let mut buf = vec![0; message.len()];
        stream.read_exact(&mut buf).await.unwrap();
    }
}

/// tokio-rustls over `txaio::net` (txaio's streams implement tokio's traits too, with the
/// `tokio` feature): the same socket as `txaio_tls`, the same TLS adapter as `tokio_tls`, to
/// tell the socket's cost from the adapter's.
mod tokio_tls_on_txaio {
    use super::{Arc, ClientConfig, MESSAGE, ServerConfig, localhost};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::client::TlsStream;
    use tokio_rustls::{TlsAcceptor, TlsConnector};
    use txaio::net::{TcpListener, TcpStream};

    pub(super) async fn client(
        server: Arc<ServerConfig>,
        client: Arc<ClientConfig>,
    ) -> TlsStream<TcpStream> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(txaio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            tcp.set_nodelay(true)?;
            let mut tls = TlsAcceptor::from(server).accept(tcp).await?;
            let mut buf = vec![0; MESSAGE];
            loop {
                let n = tls.read(&mut buf).await?;
                if n == 0 {
                    return Ok::<(), std::io::Error>(());
                }
                tls.write_all(&buf[..n]).await?;
                tls.flush().await?;
            }
        }));
        let tcp = TcpStream::connect(addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        TlsConnector::from(client)
            .connect(localhost(), tcp)
            .await
            .unwrap()
    }

    pub(super) async fn round_trip(stream: &mut TlsStream<TcpStream>, message: &[u8]) {
        stream.write_all(message).await.unwrap();
        stream.flush().await.unwrap();
        let mut buf = vec![0; message.len()];
        stream.read_exact(&mut buf).await.unwrap();
    }
}

fn tls_echo_64k(c: &mut Criterion) {
    let (server, client) = configs();
    let message = vec![7u8; MESSAGE];
    let mut group = c.benchmark_group("tls_echo_64k");
    group.throughput(Throughput::Bytes(MESSAGE as u64));

    let runtime = tokio_runtime();
    group.bench_function("futures-rustls over txaio::net on tokio", |b| {
        b.iter_custom(|iters| {
            let (server, client) = (Arc::clone(&server), Arc::clone(&client));
            let run = async {
                let mut stream = txaio_tls::client(server, client).await;
                txaio_tls::round_trip(&mut stream, &message).await; // warm the path
                let started = Instant::now();
                for _ in 0..iters {
                    txaio_tls::round_trip(&mut stream, &message).await;
                }
                started.elapsed()
            };
            runtime.block_on(InRuntime::new(Runtime::Tokio, run))
        });
    });

    let runtime = tokio_runtime();
    group.bench_function("tokio-rustls over tokio::net", |b| {
        b.iter_custom(|iters| {
            let (server, client) = (Arc::clone(&server), Arc::clone(&client));
            runtime.block_on(async {
                let mut stream = tokio_tls::client(server, client).await;
                tokio_tls::round_trip(&mut stream, &message).await; // warm the path
                let started = Instant::now();
                for _ in 0..iters {
                    tokio_tls::round_trip(&mut stream, &message).await;
                }
                started.elapsed()
            })
        });
    });
    let runtime = tokio_runtime();
    group.bench_function("tokio-rustls over txaio::net on tokio", |b| {
        b.iter_custom(|iters| {
            let (server, client) = (Arc::clone(&server), Arc::clone(&client));
            let run = async {
                let mut stream = tokio_tls_on_txaio::client(server, client).await;
                tokio_tls_on_txaio::round_trip(&mut stream, &message).await; // warm the path
                let started = Instant::now();
                for _ in 0..iters {
                    tokio_tls_on_txaio::round_trip(&mut stream, &message).await;
                }
                started.elapsed()
            };
            runtime.block_on(InRuntime::new(Runtime::Tokio, run))
        });
    });
    group.finish();
}

criterion_group!(benches, tls_echo_64k);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

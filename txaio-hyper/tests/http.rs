//! txaio-hyper on every backend: the executor, the timer on the virtual clock, the connector
//! (refused, timed out, untrusted and mismatched TLS), and graceful shutdown with requests in
//! flight. Loopback only.

use std::convert::Infallible;
use std::error::Error;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_rustls::TlsAcceptor;
use futures_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use futures_rustls::rustls::{self, RootCertStore, ServerConfig};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use txaio::net::TcpListener;
use txaio_hyper::{ConnectError, Connector, Server, TxaioExecutor, TxaioIo, TxaioTimer};

type BoxError = Box<dyn Error + Send + Sync>;

async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    if request.uri().path() == "/echo" {
        let body = request.into_body().collect().await?.to_bytes();
        return Ok(Response::new(Full::new(body)));
    }
    Ok(Response::new(Full::new(Bytes::from(format!(
        "hello from txaio on {}",
        txaio::current_runtime()
    )))))
}

/// A server of `hello` on a fresh loopback port: its base URL and its stop switch.
async fn start_server() -> (String, txaio::Deferred<()>, txaio::Deferred<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let stop = txaio::create_future::<()>();
    let server = Server::new(listener, hyper::service::service_fn(hello))
        .with_graceful_shutdown(stop.clone());
    let running = txaio::spawn(async move { server.run().await });
    (url, stop, running)
}

fn client<B>(connector: Connector) -> Client<Connector, B>
where
    B: hyper::body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    Client::builder(TxaioExecutor)
        .timer(TxaioTimer)
        .build(connector)
}

#[txaio::test]
async fn get_and_post_round_trip_over_http1() {
    let (url, stop, running) = start_server().await;
    let client = client::<Full<Bytes>>(Connector::http());
    for _ in 0..3 {
        // Keep-alive: the same connection serves the three, on the executor's task.
        let response = client
            .request(
                Request::get(format!("{url}/"))
                    .body(Full::default())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            body,
            format!("hello from txaio on {}", txaio::current_runtime())
        );
    }
    let payload = Bytes::from(vec![7u8; 1 << 20]);
    let response = client
        .request(
            Request::post(format!("{url}/echo"))
                .body(Full::new(payload.clone()))
                .unwrap(),
        )
        .await
        .unwrap();
    let echoed = response.into_body().collect().await.unwrap().to_bytes();
    assert!(echoed == payload, "the 1 MiB body came back changed");
    drop(client);
    txaio::resolve(&stop, ()).unwrap();
    running.await.unwrap();
}

#[txaio::test]
async fn http2_prior_knowledge_is_detected() {
    let (url, stop, running) = start_server().await;
    let client: Client<Connector, Empty<Bytes>> = Client::builder(TxaioExecutor)
        .timer(TxaioTimer)
        .http2_only(true)
        .build(Connector::http());
    let response = client
        .get(format!("{url}/").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(response.version(), hyper::Version::HTTP_2);
    assert_eq!(response.status(), StatusCode::OK);
    drop(client);
    txaio::resolve(&stop, ()).unwrap();
    running.await.unwrap();
}

#[txaio::test]
async fn a_refused_connection_is_a_typed_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let uri = format!("http://127.0.0.1:{port}/").parse().unwrap();
    let error = Connector::http().connect(&uri).await.unwrap_err();
    match &error {
        ConnectError::Connect(io) => assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused),
        other => panic!("expected a refused connection, got {other:?}"),
    }
    // Through hyper-util's client too: the cause is ours, never a panic.
    let client = client::<Empty<Bytes>>(Connector::http());
    let error = client.get(uri).await.unwrap_err();
    let ours = error
        .source()
        .and_then(|source| source.downcast_ref::<ConnectError>());
    assert!(matches!(ours, Some(ConnectError::Connect(_))), "{error:?}");
}

#[txaio::test]
async fn bad_uris_are_typed_errors() {
    let connector = Connector::http();
    let ftp = "ftp://localhost/".parse().unwrap();
    assert!(matches!(
        connector.connect(&ftp).await,
        Err(ConnectError::UnsupportedScheme(_))
    ));
    let https = "https://localhost:1/".parse().unwrap();
    assert!(matches!(
        connector.connect(&https).await,
        Err(ConnectError::TlsNotConfigured)
    ));
    let relative = "/just/a/path".parse().unwrap();
    assert!(matches!(
        connector.connect(&relative).await,
        Err(ConnectError::InvalidUri(_))
    ));
}

#[txaio::test]
async fn a_connect_that_does_not_answer_times_out() {
    // A listener whose accept queue is full drops new SYNs, so a connect to it hangs: fill
    // it (std's backlog is 128) and never accept.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut filled = Vec::new();
    for _ in 0..200 {
        match txaio::with_timeout(
            Duration::from_millis(200),
            txaio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => filled.push(stream),
            _ => break,
        }
    }
    let uri = format!("http://{addr}/").parse().unwrap();
    let error = Connector::http()
        .with_connect_timeout(Duration::from_millis(100))
        .connect(&uri)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectError::Timeout(after) if after == Duration::from_millis(100)),
        "{error:?}"
    );
    drop(listener);
}

/// A CA, and a certificate for `names` signed by it: (CA certificate, chain, key).
fn certificates(
    ca_name: &str,
    names: &[&str],
) -> (
    CertificateDer<'static>,
    Vec<CertificateDer<'static>>,
    PrivateKeyDer<'static>,
) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, ca_name);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    (
        ca.der().clone(),
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// An https server of `hello` with that certificate: its port and its task.
async fn start_https(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> u16 {
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(txaio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await?;
            let acceptor = acceptor.clone();
            drop(txaio::spawn(async move {
                // A client that refuses the certificate ends the handshake: not an error here.
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let builder = hyper_util::server::conn::auto::Builder::new(TxaioExecutor);
                    let _ = builder
                        .serve_connection(TxaioIo::new(tls), hyper::service::service_fn(hello))
                        .await;
                }
                Ok::<(), Infallible>(())
            }));
        }
        #[allow(unreachable_code)]
        Ok::<(), std::io::Error>(())
    }));
    port
}

fn roots(ca: CertificateDer<'static>) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.add(ca).unwrap();
    roots
}

#[txaio::test]
async fn https_with_the_right_ca_and_name_works() {
    let (ca, chain, key) = certificates("the CA", &["localhost"]);
    let port = start_https(chain, key).await;
    let client = client::<Empty<Bytes>>(Connector::with_roots(roots(ca)));
    let response = client
        .get(format!("https://localhost:{port}/").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), hyper::Version::HTTP_2, "ALPN chose h2");
}

#[txaio::test]
async fn an_untrusted_certificate_is_refused_with_a_typed_error() {
    let (_their_ca, chain, key) = certificates("their CA", &["localhost"]);
    let port = start_https(chain, key).await;
    let (other_ca, _, _) = certificates("another CA", &["localhost"]);
    let uri = format!("https://localhost:{port}/").parse().unwrap();
    let error = Connector::with_roots(roots(other_ca))
        .connect(&uri)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.tls_error(),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        "{error:?}"
    );
}

#[txaio::test]
async fn a_certificate_for_another_name_is_refused() {
    let (ca, chain, key) = certificates("the CA", &["other.example"]);
    let port = start_https(chain, key).await;
    let uri = format!("https://localhost:{port}/").parse().unwrap();
    let error = Connector::with_roots(roots(ca))
        .connect(&uri)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.tls_error(),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            ))
        ),
        "{error:?}"
    );
}

#[txaio::test]
async fn graceful_shutdown_finishes_the_requests_in_flight() {
    const IN_FLIGHT: usize = 8;
    let started = Arc::new(AtomicUsize::new(0));
    let all_started = txaio::create_future::<()>();
    let gate = txaio::create_future::<()>();
    let service = {
        let (started, all_started, gate) =
            (Arc::clone(&started), all_started.clone(), gate.clone());
        hyper::service::service_fn(move |_request: Request<Incoming>| {
            let (started, all_started, gate) =
                (Arc::clone(&started), all_started.clone(), gate.clone());
            async move {
                if started.fetch_add(1, Ordering::SeqCst) + 1 == IN_FLIGHT {
                    let _ = txaio::resolve(&all_started, ());
                }
                gate.await.expect("the gate opens");
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"done"))))
            }
        })
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = txaio::create_future::<()>();
    let server = Server::new(listener, service).with_graceful_shutdown(stop.clone());
    let running = txaio::spawn(async move { server.run().await });

    // Each request on a connection of its own, all waiting in the handler.
    let requests: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            txaio::spawn(async move {
                let client: Client<Connector, Empty<Bytes>> = Client::builder(TxaioExecutor)
                    .timer(TxaioTimer)
                    .pool_max_idle_per_host(0)
                    .build(Connector::http());
                let uri = format!("http://{addr}/").parse().expect("a URI");
                let response = client.get(uri).await.map_err(txaio::Failure::msg)?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                Ok::<_, txaio::Failure>((status, body))
            })
        })
        .collect();
    all_started.await.unwrap();
    txaio::resolve(&stop, ()).unwrap(); // shut down with 8 requests in flight
    assert!(!txaio::is_called(&running), "it waits for them");
    txaio::resolve(&gate, ()).unwrap();
    for request in requests {
        let (status, body) = request.take().await.unwrap();
        assert_eq!(
            (status, &body[..]),
            (StatusCode::OK, &b"done"[..]),
            "none lost"
        );
    }
    running.await.unwrap();
    // Stopped: nobody accepts any more.
    assert!(txaio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn hypers_header_read_timeout_fires_at_exactly_its_deadline_on_the_virtual_clock() {
    /// A peer that connects and never sends a byte.
    struct Silent;
    impl hyper::rt::Read for Silent {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            _: &mut Context<'_>,
            _: hyper::rt::ReadBufCursor<'_>,
        ) -> Poll<std::io::Result<()>> {
            Poll::Pending
        }
    }
    impl hyper::rt::Write for Silent {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    txaio::testutil::replace_loop(|clock| {
        let timeout = Duration::from_secs(5);
        let mut connection = pin!(
            hyper::server::conn::http1::Builder::new()
                .timer(TxaioTimer)
                .header_read_timeout(timeout)
                .serve_connection(
                    Silent,
                    hyper::service::service_fn(|_: Request<Incoming>| async {
                        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
                    }),
                )
        );
        let mut cx = Context::from_waker(Waker::noop());
        assert!(connection.as_mut().poll(&mut cx).is_pending());
        clock.advance(timeout.checked_sub(Duration::from_nanos(1)).unwrap());
        assert!(
            connection.as_mut().poll(&mut cx).is_pending(),
            "not a nanosecond early"
        );
        clock.advance(Duration::from_nanos(1));
        match connection.as_mut().poll(&mut cx) {
            Poll::Ready(Err(error)) => assert!(error.is_timeout(), "{error:?}"),
            other => panic!("expected the header read timeout, got {other:?}"),
        }
    });
}

#[test]
fn the_timer_follows_the_virtual_clock_and_resets_in_place() {
    use hyper::rt::Timer;
    txaio::testutil::replace_loop(|clock| {
        let timer = TxaioTimer;
        let start = timer.now();
        let mut sleep = timer.sleep(Duration::from_secs(10));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        timer.reset(&mut sleep, start + Duration::from_secs(20));
        clock.advance(Duration::from_secs(10));
        assert_eq!(timer.now().duration_since(start), Duration::from_secs(10));
        assert!(sleep.as_mut().poll(&mut cx).is_pending(), "moved to 20 s");
        clock.advance(Duration::from_secs(10));
        assert!(sleep.as_mut().poll(&mut cx).is_ready());
        drop(sleep);
        assert_eq!(clock.pending(), 0);
    });
}

/// hyper asks `is_write_vectored` once per connection and, told yes, hands headers and body
/// over in one vectored write: `TxaioIo` says yes and passes the slices to the stream whole.
#[txaio::test]
async fn txaio_io_writes_vectored() {
    use hyper::rt::Write;
    use std::io::IoSlice;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stream = txaio::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    let mut io = TxaioIo::new(stream);
    assert!(io.is_write_vectored());
    let slices = [
        IoSlice::new(b"HTTP/1.1 200 OK\r\n\r\n"),
        IoSlice::new(b""),
        IoSlice::new(b"body"),
    ];
    let written =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut io).poll_write_vectored(cx, &slices))
            .await
            .unwrap();
    assert_eq!(written, 23);
    let mut got = Vec::new();
    let mut buf = [0; 64];
    while got.len() < 23 {
        let n = server.read(&mut buf).await.unwrap();
        assert_ne!(n, 0);
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"HTTP/1.1 200 OK\r\n\r\nbody");
}

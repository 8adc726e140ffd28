//! examples/tls_echo.rs in-process, on every backend (`#[txaio::test]`): its server and its
//! client, over certificates made by rcgen at test time. The server's certificate is refused
//! with a typed error when it is for another name or from another CA; the server goes on
//! serving others after a refused handshake, and serves connections concurrently.
//! (`scripts/tls-check.sh` checks the same binary against OpenSSL, both ways.)

use std::path::PathBuf;
use std::sync::Arc;

use futures_rustls::pki_types::pem::{self, PemObject};
use futures_rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use futures_rustls::rustls::{self, CertificateError, ClientConfig, ServerConfig};
use futures_util::future::try_join;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use txaio::net::TcpListener;

#[allow(dead_code, unreachable_pub)]
#[path = "../tls_echo.rs"]
mod tls_echo;

use tls_echo::{Error, Mode};

type Outcome = Result<(), Error>;

/// A certificate authority of our own.
fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A server certificate for `names`, signed by `ca`, and its key.
fn leaf(
    ca: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|&n| n.to_owned()).collect::<Vec<_>>()).unwrap();
    let cert = params.signed_by(&key, &**ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (vec![cert.der().clone()], key)
}

/// `tls_echo::serve` on 127.0.0.1 with `config`, in a task; its port, and the task (cancel
/// it to stop the server).
async fn start(config: Arc<ServerConfig>) -> Result<(u16, txaio::Deferred<()>), Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(io)?;
    let port = listener.local_addr().map_err(io)?.port();
    Ok((port, txaio::spawn(tls_echo::serve(listener, config))))
}

fn io(error: std::io::Error) -> Error {
    Error::Io {
        context: "test".to_owned(),
        error,
    }
}

fn localhost_pki() -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let ca = authority("txaio test CA");
    let (chain, key) = leaf(&ca, &["localhost", "127.0.0.1"]);
    let server = tls_echo::server_config(chain, key).unwrap();
    let client = tls_echo::client_config(vec![ca.der().clone()]).unwrap();
    (server, client)
}

#[txaio::test]
async fn echoes_lines_by_host_name() -> Outcome {
    let (server, client) = localhost_pki();
    let (port, serving) = start(server).await?;
    // By name: `localhost` may resolve to ::1 first; connect tries every address.
    let mut tls = tls_echo::connect(&format!("localhost:{port}"), Arc::clone(&client)).await?;
    assert_eq!(
        tls_echo::exchange(&mut tls, "hello").await.map_err(io)?,
        b"hello\n"
    );
    // Two lines sent, two lines awaited.
    assert_eq!(
        tls_echo::exchange(&mut tls, "one\ntwo\n")
            .await
            .map_err(io)?,
        b"one\ntwo\n"
    );
    tls.close().await.map_err(io)?;
    // By address: the certificate names 127.0.0.1 too.
    let mut tls = tls_echo::connect(&format!("127.0.0.1:{port}"), client).await?;
    assert_eq!(
        tls_echo::exchange(&mut tls, "ip").await.map_err(io)?,
        b"ip\n"
    );
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn echoes_200_kb_both_ways_while_another_connection_waits() -> Outcome {
    let (server, client) = localhost_pki();
    let (port, serving) = start(server).await?;
    let addr = format!("localhost:{port}");
    // A first connection, handshaken and idle, holds its task: the second is served anyway.
    let mut idle = tls_echo::connect(&addr, Arc::clone(&client)).await?;
    let tls = tls_echo::connect(&addr, client).await?;
    let sent: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let (mut reader, mut writer) = tls.split();
    let writing = async {
        writer.write_all(&sent).await?;
        // close_notify and the write direction shut: the server echoes the rest and closes.
        writer.close().await
    };
    let mut received = Vec::new();
    let reading = reader.read_to_end(&mut received);
    try_join(writing, reading).await.map_err(io)?;
    assert_eq!(received.len(), sent.len());
    assert!(received == sent, "the echo differs from what was sent");
    // The idle connection still works.
    assert_eq!(
        tls_echo::exchange(&mut idle, "still here")
            .await
            .map_err(io)?,
        b"still here\n"
    );
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn a_certificate_for_another_name_is_refused() -> Outcome {
    let ca = authority("txaio test CA");
    let (chain, key) = leaf(&ca, &["example.com"]);
    let (port, serving) = start(tls_echo::server_config(chain, key)?).await?;
    let client = tls_echo::client_config(vec![ca.der().clone()])?;
    let Err(refused) = tls_echo::connect(&format!("localhost:{port}"), client).await else {
        panic!("a certificate for example.com was accepted for localhost");
    };
    match &refused {
        Error::Handshake {
            error:
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ),
            peer,
        } => assert_eq!(*peer, format!("localhost:{port}")),
        other => panic!("expected NotValidForName, got {other:?}"),
    }
    let message = refused.to_string();
    assert!(
        message.contains("not valid for name \"localhost\""),
        "{message}"
    );
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn an_untrusted_issuer_is_refused_and_the_server_serves_on() -> Outcome {
    let (server, client) = localhost_pki();
    let (port, serving) = start(server).await?;
    let addr = format!("localhost:{port}");
    let stranger = tls_echo::client_config(vec![authority("another CA").der().clone()])?;
    match tls_echo::connect(&addr, stranger).await {
        Err(Error::Handshake {
            error: rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
            ..
        }) => {}
        other => panic!("expected UnknownIssuer, got {other:?}"),
    }
    let mut tls = tls_echo::connect(&addr, client).await?;
    assert_eq!(
        tls_echo::exchange(&mut tls, "after").await.map_err(io)?,
        b"after\n"
    );
    txaio::cancel(&serving);
    Ok(())
}

/// A file of this test's own in the temporary folder (one per backend: they run in turn).
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "txaio-tls-echo-{}-{}",
        std::process::id(),
        txaio::current_runtime()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[txaio::test]
async fn pem_files_load_and_bad_ones_are_typed_errors() -> Outcome {
    let ca = authority("txaio test CA");
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &*ca)
        .unwrap();
    let cert_path = temp_file("cert.pem", &format!("{}{}", cert.pem(), ca.pem()));
    let key_path = temp_file("key.pem", &key.serialize_pem());
    let chain = tls_echo::load_certs(&cert_path)?;
    assert_eq!(chain, [cert.der().clone(), ca.der().clone()]);
    let loaded = tls_echo::load_key(&key_path)?;
    assert_eq!(loaded.secret_der(), key.serialize_der());
    tls_echo::server_config(chain.clone(), loaded)?;

    // A key file where certificates are wanted, and the other way round.
    match tls_echo::load_certs(&key_path) {
        Err(Error::Pem {
            error: pem::Error::NoItemsFound,
            wanted: "certificate",
            ..
        }) => {}
        other => panic!("expected NoItemsFound, got {other:?}"),
    }
    assert!(matches!(
        tls_echo::load_key(&cert_path),
        Err(Error::Pem {
            error: pem::Error::NoItemsFound,
            ..
        })
    ));
    let missing = cert_path.with_file_name("missing.pem");
    match tls_echo::load_certs(&missing) {
        Err(Error::Pem {
            error: pem::Error::Io(error),
            ..
        }) => assert_eq!(error.kind(), std::io::ErrorKind::NotFound),
        other => panic!("expected NotFound, got {other:?}"),
    }
    // A key that is not the certificate's.
    let other_key =
        PrivateKeyDer::from_pem_slice(KeyPair::generate().unwrap().serialize_pem().as_bytes())
            .unwrap();
    assert!(matches!(
        tls_echo::server_config(chain, other_key),
        Err(Error::Config(rustls::Error::InconsistentKeys(_)))
    ));
    let _ = std::fs::remove_dir_all(cert_path.parent().unwrap());
    Ok(())
}

#[txaio::test]
async fn addresses_without_a_port_are_errors_not_panics() -> Outcome {
    let (_, client) = localhost_pki();
    for bad in ["localhost", "localhost:http", "bad name!:443", ":443"] {
        match tls_echo::connect(bad, Arc::clone(&client)).await {
            Err(Error::Address(message)) => assert!(message.contains('`'), "{message}"),
            other => panic!("{bad}: expected Error::Address, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn the_command_line() {
    let args = |line: &str| line.split(' ').map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        tls_echo::mode(args("--serve 127.0.0.1:0 --cert c.pem --key k.pem")).unwrap(),
        Mode::Serve {
            addr: "127.0.0.1:0".to_owned(),
            cert: "c.pem".into(),
            key: "k.pem".into(),
        }
    );
    assert_eq!(
        tls_echo::mode(args(
            "--connect localhost:1 --ca ca.pem --message hi --timeout 2"
        ))
        .unwrap(),
        Mode::Connect {
            addr: "localhost:1".to_owned(),
            ca: "ca.pem".into(),
            message: "hi".to_owned(),
            timeout: std::time::Duration::from_secs(2),
        }
    );
    for bad in [
        "--serve 127.0.0.1:0 --cert c.pem",
        "--connect localhost:1 --ca",
        "--connect localhost:1 --ca ca.pem --message hi --timeout -1",
        "--frobnicate 1",
        "--cert c.pem",
    ] {
        assert!(
            matches!(tls_echo::mode(args(bad)), Err(Error::Usage(_))),
            "{bad}"
        );
    }
}

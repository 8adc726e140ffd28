//! A TLS echo server and its client on `txaio::net` and futures-rustls (rustls over
//! `futures-io`), written once: no runtime is named here, the application's feature picks it.
//!
//! ```text
//! cargo run -p txaio-examples --example tls_echo -- --serve 127.0.0.1:4433 --cert cert.pem --key key.pem
//! cargo run -p txaio-examples --example tls_echo -- --connect localhost:4433 --ca ca.pem --message hello
//! cargo run -p txaio-examples --example tls_echo --no-default-features --features smol -- ...
//! ```
//!
//! The server echoes each connection's bytes until the client closes, every connection in a
//! task of its own. The client connects by host name, checks the server's certificate against
//! `--ca` and that name, sends `--message` as a line and prints the reply. It knows it has the
//! whole reply when it has read back as many lines as it sent (a line protocol answers each
//! line, and `openssl s_server -rev` never closes), or when the server closes first;
//! `--timeout SECS` (default 10) bounds the wait.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use futures_rustls::pki_types::pem::{self, PemObject};
use futures_rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use futures_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use futures_rustls::{TlsAcceptor, TlsConnector, client};
use futures_util::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use txaio::net::{TcpListener, TcpStream};

/// What went wrong, with what was being done; `Display` is the message a user reads.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The command line: an unknown flag, a missing value.
    Usage(String),
    /// A PEM file that cannot be read, or that holds no item of the kind wanted.
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wanted in it (`"certificate"`, `"private key"`).
        wanted: &'static str,
        /// The parser's error (`NoItemsFound` for a file with none).
        error: pem::Error,
    },
    /// An address that is not `HOST:PORT`, or a host that is neither a DNS name nor an IP
    /// address.
    Address(String),
    /// rustls refused the certificates or the key (a key that does not match the
    /// certificate, a CA certificate it cannot parse).
    Config(rustls::Error),
    /// Binding, connecting, reading or writing: the OS's error, with what was being done.
    Io {
        /// What was being done.
        context: String,
        /// The error.
        error: io::Error,
    },
    /// The TLS handshake failed: the peer's certificate was refused (untrusted, for another
    /// name, expired), or the peer refused ours and said so with an alert.
    Handshake {
        /// The peer (`HOST:PORT` as given, or its address).
        peer: String,
        /// rustls's reason, e.g. `InvalidCertificate(NotValidForName..)`.
        error: rustls::Error,
    },
    /// No whole reply within `--timeout`.
    Timeout {
        /// The peer.
        peer: String,
        /// The time allowed.
        after: Duration,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(text) | Error::Address(text) => f.write_str(text),
            Error::Pem {
                path,
                wanted,
                error: pem::Error::NoItemsFound,
            } => write!(f, "{}: no PEM {wanted} in the file", path.display()),
            Error::Pem {
                path,
                wanted,
                error,
            } => write!(f, "{}: cannot read a PEM {wanted}: {error}", path.display()),
            Error::Config(error) => write!(f, "TLS configuration refused: {error}"),
            Error::Io { context, error } => write!(f, "{context}: {error}"),
            Error::Handshake { peer, error } => {
                write!(f, "TLS handshake with {peer} failed: {error}")
            }
            Error::Timeout { peer, after } => {
                write!(f, "no whole reply from {peer} within {after:?}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Pem { error, .. } => Some(error),
            Error::Config(error) | Error::Handshake { error, .. } => Some(error),
            Error::Io { error, .. } => Some(error),
            Error::Usage(_) | Error::Address(_) | Error::Timeout { .. } => None,
        }
    }
}

fn io_error(context: impl fmt::Display) -> impl FnOnce(io::Error) -> Error {
    move |error| Error::Io {
        context: context.to_string(),
        error,
    }
}

/// futures-rustls reports a failed handshake as an `io::Error` wrapping rustls's error: the
/// typed reason is taken back out, so a caller can match on it.
fn handshake_error(peer: &str, error: io::Error) -> Error {
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => Error::Handshake {
            peer: peer.to_owned(),
            error: tls.clone(),
        },
        None => Error::Io {
            context: format!("TLS handshake with {peer}"),
            error,
        },
    }
}

/// The certificates of a PEM file (a chain: the leaf first), at least one.
///
/// # Errors
///
/// [`Error::Pem`]: the file cannot be read, is not PEM, or has no certificate.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let pem_error = |error| Error::Pem {
        path: path.to_owned(),
        wanted: "certificate",
        error,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(pem_error)?;
    if certs.is_empty() {
        return Err(pem_error(pem::Error::NoItemsFound));
    }
    Ok(certs)
}

/// The first private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
///
/// # Errors
///
/// [`Error::Pem`]: the file cannot be read, is not PEM, or has no private key.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_file(path).map_err(|error| Error::Pem {
        path: path.to_owned(),
        wanted: "private key",
        error,
    })
}

/// rustls's *ring* provider, named explicitly (no process-wide default to install). rustls
/// 0.23.48 deprecates it because *ring* has no post-quantum key exchange; aws-lc-rs has one
/// (X25519MLKEM768) at the cost of a C and CMake build: an application that wants it enables
/// futures-rustls's `aws-lc-rs` feature and returns `aws_lc_rs::default_provider()` here.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

// ANCHOR: client
/// A client configuration that trusts the certificate authorities `cas` and nothing else.
///
/// # Errors
///
/// [`Error::Config`]: a CA certificate rustls cannot use.
pub fn client_config(cas: Vec<CertificateDer<'static>>) -> Result<Arc<ClientConfig>, Error> {
    let mut roots = RootCertStore::empty();
    for ca in cas {
        roots.add(ca).map_err(Error::Config)?;
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(Error::Config)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Connects to `addr` (`HOST:PORT`, the host by name or address) and makes the TLS handshake,
/// checking the server's certificate against the configuration's CAs and against HOST.
///
/// # Errors
///
/// [`Error::Address`] for an address that is not `HOST:PORT`, [`Error::Io`] if no resolved
/// address answers, [`Error::Handshake`] if the certificate is refused (e.g.
/// `InvalidCertificate(UnknownIssuer)`, `InvalidCertificate(NotValidForName..)`).
pub async fn connect(
    addr: &str,
    config: Arc<ClientConfig>,
) -> Result<client::TlsStream<TcpStream>, Error> {
    let name = server_name(addr)?;
    // Resolved off the event loop, every address tried in order (`localhost` may be ::1 first).
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(io_error(format_args!("connect to {addr}")))?;
    tcp.set_nodelay(true)
        .map_err(io_error(format_args!("connect to {addr}")))?;
    TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|error| handshake_error(addr, error))
}

/// Sends `message` as a line (a newline is added if it has none) and reads the reply: as many
/// lines as were sent, or all the server wrote before it closed.
///
/// # Errors
///
/// The stream's; a server that closes without TLS's `close_notify` is `UnexpectedEof`.
pub async fn exchange<S>(stream: &mut S, message: &str) -> io::Result<Vec<u8>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut request = message.to_owned();
    if !request.ends_with('\n') {
        request.push('\n');
    }
    stream.write_all(request.as_bytes()).await?;
    stream.flush().await?;
    let lines = request.matches('\n').count();
    let (mut reply, mut replied) = (Vec::new(), 0);
    let mut buf = [0; 4096];
    while replied < lines {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break; // the server closed: that was the whole reply
        }
        #[allow(clippy::naive_bytecount)] // a few KiB at a time: no crate for this
        let newlines = buf[..n].iter().filter(|&&byte| byte == b'\n').count();
        replied += newlines;
        reply.extend_from_slice(&buf[..n]);
    }
    Ok(reply)
}
// ANCHOR_END: client

/// `HOST:PORT` (`[V6]:PORT` too) as the name the certificate must carry.
fn server_name(addr: &str) -> Result<ServerName<'static>, Error> {
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| Error::Address(format!("`{addr}` is not HOST:PORT")))?;
    port.parse::<u16>()
        .map_err(|e| Error::Address(format!("`{addr}`: port `{port}`: {e}")))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(host.to_owned())
        .map_err(|_| Error::Address(format!("`{host}` is neither a DNS name nor an IP address")))
}

// ANCHOR: server
/// A server configuration presenting `chain` (the leaf first) with its private `key`.
///
/// # Errors
///
/// [`Error::Config`]: a key that is not the certificate's, or one rustls cannot use.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, Error> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(Error::Config)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(Error::Config)?;
    Ok(Arc::new(config))
}

/// Accepts connections for ever, each echoed in a task of its own. A connection that fails
/// (a refused handshake, a reset) is reported on stderr and does not stop the server.
///
/// # Errors
///
/// An error of `accept` other than a connection aborted or reset before it was accepted.
pub async fn serve(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<()> {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionAborted) => continue,
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionReset) => continue,
            Err(e) => return Err(e),
        };
        let acceptor = acceptor.clone();
        // The task runs detached: its deferred is not kept.
        drop(txaio::spawn(async move {
            if let Err(error) = echo(&acceptor, tcp).await {
                eprintln!("tls_echo: {peer}: {error}");
            }
            Ok::<(), txaio::Failure>(())
        }));
    }
}

/// Makes the TLS handshake on `tcp`, then writes back every byte read until the client
/// closes; returns how many bytes were echoed.
///
/// # Errors
///
/// [`Error::Handshake`] if the handshake fails, [`Error::Io`] if the connection does.
pub async fn echo(acceptor: &TlsAcceptor, tcp: TcpStream) -> Result<u64, Error> {
    let peer = tcp
        .peer_addr()
        .map_or_else(|_| "a client".to_owned(), |addr| addr.to_string());
    let mut tls = acceptor
        .accept(tcp)
        .await
        .map_err(|error| handshake_error(&peer, error))?;
    let mut buf = vec![0; 16 * 1024];
    let mut echoed = 0;
    loop {
        let n = tls.read(&mut buf).await.map_err(io_error("read"))?;
        if n == 0 {
            break;
        }
        tls.write_all(&buf[..n]).await.map_err(io_error("write"))?;
        tls.flush().await.map_err(io_error("write"))?;
        echoed += n as u64;
    }
    // TLS's close_notify, then the TCP write direction shut down.
    tls.close().await.map_err(io_error("close"))?;
    Ok(echoed)
}
// ANCHOR_END: server

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `--serve ADDR --cert PEM --key PEM`
    Serve {
        /// The address to listen on.
        addr: String,
        /// The certificate chain.
        cert: PathBuf,
        /// Its private key.
        key: PathBuf,
    },
    /// `--connect HOST:PORT --ca PEM --message TEXT [--timeout SECS]`
    Connect {
        /// The server, by name.
        addr: String,
        /// The CA certificates to trust.
        ca: PathBuf,
        /// The text to send.
        message: String,
        /// How long the whole exchange may take.
        timeout: Duration,
    },
}

const USAGE: &str = "usage: tls_echo --serve ADDR --cert PEM --key PEM\n       \
                     tls_echo --connect HOST:PORT --ca PEM --message TEXT [--timeout SECS]";

/// Parses the command line.
///
/// # Errors
///
/// [`Error::Usage`]: an unknown flag, a flag without its value, a missing flag.
pub fn mode(args: impl IntoIterator<Item = String>) -> Result<Mode, Error> {
    let mut flags = std::collections::HashMap::new();
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let known = [
            "--serve",
            "--cert",
            "--key",
            "--connect",
            "--ca",
            "--message",
            "--timeout",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(Error::Usage(format!("unknown flag `{flag}`\n{USAGE}")));
        }
        let value = args
            .next()
            .ok_or_else(|| Error::Usage(format!("{flag} needs a value\n{USAGE}")))?;
        flags.insert(flag, value);
    }
    let mut take = |flag: &str| {
        flags
            .remove(flag)
            .ok_or_else(|| Error::Usage(format!("missing {flag}\n{USAGE}")))
    };
    if let Ok(addr) = take("--serve") {
        return Ok(Mode::Serve {
            addr,
            cert: take("--cert")?.into(),
            key: take("--key")?.into(),
        });
    }
    let addr = take("--connect")
        .map_err(|_| Error::Usage(format!("give --serve or --connect\n{USAGE}")))?;
    let timeout = match take("--timeout") {
        Ok(secs) => Duration::from_secs_f64(
            secs.parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .ok_or_else(|| Error::Usage(format!("--timeout: `{secs}` is not seconds")))?,
        ),
        Err(_) => Duration::from_secs(10),
    };
    Ok(Mode::Connect {
        addr,
        ca: take("--ca")?.into(),
        message: take("--message")?,
        timeout,
    })
}

async fn run(mode: Mode) -> Result<(), Error> {
    match mode {
        Mode::Serve { addr, cert, key } => {
            let config = server_config(load_certs(&cert)?, load_key(&key)?)?;
            let listener = TcpListener::bind(addr.as_str())
                .await
                .map_err(io_error(format_args!("bind {addr}")))?;
            let local = listener.local_addr().map_err(io_error("local address"))?;
            println!(
                "tls_echo on {} listening on {local}",
                txaio::current_runtime()
            );
            serve(listener, config).await.map_err(io_error("accept"))
        }
        Mode::Connect {
            addr,
            ca,
            message,
            timeout,
        } => {
            let config = client_config(load_certs(&ca)?)?;
            let talk = async {
                let mut tls = connect(&addr, config).await?;
                let reply = exchange(&mut tls, &message)
                    .await
                    .map_err(io_error(format_args!("exchange with {addr}")))?;
                // Our close_notify; a server that has gone already is no error of ours.
                let _ = tls.close().await;
                Ok::<_, Error>(reply)
            };
            let reply =
                txaio::with_timeout(timeout, talk)
                    .await
                    .map_err(|_| Error::Timeout {
                        peer: addr.clone(),
                        after: timeout,
                    })??;
            let mut text = String::from_utf8_lossy(&reply).into_owned();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            print!("{text}");
            Ok(())
        }
    }
}

#[txaio::main]
async fn main() -> ExitCode {
    let outcome = match mode(std::env::args().skip(1)) {
        Ok(mode) => run(mode).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tls_echo: {error}");
            ExitCode::FAILURE
        }
    }
}

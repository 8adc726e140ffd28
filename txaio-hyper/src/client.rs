//! A connector for hyper-util's client: host names through `txaio::net`, a connect timeout,
//! and `https` through futures-rustls with the certificate and host name always verified.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_rustls::TlsConnector;
use futures_rustls::client::TlsStream;
use futures_rustls::rustls::pki_types::ServerName;
use futures_rustls::rustls::{self, ClientConfig, RootCertStore};
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use txaio::net::TcpStream;

use crate::TxaioIo;

/// Connects hyper-util's client (`hyper_util::client::legacy::Client`) on the runtime running
/// the caller: `http` over `txaio::net::TcpStream`, `https` over futures-rustls.
///
/// Host names are resolved by `txaio::net` off the event loop, and every address is tried in
/// order. A certificate is always verified against the roots it was given, and against the
/// host name: there is no way to turn that off. An untrusted or mismatched certificate is a
/// [`ConnectError::Tls`].
///
/// # Examples
///
/// ```no_run
/// use http_body_util::{BodyExt, Empty};
/// use hyper_util::client::legacy::Client;
///
/// # #[txaio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let connector = txaio_hyper::Connector::http()
///     .with_connect_timeout(std::time::Duration::from_secs(5));
/// let client = Client::builder(txaio_hyper::TxaioExecutor)
///     .timer(txaio_hyper::TxaioTimer)
///     .build::<_, Empty<bytes::Bytes>>(connector);
/// let response = client.get("http://localhost:8080/".parse()?).await?;
/// let body = response.into_body().collect().await?.to_bytes();
/// # drop(body);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Connector {
    tls: Option<TlsConnector>,
    connect_timeout: Option<Duration>,
    nodelay: bool,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("https", &self.tls.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("nodelay", &self.nodelay)
            .finish()
    }
}

impl Connector {
    /// A connector for `http` only; an `https` URI is [`ConnectError::TlsNotConfigured`].
    #[must_use]
    pub fn http() -> Self {
        Connector {
            tls: None,
            connect_timeout: None,
            nodelay: true,
        }
    }

    /// A connector for `http` and `https`, trusting the certificate authorities in `roots`
    /// (an internal CA, or `webpki-roots`). It offers HTTP/2 and HTTP/1.1 by ALPN.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_rustls::rustls::RootCertStore;
    /// use futures_rustls::rustls::pki_types::CertificateDer;
    /// use futures_rustls::rustls::pki_types::pem::PemObject;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()])?;
    /// # let pem = ca.cert.pem();
    /// let mut roots = RootCertStore::empty();
    /// for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
    ///     roots.add(cert?)?;
    /// }
    /// let connector = txaio_hyper::Connector::with_roots(roots);
    /// # drop(connector);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_roots(roots: RootCertStore) -> Self {
        let mut config = ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Self::with_tls_config(Arc::new(config))
    }

    /// A connector for `http` and `https` trusting Mozilla's root certificates (the
    /// `webpki-roots` feature).
    #[cfg(feature = "webpki-roots")]
    #[must_use]
    pub fn with_webpki_roots() -> Self {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Self::with_roots(roots)
    }

    /// A connector for `http` and `https` with a rustls configuration of the application's
    /// own (client certificates, pinned roots). Its verifier is rustls' unless the
    /// application replaced it.
    #[must_use]
    pub fn with_tls_config(config: Arc<ClientConfig>) -> Self {
        Connector {
            tls: Some(TlsConnector::from(config)),
            ..Self::http()
        }
    }

    /// Gives up a connection attempt (resolution and TCP, every address) after `timeout`:
    /// [`ConnectError::Timeout`]. On txaio's clock, so virtual in tests.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets `TCP_NODELAY` on new connections (on by default, as HTTP wants).
    #[must_use]
    pub fn with_nodelay(mut self, nodelay: bool) -> Self {
        self.nodelay = nodelay;
        self
    }

    /// Connects to the origin of `uri`, as hyper-util's client does through [`tower_service::Service`].
    ///
    /// # Errors
    ///
    /// A [`ConnectError`] saying which step failed.
    pub async fn connect(&self, uri: &Uri) -> Result<MaybeHttpsStream, ConnectError> {
        let target = Target::of(uri)?;
        if target.https && self.tls.is_none() {
            return Err(ConnectError::TlsNotConfigured);
        }
        let connecting = TcpStream::connect((target.host.as_str(), target.port));
        let tcp = match self.connect_timeout {
            Some(timeout) => txaio::with_timeout(timeout, connecting)
                .await
                .map_err(|_| ConnectError::Timeout(timeout))?,
            None => connecting.await,
        }
        .map_err(ConnectError::Connect)?;
        let _ = tcp.set_nodelay(self.nodelay);
        let Some(tls) = self.tls.as_ref().filter(|_| target.https) else {
            return Ok(MaybeHttpsStream::Http(TxaioIo::new(tcp)));
        };
        let name = ServerName::try_from(target.host.clone()).map_err(|_| {
            ConnectError::InvalidUri(format!("`{}` is not a host name", target.host))
        })?;
        let stream = tls.connect(name, tcp).await.map_err(ConnectError::Tls)?;
        Ok(MaybeHttpsStream::Https(Box::new(TxaioIo::new(stream))))
    }
}

/// The process's default rustls crypto provider if the application installed one, else ring
/// (this crate's: it builds without C code beyond ring's own).
fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        // Deprecated for lacking post-quantum key exchange; the application that wants it
        // installs a provider that has it, which is used above.
        .unwrap_or_else(|| {
            #[allow(deprecated)]
            Arc::new(rustls::crypto::ring::default_provider())
        })
}

/// Where a URI points.
struct Target {
    https: bool,
    host: String,
    port: u16,
}

impl Target {
    fn of(uri: &Uri) -> Result<Target, ConnectError> {
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            Some(other) => return Err(ConnectError::UnsupportedScheme(other.to_owned())),
            None => return Err(ConnectError::InvalidUri(format!("`{uri}` has no scheme"))),
        };
        let host = uri
            .host()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| ConnectError::InvalidUri(format!("`{uri}` has no host")))?;
        // `[::1]` in a URI is the address `::1`.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(Target { https, host, port })
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = MaybeHttpsStream;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<MaybeHttpsStream, ConnectError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ConnectError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move { connector.connect(&uri).await })
    }
}

/// Why [`Connector`] could not connect.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URI names no host, or a host that is no valid TLS server name.
    InvalidUri(String),
    /// A scheme other than `http` and `https`.
    UnsupportedScheme(String),
    /// An `https` URI on a connector made with [`Connector::http`].
    TlsNotConfigured,
    /// Resolving the host or connecting failed (the last address's error): refused,
    /// unreachable, a name that does not resolve.
    Connect(io::Error),
    /// The connect timeout passed first.
    Timeout(Duration),
    /// The TLS handshake failed; [`ConnectError::tls_error`] gives rustls' reason (an
    /// untrusted certificate, a name mismatch).
    Tls(io::Error),
}

impl ConnectError {
    /// rustls' error, for a failed handshake: `InvalidCertificate(UnknownIssuer)` for an
    /// untrusted certificate, `InvalidCertificate(NotValidForName..)` for another host's.
    #[must_use]
    pub fn tls_error(&self) -> Option<&rustls::Error> {
        match self {
            ConnectError::Tls(error) => error.get_ref()?.downcast_ref::<rustls::Error>(),
            _ => None,
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::InvalidUri(why) => write!(f, "invalid URI: {why}"),
            ConnectError::UnsupportedScheme(scheme) => {
                write!(f, "unsupported scheme `{scheme}`; expected `http` or `https`")
            }
            ConnectError::TlsNotConfigured => f.write_str(
                "an https URI, but the connector was made for http only; make it with `Connector::with_roots`",
            ),
            ConnectError::Connect(error) => write!(f, "could not connect: {error}"),
            ConnectError::Timeout(after) => write!(f, "no connection after {after:?}"),
            ConnectError::Tls(error) => write!(f, "TLS handshake failed: {error}"),
        }
    }
}

impl Error for ConnectError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ConnectError::Connect(error) | ConnectError::Tls(error) => Some(error),
            _ => None,
        }
    }
}

/// A connection made by [`Connector`]: plain TCP, or TLS over it.
#[derive(Debug)]
pub enum MaybeHttpsStream {
    /// `http`.
    Http(TxaioIo<TcpStream>),
    /// `https`.
    Https(Box<TxaioIo<TlsStream<TcpStream>>>),
}

impl Connection for MaybeHttpsStream {
    fn connected(&self) -> Connected {
        match self {
            MaybeHttpsStream::Http(_) => Connected::new(),
            MaybeHttpsStream::Https(io) => {
                let (_, session) = io.inner().get_ref();
                if session.alpn_protocol() == Some(b"h2") {
                    Connected::new().negotiated_h2()
                } else {
                    Connected::new()
                }
            }
        }
    }
}

impl hyper::rt::Read for MaybeHttpsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => hyper::rt::Read::poll_read(Pin::new(io), cx, buf),
            MaybeHttpsStream::Https(io) => {
                hyper::rt::Read::poll_read(Pin::new(io.as_mut()), cx, buf)
            }
        }
    }
}

impl hyper::rt::Write for MaybeHttpsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => hyper::rt::Write::poll_write(Pin::new(io), cx, buf),
            MaybeHttpsStream::Https(io) => {
                hyper::rt::Write::poll_write(Pin::new(io.as_mut()), cx, buf)
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => hyper::rt::Write::poll_flush(Pin::new(io), cx),
            MaybeHttpsStream::Https(io) => hyper::rt::Write::poll_flush(Pin::new(io.as_mut()), cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => hyper::rt::Write::poll_shutdown(Pin::new(io), cx),
            MaybeHttpsStream::Https(io) => {
                hyper::rt::Write::poll_shutdown(Pin::new(io.as_mut()), cx)
            }
        }
    }
}

//! Host names: [`ToSocketAddrs`] and [`lookup_host`], resolved without blocking the event loop.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::rt;

/// What names a socket address: an address, an IP and a port, or a host name and a port.
///
/// Sealed, with tokio's set of implementations: [`SocketAddr`] (and its V4 and V6 forms),
/// `(IpAddr, u16)` (and the V4 and V6 forms), `(&str, u16)`, `(String, u16)`, `&str` and
/// `String` as `"host:port"`, `&[SocketAddr]`, and references to any of them. Host names are
/// resolved by [`lookup_host`] on the runtime's blocking pool, never on the event loop; an IP
/// address (`"127.0.0.1:80"`, `"[::1]:80"`) is parsed without any lookup.
///
/// # Examples
///
/// ```
/// use txaio::net::TcpListener;
///
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// let by_text = TcpListener::bind("127.0.0.1:0").await?;
/// let by_pair = TcpListener::bind(("127.0.0.1", 0)).await?;
/// let by_addr = TcpListener::bind(by_text.local_addr()?.ip().to_string() + ":0").await?;
/// # drop((by_pair, by_addr));
/// # Ok(())
/// # }
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

use sealed::Target;

mod sealed {
    use std::net::SocketAddr;

    /// What a [`ToSocketAddrs`](super::ToSocketAddrs) names, before any lookup.
    #[doc(hidden)]
    #[derive(Debug)]
    pub enum Target {
        /// Addresses known without a lookup.
        Resolved(Vec<SocketAddr>),
        /// A host name to look up, and the port.
        Host(String, u16),
    }

    /// Keeps [`ToSocketAddrs`](super::ToSocketAddrs) implemented by txaio's own set only, so
    /// that its one method can change.
    #[doc(hidden)]
    pub trait Sealed {
        /// What this names; an `io::Error` (`InvalidInput`) for text that names nothing.
        #[doc(hidden)]
        fn target(&self) -> std::io::Result<Target>;
    }
}

macro_rules! resolved {
    ($($type:ty => |$value:ident| $addr:expr),* $(,)?) => {$(
        impl sealed::Sealed for $type {
            fn target(&self) -> io::Result<Target> {
                let $value = self;
                Ok(Target::Resolved(vec![$addr]))
            }
        }
        impl ToSocketAddrs for $type {}
    )*};
}

resolved! {
    SocketAddr => |addr| *addr,
    SocketAddrV4 => |addr| SocketAddr::V4(*addr),
    SocketAddrV6 => |addr| SocketAddr::V6(*addr),
    (IpAddr, u16) => |pair| SocketAddr::new(pair.0, pair.1),
    (Ipv4Addr, u16) => |pair| SocketAddr::new(IpAddr::V4(pair.0), pair.1),
    (Ipv6Addr, u16) => |pair| SocketAddr::new(IpAddr::V6(pair.0), pair.1),
}

impl sealed::Sealed for [SocketAddr] {
    fn target(&self) -> io::Result<Target> {
        Ok(Target::Resolved(self.to_vec()))
    }
}
impl ToSocketAddrs for [SocketAddr] {}

impl sealed::Sealed for str {
    fn target(&self) -> io::Result<Target> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Ok(Target::Resolved(vec![addr]));
        }
        if self.parse::<IpAddr>().is_ok() {
            return Err(no_port(self));
        }
        let Some((host, port)) = self.rsplit_once(':') else {
            return Err(no_port(self));
        };
        let port = port.parse::<u16>().map_err(|_| {
            invalid(format!(
                "invalid port in `{self}`: expected `host:port` with a port from 0 to 65535"
            ))
        })?;
        (host, port).target()
    }
}
impl ToSocketAddrs for str {}

impl sealed::Sealed for String {
    fn target(&self) -> io::Result<Target> {
        self.as_str().target()
    }
}
impl ToSocketAddrs for String {}

impl sealed::Sealed for (&str, u16) {
    fn target(&self) -> io::Result<Target> {
        let (host, port) = *self;
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Target::Resolved(vec![SocketAddr::new(ip, port)]));
        }
        if host.is_empty() {
            return Err(invalid(format!("no host before the port {port}")));
        }
        Ok(Target::Host(host.to_owned(), port))
    }
}
impl ToSocketAddrs for (&str, u16) {}

impl sealed::Sealed for (String, u16) {
    fn target(&self) -> io::Result<Target> {
        (self.0.as_str(), self.1).target()
    }
}
impl ToSocketAddrs for (String, u16) {}

impl<T: sealed::Sealed + ?Sized> sealed::Sealed for &T {
    fn target(&self) -> io::Result<Target> {
        (**self).target()
    }
}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn no_port(text: &str) -> io::Error {
    invalid(format!(
        "no port in `{text}`: write `host:port` (`localhost:8080`, `[::1]:8080`) or a `(host, port)` pair"
    ))
}

/// The socket addresses `host` names, in the order the resolver gives them.
///
/// An address, or an IP and a port, is given back as it is, with no lookup. A host name is
/// resolved by the operating system's resolver (`getaddrinfo`, as `std::net::ToSocketAddrs`
/// does) on the blocking pool of the runtime running the caller, so the event loop never
/// waits for DNS. tokio's `lookup_host`, on every backend.
///
/// # Errors
///
/// `InvalidInput` for text that names no address (no port, a port out of range); the
/// resolver's error for a name it cannot resolve.
///
/// # Cancellation
///
/// Dropping the future abandons the lookup; the blocking call finishes on its pool thread and
/// its answer is dropped.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> std::io::Result<()> {
/// let addrs: Vec<_> = txaio::net::lookup_host("localhost:8080").await?.collect();
/// assert!(addrs.iter().all(|addr| addr.port() == 8080 && addr.ip().is_loopback()));
/// let error = txaio::net::lookup_host("localhost").await.unwrap_err();
/// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput); // no port
/// # Ok(())
/// # }
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr> + std::fmt::Debug + Send> {
    resolve(&host).await.map(Vec::into_iter)
}

/// Every address `addr` names (see [`lookup_host`]).
pub(crate) async fn resolve<T: ToSocketAddrs + ?Sized>(addr: &T) -> io::Result<Vec<SocketAddr>> {
    match addr.target()? {
        Target::Resolved(addrs) => Ok(addrs),
        #[cfg(feature = "sim")]
        Target::Host(host, port) if crate::sim::active() => crate::sim::lookup(&host, port),
        Target::Host(host, port) => resolve_on_pool(host, port).await,
    }
}

async fn resolve_on_pool(host: String, port: u16) -> io::Result<Vec<SocketAddr>> {
    let answer = crate::deferred::create_future::<io::Result<Vec<SocketAddr>>>();
    let target = answer.clone();
    rt::spawn_blocking(
        move || {
            std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).map(Vec::from_iter)
        },
        move |outcome| {
            let outcome = outcome.unwrap_or_else(|panic| Err(io::Error::other(panic.to_string())));
            let _ = crate::deferred::resolve(&target, outcome);
        },
    );
    answer
        .take()
        .await
        .unwrap_or_else(|failure| Err(io::Error::other(failure.to_string())))
}

/// Tries `attempt` on each address `addr` names, in order: the first success, else the last
/// error (tokio's rule for `connect` and `bind`).
pub(crate) async fn each_addr<A, T, F, Fut>(addr: &A, mut attempt: F) -> io::Result<T>
where
    A: ToSocketAddrs + ?Sized,
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_error = None;
    for addr in resolve(addr).await? {
        match attempt(addr).await {
            Ok(done) => return Ok(done),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| invalid("the address resolved to no address".to_owned())))
}

#[cfg(test)]
mod tests {
    use super::{Target, sealed::Sealed};

    fn target(addr: &(impl Sealed + ?Sized)) -> String {
        match addr.target() {
            Ok(Target::Resolved(addrs)) => format!("{addrs:?}"),
            Ok(Target::Host(host, port)) => format!("host {host} {port}"),
            Err(error) => format!("{:?}: {error}", error.kind()),
        }
    }

    #[test]
    fn addresses_parse_without_a_lookup_and_names_wait_for_one() {
        assert_eq!(target("127.0.0.1:80"), "[127.0.0.1:80]");
        assert_eq!(target("[::1]:80"), "[[::1]:80]");
        assert_eq!(target(&("::1", 80)), "[[::1]:80]");
        assert_eq!(target("localhost:80"), "host localhost 80");
        assert_eq!(
            target(&("example.invalid".to_owned(), 0)),
            "host example.invalid 0"
        );
        assert!(target("localhost").starts_with("InvalidInput: no port in `localhost`"));
        assert!(target("127.0.0.1").starts_with("InvalidInput: no port"));
        assert!(target("::1").starts_with("InvalidInput: no port"));
        assert!(target("localhost:99999").starts_with("InvalidInput: invalid port"));
        assert!(target("localhost:").starts_with("InvalidInput: invalid port"));
        assert!(target(":80").starts_with("InvalidInput: no host"));
        assert!(target("").starts_with("InvalidInput: no port"));
    }
}

//! SPEC §13b: host names. `connect`, `bind` and `UdpSocket::bind` take anything that names an
//! address, resolve host names off the event loop, and try every address in order. Loopback
//! only.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use txaio::net::{TcpListener, TcpStream, UdpSocket, lookup_host};

/// A loopback port with nobody listening (bound, then closed).
async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("addr")
}

#[txaio::test]
async fn connect_by_localhost_reaches_a_listener_on_127_0_0_1() {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Whatever `localhost` resolves to first (::1 on many machines), connect tries each.
    let client = TcpStream::connect(format!("localhost:{port}"))
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
    let client = TcpStream::connect(("localhost", port)).await.unwrap();
    assert_eq!(client.peer_addr().unwrap().port(), port);
    let client = TcpStream::connect(("localhost".to_owned(), port))
        .await
        .unwrap();
    assert!(client.peer_addr().unwrap().ip().is_loopback());
}

#[txaio::test]
async fn connect_tries_every_address_in_order_and_returns_the_last_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let live = listener.local_addr().unwrap();
    let dead = closed_port().await;
    let client = TcpStream::connect(&[dead, live][..]).await.unwrap();
    assert_eq!(client.peer_addr().unwrap(), live);
    let error = TcpStream::connect(&[dead, dead][..]).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConnectionRefused);
    let error = TcpStream::connect(&[][..]).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

#[txaio::test]
async fn every_address_form_binds() {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let forms = [
        TcpListener::bind("127.0.0.1:0").await,
        TcpListener::bind("127.0.0.1:0".to_owned()).await,
        TcpListener::bind(("localhost", 0)).await,
        TcpListener::bind((ip, 0)).await,
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await,
        TcpListener::bind(SocketAddr::new(ip, 0)).await,
        TcpListener::bind(&SocketAddr::new(ip, 0)).await,
    ];
    for listener in forms {
        assert!(listener.unwrap().local_addr().unwrap().ip().is_loopback());
    }
    let udp = UdpSocket::bind("localhost:0").await.unwrap();
    assert!(udp.local_addr().unwrap().ip().is_loopback());
}

#[txaio::test]
async fn text_without_a_port_is_an_error_never_a_panic() {
    for text in [
        "localhost",
        "127.0.0.1",
        "::1",
        "",
        "localhost:",
        "localhost:70000",
        ":80",
    ] {
        let error = TcpStream::connect(text).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{text:?}: {error}");
        let error = TcpListener::bind(text).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{text:?}: {error}");
        let error = UdpSocket::bind(text).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{text:?}: {error}");
        assert!(lookup_host(text).await.is_err(), "{text:?}");
    }
    let error = lookup_host("localhost").await.unwrap_err();
    assert!(
        error.to_string().contains("no port in `localhost`"),
        "{error}"
    );
}

#[txaio::test]
async fn lookup_host_resolves_names_and_passes_addresses_through() {
    let addrs: Vec<SocketAddr> = lookup_host("localhost:4242").await.unwrap().collect();
    assert!(!addrs.is_empty());
    assert!(
        addrs
            .iter()
            .all(|a| a.port() == 4242 && a.ip().is_loopback()),
        "{addrs:?}"
    );
    let addrs: Vec<SocketAddr> = lookup_host("[::1]:7").await.unwrap().collect();
    assert_eq!(addrs, ["[::1]:7".parse::<SocketAddr>().unwrap()]);
}

#[txaio::test]
async fn a_taken_port_is_addr_in_use() {
    let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let taken = first.local_addr().unwrap();
    let error = TcpListener::bind(taken)
        .await
        .expect_err("the port is taken");
    assert_eq!(error.kind(), ErrorKind::AddrInUse);
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let error = UdpSocket::bind(udp.local_addr().unwrap())
        .await
        .expect_err("taken");
    assert_eq!(error.kind(), ErrorKind::AddrInUse);
}

#[txaio::test]
async fn a_lookup_dropped_before_it_answers_leaves_nothing_behind() {
    // The blocking call finishes on its pool thread; the socket calls after it still work.
    drop(lookup_host("localhost:1"));
    let lookup = lookup_host("localhost:2");
    drop(lookup);
    let listener = TcpListener::bind("localhost:0").await.unwrap();
    assert!(listener.local_addr().is_ok());
}

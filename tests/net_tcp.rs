//! The book, "Networking": TCP on every backend, loopback only, port 0.

use std::io::{self, ErrorKind};
use std::net::SocketAddr;

use txaio::net::{OwnedReadHalf, OwnedWriteHalf, TcpListener, TcpStream, UdpSocket};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Reads until the end of the stream.
async fn read_to_end(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut buf = vec![0; 16 * 1024];
    loop {
        match stream.read(&mut buf).await? {
            0 => return Ok(received),
            n => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// Copies `reader` into `writer` until the end of the stream, then shuts `writer` down.
async fn echo(mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf) -> io::Result<u64> {
    let mut copied = 0;
    let mut buf = vec![0; 8 * 1024];
    loop {
        match reader.read(&mut buf).await? {
            0 => break,
            n => {
                writer.write_all(&buf[..n]).await?;
                copied += n as u64;
            }
        }
    }
    writer.shutdown_write().await?;
    Ok(copied)
}

/// A server that echoes every connection it accepts, in a task each; cancel it to stop.
fn serve_echo(listener: TcpListener) -> txaio::Deferred<()> {
    txaio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await?;
            let (reader, writer) = stream.into_split();
            let _detached = txaio::spawn(echo(reader, writer));
        }
        #[allow(unreachable_code)]
        Ok::<(), io::Error>(())
    })
}

#[test]
fn the_types_and_their_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<TcpListener>();
    send_sync::<TcpStream>();
    send_sync::<UdpSocket>();
    send_sync::<OwnedReadHalf>();
    send_sync::<OwnedWriteHalf>();
    // The futures are never polled here; only their types are checked.
    let addr = loopback();
    send(&TcpListener::bind(addr));
    send(&TcpStream::connect(addr));
    send(&UdpSocket::bind(addr));
}

/// Type-checked, never called: every method's future is `Send`.
#[allow(dead_code)]
fn method_futures_are_send(
    listener: &TcpListener,
    stream: &mut TcpStream,
    udp: &UdpSocket,
    read: &mut OwnedReadHalf,
    write: &mut OwnedWriteHalf,
) {
    fn send<T: Send>(_: &T) {}
    let mut buf = [0; 4];
    send(&listener.accept());
    send(&stream.read(&mut buf));
    send(&stream.write(b"x"));
    send(&stream.write_all(b"x"));
    send(&stream.shutdown_write());
    send(&udp.send_to(b"x", loopback()));
    send(&udp.recv_from(&mut buf));
    send(&read.read(&mut buf));
    send(&write.write(b"x"));
    send(&write.write_all(b"x"));
    send(&write.shutdown_write());
}

#[txaio::test]
async fn binds_port_zero_on_the_backend_running_the_test() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    assert_eq!(listener.runtime(), txaio::current_runtime());
    let client = TcpStream::connect(addr).await?;
    let (server, peer) = listener.accept().await?;
    assert_eq!(client.runtime(), txaio::current_runtime());
    assert_eq!(server.runtime(), txaio::current_runtime());
    assert_eq!(peer, client.local_addr()?);
    assert_eq!(server.local_addr()?, addr);
    assert_eq!(client.peer_addr()?, addr);
    let shown = format!("{client:?}");
    assert!(shown.contains("TcpStream"), "{shown}");
    assert!(shown.contains(&addr.to_string()), "{shown}");
    assert!(
        shown.contains(&format!("{:?}", txaio::current_runtime())),
        "{shown}"
    );
    assert!(format!("{listener:?}").contains(&addr.to_string()));
    Ok(())
}

#[txaio::test]
async fn echoes_one_mebibyte_each_way() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let serving = serve_echo(listener);
    let payload: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let client = TcpStream::connect(addr).await?;
    client.set_nodelay(true)?;
    let (mut reader, mut writer) = client.into_split();
    let sent = payload.clone();
    // Written from another task while this one reads: neither side's buffers can fill up.
    let writing = txaio::spawn(async move {
        writer.write_all(&sent).await?;
        writer.shutdown_write().await
    });
    let mut received = Vec::with_capacity(payload.len());
    let mut buf = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut buf).await? {
            0 => break,
            n => received.extend_from_slice(&buf[..n]),
        }
    }
    writing.await.map_err(io::Error::other)?;
    assert_eq!(received.len(), payload.len());
    assert!(received == payload, "the echo differs from what was sent");
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn shutdown_write_gives_eof_at_the_peer_and_reading_goes_on() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    let (mut server, _) = listener.accept().await?;
    client.write_all(b"last words").await?;
    client.shutdown_write().await?;
    assert_eq!(read_to_end(&mut server).await?, b"last words");
    // A second read after the end still says end.
    assert_eq!(server.read(&mut [0; 4]).await?, 0);
    // The client's read direction is still open.
    server.write_all(b"reply").await?;
    server.shutdown_write().await?;
    assert_eq!(read_to_end(&mut client).await?, b"reply");
    Ok(())
}

#[txaio::test]
async fn serves_two_hundred_concurrent_clients() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let serving = serve_echo(listener);
    let clients: Vec<txaio::Deferred<Vec<u8>>> = (0..200u32)
        .map(|id| {
            txaio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await?;
                let message = format!("client {id} says hello").into_bytes();
                stream.write_all(&message).await?;
                stream.shutdown_write().await?;
                let echoed = read_to_end(&mut stream).await?;
                assert_eq!(echoed, message, "client {id}");
                Ok::<_, io::Error>(echoed)
            })
        })
        .collect();
    let echoed = txaio::gather(clients, false)
        .await
        .map_err(io::Error::other)?;
    assert_eq!(echoed.len(), 200);
    for (id, message) in echoed.into_iter().enumerate() {
        let message = message.map_err(io::Error::other)?;
        assert_eq!(message, format!("client {id} says hello").as_bytes());
    }
    txaio::cancel(&serving);
    Ok(())
}

#[txaio::test]
async fn a_refused_connection_is_connection_refused() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    drop(listener);
    let error = TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error:?}");
    Ok(())
}

#[txaio::test]
async fn split_halves_work_from_two_tasks() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    let (server_reader, server_writer) = server.into_split();
    let _detached = txaio::spawn(echo(server_reader, server_writer));
    let (mut reader, mut writer) = client.into_split();
    assert_eq!(reader.local_addr()?, writer.local_addr()?);
    assert_eq!(reader.peer_addr()?, writer.peer_addr()?);
    assert_eq!(reader.runtime(), txaio::current_runtime());
    assert!(format!("{reader:?}").contains("OwnedReadHalf"));
    assert!(format!("{writer:?}").contains("OwnedWriteHalf"));
    let writing = txaio::spawn(async move {
        for round in 0..100u32 {
            writer
                .write_all(format!("line {round}\n").as_bytes())
                .await?;
        }
        // Dropping the write half shuts the write direction down, as tokio's does.
        drop(writer);
        Ok::<_, io::Error>(())
    });
    let reading = txaio::spawn(async move {
        let mut received = Vec::new();
        let mut buf = [0; 512];
        loop {
            match reader.read(&mut buf).await? {
                0 => return Ok::<_, io::Error>(received),
                n => received.extend_from_slice(&buf[..n]),
            }
        }
    });
    writing.await.map_err(io::Error::other)?;
    let received = reading.await.map_err(io::Error::other)?;
    let expected = (0..100)
        .map(|round| format!("line {round}"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    assert_eq!(String::from_utf8(received).unwrap(), expected);
    Ok(())
}

#[txaio::test]
async fn nodelay_reads_back_what_was_set() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    client.set_nodelay(true)?;
    assert!(client.nodelay()?);
    client.set_nodelay(false)?;
    assert!(!client.nodelay()?);
    Ok(())
}

#[txaio::test]
async fn a_stream_moves_into_a_spawned_task() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let accepted = txaio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        read_to_end(&mut stream).await
    });
    let sent = txaio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(b"from a task").await?;
        stream.shutdown_write().await
    });
    sent.await.map_err(io::Error::other)?;
    assert_eq!(accepted.await.map_err(io::Error::other)?, b"from a task");
    Ok(())
}

#[txaio::test]
async fn a_udp_datagram_goes_there_and_back() -> io::Result<()> {
    let server = UdpSocket::bind(loopback()).await?;
    let client = UdpSocket::bind(loopback()).await?;
    assert_eq!(server.runtime(), txaio::current_runtime());
    let server_addr = server.local_addr()?;
    let echoing = txaio::spawn(async move {
        let mut buf = [0; 64];
        let (n, from) = server.recv_from(&mut buf).await?;
        server.send_to(&buf[..n], from).await?;
        Ok::<_, io::Error>(from)
    });
    assert_eq!(client.send_to(b"datagram", server_addr).await?, 8);
    let mut buf = [0; 64];
    let (n, from) = client.recv_from(&mut buf).await?;
    assert_eq!(&buf[..n], b"datagram");
    assert_eq!(from, server_addr);
    assert_eq!(
        echoing.await.map_err(io::Error::other)?,
        client.local_addr()?
    );
    assert!(format!("{client:?}").contains("UdpSocket"));
    Ok(())
}

#[test]
fn one_binary_gets_each_compiled_backends_own_sockets() {
    for &runtime in txaio::Runtime::compiled() {
        let seen = txaio::__private::block_on_test(runtime, async {
            let listener = TcpListener::bind(loopback()).await.unwrap();
            let client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let udp = UdpSocket::bind(loopback()).await.unwrap();
            let (reader, writer) = client.into_split();
            [
                listener.runtime(),
                server.runtime(),
                udp.runtime(),
                reader.runtime(),
                writer.runtime(),
            ]
        });
        assert_eq!(seen, [runtime; 5], "on {runtime}");
    }
}

#[test]
fn a_tokio_socket_outside_a_tokio_runtime_panics_naming_the_fix() {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Waker};

    if !txaio::Runtime::Tokio.is_compiled() {
        return;
    }
    let _tokio = txaio::__private::enter(txaio::Runtime::Tokio);
    let panic = std::panic::catch_unwind(|| {
        let mut bind = pin!(TcpListener::bind(loopback()));
        let _ = bind.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    })
    .unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_default();
    assert!(message.contains("#[txaio::main]"), "{message}");
}

#[txaio::test]
async fn writing_to_a_closed_peer_is_an_os_error_and_shutdown_twice_does_not_panic()
-> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    drop(server);
    // The first writes may land in the buffer; the peer's reset then surfaces as an error.
    let mut outcome = Ok(());
    for _ in 0..1000 {
        outcome = client.write_all(&[0; 1024]).await;
        if outcome.is_err() {
            break;
        }
    }
    let error = outcome.unwrap_err();
    assert!(
        matches!(
            error.kind(),
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
        ),
        "{error:?}"
    );
    // Reading a reset connection is an error or the end, never a panic.
    let _ = client.read(&mut [0; 8]).await;
    let _ = client.shutdown_write().await;
    let _ = client.shutdown_write().await;
    Ok(())
}

#[txaio::test]
async fn halves_outlive_each_other() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (mut server, _) = listener.accept().await?;
    let (mut reader, writer) = client.into_split();
    drop(writer); // the server reads the end; the read half reads on
    assert_eq!(server.read(&mut [0; 8]).await?, 0);
    server.write_all(b"still here").await?;
    drop(server);
    let mut received = Vec::new();
    let mut buf = [0; 4];
    loop {
        match reader.read(&mut buf).await? {
            0 => break,
            n => received.extend_from_slice(&buf[..n]),
        }
    }
    assert_eq!(received, b"still here");
    Ok(())
}

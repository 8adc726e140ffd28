//! SPEC §13b: Unix domain sockets on every backend, in a temporary directory of the test's own.
#![cfg(unix)]

use std::io::{self, ErrorKind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use txaio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use txaio::net::{UnixListener, UnixStream};

/// A fresh directory for one test run's socket files (removed when dropped).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "txaio-net-unix-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn read_to_end(reader: &mut OwnedReadHalf) -> io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut buf = vec![0; 16 * 1024];
    loop {
        match reader.read(&mut buf).await? {
            0 => return Ok(received),
            n => received.extend_from_slice(&buf[..n]),
        }
    }
}

async fn echo(mut reader: OwnedReadHalf, mut writer: OwnedWriteHalf) -> io::Result<()> {
    let mut buf = vec![0; 8 * 1024];
    loop {
        match reader.read(&mut buf).await? {
            0 => break,
            n => writer.write_all(&buf[..n]).await?,
        }
    }
    writer.shutdown_write().await
}

#[txaio::test]
async fn an_echo_of_200_kb_both_ways_ends_after_shutdown_write() {
    let dir = TempDir::new();
    let path = dir.path("echo.sock");
    let listener = UnixListener::bind(&path).unwrap();
    assert_eq!(listener.runtime(), txaio::current_runtime());
    let server = txaio::spawn(async move {
        let (stream, _peer) = listener.accept().await?;
        let (reader, writer) = stream.into_split();
        echo(reader, writer).await
    });
    let stream = UnixStream::connect(&path).await.unwrap();
    assert_eq!(stream.runtime(), txaio::current_runtime());
    let (mut reader, mut writer) = stream.into_split();
    let sent: Vec<u8> = (0..200 * 1024u32)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    let payload = sent.clone();
    // Write and read at once: 200 KB is more than the socket buffers hold.
    let writing = txaio::spawn(async move {
        writer.write_all(&payload).await?;
        writer.shutdown_write().await?;
        Ok::<_, io::Error>(writer)
    });
    let received = read_to_end(&mut reader).await.unwrap();
    assert_eq!(received.len(), sent.len());
    assert!(received == sent, "the echo differs");
    let _writer = writing.take().await.unwrap();
    server.await.unwrap();
}

#[txaio::test]
async fn the_futures_io_traits_work_on_a_whole_stream() {
    use futures_io::{AsyncRead, AsyncWrite};
    fn traits<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + 'static>(_: &T) {}
    let dir = TempDir::new();
    let path = dir.path("traits.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let mut client = UnixStream::connect(&path).await.unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    traits(&client);
    client.write_all(b"hello").await.unwrap();
    client.shutdown_write().await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0; 8];
    loop {
        match server.read(&mut buf).await.unwrap() {
            0 => break,
            n => got.extend_from_slice(&buf[..n]),
        }
    }
    assert_eq!(got, b"hello");
    assert_eq!(
        listener.local_addr().unwrap().as_pathname(),
        Some(path.as_path())
    );
    assert_eq!(
        client.peer_addr().unwrap().as_pathname(),
        Some(path.as_path())
    );
    assert!(format!("{client:?}").contains("UnixStream"));
}

#[txaio::test]
async fn a_path_in_use_is_addr_in_use_and_a_missing_one_not_found() {
    let dir = TempDir::new();
    let path = dir.path("taken.sock");
    let _listener = UnixListener::bind(&path).unwrap();
    assert_eq!(
        UnixListener::bind(&path).unwrap_err().kind(),
        ErrorKind::AddrInUse
    );
    let missing = dir.path("nobody.sock");
    assert_eq!(
        UnixStream::connect(&missing).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let no_dir = dir.path("no-such-dir/x.sock");
    assert_eq!(
        UnixListener::bind(&no_dir).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[txaio::test]
async fn a_socket_file_nobody_listens_on_refuses() {
    let dir = TempDir::new();
    let path = dir.path("closed.sock");
    drop(UnixListener::bind(&path).unwrap());
    let error = UnixStream::connect(&path).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConnectionRefused);
}

#[txaio::test]
async fn dropping_the_write_half_ends_the_peers_stream() {
    let dir = TempDir::new();
    let path = dir.path("drop.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let client = UnixStream::connect(&path).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let (_client_reader, mut client_writer) = client.into_split();
    client_writer.write_all(b"last words").await.unwrap();
    drop(client_writer);
    let (mut server_reader, _server_writer) = server.into_split();
    assert_eq!(
        read_to_end(&mut server_reader).await.unwrap(),
        b"last words"
    );
}

#[test]
fn the_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<UnixListener>();
    send_sync::<UnixStream>();
    send_sync::<OwnedReadHalf>();
    send_sync::<OwnedWriteHalf>();
}

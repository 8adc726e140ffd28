//! `txaio::net` streams under the ecosystem's traits, on every backend: `futures-io` always,
//! tokio's with the `tokio` feature (whichever backend made the socket).

use std::io;
use std::net::SocketAddr;

use futures_util::StreamExt;
use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use txaio::net::{TcpListener, TcpStream};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind(loopback()).await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

#[txaio::test]
async fn futures_io_copy_lines_and_close() -> io::Result<()> {
    let (mut client, server) = pair().await?;
    // The server echoes with `futures::io::copy` between its own halves.
    let echo = txaio::spawn(async move {
        let (mut reader, mut writer) = server.into_split();
        let copied = futures_util::io::copy(&mut reader, &mut writer).await?;
        writer.close().await?;
        Ok::<_, io::Error>(copied)
    });
    AsyncWriteExt::write_all(&mut client, b"one\ntwo\nthree\n").await?;
    AsyncWriteExt::flush(&mut client).await?;
    // `close` is a shutdown of the write direction: the echo ends, then ours does.
    AsyncWriteExt::close(&mut client).await?;
    let lines: Vec<String> = BufReader::new(client)
        .lines()
        .map(|line| line.unwrap())
        .collect()
        .await;
    assert_eq!(lines, ["one", "two", "three"]);
    assert_eq!(echo.await.map_err(io::Error::other)?, 14);
    Ok(())
}

#[txaio::test]
async fn futures_io_read_to_end_on_a_read_half() -> io::Result<()> {
    let (client, mut server) = pair().await?;
    let (mut reader, _writer) = client.into_split();
    // Written from another task: 100 kB may not fit in the socket buffers at once.
    let writing = txaio::spawn(async move {
        AsyncWriteExt::write_all(&mut server, &vec![9; 100_000]).await?;
        AsyncWriteExt::close(&mut server).await
    });
    let mut received = Vec::new();
    AsyncReadExt::read_to_end(&mut reader, &mut received).await?;
    assert_eq!(received, vec![9; 100_000]);
    writing.await.map_err(io::Error::other)?;
    Ok(())
}

#[cfg(feature = "tokio")]
#[txaio::test]
async fn tokio_io_traits_on_every_backends_socket() -> io::Result<()> {
    let (mut client, server) = pair().await?;
    let echo = txaio::spawn(async move {
        let (mut reader, mut writer) = server.into_split();
        let copied = tokio::io::copy(&mut reader, &mut writer).await?;
        tokio::io::AsyncWriteExt::shutdown(&mut writer).await?;
        Ok::<_, io::Error>(copied)
    });
    tokio::io::AsyncWriteExt::write_all(&mut client, b"tokio traits").await?;
    tokio::io::AsyncWriteExt::shutdown(&mut client).await?;
    let mut received = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut client, &mut received).await?;
    assert_eq!(received, "tokio traits");
    assert_eq!(echo.await.map_err(io::Error::other)?, 12);
    Ok(())
}

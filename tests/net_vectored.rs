//! Vectored writes (`poll_write_vectored`, one `writev` for several buffers) on every stream
//! type that writes, on every backend: TLS (rustls writes its records through it) and hyper
//! (headers and body) depend on it.

use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;

use futures_io::{AsyncRead, AsyncWrite};
use txaio::net::{TcpListener, TcpStream};

/// A connected pair of TCP streams on the backend running the test.
async fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

/// A connected pair of Unix streams on the backend running the test.
#[cfg(unix)]
fn unix_pair() -> io::Result<(txaio::net::UnixStream, txaio::net::UnixStream)> {
    let (a, b) = std::os::unix::net::UnixStream::pair()?;
    Ok((
        txaio::net::UnixStream::from_std(a)?,
        txaio::net::UnixStream::from_std(b)?,
    ))
}

/// One `poll_write_vectored` until it is ready.
async fn write_vectored(
    writer: &mut (impl AsyncWrite + Unpin),
    bufs: &[&[u8]],
) -> io::Result<usize> {
    let slices: Vec<IoSlice<'_>> = bufs.iter().map(|buf| IoSlice::new(buf)).collect();
    poll_fn(|cx| Pin::new(&mut *writer).poll_write_vectored(cx, &slices)).await
}

/// Shuts the writer's write direction down.
async fn close(writer: &mut (impl AsyncWrite + Unpin)) -> io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *writer).poll_close(cx)).await
}

/// Reads until the end of the stream.
async fn read_to_end(reader: &mut (impl AsyncRead + Unpin)) -> io::Result<Vec<u8>> {
    let mut received = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match poll_fn(|cx| Pin::new(&mut *reader).poll_read(cx, &mut buf)).await? {
            0 => return Ok(received),
            n => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// `len` bytes of a pattern that tells one offset from another.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ seed.wrapping_mul(37))
        .collect()
}

/// Several slices in one call are all taken (a fresh socket has room for 3.2 KB) and arrive
/// whole and in order.
async fn arrives_whole_and_in_order(
    mut writer: impl AsyncWrite + Unpin,
    mut reader: impl AsyncRead + Unpin,
) -> io::Result<()> {
    let slices = [
        pattern(1000, 1),
        pattern(1500, 2),
        pattern(1, 3),
        pattern(699, 4),
    ];
    let refs: Vec<&[u8]> = slices.iter().map(Vec::as_slice).collect();
    let written = write_vectored(&mut writer, &refs).await?;
    assert_eq!(written, 3200, "one vectored write takes every slice");
    close(&mut writer).await?;
    assert_eq!(read_to_end(&mut reader).await?, slices.concat());
    Ok(())
}

/// A vectored write larger than the socket's buffers takes part of it, past the first
/// slices, and says how much: the peer reads exactly that prefix.
async fn a_partial_write_reports_its_count(
    mut writer: impl AsyncWrite + Unpin,
    mut reader: impl AsyncRead + Unpin,
) -> io::Result<()> {
    let slices = [
        pattern(100, 5),
        pattern(3, 6),
        Vec::new(),
        pattern(16 * 1024 * 1024, 7),
    ];
    let refs: Vec<&[u8]> = slices.iter().map(Vec::as_slice).collect();
    let total: usize = slices.iter().map(Vec::len).sum();
    let written = write_vectored(&mut writer, &refs).await?;
    assert!(
        written > 103 && written < total,
        "a partial write past the first slices, not {written} of {total}"
    );
    close(&mut writer).await?;
    let received = read_to_end(&mut reader).await?;
    assert_eq!(received.len(), written);
    assert!(received == slices.concat()[..written]);
    Ok(())
}

/// Empty slices are skipped; nothing but empty slices writes nothing and ends nothing.
async fn zero_length_slices(
    mut writer: impl AsyncWrite + Unpin,
    mut reader: impl AsyncRead + Unpin,
) -> io::Result<()> {
    assert_eq!(write_vectored(&mut writer, &[]).await?, 0);
    assert_eq!(write_vectored(&mut writer, &[b"", b""]).await?, 0);
    assert_eq!(
        write_vectored(&mut writer, &[b"", b"ab", b"", b"cd", b""]).await?,
        4
    );
    assert_eq!(write_vectored(&mut writer, &[b"", b"e"]).await?, 1);
    close(&mut writer).await?;
    assert_eq!(read_to_end(&mut reader).await?, b"abcde");
    Ok(())
}

#[txaio::test]
async fn tcp_stream_vectored_write_arrives_whole_and_in_order() -> io::Result<()> {
    let (client, server) = tcp_pair().await?;
    arrives_whole_and_in_order(client, server).await
}

#[txaio::test]
async fn tcp_stream_partial_vectored_write_reports_its_count() -> io::Result<()> {
    let (client, server) = tcp_pair().await?;
    a_partial_write_reports_its_count(client, server).await
}

#[txaio::test]
async fn tcp_stream_zero_length_slices() -> io::Result<()> {
    let (client, server) = tcp_pair().await?;
    zero_length_slices(client, server).await
}

#[txaio::test]
async fn tcp_write_half_vectored_write_arrives_whole_and_in_order() -> io::Result<()> {
    let (client, server) = tcp_pair().await?;
    let (_reader, writer) = client.into_split();
    let (reader, _writer) = server.into_split();
    arrives_whole_and_in_order(writer, reader).await
}

#[txaio::test]
async fn tcp_write_half_partial_vectored_write_reports_its_count() -> io::Result<()> {
    let (client, server) = tcp_pair().await?;
    let (_reader, writer) = client.into_split();
    a_partial_write_reports_its_count(writer, server).await
}

#[txaio::test]
async fn tcp_write_half_zero_length_slices() -> io::Result<()> {
    let (client, server) = tcp_pair().await?;
    let (_reader, writer) = client.into_split();
    zero_length_slices(writer, server).await
}

#[cfg(unix)]
#[txaio::test]
async fn unix_stream_vectored_write_arrives_whole_and_in_order() -> io::Result<()> {
    let (a, b) = unix_pair()?;
    arrives_whole_and_in_order(a, b).await
}

#[cfg(unix)]
#[txaio::test]
async fn unix_stream_partial_vectored_write_reports_its_count() -> io::Result<()> {
    let (a, b) = unix_pair()?;
    a_partial_write_reports_its_count(a, b).await
}

#[cfg(unix)]
#[txaio::test]
async fn unix_stream_zero_length_slices() -> io::Result<()> {
    let (a, b) = unix_pair()?;
    zero_length_slices(a, b).await
}

#[cfg(unix)]
#[txaio::test]
async fn unix_write_half_vectored_write_arrives_whole_and_in_order() -> io::Result<()> {
    let (a, b) = unix_pair()?;
    let (_reader, writer) = a.into_split();
    arrives_whole_and_in_order(writer, b).await
}

#[cfg(unix)]
#[txaio::test]
async fn unix_write_half_partial_vectored_write_reports_its_count() -> io::Result<()> {
    let (a, b) = unix_pair()?;
    let (_reader, writer) = a.into_split();
    let (reader, _writer) = b.into_split();
    a_partial_write_reports_its_count(writer, reader).await
}

#[cfg(unix)]
#[txaio::test]
async fn unix_write_half_zero_length_slices() -> io::Result<()> {
    let (a, b) = unix_pair()?;
    let (_reader, writer) = a.into_split();
    zero_length_slices(writer, b).await
}

/// tokio's traits (the `tokio` feature) on every backend: `is_write_vectored` says yes, so
/// tokio-rustls and hyper-util's `TokioIo` hand over several buffers, and they arrive whole.
#[cfg(feature = "tokio")]
mod tokio_traits {
    use super::*;

    async fn tokio_vectored(
        mut writer: impl tokio::io::AsyncWrite + Unpin,
        mut reader: impl AsyncRead + Unpin,
    ) -> io::Result<()> {
        assert!(writer.is_write_vectored());
        let slices = [
            IoSlice::new(b"one "),
            IoSlice::new(b""),
            IoSlice::new(b"two"),
        ];
        let written = poll_fn(|cx| Pin::new(&mut writer).poll_write_vectored(cx, &slices)).await?;
        assert_eq!(written, 7);
        poll_fn(|cx| Pin::new(&mut writer).poll_shutdown(cx)).await?;
        assert_eq!(read_to_end(&mut reader).await?, b"one two");
        Ok(())
    }

    #[txaio::test]
    async fn tcp_stream_and_write_half_with_tokio_traits() -> io::Result<()> {
        let (client, server) = tcp_pair().await?;
        tokio_vectored(client, server).await?;
        let (client, server) = tcp_pair().await?;
        let (_reader, writer) = client.into_split();
        tokio_vectored(writer, server).await
    }

    #[cfg(unix)]
    #[txaio::test]
    async fn unix_stream_and_write_half_with_tokio_traits() -> io::Result<()> {
        let (a, b) = unix_pair()?;
        tokio_vectored(a, b).await?;
        let (a, b) = unix_pair()?;
        let (_reader, writer) = a.into_split();
        tokio_vectored(writer, b).await
    }
}

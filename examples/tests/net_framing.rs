//! examples/framing.rs on every backend (`#[txaio::test]`): one protocol reader, written once
//! over `futures_io::AsyncRead`, on a `TcpStream` and on an `OwnedReadHalf`; with futures'
//! `BufReader` and with asynchronous-codec's `FramedRead`, which must agree frame for frame,
//! on input that arrives in pieces and on input that is not the protocol.

use std::io;
use std::net::SocketAddr;

use futures_util::io::AsyncWriteExt;
use txaio::net::{TcpListener, TcpStream};

#[allow(dead_code, unreachable_pub)]
#[path = "../framing.rs"]
mod framing;

use framing::{Frame, FrameError, MAX_FRAME};

/// The two readers.
#[derive(Debug, Clone, Copy)]
enum Reader {
    BufReader,
    Codec,
}

/// Where they read from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Stream,
    ReadHalf,
}

/// Writes `bytes` to a fresh connection in pieces of `piece` bytes (each flushed), then
/// closes; reads the other end with `reader` on `source`.
async fn read_back(
    bytes: Vec<u8>,
    piece: usize,
    reader: Reader,
    source: Source,
) -> io::Result<Vec<Frame>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    let writing = txaio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        for chunk in bytes.chunks(piece) {
            AsyncWriteExt::write_all(&mut stream, chunk).await?;
            AsyncWriteExt::flush(&mut stream).await?;
        }
        AsyncWriteExt::close(&mut stream).await
    });
    let (stream, _) = listener.accept().await?;
    let frames = match (reader, source) {
        (Reader::BufReader, Source::Stream) => framing::read_frames(stream).await,
        (Reader::Codec, Source::Stream) => framing::read_frames_framed(stream).await,
        (Reader::BufReader, Source::ReadHalf) => framing::read_frames(stream.into_split().0).await,
        (Reader::Codec, Source::ReadHalf) => {
            framing::read_frames_framed(stream.into_split().0).await
        }
    };
    // The writer may have failed because we stopped reading early on bad input: ignore it then.
    let written = writing.await;
    let frames = frames?;
    written.map_err(io::Error::other)?;
    Ok(frames)
}

const ALL: [(Reader, Source); 4] = [
    (Reader::BufReader, Source::Stream),
    (Reader::BufReader, Source::ReadHalf),
    (Reader::Codec, Source::Stream),
    (Reader::Codec, Source::ReadHalf),
];

fn encoded(frames: &[Frame]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for frame in frames {
        framing::encode(frame, &mut bytes).unwrap();
    }
    bytes
}

fn sample() -> Vec<Frame> {
    vec![
        Frame::Line("hello".to_owned()),
        Frame::Blob(b"\0$3\n+not a header".to_vec()),
        Frame::Line(String::new()),
        Frame::Blob(Vec::new()),
        Frame::Line("héllo, wörld".to_owned()),
        Frame::Blob((0..200_000u32).map(|i| (i % 253) as u8).collect()),
        Frame::Line("bye".to_owned()),
    ]
}

#[txaio::test]
async fn both_readers_on_a_stream_and_a_read_half_agree() -> io::Result<()> {
    let frames = sample();
    for (reader, source) in ALL {
        // Whole, and in pieces of 1 and 7 bytes for the small frames: headers and blobs
        // split anywhere. (The 200 kB blob goes in pieces of 4096, not byte by byte.)
        for piece in [usize::MAX, 7, 1] {
            let (small, large) = frames.split_at(5);
            let mut got = read_back(encoded(small), piece, reader, source).await?;
            got.extend(read_back(encoded(large), piece.max(4096), reader, source).await?);
            assert_eq!(got, frames, "{reader:?} on {source:?}, pieces of {piece}");
        }
    }
    Ok(())
}

fn frame_error(error: &io::Error) -> Option<&FrameError> {
    error.get_ref()?.downcast_ref::<FrameError>()
}

#[txaio::test]
async fn bad_input_is_a_typed_error_from_both_readers() -> io::Result<()> {
    let too_long = format!("${}\n", MAX_FRAME + 1);
    let cases: [(&[u8], FrameError); 4] = [
        (b"+ok\n*3\n", FrameError::BadHeader("*3".to_owned())),
        (b"$-1\n", FrameError::BadHeader("$-1".to_owned())),
        (
            too_long.as_bytes(),
            FrameError::TooLong { len: MAX_FRAME + 1 },
        ),
        (b"+\xff\xfe\n", FrameError::NotUtf8),
    ];
    for (reader, source) in ALL {
        for (bytes, expected) in &cases {
            let error = read_back(bytes.to_vec(), usize::MAX, reader, source)
                .await
                .expect_err("bad input was accepted");
            assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidData,
                "{reader:?} {error}"
            );
            assert_eq!(
                frame_error(&error),
                Some(expected),
                "{reader:?} on {source:?}"
            );
        }
    }
    Ok(())
}

#[txaio::test]
async fn a_line_without_end_is_too_long_not_buffered_for_ever() -> io::Result<()> {
    // Two header's worth of text and no newline: refused after one, on both readers.
    let endless = vec![b'+'; 2 * MAX_FRAME + 10];
    for (reader, source) in [
        (Reader::BufReader, Source::Stream),
        (Reader::Codec, Source::ReadHalf),
    ] {
        let error = read_back(endless.clone(), 64 * 1024, reader, source)
            .await
            .expect_err("an endless line was accepted");
        assert!(
            matches!(frame_error(&error), Some(FrameError::TooLong { .. })),
            "{reader:?}: {error}"
        );
    }
    Ok(())
}

#[txaio::test]
async fn a_peer_closing_inside_a_frame_is_unexpected_eof() -> io::Result<()> {
    for truncated in [&b"+no newline"[..], b"$10\n12345", b"$1"] {
        for (reader, source) in ALL {
            let error = read_back(truncated.to_vec(), usize::MAX, reader, source)
                .await
                .expect_err("a truncated frame was accepted");
            assert_eq!(
                error.kind(),
                io::ErrorKind::UnexpectedEof,
                "{reader:?} on {source:?}: {truncated:?}"
            );
        }
    }
    Ok(())
}

#[txaio::test]
async fn framed_echo_through_a_read_half_and_a_write_half() -> io::Result<()> {
    let frames = sample();
    assert_eq!(framing::echo_through_halves(frames.clone()).await?, frames);
    Ok(())
}

#[test]
fn frames_that_cannot_be_sent_are_refused() {
    let mut out = Vec::new();
    assert_eq!(
        framing::encode(&Frame::Line("two\nlines".to_owned()), &mut out),
        Err(FrameError::NewlineInLine)
    );
    assert_eq!(
        framing::encode(&Frame::Blob(vec![0; MAX_FRAME + 1]), &mut out),
        Err(FrameError::TooLong { len: MAX_FRAME + 1 })
    );
    assert!(out.is_empty(), "nothing is written for a refused frame");
}

//! A buffered line/length protocol, read by functions written once over any
//! `futures_io::AsyncRead`: a `txaio::net::TcpStream`, its `OwnedReadHalf`, a TLS stream.
//!
//! ```text
//! cargo run -p txaio-examples --example framing
//! cargo run -p txaio-examples --example framing --no-default-features --features smol
//! cargo run -p txaio-examples --example framing --no-default-features --features async-std
//! ```
//!
//! The protocol (RESP-like): a frame is a text line `+TEXT\n`, or a blob `$LEN\n` followed by
//! LEN bytes. It is read twice over: (a) with futures' `BufReader` (`read_until` for the
//! header, `read_exact` for the blob), and (b) with asynchronous-codec's `FramedRead` /
//! `Framed` and a `Decoder`. Input that is not the protocol is an `io::Error` of kind
//! `InvalidData` carrying a [`FrameError`]; a peer that closes inside a frame is
//! `UnexpectedEof`.

use std::fmt;
use std::io;

use asynchronous_codec::{BytesMut, Decoder, Encoder, Framed, FramedRead, FramedWrite};
use futures_util::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, BufReader};
use futures_util::{SinkExt, TryStreamExt};
use txaio::net::{TcpListener, TcpStream};

/// One frame: a line of text or a blob of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `+TEXT\n`: UTF-8 without a newline.
    Line(String),
    /// `$LEN\n` and LEN bytes, any bytes.
    Blob(Vec<u8>),
}

/// The longest line or blob accepted (1 MiB), so a peer cannot make us buffer without bound.
pub const MAX_FRAME: usize = 1 << 20;

/// The longest header line: `+`, [`MAX_FRAME`] bytes of text, the newline.
const MAX_HEADER: usize = MAX_FRAME + 2;

/// Why input is not the protocol; inside an `io::Error` of kind `InvalidData`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A header that is neither `+TEXT` nor `$LEN` (its first bytes, lossy).
    BadHeader(String),
    /// A line or blob over [`MAX_FRAME`] bytes.
    TooLong {
        /// Its length (for a line, at least this long).
        len: usize,
    },
    /// A line that is not UTF-8.
    NotUtf8,
    /// A [`Frame::Line`] to send that holds a newline.
    NewlineInLine,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::BadHeader(start) => {
                write!(f, "bad frame header {start:?}: expected `+TEXT` or `$LEN`")
            }
            FrameError::TooLong { len } => {
                write!(f, "frame of {len} bytes, over the {MAX_FRAME} allowed")
            }
            FrameError::NotUtf8 => f.write_str("a line frame that is not UTF-8"),
            FrameError::NewlineInLine => f.write_str("a line frame cannot hold a newline"),
        }
    }
}

impl std::error::Error for FrameError {}

impl From<FrameError> for io::Error {
    fn from(error: FrameError) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }
}

/// A header line, without its newline.
enum Header {
    Line(String),
    Blob(usize),
}

fn parse_header(line: &[u8]) -> Result<Header, FrameError> {
    let bad = || {
        let start = &line[..line.len().min(32)];
        FrameError::BadHeader(String::from_utf8_lossy(start).into_owned())
    };
    match line.split_first() {
        Some((b'+', text)) => std::str::from_utf8(text)
            .map(|text| Header::Line(text.to_owned()))
            .map_err(|_| FrameError::NotUtf8),
        Some((b'$', digits)) if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            // All digits: only an overflow can fail, and that is too long anyway.
            let len = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            if len > MAX_FRAME {
                return Err(FrameError::TooLong { len });
            }
            Ok(Header::Blob(len))
        }
        _ => Err(bad()),
    }
}

/// Appends `frame`'s bytes to `out`.
///
/// # Errors
///
/// [`FrameError::NewlineInLine`], [`FrameError::TooLong`].
pub fn encode(frame: &Frame, out: &mut Vec<u8>) -> Result<(), FrameError> {
    let len = match frame {
        Frame::Line(text) => text.len(),
        Frame::Blob(bytes) => bytes.len(),
    };
    if len > MAX_FRAME {
        return Err(FrameError::TooLong { len });
    }
    match frame {
        Frame::Line(text) if text.contains('\n') => return Err(FrameError::NewlineInLine),
        Frame::Line(text) => {
            out.push(b'+');
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
        Frame::Blob(bytes) => {
            out.extend_from_slice(format!("${len}\n").as_bytes());
            out.extend_from_slice(bytes);
        }
    }
    Ok(())
}

// ANCHOR: bufreader
/// (a) The protocol over futures' `BufReader`: any `AsyncRead`, buffered once here.
#[derive(Debug)]
pub struct FrameReader<R> {
    reader: BufReader<R>,
    header: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// Reads frames from `reader`: a `TcpStream`, an `OwnedReadHalf`, a TLS stream...
    pub fn new(reader: R) -> Self {
        FrameReader {
            reader: BufReader::new(reader),
            header: Vec::new(),
        }
    }

    /// The next frame, or `None` when the peer closed between two frames.
    ///
    /// # Errors
    ///
    /// `InvalidData` with a [`FrameError`] for input that is not the protocol,
    /// `UnexpectedEof` for a peer that closed inside a frame, and the stream's own errors.
    pub async fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        self.header.clear();
        // At most one header's worth: a peer cannot make the line grow without bound.
        let limit = MAX_HEADER as u64;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.header)
            .await?;
        match self.header.pop() {
            None => return Ok(None), // closed between frames
            Some(b'\n') => {}
            Some(_) if n as u64 == limit => {
                return Err(FrameError::TooLong { len: n - 1 }.into());
            }
            Some(_) => return Err(io::ErrorKind::UnexpectedEof.into()),
        }
        match parse_header(&self.header)? {
            Header::Line(text) => Ok(Some(Frame::Line(text))),
            Header::Blob(len) => {
                let mut blob = vec![0; len];
                self.reader.read_exact(&mut blob).await?;
                Ok(Some(Frame::Blob(blob)))
            }
        }
    }
}

/// Every frame until the peer closes, written once for any reader.
///
/// # Errors
///
/// Those of [`FrameReader::next_frame`].
pub async fn read_frames<R: AsyncRead + Unpin>(reader: R) -> io::Result<Vec<Frame>> {
    let mut frames = FrameReader::new(reader);
    let mut all = Vec::new();
    while let Some(frame) = frames.next_frame().await? {
        all.push(frame);
    }
    Ok(all)
}
// ANCHOR_END: bufreader

// ANCHOR: codec
/// (b) The same protocol as an asynchronous-codec `Decoder` and `Encoder`, for `FramedRead`,
/// `FramedWrite` and `Framed` over any futures-io stream.
#[derive(Debug, Default, Clone, Copy)]
pub struct FrameCodec;

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<Frame>> {
        let Some(end) = src.iter().position(|&byte| byte == b'\n') else {
            if src.len() >= MAX_HEADER {
                return Err(FrameError::TooLong { len: src.len() }.into());
            }
            return Ok(None); // the header is not all here yet
        };
        match parse_header(&src[..end])? {
            Header::Line(text) => {
                let _ = src.split_to(end + 1);
                Ok(Some(Frame::Line(text)))
            }
            Header::Blob(len) if src.len() - (end + 1) < len => {
                src.reserve(len - (src.len() - (end + 1)));
                Ok(None) // the blob is not all here yet
            }
            Header::Blob(len) => {
                let _ = src.split_to(end + 1);
                Ok(Some(Frame::Blob(src.split_to(len).to_vec())))
            }
        }
    }
}

impl Encoder for FrameCodec {
    type Item<'a> = Frame;
    type Error = io::Error;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> io::Result<()> {
        let mut bytes = Vec::new();
        encode(&frame, &mut bytes)?;
        dst.extend_from_slice(&bytes);
        Ok(())
    }
}

/// Every frame until the peer closes, through `FramedRead`: again one function for any reader.
///
/// # Errors
///
/// `InvalidData` with a [`FrameError`], `UnexpectedEof` inside a frame, the stream's errors.
pub async fn read_frames_framed<R: AsyncRead + Unpin>(reader: R) -> io::Result<Vec<Frame>> {
    FramedRead::new(reader, FrameCodec).try_collect().await
}

/// Sends `frames` through `FramedWrite`, then closes the writer (on a socket: shuts its write
/// direction down, so the reader sees the end).
///
/// # Errors
///
/// [`FrameError`]s of [`encode`] as `InvalidData`, and the stream's errors.
pub async fn write_frames<W: AsyncWrite + Unpin>(writer: W, frames: Vec<Frame>) -> io::Result<()> {
    let mut sink = FramedWrite::new(writer, FrameCodec);
    for frame in frames {
        sink.feed(frame).await?;
    }
    sink.close().await
}
// ANCHOR_END: codec

/// A client's frames echoed by a server that reads with `FramedRead` on the read half of its
/// connection and writes with `FramedWrite` on the write half; the client talks through one
/// `Framed` over its whole `TcpStream`.
///
/// # Errors
///
/// The sockets' errors, and the codec's.
pub async fn echo_through_halves(frames: Vec<Frame>) -> io::Result<Vec<Frame>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = txaio::spawn(async move {
        let (stream, _) = listener.accept().await?;
        let (reader, writer) = stream.into_split();
        let mut requests = FramedRead::new(reader, FrameCodec);
        let mut replies = FramedWrite::new(writer, FrameCodec);
        while let Some(frame) = requests.try_next().await? {
            replies.send(frame).await?;
        }
        replies.close().await
    });
    let mut client = Framed::new(TcpStream::connect(addr).await?, FrameCodec);
    let count = frames.len();
    for frame in frames {
        client.feed(frame).await?;
    }
    client.flush().await?;
    let mut echoed = Vec::with_capacity(count);
    while echoed.len() < count {
        match client.try_next().await? {
            Some(frame) => echoed.push(frame),
            None => break,
        }
    }
    client.close().await?;
    server.await.map_err(io::Error::other)?;
    Ok(echoed)
}

/// Sends `frames` on a new connection to `addr`, in a task.
fn send(addr: std::net::SocketAddr, frames: Vec<Frame>) -> txaio::Deferred<()> {
    txaio::spawn(async move { write_frames(TcpStream::connect(addr).await?, frames).await })
}

#[txaio::main]
async fn main() -> io::Result<()> {
    let frames = vec![
        Frame::Line("hello".to_owned()),
        Frame::Blob(b"\0binary\nwith a newline".to_vec()),
        Frame::Line("bye".to_owned()),
    ];
    println!("framing on {}", txaio::current_runtime());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;

    let sending = send(addr, frames.clone());
    // ANCHOR: on_a_stream
    // (a) on a whole `TcpStream`, through futures' `BufReader`:
    let (stream, _) = listener.accept().await?;
    let read = read_frames(stream).await?;
    // ANCHOR_END: on_a_stream
    sending.await.map_err(io::Error::other)?;
    assert_eq!(read, frames);
    println!("BufReader on a TcpStream: {read:?}");

    let sending = send(addr, frames.clone());
    // ANCHOR: on_a_half
    // (b) on the read half of a connection, through asynchronous-codec's `FramedRead`:
    let (stream, _) = listener.accept().await?;
    let (reader, _writer) = stream.into_split();
    let read = read_frames_framed(reader).await?;
    // ANCHOR_END: on_a_half
    sending.await.map_err(io::Error::other)?;
    assert_eq!(read, frames);
    println!("FramedRead on an OwnedReadHalf: {read:?}");

    let echoed = echo_through_halves(frames.clone()).await?;
    assert_eq!(echoed, frames);
    println!("Framed echo through a read half and a write half: {echoed:?}");
    Ok(())
}

//! Reading `\n`-terminated lines from any `txaio::net` reader.

use std::io;

use futures_util::AsyncReadExt;
use futures_util::io::AsyncRead;

use crate::MAX_LINE;

/// Splits a byte stream into lines of at most [`MAX_LINE`] bytes.
///
/// Generic over `futures_io::AsyncRead`, so it reads a [`txaio::net::TcpStream`], a split
/// half, or an in-memory buffer in tests. Cancel-safe: a [`read_line`](LineReader::read_line)
/// dropped before it completes (say, because an idle timer won the race) loses nothing.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() -> Result<(), std::io::Error> {
/// let mut lines = line_protocol::LineReader::new(&b"HELLO alice\nPING 1\n"[..]);
/// assert_eq!(lines.read_line().await?.as_deref(), Some("HELLO alice"));
/// assert_eq!(lines.read_line().await?.as_deref(), Some("PING 1"));
/// assert_eq!(lines.read_line().await?, None);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
}

#[txaio::portable]
impl<R: AsyncRead + Unpin> LineReader<R> {
    /// Reads lines from `reader`.
    pub fn new(reader: R) -> Self {
        LineReader {
            reader,
            buffer: Vec::new(),
        }
    }

    /// The next line without its `\n` (and `\r`); `None` at the end of the stream.
    ///
    /// # Errors
    ///
    /// The reader's, or [`io::ErrorKind::InvalidData`] for a line longer than [`MAX_LINE`],
    /// one that is not UTF-8, or a partial line at the end of the stream.
    pub async fn read_line(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(end) = self.buffer.iter().position(|&byte| byte == b'\n') {
                let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return String::from_utf8(line)
                    .map(Some)
                    .map_err(|_| invalid("a line that is not UTF-8"));
            }
            if self.buffer.len() > MAX_LINE {
                return Err(invalid("a line longer than MAX_LINE"));
            }
            let mut chunk = [0; 512];
            let read = self.reader.read(&mut chunk).await?;
            if read == 0 {
                return if self.buffer.is_empty() {
                    Ok(None)
                } else {
                    Err(invalid("a partial line at the end of the stream"))
                };
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

//! tokio's own I/O traits on txaio's streams, with the `tokio` feature, so tokio-only crates
//! (tokio-util codecs, tokio-rustls) work on them too. They forward to the `futures-io` impls,
//! whichever backend made the stream.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

macro_rules! tokio_io {
    (read $type:ty) => {
        #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
        impl AsyncRead for $type {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let read = ready!(futures_io::AsyncRead::poll_read(
                    self,
                    cx,
                    buf.initialize_unfilled()
                ))?;
                buf.advance(read);
                Poll::Ready(Ok(()))
            }
        }
    };
    (write $type:ty) => {
        #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
        impl AsyncWrite for $type {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            /// `true`: every backend writes several buffers in one system call (`writev`).
            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    };
}

tokio_io!(read crate::net::TcpStream);
tokio_io!(write crate::net::TcpStream);
tokio_io!(read crate::net::OwnedReadHalf);
tokio_io!(write crate::net::OwnedWriteHalf);
#[cfg(unix)]
tokio_io!(read crate::net::UnixStream);
#[cfg(unix)]
tokio_io!(write crate::net::UnixStream);
#[cfg(unix)]
tokio_io!(read crate::net::unix::OwnedReadHalf);
#[cfg(unix)]
tokio_io!(write crate::net::unix::OwnedWriteHalf);

//! [hyper](https://hyper.rs) 1.x on every [txaio](https://docs.rs/txaio) runtime: the
//! application picks tokio, smol or async-std, and the same HTTP code serves and calls on it.
//!
//! hyper leaves the runtime to its user through a few traits; hyper-util fills them for tokio
//! only. This crate fills them for txaio, so for each of its backends:
//!
//! - [`TxaioExecutor`]: hyper's `Executor`, spawning on the runtime running the caller;
//! - [`TxaioTimer`]: hyper's `Timer`, on txaio's clock (virtual in tests), its sleeps reset in
//!   place;
//! - [`TxaioIo`]: hyper's `Read`/`Write` over any `futures-io` stream (every `txaio::net`
//!   stream, a futures-rustls TLS stream);
//! - [`Connector`]: hyper-util's client connector, with host names, a connect timeout, and
//!   `https` through futures-rustls, certificates and host names always verified;
//! - [`Server`]: serves a hyper service on a `txaio::net::TcpListener`, HTTP/1.1 and HTTP/2
//!   detected per connection, with graceful shutdown.
//!
//! # Examples
//!
//! A server and a client in one program, naming no runtime:
//!
//! ```
//! use std::convert::Infallible;
//!
//! use http_body_util::{BodyExt, Empty, Full};
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response};
//! use hyper_util::client::legacy::Client;
//!
//! async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from(format!(
//!         "hello from txaio on {}",
//!         txaio::current_runtime()
//!     )))))
//! }
//!
//! # #[txaio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let listener = txaio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://localhost:{}/", listener.local_addr()?.port());
//! let stop = txaio::create_future::<()>();
//! let server = txaio_hyper::Server::new(listener, hyper::service::service_fn(hello))
//!     .with_graceful_shutdown(stop.clone());
//! let serving = txaio::spawn(server.run());
//!
//! let client = Client::builder(txaio_hyper::TxaioExecutor)
//!     .timer(txaio_hyper::TxaioTimer)
//!     .build::<_, Empty<Bytes>>(txaio_hyper::Connector::http());
//! let response = client.get(url.parse()?).await?;
//! assert!(response.status().is_success());
//! let body = response.into_body().collect().await?.to_bytes();
//! assert!(body.starts_with(b"hello from txaio on "));
//!
//! drop(client);
//! txaio::resolve(&stop, ()).unwrap();
//! serving.take().await?;
//! # Ok(())
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod rt;
mod server;

pub use client::{ConnectError, Connector, MaybeHttpsStream};
pub use rt::{TxaioExecutor, TxaioIo, TxaioTimer};
pub use server::Server;

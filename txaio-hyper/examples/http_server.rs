//! An HTTP server on whichever runtime the application picked, HTTP/1.1 and HTTP/2:
//!
//! ```sh
//! cargo run -p txaio-hyper --example http_server -- --serve 127.0.0.1:8080
//! cargo run -p txaio-hyper --example http_server --no-default-features --features smol -- --serve 127.0.0.1:8080
//! curl http://127.0.0.1:8080/                                  # hello from txaio on tokio
//! curl --data-binary @file http://127.0.0.1:8080/echo          # the body, back
//! curl --http2-prior-knowledge http://127.0.0.1:8080/
//! ```
//!
//! It serves until it is stopped (Ctrl-C, `kill`), or with `--requests N` until it has
//! answered N requests, then shuts down gracefully.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};

// ANCHOR: handler
/// The application's handler: no runtime named here.
async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => Response::new(Full::new(Bytes::from(format!(
            "hello from txaio on {}\n",
            txaio::current_runtime()
        )))),
        (&Method::POST, "/echo") => {
            let body = request.into_body().collect().await?.to_bytes();
            Response::new(Full::new(body))
        }
        _ => {
            let mut not_found = Response::new(Full::new(Bytes::from_static(b"not found\n")));
            *not_found.status_mut() = StatusCode::NOT_FOUND;
            not_found
        }
    };
    Ok(response)
}
// ANCHOR_END: handler

fn usage() -> ! {
    eprintln!("usage: http_server --serve ADDR [--requests N]");
    std::process::exit(2);
}

// ANCHOR: main
#[txaio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let (mut addr, mut limit) = (None, None);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--serve", Some(value)) => addr = Some(value),
            ("--requests", Some(value)) => limit = Some(value.parse::<u64>()?),
            _ => usage(),
        }
    }
    let listener = txaio::net::TcpListener::bind(addr.unwrap_or_else(|| usage())).await?;
    println!(
        "serving on http://{} ({})",
        listener.local_addr()?,
        txaio::current_runtime()
    );

    // With --requests N, the Nth answer fires `done`, and the server shuts down gracefully.
    let done = txaio::create_future::<()>();
    let answered = Arc::new(AtomicU64::new(0));
    let service = {
        let done = done.clone();
        hyper::service::service_fn(move |request| {
            let (done, answered) = (done.clone(), Arc::clone(&answered));
            async move {
                let response = handle(request).await;
                if limit.is_some_and(|limit| answered.fetch_add(1, Ordering::SeqCst) + 1 >= limit) {
                    let _ = txaio::resolve(&done, ());
                }
                response
            }
        })
    };
    txaio_hyper::Server::new(listener, service)
        .with_graceful_shutdown(done)
        .run()
        .await?;
    Ok(())
}
// ANCHOR_END: main

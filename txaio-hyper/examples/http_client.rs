//! An HTTP client on whichever runtime the application picked: prints the status line and the
//! body's length, and exits 0 on a 2xx answer.
//!
//! ```sh
//! cargo run -p txaio-hyper --example http_client -- http://localhost:8080/
//! cargo run -p txaio-hyper --example http_client -- https://localhost:4433/ --ca ca.pem
//! ```

use std::time::Duration;

use futures_rustls::rustls::RootCertStore;
use futures_rustls::rustls::pki_types::CertificateDer;
use futures_rustls::rustls::pki_types::pem::PemObject;
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;

fn usage() -> ! {
    eprintln!("usage: http_client URL [--ca PEM]");
    std::process::exit(2);
}

/// The certificate authorities in a PEM file.
fn roots(path: &str) -> Result<RootCertStore, Box<dyn std::error::Error + Send + Sync>> {
    let pem = std::fs::read(path)?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert?)?;
    }
    Ok(roots)
}

// ANCHOR: library
/// What a library writes: an HTTP call with no runtime named. The application's choice of
/// backend reaches it through the client it is handed.
mod probe {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    use hyper::{StatusCode, Uri, Version};
    use hyper_util::client::legacy::Client;

    /// The status, HTTP version and body length of a GET of `url`.
    pub(crate) async fn probe(
        client: &Client<txaio_hyper::Connector, Empty<Bytes>>,
        url: Uri,
    ) -> Result<(StatusCode, Version, usize), Box<dyn std::error::Error + Send + Sync>> {
        let response = client.get(url).await?;
        let (status, version) = (response.status(), response.version());
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, version, body.len()))
    }
}
// ANCHOR_END: library

// ANCHOR: client
#[txaio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let (mut url, mut ca) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ca" => ca = Some(args.next().unwrap_or_else(|| usage())),
            _ if url.is_none() => url = Some(arg),
            _ => usage(),
        }
    }
    let url: hyper::Uri = url.unwrap_or_else(|| usage()).parse()?;
    let connector = match ca {
        Some(path) => txaio_hyper::Connector::with_roots(roots(&path)?),
        None => txaio_hyper::Connector::http(),
    }
    .with_connect_timeout(Duration::from_secs(10));
    let client = Client::builder(txaio_hyper::TxaioExecutor)
        .timer(txaio_hyper::TxaioTimer)
        .build::<_, Empty<Bytes>>(connector);

    let (status, version, length) = probe::probe(&client, url).await?;
    println!("{version:?} {status}");
    println!("{length} bytes");
    if !status.is_success() {
        std::process::exit(1);
    }
    Ok(())
}
// ANCHOR_END: client

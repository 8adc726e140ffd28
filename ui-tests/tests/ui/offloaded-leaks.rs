//! What leaves the blocking pool is checked on the event loop: a capture-less (`Copy`)
//! closure called inline after `defer_to_thread` had it, a future the offloaded closure
//! returns, and a blocking socket or file made on the pool and used here.

use std::io::{Read, Write};

#[txaio::portable]
async fn called_twice() -> Result<usize, txaio::Failure> {
    let read = || std::fs::read("config.toml").map(|bytes| bytes.len());
    let offloaded = txaio::defer_to_thread(read).await?;
    Ok(offloaded + read()?)
}

#[txaio::portable]
async fn future_from_the_pool() -> Result<usize, txaio::Failure> {
    let future = txaio::defer_to_thread(|| {
        Ok::<_, std::io::Error>(async { std::fs::read("config.toml") })
    })
    .take()
    .await?;
    Ok(future.await?.len())
}

#[txaio::portable]
async fn socket_from_the_pool(addr: std::net::SocketAddr) -> Result<usize, txaio::Failure> {
    let mut stream = txaio::defer_to_thread(move || std::net::TcpStream::connect(addr))
        .take()
        .await?;
    stream.write_all(b"PING\r\n")?;
    let mut reply = [0; 16];
    Ok(stream.read(&mut reply)?)
}

#[txaio::portable]
async fn file_from_the_pool() -> Result<usize, txaio::Failure> {
    let mut file = txaio::defer_to_thread(|| std::fs::File::open("config.toml"))
        .take()
        .await?;
    let mut text = String::new();
    Ok(file.read_to_string(&mut text)?)
}

fn main() {}

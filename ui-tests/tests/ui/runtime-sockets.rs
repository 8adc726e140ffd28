//! Runtime-specific and blocking sockets name the `txaio::net` type to use.

use std::net::SocketAddr;

#[txaio::portable]
async fn tokio_dial(address: SocketAddr) -> std::io::Result<()> {
    let _stream = tokio::net::TcpStream::connect(address).await?;
    Ok(())
}

#[txaio::portable]
async fn async_std_listen(address: SocketAddr) -> std::io::Result<()> {
    let _listener = async_std::net::TcpListener::bind(address).await?;
    Ok(())
}

#[txaio::portable]
async fn smol_bind(address: SocketAddr) -> std::io::Result<()> {
    let _socket = smol::net::UdpSocket::bind(address).await?;
    Ok(())
}

#[txaio::portable]
async fn async_net_dial(address: SocketAddr) -> std::io::Result<()> {
    let _stream = async_net::TcpStream::connect(address).await?;
    Ok(())
}

#[txaio::portable]
async fn async_io_wrap(socket: std::net::UdpSocket) -> std::io::Result<()> {
    let _socket = async_io::Async::new(socket)?;
    Ok(())
}

#[txaio::portable]
async fn std_listen(address: SocketAddr) -> std::io::Result<()> {
    let _listener = std::net::TcpListener::bind(address)?;
    Ok(())
}

fn main() {}

use std::net::ToSocketAddrs;

#[txaio::portable]
async fn resolve(host: String) -> std::io::Result<usize> {
    Ok((host.as_str(), 80).to_socket_addrs()?.count())
}

fn main() {}

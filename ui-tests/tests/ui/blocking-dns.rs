#[txaio::portable]
async fn resolve(host: String) -> std::io::Result<usize> {
    use std::net::ToSocketAddrs;
    Ok((host.as_str(), 80).to_socket_addrs()?.count())
}

fn main() {}

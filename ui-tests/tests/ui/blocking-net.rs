#[txaio::portable]
async fn dial(address: String) -> Result<(), std::io::Error> {
    let _stream = std::net::TcpStream::connect(address)?;
    Ok(())
}

fn main() {}

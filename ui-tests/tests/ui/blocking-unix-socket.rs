#[txaio::portable]
async fn dial(path: String) -> std::io::Result<()> {
    let _stream = std::os::unix::net::UnixStream::connect(path)?;
    Ok(())
}

fn main() {}

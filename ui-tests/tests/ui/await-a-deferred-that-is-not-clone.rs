struct Socket {
    fd: i32,
}

#[txaio::portable]
async fn connect() -> Result<Socket, std::io::Error> {
    Ok(Socket { fd: 3 })
}

#[txaio::portable]
async fn caller() -> Result<i32, txaio::Failure> {
    let socket = connect().await?;
    Ok(socket.fd)
}

fn main() {}

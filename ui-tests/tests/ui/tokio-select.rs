#[txaio::portable]
async fn first(a: txaio::Deferred<u8>, b: txaio::Deferred<u8>) -> u8 {
    tokio::select! {
        Ok(value) = a => value,
        Ok(value) = b => value,
        else => 0,
    }
}

fn main() {}

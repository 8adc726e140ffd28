#[txaio::portable(runtime = "tokyo")]
async fn connect(peer: String) -> usize {
    peer.len()
}

#[txaio::portable(runtime = "async_std")]
async fn reconnect(peer: String) -> usize {
    peer.len()
}

fn main() {}

#[txaio::portable(flavor = "multi_thread")]
async fn connect(peer: String) -> usize {
    peer.len()
}

fn main() {}

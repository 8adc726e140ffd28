#[txaio::portable]
async fn send(peer: &str, frames: Vec<&[u8]>) -> usize {
    peer.len() + frames.len()
}

// The refused function keeps its rewritten signature, so its callers compile: one mistake,
// one error.
fn caller() -> txaio::Deferred<usize> {
    send("peer", Vec::new())
}

fn main() {
    let _ = caller;
}

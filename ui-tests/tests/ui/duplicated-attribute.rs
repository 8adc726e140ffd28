#[txaio::portable]
#[txaio::portable]
async fn connect(peer: String) -> usize {
    peer.len()
}

struct Session;

#[txaio::portable]
impl Session {
    #[txaio::portable]
    async fn join(self) {}
}

#[txaio::portable]
mod protocol {
    #[txaio::portable]
    pub async fn ping() {}
}

fn main() {}

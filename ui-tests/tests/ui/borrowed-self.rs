use std::pin::Pin;

struct Session {
    realm: String,
}

#[txaio::portable]
impl Session {
    async fn join(&self) -> usize {
        self.realm.len()
    }

    async fn leave(&mut self) {
        self.realm.clear();
    }

    async fn poll_leave(self: Pin<&mut Self>) {}
}

fn main() {}

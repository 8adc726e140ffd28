//! A `use` in an inner block does not leak out of it; a portable `mod` checks each item with
//! the module's imports.

use std::time::Duration;

fn sleep(_: Duration) {}

#[txaio::portable]
async fn inner_block() -> u8 {
    {
        #[allow(unused_imports)]
        use std::thread::sleep;
    }
    sleep(Duration::from_millis(1));
    1
}

#[txaio::portable]
pub mod protocol {
    use std::sync::Arc;
    use std::time::Duration;

    pub struct Peer(pub String);

    impl Peer {
        pub async fn ping(self: Arc<Self>) -> usize {
            txaio::sleep(Duration::from_millis(1)).await.ok();
            self.0.len()
        }
    }

    pub async fn hello(name: String) -> Result<String, txaio::Failure> {
        Ok(format!("HELLO {name}"))
    }

    pub fn schedule() -> txaio::Deferred<u8> {
        txaio::create_future_success(1)
    }
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert_eq!(inner_block().await.unwrap(), 1);
        assert_eq!(protocol::hello("a".into()).await.unwrap(), "HELLO a");
        let peer = std::sync::Arc::new(protocol::Peer("p1".into()));
        assert_eq!(peer.ping().await.unwrap(), 2);
        assert_eq!(protocol::schedule().await.unwrap(), 1);
    });
}

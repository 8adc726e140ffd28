//! Every runtime-specific crate, not only the three runtimes.

#[txaio::portable]
async fn cancel_on_shutdown() {
    let token = tokio_util::sync::CancellationToken::new();
    token.cancel();
}

#[txaio::portable]
async fn timer() {
    async_io::Timer::after(std::time::Duration::from_millis(1)).await;
}

#[txaio::portable]
async fn stream_of() -> usize {
    tokio_stream::iter(vec![1, 2]).len()
}

// Stand-ins for the `tokio-util` and `tokio-stream` crates, which this test does not depend
// on (to keep its build small): the macro cannot tell them apart.
mod tokio_util {
    pub mod sync {
        pub struct CancellationToken;

        impl CancellationToken {
            pub fn new() -> Self {
                CancellationToken
            }

            pub fn cancel(&self) {}
        }
    }
}

mod tokio_stream {
    pub fn iter(items: Vec<u8>) -> Vec<u8> {
        items
    }
}

fn main() {}

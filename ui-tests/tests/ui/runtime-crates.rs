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

// A stand-in for the `tokio-stream` crate, which this test does not depend on: the macro
// cannot tell them apart.
mod tokio_stream {
    pub fn iter(items: Vec<u8>) -> Vec<u8> {
        items
    }
}

fn main() {}

use futures::executor::{LocalPool, block_on_stream};
use futures::stream;

#[txaio::portable]
async fn collect() -> usize {
    block_on_stream(stream::iter(0..3)).count()
}

#[txaio::portable]
async fn run_locally() -> u8 {
    let mut pool = LocalPool::new();
    pool.run_until(async { 1 })
}

fn main() {}

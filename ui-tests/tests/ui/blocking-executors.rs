#[txaio::portable]
async fn collect() -> usize {
    use futures::executor::block_on_stream;
    block_on_stream(futures::stream::iter(0..3)).count()
}

#[txaio::portable]
async fn run_locally() -> u8 {
    let mut pool = futures::executor::LocalPool::new();
    pool.run_until(async { 1 })
}

fn main() {}

//! A block's `use` counts for the whole block, wherever it is written.

#[txaio::portable]
async fn heartbeat() {
    sleep(std::time::Duration::from_secs(1)).await;
    use tokio::time::sleep;
}

fn main() {}

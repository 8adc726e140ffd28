#[txaio::portable]
async fn heartbeat() {
    r#tokio::task::yield_now().await;
}

fn main() {}

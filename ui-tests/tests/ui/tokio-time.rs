use std::time::Duration;

#[txaio::portable]
async fn bounded() -> Result<(), txaio::Failure> {
    tokio::time::timeout(Duration::from_secs(1), async {}).await.map_err(txaio::Failure::new)
}

#[txaio::portable]
async fn ticks() {
    let mut ticks = tokio::time::interval(Duration::from_millis(200));
    ticks.tick().await;
}

fn main() {}

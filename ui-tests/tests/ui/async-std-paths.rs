use std::time::Duration;

#[txaio::portable]
async fn heartbeat() {
    async_std::task::sleep(Duration::from_secs(1)).await;
    async_std::task::spawn(async {});
}

fn main() {}

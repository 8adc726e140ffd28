use std::time::Duration;

#[txaio::portable]
async fn heartbeat() {
    smol::Timer::after(Duration::from_secs(1)).await;
    smol::spawn(async {}).detach();
    smol::unblock(|| 1).await;
}

fn main() {}

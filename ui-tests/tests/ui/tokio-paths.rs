use std::time::Duration;

#[txaio::portable]
async fn heartbeat() {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _task = tokio::spawn(async {});
    let _blocking = tokio::task::spawn_blocking(|| 1);
}

#[txaio::portable]
async fn imported() {
    use tokio::sync::Mutex;
    let _lock = Mutex::new(0);
}

fn main() {}

use std::time::Duration;

#[txaio::portable]
async fn keep_alive() {
    std::thread::sleep(Duration::from_secs(1));
}

#[txaio::portable]
fn backoff() {
    use std::thread::sleep as nap;
    nap(Duration::from_millis(100));
}

fn main() {}

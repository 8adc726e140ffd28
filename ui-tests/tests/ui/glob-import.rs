#[txaio::portable]
async fn backoff() {
    use std::thread::*;
    sleep(std::time::Duration::from_millis(100));
}

fn main() {}

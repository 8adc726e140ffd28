//! On an inline `mod`, the module's own `use` items count as its functions' imports.

#[txaio::portable]
mod protocol {
    use std::fs;
    use std::time::Duration;
    use tokio::time::sleep;

    pub async fn heartbeat() {
        sleep(Duration::from_secs(1)).await;
    }

    pub async fn load(path: String) -> std::io::Result<Vec<u8>> {
        fs::read(path)
    }
}

fn main() {}

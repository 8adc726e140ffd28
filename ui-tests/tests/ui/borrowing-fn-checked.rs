// A borrowing (or `keep_signature`) portable fn keeps its signature, and its body is checked
// like any portable body.

struct Session {
    path: String,
}

#[txaio::portable]
impl Session {
    async fn reload(&self) -> std::io::Result<String> {
        std::thread::sleep(std::time::Duration::from_millis(1));
        std::fs::read_to_string(&self.path)
    }

    async fn spawn_ping(&mut self) {
        tokio::spawn(async {});
    }
}

#[txaio::portable(keep_signature)]
async fn wait(seconds: u64) -> Result<(), std::io::Error> {
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    Ok(())
}

fn main() {}

//! Every form #[txaio::portable] accepts, compiled and run.

use std::sync::Arc;
use std::time::Duration;

#[txaio::portable]
async fn with_result(n: u32) -> Result<u32, std::io::Error> {
    txaio::sleep(Duration::from_millis(1))
        .await
        .map_err(std::io::Error::other)?;
    Ok(n + 1)
}

#[txaio::portable]
async fn with_io_result(n: u32) -> std::io::Result<u32> {
    Ok(n)
}

#[txaio::portable]
async fn without_result(name: String) -> usize {
    name.len()
}

#[txaio::portable]
async fn without_return() {}

#[txaio::portable]
async fn generic<T: Clone + Send + 'static>(value: T, times: usize) -> Vec<T> {
    vec![value; times]
}

#[txaio::portable]
fn callback_style(value: u8) -> txaio::Deferred<u8> {
    txaio::create_future_success(value)
}

#[txaio::portable]
async fn offloads(path: String) -> Result<bool, txaio::Failure> {
    // Blocking calls inside `defer_to_thread` are the remedy, not a mistake.
    txaio::defer_to_thread(move || std::fs::metadata(path).map(|m| m.is_dir())).await
}

struct Session {
    realm: String,
}

#[txaio::portable]
impl Session {
    async fn join(self: Arc<Self>) -> Result<String, txaio::Failure> {
        Ok(self.realm.clone())
    }

    async fn close(self) -> String {
        self.realm
    }

    fn realm(&self) -> &str {
        &self.realm
    }
}

#[txaio::main]
pub async fn main() {
    assert_eq!(with_result(1).await.unwrap(), 2);
    assert_eq!(with_io_result(3).await.unwrap(), 3);
    assert_eq!(without_result("abc".into()).await.unwrap(), 3);
    without_return().await.unwrap();
    assert_eq!(generic('x', 2).await.unwrap(), vec!['x', 'x']);
    assert_eq!(callback_style(7).await.unwrap(), 7);
    assert!(offloads(".".into()).await.unwrap());
    let session = Arc::new(Session {
        realm: "realm1".into(),
    });
    assert_eq!(session.realm(), "realm1");
    assert_eq!(session.clone().join().await.unwrap(), "realm1");
    let session = Arc::try_unwrap(session).ok().expect("one handle");
    assert_eq!(session.close().await.unwrap(), "realm1");
}

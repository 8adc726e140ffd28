//! Blocking calls in closures given to txaio's `defer_to_thread`, also a named one given later.

use txaio::defer_to_thread;

#[txaio::portable]
async fn sizes(path: String) -> Result<u64, txaio::Failure> {
    let other = path.clone();
    let work = move || std::fs::metadata(other).map(|m| m.len());
    let first = txaio::defer_to_thread(work).await?;
    let second = defer_to_thread(move || std::fs::metadata(path).map(|m| m.len())).await?;
    Ok(first.max(second))
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert!(sizes(".".into()).await.is_ok());
    });
}

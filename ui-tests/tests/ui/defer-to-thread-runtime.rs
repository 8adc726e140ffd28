//! Inside `defer_to_thread`'s closure blocking is fine; tying the code to a runtime is not.

#[txaio::portable]
async fn nested() -> Result<(), txaio::Failure> {
    txaio::defer_to_thread(|| {
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async {});
        Ok::<(), std::io::Error>(())
    })
    .await
}

fn main() {}

//! A portable `async fn` that never returns (`-> !`), as a server's accept loop.

#[txaio::portable]
async fn serve(period: u64) -> ! {
    loop {
        txaio::sleep(std::time::Duration::from_millis(period))
            .await
            .unwrap();
    }
}

#[txaio::main]
pub async fn main() {
    // A `-> !` function's deferred holds an `Infallible`: it never succeeds. Dropping the
    // deferred stops it.
    let served: txaio::Deferred<std::convert::Infallible> = serve(1);
    drop(served);
}

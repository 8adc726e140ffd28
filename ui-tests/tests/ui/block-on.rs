#[txaio::portable]
fn wait_for(answer: txaio::Deferred<u32>) -> u32 {
    futures::executor::block_on(answer).unwrap_or(0)
}

#[txaio::portable]
async fn nested(runtime: std::sync::Arc<tokio::runtime::Runtime>) {
    runtime.block_on(async {});
    smol::block_on(async {});
}

fn main() {}

//! A method's own `#[portable(runtime = ..)]` inside a `#[portable]` impl overrides the block's.

use std::sync::Arc;

pub struct Session;

#[txaio::portable]
impl Session {
    async fn anywhere(self: Arc<Self>) -> txaio::Runtime {
        txaio::current_runtime()
    }

    #[txaio::portable(runtime = "tokio")]
    async fn on_tokio(self: Arc<Self>) -> txaio::Runtime {
        txaio::current_runtime()
    }
}

pub fn main() {
    let session = Arc::new(Session);
    let tokio = txaio::Runtime::compiled()
        .iter()
        .copied()
        .find(|runtime| runtime.feature() == "tokio")
        .expect("tokio is compiled in for this case");
    for &runtime in txaio::Runtime::compiled() {
        let (here, pinned) = txaio::__private::block_on(runtime, async {
            (
                session.clone().anywhere().await.unwrap(),
                session.clone().on_tokio().await.unwrap(),
            )
        });
        assert_eq!(here, runtime);
        assert_eq!(pinned, tokio);
    }
}

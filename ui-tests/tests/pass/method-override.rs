//! A method's own `#[portable(runtime = ..)]` inside a `#[portable]` impl overrides the block's.

use std::sync::Arc;

pub struct Session;

#[txaio::portable]
impl Session {
    async fn anywhere(self: Arc<Self>) -> txaio::Runtime {
        txaio::current_runtime()
    }

    #[txaio::portable(runtime = "smol")]
    async fn on_smol(self: Arc<Self>) -> txaio::Runtime {
        txaio::current_runtime()
    }
}

pub fn main() {
    let find = |name: &str| {
        txaio::Runtime::compiled()
            .iter()
            .copied()
            .find(|runtime| runtime.feature() == name)
            .expect("tokio and smol are compiled in for this case")
    };
    let (tokio, smol) = (find("tokio"), find("smol"));
    let session = Arc::new(Session);
    let (here, pinned) = txaio::__private::block_on(tokio, async {
        (
            session.clone().anywhere().await.unwrap(),
            session.clone().on_smol().await.unwrap(),
        )
    });
    assert_eq!(here, tokio);
    assert_eq!(pinned, smol);
}

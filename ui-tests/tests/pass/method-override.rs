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

    // A borrowing method runs in its caller's task; pinned, its body sees its backend as
    // current at every poll, across an `.await`, and the caller's backend is current again
    // when it returns.
    #[txaio::portable(runtime = "smol")]
    async fn borrowing_on_smol(&self) -> (txaio::Runtime, txaio::Runtime) {
        let before = txaio::current_runtime();
        futures::future::ready(()).await;
        txaio::sleep(std::time::Duration::from_millis(1))
            .await
            .unwrap();
        (before, txaio::current_runtime())
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
    let (borrowed, after) = txaio::__private::block_on(tokio, async {
        let borrowed = session.borrowing_on_smol().await;
        (borrowed, txaio::current_runtime())
    });
    assert_eq!(borrowed, (smol, smol));
    assert_eq!(after, tokio);
}

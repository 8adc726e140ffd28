//! What the module and macro checks must let through: `self::`/`super::` paths to the user's
//! own items, a nested module's re-exports of harmless paths, a `macro_rules!` whose
//! expansion offloads its blocking call, a capture-less closure used only on the pool, a future
//! built on the pool that does not block.

#[txaio::portable]
mod protocol {
    use std::time::Duration;

    mod reexports {
        pub use std::time::Duration as Span;
    }

    macro_rules! offloaded_len {
        ($path:expr) => {
            txaio::defer_to_thread(move || std::fs::read($path).map(|bytes| bytes.len()))
        };
    }

    pub(crate) fn double(value: u64) -> u64 {
        value * 2
    }

    pub async fn nap() -> Duration {
        let span: reexports::Span = Duration::from_millis(self::double(1));
        let _ = txaio::sleep(span).await;
        span
    }

    pub async fn length() -> usize {
        let read = || std::fs::read(".").map(|bytes| bytes.len());
        let first = txaio::defer_to_thread(read).await.unwrap_or(0);
        let second = offloaded_len!(".").await.unwrap_or(0);
        let offloaded = txaio::defer_to_thread(|| Ok::<_, std::io::Error>(async { 1 }));
        let ready = match offloaded.take().await {
            Ok(future) => future.await,
            Err(_) => 0,
        };
        first + second + ready
    }

    pub mod inner {
        pub async fn through_super() -> u64 {
            super::double(2)
        }
    }
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert_eq!(
            protocol::nap().await.unwrap(),
            std::time::Duration::from_millis(2)
        );
        assert!(protocol::length().await.unwrap() >= 1);
        assert_eq!(protocol::inner::through_super().await.unwrap(), 4);
    });
}

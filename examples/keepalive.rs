//! A piece of a protocol library written once with `#[txaio::portable]`: a keep-alive loop
//! that pings the peer and gives up after too many missed pongs. The application picks the
//! runtime:
//!
//! ```text
//! cargo run --example keepalive
//! cargo run --example keepalive --no-default-features --features smol
//! cargo run --example keepalive --no-default-features --features async-std
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

// ANCHOR: library
/// The library: no runtime named anywhere.
mod session {
    use super::{Arc, AtomicU32, Duration, Ordering};
    use txaio::{Deferred, Failure};

    /// A peer that answers pings, until it stops answering.
    pub(crate) struct Session {
        pub(crate) pongs_left: AtomicU32,
        pub(crate) latency: Duration,
    }

    #[txaio::portable]
    impl Session {
        /// Callback style: sends a ping; the deferred fires when the pong arrives.
        pub(crate) fn ping(&self) -> Deferred<()> {
            let pong = txaio::create_future();
            let answers = self
                .pongs_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                    left.checked_sub(1)
                })
                .is_ok();
            if answers {
                let pong = pong.clone();
                txaio::call_later(self.latency, move || {
                    let _ = txaio::resolve(&pong, ());
                });
            }
            pong
        }

        /// Async style: pings every `interval`; fails after `max_missed` pongs in a row
        /// did not arrive within the interval. Returns the pongs received.
        pub(crate) async fn keep_alive(
            self: Arc<Self>,
            interval: Duration,
            max_missed: u32,
        ) -> Result<u32, Failure> {
            let (mut received, mut missed) = (0, 0);
            loop {
                let pong = self.ping();
                txaio::sleep(interval).await?;
                if txaio::is_called(&pong) {
                    received += 1;
                    missed = 0;
                } else {
                    txaio::cancel(&pong);
                    missed += 1;
                    if missed == max_missed {
                        return Err(Failure::msg(format_args!(
                            "peer missed {missed} pongs in a row after {received} pongs"
                        )));
                    }
                }
            }
        }
    }
}
// ANCHOR_END: library

// ANCHOR: application
#[txaio::main]
async fn main() {
    let peer = Arc::new(session::Session {
        pongs_left: AtomicU32::new(5),
        latency: Duration::from_millis(2),
    });
    let outcome = peer.keep_alive(Duration::from_millis(20), 3).await;
    println!("keep-alive on {}: {outcome:?}", txaio::current_runtime());
    assert!(
        outcome.is_err(),
        "the peer stops answering after five pongs"
    );
}
// ANCHOR_END: application

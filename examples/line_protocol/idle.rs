//! Dropping a silent peer, on a batched timer shared by every connection.

use std::time::Duration;

use txaio::{BatchedTimer, Deferred, DelayedCall};

/// Fires [`idle`](IdleWatch::idle) when `timeout` passes without a [`touch`](IdleWatch::touch).
///
/// Its timer lives in a [`BatchedTimer`] that all connections share, so ten thousand idle
/// watches cost the runtime a handful of timers; it fires no earlier than `timeout` after
/// the last touch and at most two bucket widths later. Dropping the watch cancels its timer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use line_protocol::IdleWatch;
///
/// txaio::testutil::replace_loop(|clock| {
///     let timers = txaio::make_batched_timer(Duration::from_millis(50), 100);
///     let mut watch = IdleWatch::start(&timers, Duration::from_secs(1));
///     clock.advance(Duration::from_millis(900));
///     watch.touch(); // a line came in
///     clock.advance(Duration::from_millis(900));
///     assert!(!txaio::is_called(&watch.idle()));
///     clock.advance(Duration::from_millis(200));
///     assert!(txaio::is_called(&watch.idle()));
/// });
/// ```
#[derive(Debug)]
pub struct IdleWatch {
    timers: BatchedTimer,
    timeout: Duration,
    idle: Deferred<()>,
    call: DelayedCall,
}

impl IdleWatch {
    /// Starts watching: idle `timeout` from now unless touched.
    pub fn start(timers: &BatchedTimer, timeout: Duration) -> IdleWatch {
        let (idle, call) = arm(timers, timeout);
        IdleWatch {
            timers: timers.clone(),
            timeout,
            idle,
            call,
        }
    }

    /// The peer was heard from: idle `timeout` from now.
    pub fn touch(&mut self) {
        if self.call.cancel() {
            (self.idle, self.call) = arm(&self.timers, self.timeout);
        }
    }

    /// Fires when the peer has been silent for the whole timeout.
    pub fn idle(&self) -> Deferred<()> {
        self.idle.clone()
    }
}

impl Drop for IdleWatch {
    fn drop(&mut self) {
        self.call.cancel();
    }
}

fn arm(timers: &BatchedTimer, timeout: Duration) -> (Deferred<()>, DelayedCall) {
    let idle = txaio::create_future();
    let fire = idle.clone();
    let call = timers.call_later(timeout, move || {
        let _ = txaio::resolve(&fire, ());
    });
    (idle, call)
}

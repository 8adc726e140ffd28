//! Exponential backoff between reconnection attempts.

use std::time::Duration;

/// Reconnect delays that double from `initial` up to `max`; [`reset`](Backoff::reset) after
/// a connection that worked.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let mut backoff = line_protocol::Backoff::new(Duration::from_millis(50), Duration::from_millis(150));
/// let delays: Vec<u128> = (0..4).map(|_| backoff.next_delay().as_millis()).collect();
/// assert_eq!(delays, [50, 100, 150, 150]);
/// backoff.reset();
/// assert_eq!(backoff.next_delay(), Duration::from_millis(50));
/// ```
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Delays from `initial`, doubling, capped at `max` (at least `initial`).
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max: max.max(initial),
            next: initial,
        }
    }

    /// The delay before the next attempt; the one after is twice as long, up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
    }

    /// Starts again from the initial delay.
    pub fn reset(&mut self) {
        self.next = self.initial;
    }
}

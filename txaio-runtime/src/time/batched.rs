//! Batched timers: many timers whose precision does not matter, in buckets, with one runtime
//! timer per non-empty bucket (txaio's `make_batched_timer`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{DelayedCall, Handle, call_later, now};
use crate::report;

type Callback = Box<dyn FnOnce() + Send>;

/// Makes a [`BatchedTimer`] with buckets `bucket` wide, whose due buckets run `chunk_size`
/// callbacks at a time (txaio's `make_batched_timer`).
///
/// # Panics
///
/// If `bucket` is zero or `chunk_size` is zero; the message names the argument.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let timers = txaio::make_batched_timer(Duration::from_secs(1), 1000);
///     let ping = timers.call_later(Duration::from_millis(2500), || println!("ping"));
///     clock.advance(Duration::from_millis(2499));
///     assert!(ping.active());
///     clock.advance(Duration::from_secs(2)); // fires at the end of its bucket, at 3 s
///     assert!(!ping.active());
/// });
/// ```
pub fn make_batched_timer(bucket: Duration, chunk_size: usize) -> BatchedTimer {
    assert!(
        !bucket.is_zero(),
        "make_batched_timer: `bucket` must be a non-zero duration"
    );
    assert!(
        chunk_size > 0,
        "make_batched_timer: `chunk_size` must be at least 1"
    );
    BatchedTimer {
        shared: Arc::new(Shared {
            bucket,
            chunk_size,
            state: Mutex::new(State {
                buckets: BTreeMap::new(),
                first_open: 0,
                pending: 0,
            }),
        }),
    }
}

/// Timers grouped into buckets: a million pending timers cost the runtime a handful of timers.
///
/// A timer due at `deadline` goes into the bucket that ends at or after it; each non-empty
/// bucket holds one real runtime timer, set for the bucket's end. When a bucket comes due its
/// callbacks run in chunks of `chunk_size`, spread over the next bucket width, so that a full
/// bucket does not stall the event loop. Guarantee: a batched timer never fires before its
/// deadline, and fires at most two bucket widths after it (plus whatever the runtime itself
/// is late).
///
/// `Clone` (the same timer), `Send` and `Sync`. Cancelling is O(1) and race-free against the
/// firing, from any thread.
#[derive(Debug, Clone)]
pub struct BatchedTimer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    bucket: Duration,
    chunk_size: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    buckets: BTreeMap<u64, Bucket>,
    /// Buckets before this one have come due; new timers go into this one or later.
    first_open: u64,
    /// Timers added and neither run nor cancelled.
    pending: usize,
}

struct Bucket {
    slots: Slots,
    live: usize,
    /// Where the next chunk starts, once the bucket is due.
    cursor: u32,
    due: bool,
    /// The runtime timer for the bucket's end, while it is not yet due.
    runtime_timer: Option<DelayedCall>,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("live", &self.live)
            .field("due", &self.due)
            .finish_non_exhaustive()
    }
}

/// Where one batched timer's callback waits.
#[derive(Debug, Clone)]
pub(super) struct Key {
    shared: Arc<Shared>,
    bucket: u64,
    slot: u32,
}

impl Key {
    pub(super) fn cancel(&self) -> bool {
        let mut state = self.shared.lock();
        let Some(bucket) = state.buckets.get_mut(&self.bucket) else {
            return false;
        };
        let Some(callback) = bucket.slots.get_mut(self.slot).and_then(Option::take) else {
            return false;
        };
        bucket.live -= 1;
        let emptied = bucket.live == 0;
        let runtime_timer = if emptied {
            bucket.runtime_timer.take()
        } else {
            None
        };
        if emptied && !bucket.due {
            state.buckets.remove(&self.bucket);
        }
        state.pending -= 1;
        drop(state);
        // Outside the lock: dropping user closures or cancelling a timer may re-enter.
        drop(callback);
        if let Some(timer) = runtime_timer {
            timer.cancel();
        }
        true
    }

    pub(super) fn is_pending(&self) -> bool {
        let state = self.shared.lock();
        state
            .buckets
            .get(&self.bucket)
            .and_then(|bucket| bucket.slots.get(self.slot))
            .is_some_and(Option::is_some)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bucket_nanos(&self) -> u128 {
        self.bucket.as_nanos()
    }

    /// The end of bucket `index`, on the clock of [`now`].
    fn bucket_end(&self, index: u64) -> Duration {
        let nanos = u128::from(index) * self.bucket_nanos();
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

impl BatchedTimer {
    /// Runs `f` once, no earlier than `delay` from now and at most two bucket widths later.
    ///
    /// A panic in `f` is caught and logged; the rest of its bucket still runs.
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime, when `f` starts a new bucket.
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + Send + 'static) -> DelayedCall {
        let shared = &self.shared;
        let now = now();
        let deadline = now.saturating_add(delay);
        let index =
            u64::try_from(deadline.as_nanos().div_ceil(shared.bucket_nanos())).unwrap_or(u64::MAX);
        let mut state = shared.lock();
        let index = index.max(state.first_open);
        state.pending += 1;
        let bucket = state.buckets.entry(index).or_insert_with(|| Bucket {
            slots: Slots::default(),
            live: 0,
            cursor: 0,
            due: false,
            runtime_timer: None,
        });
        let slot = bucket.slots.push(Box::new(f));
        bucket.live += 1;
        let starts_bucket = bucket.live == 1 && bucket.runtime_timer.is_none() && !bucket.due;
        drop(state);
        if starts_bucket {
            self.arm(index, now);
        }
        DelayedCall {
            handle: Handle::Batched(Key {
                shared: Arc::clone(shared),
                bucket: index,
                slot,
            }),
        }
    }

    /// Sets the runtime timer for bucket `index`'s end; `now` is the time the caller read.
    fn arm(&self, index: u64, now: Duration) {
        let wait = self.shared.bucket_end(index).saturating_sub(now);
        let timer = self.clone();
        let runtime_timer = call_later(wait, move || timer.bucket_due(index));
        let mut state = self.shared.lock();
        match state.buckets.get_mut(&index) {
            Some(bucket) if !bucket.due && bucket.live > 0 && bucket.runtime_timer.is_none() => {
                bucket.runtime_timer = Some(runtime_timer);
            }
            // Emptied by cancels meanwhile, or emptied and started again by another thread
            // that armed it already: this timer is not needed.
            _ => {
                drop(state);
                runtime_timer.cancel();
            }
        }
    }

    fn bucket_due(&self, index: u64) {
        let mut state = self.shared.lock();
        state.first_open = state.first_open.max(index + 1);
        // A bucket armed twice in a race (see `arm`) comes due once.
        let Some(bucket) = state.buckets.get_mut(&index).filter(|bucket| !bucket.due) else {
            return;
        };
        bucket.due = true;
        bucket.runtime_timer = None;
        let chunks = bucket.live.div_ceil(self.shared.chunk_size).max(1);
        drop(state);
        // The chunks after the first are spread evenly over the next bucket width.
        let spacing = self.shared.bucket / u32::try_from(chunks).unwrap_or(u32::MAX);
        self.run_chunk(index, spacing);
    }

    fn run_chunk(&self, index: u64, spacing: Duration) {
        let mut state = self.shared.lock();
        let Some(bucket) = state.buckets.get_mut(&index) else {
            return;
        };
        let mut chunk = Vec::with_capacity(self.shared.chunk_size.min(bucket.live));
        while chunk.len() < self.shared.chunk_size && bucket.cursor < bucket.slots.len {
            if let Some(callback) = bucket.slots.get_mut(bucket.cursor).and_then(Option::take) {
                chunk.push(callback);
            }
            bucket.cursor += 1;
        }
        bucket.live -= chunk.len();
        let finished = bucket.live == 0;
        if finished {
            state.buckets.remove(&index);
        }
        state.pending -= chunk.len();
        drop(state);
        if !finished {
            let timer = self.clone();
            drop(call_later(spacing, move || timer.run_chunk(index, spacing)));
        }
        for callback in chunk {
            if let Err(panic) = crate::panic::catch(callback) {
                report::timer_panicked(&panic);
            }
        }
    }

    /// Timers added and neither run nor cancelled.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.shared.lock().pending
    }

    /// Buckets holding pending timers: at most one runtime timer each.
    #[must_use]
    pub fn buckets(&self) -> usize {
        self.shared.lock().buckets.len()
    }

    /// The bucket width.
    #[must_use]
    pub fn bucket(&self) -> Duration {
        self.shared.bucket
    }

    /// How many callbacks a due bucket runs at a time.
    #[must_use]
    pub fn chunk_size(&self) -> usize {
        self.shared.chunk_size
    }
}

/// A bucket's callbacks, in segments of at most `SEGMENT`: a growing bucket never copies more
/// than one segment, and holds at most one partly used segment, where one doubling vector would
/// hold up to half its capacity unused. The first segment grows as a vector does, so a bucket
/// with a single timer stays small.
#[derive(Default)]
struct Slots {
    segments: Vec<Vec<Option<Callback>>>,
    len: u32,
}

const SEGMENT: usize = 512;

impl Slots {
    /// Appends a callback and returns its index.
    fn push(&mut self, callback: Callback) -> u32 {
        let index = self.len;
        match self.segments.last_mut() {
            Some(segment) if segment.len() < SEGMENT => segment.push(Some(callback)),
            Some(_) => {
                let mut segment = Vec::with_capacity(SEGMENT);
                segment.push(Some(callback));
                self.segments.push(segment);
            }
            None => self.segments.push(vec![Some(callback)]),
        }
        self.len += 1;
        index
    }

    fn get_mut(&mut self, index: u32) -> Option<&mut Option<Callback>> {
        let index = index as usize;
        self.segments
            .get_mut(index / SEGMENT)?
            .get_mut(index % SEGMENT)
    }

    fn get(&self, index: u32) -> Option<&Option<Callback>> {
        let index = index as usize;
        self.segments.get(index / SEGMENT)?.get(index % SEGMENT)
    }
}

#[cfg(test)]
mod tests {
    use super::{SEGMENT, Slots};

    #[test]
    fn slots_index_across_segments() {
        const SEGMENT_U32: u32 = 512;
        assert_eq!(SEGMENT_U32 as usize, SEGMENT);
        let mut slots = Slots::default();
        for expected in 0..(3 * SEGMENT_U32 + 7) {
            assert_eq!(slots.push(Box::new(|| {})), expected);
        }
        assert_eq!(slots.segments.len(), 4);
        assert!(slots.get(3 * SEGMENT_U32 + 6).is_some_and(Option::is_some));
        assert!(slots.get(3 * SEGMENT_U32 + 7).is_none());
        assert!(slots.get_mut(SEGMENT_U32).and_then(Option::take).is_some());
        assert!(slots.get(SEGMENT_U32).is_some_and(Option::is_none));
    }
}

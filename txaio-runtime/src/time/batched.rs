//! Batched timers: many timers whose precision does not matter, in buckets, with one runtime
//! timer per non-empty bucket (txaio's `make_batched_timer`).
//!
//! Invariants, all under `Shared::state`:
//! - a bucket is in `buckets` while it holds a pending timer (`live > 0`); emptied by cancels
//!   or by its last chunk, it is removed in the same critical section;
//! - a bucket at an index `>= first_open` is not due; new timers only join those;
//! - a bucket's slot `i` holds the timer with sequence number `base + i`; `next_sequence` is
//!   past every sequence issued, and a new bucket's `base` is `next_sequence`. So a bucket
//!   made again at an index starts past every earlier sequence there: a stale handle (bucket
//!   index, sequence) finds nothing, and a handle only ever refers to its own timer.
//! - no user code runs under the lock, and the runtime timer of a new bucket is made before
//!   the lock is taken to add it: a panic there (no runtime) leaves the state untouched.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{Callback, Clock, DelayedCall, Handle, call_at, now};
use crate::{report, rt};

/// The bucket index of timers beyond the clock's horizon: never due, no runtime timer.
const NEVER: u64 = u64::MAX;

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
    make_batched_timer_in(None, bucket, chunk_size)
}

/// [`make_batched_timer`] whose runtime timers go to `instance` (a `Txaio`'s), whichever
/// thread adds a timer.
pub(crate) fn make_batched_timer_in(
    instance: Option<crate::rt::Instance>,
    bucket: Duration,
    chunk_size: usize,
) -> BatchedTimer {
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
            instance,
            bucket,
            chunk_size,
            state: Mutex::new(State::default()),
        }),
    }
}

/// Timers grouped into buckets: a million pending timers cost the runtime a handful of timers.
///
/// A timer due at `deadline` goes into the bucket that ends at or after it; each non-empty
/// bucket holds one real runtime timer, set for the bucket's end. When a bucket comes due its
/// callbacks run in chunks of `chunk_size`, each chunk at a fixed time inside the next bucket
/// width, so that a full bucket does not stall the event loop; a chunk that runs late runs
/// the chunks due by then with it, so lateness never accumulates. Guarantee: a batched timer
/// never fires before its deadline, and fires at most two bucket widths after it (plus
/// whatever the runtime itself is late), on real time as on the virtual clock. A timer whose
/// deadline lies beyond what the clock can represent never fires.
///
/// `Clone` (the same timer), `Send` and `Sync`. Cancelling is O(1) and race-free against the
/// firing, from any thread.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// txaio::testutil::replace_loop(|clock| {
///     let timers: txaio::BatchedTimer = txaio::make_batched_timer(Duration::from_secs(1), 100);
///     for _ in 0..1000 {
///         timers.call_later(Duration::from_millis(300), || {});
///     }
///     assert_eq!(timers.pending(), 1000);
///     assert_eq!(timers.buckets(), 1);
///     assert_eq!(clock.pending(), 1, "one runtime timer for a thousand");
///     clock.advance(Duration::from_secs(2));
///     assert_eq!(timers.pending(), 0);
/// });
/// ```
#[derive(Debug, Clone)]
pub struct BatchedTimer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// The runtime instance of a `Txaio`'s batched timer.
    instance: Option<crate::rt::Instance>,
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
    /// The sequence number of the next timer added.
    next_sequence: u64,
}

struct Bucket {
    slots: Slots,
    /// The sequence number of slot 0.
    base: u64,
    live: usize,
    /// Where the next chunk starts, once the bucket is due.
    cursor: u32,
    due: Option<Schedule>,
    /// The runtime timer for the bucket's end, while it is not yet due (`None` for [`NEVER`]).
    runtime_timer: Option<DelayedCall>,
}

/// A due bucket's chunks: chunk `k` of `chunks` runs at `end + k * bucket / chunks`.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    /// The bucket's end, on the clock of [`now`].
    end: Duration,
    chunks: u64,
    /// Chunks run so far.
    done: u64,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("live", &self.live)
            .field("due", &self.due)
            .finish_non_exhaustive()
    }
}

impl Bucket {
    fn new(base: u64, runtime_timer: Option<DelayedCall>) -> Bucket {
        Bucket {
            slots: Slots::default(),
            base,
            live: 0,
            cursor: 0,
            due: None,
            runtime_timer,
        }
    }

    /// The slot of the timer with sequence number `sequence`, if it is in this bucket.
    fn slot(&self, sequence: u64) -> Option<u32> {
        sequence
            .checked_sub(self.base)
            .and_then(|slot| u32::try_from(slot).ok())
            .filter(|slot| *slot < self.slots.len)
    }
}

/// Where one batched timer's callback waits: its bucket, and its sequence number, which no
/// other timer of this `BatchedTimer` ever has.
#[derive(Debug, Clone)]
pub(super) struct Key {
    shared: Arc<Shared>,
    bucket: u64,
    sequence: u64,
}

impl Key {
    pub(super) fn cancel(&self) -> bool {
        let mut state = self.shared.lock();
        let Some(bucket) = state.buckets.get_mut(&self.bucket) else {
            return false;
        };
        let Some(slot) = bucket.slot(self.sequence) else {
            return false;
        };
        let Some(callback) = bucket.slots.get_mut(slot).and_then(Option::take) else {
            return false;
        };
        bucket.live -= 1;
        let runtime_timer = if bucket.live == 0 {
            let timer = bucket.runtime_timer.take();
            state.buckets.remove(&self.bucket);
            timer
        } else {
            None
        };
        state.pending -= 1;
        drop(state);
        // Outside the lock: dropping user closures or cancelling a timer may re-enter.
        if let Err(panic) = crate::panic::catch(move || drop(callback)) {
            report::timer_panicked(&panic);
        }
        if let Some(timer) = runtime_timer {
            timer.cancel();
        }
        true
    }

    pub(super) fn is_pending(&self) -> bool {
        let state = self.shared.lock();
        state.buckets.get(&self.bucket).is_some_and(|bucket| {
            bucket
                .slot(self.sequence)
                .and_then(|slot| bucket.slots.get(slot))
                .is_some_and(Option::is_some)
        })
    }
}

impl Shared {
    /// Runs `f` (which makes a runtime timer) scoped to this timer's instance, if it has one.
    fn on_instance<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.instance {
            Some(instance) => rt::scoped(instance, f),
            None => f(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bucket_nanos(&self) -> u128 {
        self.bucket.as_nanos()
    }

    /// The bucket a timer due `delay` after `now` joins: the first that ends at or after its
    /// deadline, or [`NEVER`] when that end is past what the clock represents. In `u128`
    /// nanoseconds, where neither the deadline nor the end can overflow.
    fn index_for(&self, now: Duration, delay: Duration) -> u64 {
        let deadline = now.as_nanos() + delay.as_nanos();
        let index = deadline.div_ceil(self.bucket_nanos());
        match u64::try_from(index) {
            Ok(index) if index < NEVER && self.bucket_end(index).is_some() => index,
            _ => NEVER,
        }
    }

    /// The end of bucket `index`, on the clock of [`now`]; `None` past `Duration::MAX`.
    fn bucket_end(&self, index: u64) -> Option<Duration> {
        super::interval::duration_from_nanos(u128::from(index) * self.bucket_nanos())
    }
}

impl BatchedTimer {
    /// Runs `f` once, no earlier than `delay` from now and at most two bucket widths later.
    ///
    /// A panic in `f` is caught and logged; the rest of its bucket still runs. A `delay` too
    /// large for the clock never fires (it stays pending until cancelled).
    ///
    /// # Panics
    ///
    /// On tokio, outside a running tokio runtime or in one built without `enable_time()`,
    /// when `f` starts a new bucket; the timer is then left as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|clock| {
    ///     let timers = txaio::make_batched_timer(Duration::from_millis(100), 10);
    ///     let pinged = Arc::new(AtomicBool::new(false));
    ///     let flag = pinged.clone();
    ///     let ping = timers.call_later(Duration::from_millis(30), move || {
    ///         flag.store(true, Ordering::SeqCst);
    ///     });
    ///     clock.advance(Duration::from_millis(99));
    ///     assert!(!pinged.load(Ordering::SeqCst), "the bucket ends at 100 ms");
    ///     clock.advance(Duration::from_millis(1));
    ///     assert!(pinged.load(Ordering::SeqCst));
    ///     assert!(!ping.cancel(), "it ran already");
    /// });
    /// ```
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + Send + 'static) -> DelayedCall {
        let now = now();
        let wanted = self.shared.index_for(now, delay);
        let mut callback: Option<Callback> = Some(Box::new(f));
        // The runtime timer made for a new bucket, and that bucket's index.
        let mut armed: Option<(u64, Option<DelayedCall>)> = None;
        loop {
            let mut state = self.shared.lock();
            let index = wanted.max(state.first_open);
            let exists = state.buckets.contains_key(&index);
            let new_timer = match armed.take() {
                Some((armed_index, timer)) if armed_index == index && !exists => Some(timer),
                Some((_, timer)) => {
                    // The bucket was started meanwhile, or the index moved on: not needed.
                    drop(state);
                    if let Some(timer) = timer {
                        timer.cancel();
                    }
                    continue;
                }
                None => None,
            };
            if !exists && new_timer.is_none() {
                drop(state);
                // May panic (no runtime): nothing has been changed yet.
                armed = Some((index, self.arm(index)));
                continue;
            }
            let fresh_base = state.next_sequence;
            state.pending += 1;
            let bucket = state
                .buckets
                .entry(index)
                .or_insert_with(|| Bucket::new(fresh_base, new_timer.flatten()));
            let slot = bucket.slots.push(callback.take().expect("added once"));
            bucket.live += 1;
            let sequence = bucket.base + u64::from(slot);
            // Past every sequence issued: a bucket made later at any index starts beyond them.
            state.next_sequence = state.next_sequence.max(sequence + 1);
            drop(state);
            return DelayedCall {
                handle: Handle::Batched(Key {
                    shared: Arc::clone(&self.shared),
                    bucket: index,
                    sequence,
                }),
            };
        }
    }

    /// Makes the runtime timer for bucket `index`'s end (none for [`NEVER`]).
    fn arm(&self, index: u64) -> Option<DelayedCall> {
        let end = self.shared.bucket_end(index).filter(|_| index != NEVER)?;
        let timer = self.clone();
        Some(self.shared.on_instance(|| {
            call_at(
                &Clock::current(),
                rt::current(),
                Some(end),
                Box::new(move || timer.bucket_due(index)),
            )
        }))
    }

    /// Bucket `index` has come due. A timer of an earlier bucket at this index that fired while
    /// being cancelled may call this for a later one: it fires no earlier than the index's end
    /// either, so that bucket is due all the same (and its own timer then finds it so).
    fn bucket_due(&self, index: u64) {
        let mut state = self.shared.lock();
        state.first_open = state.first_open.max(index.saturating_add(1));
        let Some(end) = self.shared.bucket_end(index) else {
            return;
        };
        let Some(bucket) = state
            .buckets
            .get_mut(&index)
            .filter(|bucket| bucket.due.is_none())
        else {
            return;
        };
        bucket.runtime_timer = None;
        let chunks = bucket.live.div_ceil(self.shared.chunk_size).max(1);
        bucket.due = Some(Schedule {
            end,
            chunks: u64::try_from(chunks).unwrap_or(u64::MAX),
            done: 0,
        });
        let base = bucket.base;
        drop(state);
        self.run_chunk(index, base);
    }

    /// Runs the chunks of bucket `index` due by now (at least one), then sets a timer for the
    /// next chunk's fixed time: late chunks catch up rather than push the rest later.
    fn run_chunk(&self, index: u64, base: u64) {
        let now = now();
        let mut state = self.shared.lock();
        let Some(bucket) = state
            .buckets
            .get_mut(&index)
            .filter(|bucket| bucket.base == base)
        else {
            return;
        };
        let Some(schedule) = bucket.due.as_mut() else {
            return;
        };
        let bucket_nanos = self.shared.bucket_nanos();
        let elapsed = now.saturating_sub(schedule.end).as_nanos();
        let chunks = u128::from(schedule.chunks);
        // Chunk `k` is due at `end + k * bucket / chunks`: those due by now are `0..=k`.
        let due_by_now = (elapsed.saturating_mul(chunks) / bucket_nanos)
            .saturating_add(1)
            .min(chunks);
        let run = due_by_now.saturating_sub(u128::from(schedule.done)).max(1);
        schedule.done = schedule
            .done
            .saturating_add(u64::try_from(run).unwrap_or(u64::MAX));
        let next_chunk = u128::from(schedule.done);
        let next_at = schedule.end.as_nanos() + (next_chunk * bucket_nanos).div_ceil(chunks);
        let limit = usize::try_from(run)
            .unwrap_or(usize::MAX)
            .saturating_mul(self.shared.chunk_size);
        let mut chunk = Vec::with_capacity(limit.min(bucket.live));
        while chunk.len() < limit && bucket.cursor < bucket.slots.len {
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
            // The last chunk is due before `end + bucket`; past `Duration::MAX` nothing is.
            let next_at = super::interval::duration_from_nanos(next_at);
            drop(self.shared.on_instance(|| {
                call_at(
                    &Clock::current(),
                    rt::current(),
                    next_at,
                    Box::new(move || timer.run_chunk(index, base)),
                )
            }));
        }
        for callback in chunk {
            if let Err(panic) = crate::panic::catch(callback) {
                report::timer_panicked(&panic);
            }
        }
    }

    /// Timers added and neither run nor cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// txaio::testutil::replace_loop(|_clock| {
    ///     let timers = txaio::make_batched_timer(std::time::Duration::from_secs(1), 10);
    ///     let call = timers.call_later(std::time::Duration::from_secs(5), || {});
    ///     assert_eq!(timers.pending(), 1);
    ///     call.cancel();
    ///     assert_eq!(timers.pending(), 0);
    /// });
    /// ```
    #[must_use]
    pub fn pending(&self) -> usize {
        self.shared.lock().pending
    }

    /// Buckets holding pending timers: at most one runtime timer each.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// txaio::testutil::replace_loop(|_clock| {
    ///     let timers = txaio::make_batched_timer(Duration::from_secs(1), 10);
    ///     timers.call_later(Duration::from_millis(200), || {});
    ///     timers.call_later(Duration::from_millis(700), || {}); // the same bucket
    ///     timers.call_later(Duration::from_millis(1500), || {});
    ///     assert_eq!(timers.buckets(), 2);
    /// });
    /// ```
    #[must_use]
    pub fn buckets(&self) -> usize {
        self.shared.lock().buckets.len()
    }

    /// The bucket width.
    ///
    /// # Examples
    ///
    /// ```
    /// let timers = txaio::make_batched_timer(std::time::Duration::from_millis(50), 10);
    /// assert_eq!(timers.bucket(), std::time::Duration::from_millis(50));
    /// ```
    #[must_use]
    pub fn bucket(&self) -> Duration {
        self.shared.bucket
    }

    /// How many callbacks a due bucket runs at a time.
    ///
    /// # Examples
    ///
    /// ```
    /// let timers = txaio::make_batched_timer(std::time::Duration::from_millis(50), 10);
    /// assert_eq!(timers.chunk_size(), 10);
    /// ```
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

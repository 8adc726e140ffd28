//! Leak checks of the timers (issue 10): a million batched inserts and cancels, on the virtual
//! clock and on each backend's real timers, leave live allocations back at the baseline.
//!
//! A counting allocator measures the whole process, so the tests of this file take one lock
//! and run one at a time.

// The serialising lock is held across awaits on purpose: each test runs on its own thread
// and runtime, so nothing else waits for it on that runtime.
#![allow(clippy::await_holding_lock)]

use std::alloc::System;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use txaio::testutil::replace_loop;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const COUNT: u64 = 1_000_000;
/// What may stay allocated: lazily grown runtime and logging structures, never per timer.
const SLACK: i128 = 256 * 1024;

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

fn held(region: &Region<'_, System>) -> i128 {
    let change = region.change();
    let wide = |n: usize| i128::try_from(n).unwrap_or(i128::MAX);
    // `realloc` counts its growth in `bytes_allocated` and its shrinking in
    // `bytes_deallocated` already.
    wide(change.bytes_allocated) - wide(change.bytes_deallocated)
}

/// Inserts `count` timers with delays spread over a minute, then cancels them all.
fn insert_and_cancel(count: u64) {
    let timers = txaio::make_batched_timer(Duration::from_secs(1), 1000);
    let calls: Vec<_> = (0..count)
        .map(|i| {
            let delay = Duration::from_millis(100_000 + (i * 7_919) % 60_000);
            timers.call_later(delay, || unreachable!("cancelled"))
        })
        .collect();
    assert_eq!(timers.pending(), usize::try_from(count).unwrap());
    for call in &calls {
        assert!(call.cancel());
    }
    assert_eq!(timers.pending(), 0);
    assert_eq!(timers.buckets(), 0);
}

#[test]
fn a_million_batched_inserts_and_cancels_leave_nothing_on_the_virtual_clock() {
    let _serial = serial();
    replace_loop(|clock| {
        insert_and_cancel(1_000); // warm up
        let region = Region::new(GLOBAL);
        insert_and_cancel(COUNT);
        assert_eq!(clock.pending(), 0, "every bucket's timer is released");
        let held = held(&region);
        assert!(
            held < SLACK,
            "{held} bytes left by {COUNT} inserts and cancels"
        );
    });
}

#[txaio::test]
async fn a_million_batched_inserts_and_cancels_leave_nothing_on_real_time() {
    let _serial = serial();
    insert_and_cancel(1_000); // warm up the runtime's timer structures
    txaio::sleep(Duration::from_millis(20)).await.unwrap();
    let region = Region::new(GLOBAL);
    insert_and_cancel(COUNT);
    // The cancelled buckets' runtime timers end their tasks once woken: a bounded wait.
    let start = Instant::now();
    let mut last = held(&region);
    while last >= SLACK && start.elapsed() < Duration::from_secs(10) {
        txaio::sleep(Duration::from_millis(10)).await.unwrap();
        last = held(&region);
    }
    assert!(
        last < SLACK,
        "{last} bytes left by {COUNT} inserts and cancels"
    );
}

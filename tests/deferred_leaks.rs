//! Leak checks with a counting allocator: 1M create/resolve/drop cycles and 100k spawned and
//! cancelled portable calls leave the live heap where it was.
//!
//! The full counts are slow in debug builds: `cargo test --release --test deferred_leaks --
//! --ignored` runs them (CI does); the default run uses smaller counts.

use std::alloc::System;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use txaio::{Deferred, Failure, Runtime};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The tests measure the whole process's heap: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Heap slack for lazily grown thread-locals, runtime caches and the test harness itself.
const SLACK: isize = 256 * 1024;

fn live_bytes(region: &Region<'_, System>) -> isize {
    // stats_alloc counts a realloc's growth and shrinkage in these two already.
    let change = region.change();
    let signed = |bytes: usize| isize::try_from(bytes).unwrap_or(isize::MAX);
    signed(change.bytes_allocated) - signed(change.bytes_deallocated)
}

fn create_resolve_drop(cycles: usize) {
    for n in 0..cycles {
        let d = txaio::create_future::<usize>();
        txaio::add_callback(&d, |_| {});
        let other = d.clone();
        txaio::resolve(&d, n).unwrap();
        drop(d);
        drop(other);
        let failed = txaio::create_future::<usize>();
        txaio::add_errback(&failed, |_| {});
        txaio::reject(&failed, std::fmt::Error).unwrap();
        let cancelled = txaio::create_future::<usize>();
        txaio::cancel(&cancelled);
    }
}

fn check_create_resolve_drop(cycles: usize) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    create_resolve_drop(1_000);
    let region = Region::new(GLOBAL);
    create_resolve_drop(cycles);
    let leaked = live_bytes(&region);
    assert!(
        leaked < SLACK,
        "{leaked} bytes still live after {cycles} cycles"
    );
}

#[test]
fn create_resolve_drop_cycles_leave_no_live_allocations() {
    check_create_resolve_drop(20_000);
}

#[test]
#[ignore = "1M cycles: run with --release --ignored"]
fn a_million_create_resolve_drop_cycles_leave_no_live_allocations() {
    check_create_resolve_drop(1_000_000);
}

/// Calls whose future the runtime has not dropped yet.
static LIVE_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Counts one call in [`LIVE_CALLS`] until its future is dropped.
struct LiveCall;

impl LiveCall {
    fn new() -> Self {
        LIVE_CALLS.fetch_add(1, Ordering::SeqCst);
        LiveCall
    }
}

impl Drop for LiveCall {
    fn drop(&mut self) {
        LIVE_CALLS.fetch_sub(1, Ordering::SeqCst);
    }
}

#[txaio::portable]
async fn waits_forever(gate: Deferred<()>, live: LiveCall) -> Result<(), Failure> {
    let _live = live;
    gate.await
}

struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

async fn spawn_and_cancel(calls: usize) {
    for chunk in 0..calls.div_ceil(1_000) {
        for _ in 0..1_000.min(calls - chunk * 1_000) {
            let call = waits_forever(txaio::create_future(), LiveCall::new());
            txaio::cancel(&call);
        }
        // Let the runtime drop the cancelled tasks before the next chunk: the executors keep
        // the capacity of their task tables at its high-water mark, so a backlog that grew
        // past the warm-up's would read as a leak.
        for _ in 0..100_000 {
            if LIVE_CALLS.load(Ordering::SeqCst) == 0 {
                break;
            }
            YieldNow(false).await;
            std::thread::yield_now();
        }
        assert_eq!(
            LIVE_CALLS.load(Ordering::SeqCst),
            0,
            "cancelled calls whose futures were never dropped"
        );
    }
}

fn check_spawn_and_cancel(calls: usize) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for &runtime in Runtime::compiled() {
        txaio::__private::block_on_test(runtime, async {
            spawn_and_cancel(1_000).await;
            let region = Region::new(GLOBAL);
            spawn_and_cancel(calls).await;
            // The tasks' futures are dropped by their runtime soon after the cancel.
            let mut leaked = live_bytes(&region);
            for _ in 0..2_000 {
                if leaked < SLACK {
                    break;
                }
                YieldNow(false).await;
                std::thread::sleep(Duration::from_millis(1));
                leaked = live_bytes(&region);
            }
            assert!(
                leaked < SLACK,
                "on {runtime}: {leaked} bytes still live after {calls} cancelled calls"
            );
        });
    }
}

#[test]
fn spawned_and_cancelled_portable_calls_leave_no_live_allocations() {
    check_spawn_and_cancel(5_000);
}

#[test]
#[ignore = "100k calls per backend: run with --release --ignored"]
fn a_hundred_thousand_spawned_and_cancelled_portable_calls_leave_no_live_allocations() {
    check_spawn_and_cancel(100_000);
}

//! Shared by the benches: poll a future without a runtime, and count allocations.

#![allow(dead_code)] // each bench uses part of it

use std::alloc::System;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Polls `future` once with a no-op waker; it must be ready.
pub(crate) fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("expected a ready future"),
    }
}

/// Allocations per call of `operation`, averaged over `rounds` calls.
pub(crate) fn allocations_per_op(rounds: usize, mut operation: impl FnMut()) -> f64 {
    operation(); // warm up lazily initialised statics
    let region = Region::new(GLOBAL);
    for _ in 0..rounds {
        operation();
    }
    region.change().allocations as f64 / rounds as f64
}

/// Runs `f` and returns its result with the bytes it left allocated (allocated minus freed).
pub(crate) fn bytes_held<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let region = Region::new(GLOBAL);
    let result = f();
    let change = region.change();
    (
        result,
        change
            .bytes_allocated
            .saturating_sub(change.bytes_deallocated),
    )
}

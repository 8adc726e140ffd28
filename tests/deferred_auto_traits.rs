//! The handles users share between threads and across `catch_unwind` keep the auto traits
//! they have always had: a change of txaio's internal locks must not take them away.

use std::panic::{RefUnwindSafe, UnwindSafe};

fn shareable<T: Send + Sync + UnwindSafe + RefUnwindSafe>() {}

#[test]
fn handles_are_send_sync_and_unwind_safe() {
    shareable::<txaio::Deferred<String>>();
    shareable::<txaio::DeferredLock>();
    shareable::<txaio::DeferredSemaphore>();
}

#[test]
fn a_deferred_crosses_catch_unwind_without_assert_unwind_safe() {
    let d = txaio::create_future::<u32>();
    let result = std::panic::catch_unwind(|| txaio::resolve(&d, 7));
    assert!(matches!(result, Ok(Ok(()))));
    assert!(d.is_called());
}

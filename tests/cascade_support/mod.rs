//! Shared by the tests that cancel a task and expect the cancel to cascade to what it awaits.

use std::time::Duration;

/// Waits until `task` has been polled and parked with the deferreds it awaits recorded (its
/// `Debug` shows `awaiting: N`), so that a cancel made next cascades to them. A fixed sleep
/// raced a slow executor thread: a task cancelled before its first poll awaits nothing, and
/// what the test meant it to await was never cancelled. Bounded, so that a bug fails the test
/// rather than hanging it.
pub(crate) async fn until_parked<T>(task: &txaio::Deferred<T>) {
    for _ in 0..10_000 {
        if format!("{task:?}").contains("awaiting: ") {
            return;
        }
        txaio::sleep(Duration::from_millis(1)).await.unwrap();
    }
    panic!("the task never parked on a deferred: {task:?}");
}

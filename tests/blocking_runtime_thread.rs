//! The book, "From blocking code": `wait` and `wait_for` on a runtime thread are an immediate `RuntimeThreadError`,
//! never a deadlock, on every backend: txaio tasks, `#[txaio::test]` bodies (a `block_on`),
//! timer callbacks, foreign tokio workers and `block_on`, smol's executor threads, async-std
//! tasks. A blocking-pool thread may wait. Every test runs under a watchdog that ends the
//! process if a wait hangs; nothing asserts how long anything took.

mod blocking_support;

use std::sync::mpsc;
use std::time::Duration;

use blocking_support::{LONG, on_every_backend, watchdog};
use txaio::blocking::{self, EventualResult};
use txaio::{Failure, RuntimeThreadError};

/// A result that will never arrive: waiting for it on a runtime thread would hang for ever.
fn never() -> EventualResult<u32> {
    blocking::run_in_runtime(txaio::create_future::<u32>)
}

fn refused(outcome: &Result<u32, Failure>) -> bool {
    outcome
        .as_ref()
        .is_err_and(Failure::is::<RuntimeThreadError>)
}

#[txaio::test]
async fn wait_inside_a_txaio_test_body_is_refused() {
    let _watchdog = watchdog("wait in a #[txaio::test] body");
    assert!(blocking::in_runtime_thread());
    assert!(refused(&never().wait(LONG)));
    assert!(refused(&never().wait(Duration::MAX)));
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran.clone();
    let outcome = blocking::wait_for(Duration::MAX, move || {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok::<_, Failure>(1)
    });
    assert!(refused(&outcome));
    assert!(
        !ran.load(std::sync::atomic::Ordering::SeqCst),
        "nothing ran"
    );
}

#[txaio::test]
async fn wait_inside_a_spawned_task_is_refused() {
    let _watchdog = watchdog("wait in a txaio task");
    let pending = never();
    let outcome = txaio::spawn(async move { Ok::<_, Failure>(pending.wait(LONG)) })
        .await
        .unwrap();
    assert!(refused(&outcome));
}

#[test]
fn wait_inside_a_task_of_the_background_runtime_is_refused() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("wait in a background-runtime task");
        let pending = never();
        let outcome = txaio
            .wait_for(LONG, move || Ok::<_, Failure>(pending.wait(LONG)))
            .unwrap();
        assert!(refused(&outcome));
    });
}

#[test]
fn wait_inside_a_timer_callback_is_refused() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("wait in a timer callback");
        let (tell, told) = mpsc::channel();
        let pending = never();
        txaio.call_later(Duration::from_millis(1), move || {
            tell.send(pending.wait(LONG)).unwrap();
        });
        assert!(refused(&told.recv_timeout(LONG).unwrap()));
    });
}

#[test]
fn a_blocking_pool_thread_may_wait() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("wait in defer_to_thread");
        let d = txaio::create_future::<u32>();
        let source = d.clone();
        let result = blocking::run_in_runtime(move || source);
        let waited = txaio.defer_to_thread(move || {
            assert!(!blocking::in_runtime_thread());
            result.wait(LONG)
        });
        txaio::resolve(&d, 8).unwrap();
        assert_eq!(txaio.wait_for(LONG, move || waited).unwrap(), 8);
    });
}

#[test]
fn a_plain_thread_may_wait() {
    on_every_backend(|_| {
        assert!(!blocking::in_runtime_thread());
        let waited = std::thread::spawn(|| blocking::wait_for(LONG, || Ok::<_, Failure>(2)));
        assert_eq!(waited.join().unwrap().unwrap(), 2);
    });
}

#[cfg(feature = "tokio")]
#[test]
fn wait_on_a_foreign_tokio_worker_or_block_on_is_refused() {
    let _watchdog = watchdog("wait on a tokio worker");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    // A plain tokio task, not spawned through txaio.
    let pending = never();
    let on_worker = runtime
        .block_on(runtime.spawn(async move { pending.wait(LONG) }))
        .unwrap();
    assert!(refused(&on_worker));
    // The `block_on` thread itself.
    let in_block_on = runtime.block_on(async { never().wait(LONG) });
    assert!(refused(&in_block_on));
    // A current-thread runtime's `block_on`, where a wait would deadlock for sure.
    let current = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert!(refused(&current.block_on(async { never().wait(LONG) })));
}

#[cfg(feature = "smol")]
#[test]
fn wait_on_a_smol_executor_thread_is_refused() {
    let _watchdog = watchdog("wait on smol's executor");
    // A plain smol task on smol's global executor threads, not spawned through txaio.
    let pending = never();
    let outcome = smol::block_on(smol::spawn(async move { pending.wait(LONG) }));
    assert!(refused(&outcome));
    // A task of an executor of the application's own, handed to txaio.
    let executor = std::sync::Arc::new(smol::Executor::new());
    let txaio = txaio::with_config(txaio::Config::smol(executor.clone()));
    let pending = never();
    let task = txaio.spawn(async move { Ok::<_, Failure>(pending.wait(LONG)) });
    let outcome = smol::block_on(executor.run(task)).unwrap();
    assert!(refused(&outcome));
}

#[cfg(feature = "async-std")]
#[test]
fn wait_in_an_async_std_task_is_refused() {
    let _watchdog = watchdog("wait in an async-std task");
    let txaio = txaio::with_config(txaio::Config::background(txaio::Runtime::AsyncStd));
    let pending = never();
    // `spawn_blocking`'s thread is async-std's blocking pool: waiting there is fine.
    let d = txaio::create_future::<u32>();
    let source = d.clone();
    let fine = txaio.run_in_runtime(move || source);
    let pool = txaio.defer_to_thread(move || fine.wait(LONG));
    txaio::resolve(&d, 4).unwrap();
    assert_eq!(txaio.wait_for(LONG, move || pool).unwrap(), 4);
    let refused_in_task = txaio
        .wait_for(LONG, move || Ok::<_, Failure>(pending.wait(LONG)))
        .unwrap();
    assert!(refused(&refused_in_task));
}

#[test]
fn wait_inside_a_virtual_clock_timer_callback_is_refused() {
    // The virtual clock fires timers on the test's own thread, inside `advance`: a wait there
    // would block the very thread that has to advance the clock.
    on_every_backend(|txaio| {
        let _watchdog = watchdog("wait in a virtual-clock timer callback");
        txaio::testutil::replace_loop(|clock| {
            let (tell, told) = mpsc::channel();
            let pending = never();
            txaio.call_later(Duration::from_secs(1), move || {
                tell.send(pending.wait(LONG)).unwrap();
            });
            clock.advance(Duration::from_secs(1));
            assert!(refused(&told.try_recv().unwrap()));
            assert!(
                !blocking::in_runtime_thread(),
                "only while the callback runs"
            );
        });
    });
}

//! Regression tests for the blocking bridge's defects found under attack (issue 23, items 4 to
//! 7), each named after the defect it pins, each on every compiled backend. A test that would
//! deadlock runs under a watchdog that ends the process instead of hanging CI.

mod blocking_support;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use blocking_support::{LONG, on_every_backend, watchdog};
use txaio::blocking::EventualResult;
use txaio::{Failure, Panic};

/// A value whose `clone` runs a hook of the test's: user code that `wait` runs.
struct Probe {
    hook: Arc<dyn Fn() + Send + Sync>,
}

impl Clone for Probe {
    fn clone(&self) -> Self {
        (self.hook)();
        Probe {
            hook: Arc::clone(&self.hook),
        }
    }
}

/// A result that a `Probe` can reach from its own `clone`.
type Cell = Arc<OnceLock<EventualResult<Probe>>>;

/// A result of `run_in_runtime` on `txaio` that succeeded with a `Probe` running `hook`.
fn settled_probe(txaio: &txaio::Txaio, hook: impl Fn() + Send + Sync + 'static) -> Cell {
    let hook: Arc<dyn Fn() + Send + Sync> = Arc::new(hook);
    let result = txaio.run_in_runtime(move || Ok::<_, Failure>(Probe { hook }));
    while !result.is_ready() {
        std::thread::yield_now();
    }
    let cell = Cell::default();
    assert!(cell.set(result).is_ok());
    cell
}

#[test]
fn is_ready_from_t_clone_in_wait_does_not_deadlock() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("is_ready() from T::clone inside wait");
        let seen = Arc::new(Mutex::new(None));
        let cell = Cell::default();
        let (inner_cell, inner_seen) = (cell.clone(), seen.clone());
        let result = txaio.run_in_runtime(move || {
            Ok::<_, Failure>(Probe {
                hook: Arc::new(move || {
                    let ready = inner_cell.get().map(EventualResult::is_ready);
                    *inner_seen.lock().unwrap() = ready;
                }),
            })
        });
        assert!(cell.set(result).is_ok());
        assert!(cell.get().unwrap().wait(LONG).is_ok());
        assert_eq!(*seen.lock().unwrap(), Some(true));
    });
}

/// A `fmt::Write` that asks the result whether it is ready as it writes.
struct AsksWhileWriting<'a> {
    result: &'a EventualResult<u8>,
    asked: usize,
}

impl fmt::Write for AsksWhileWriting<'_> {
    fn write_str(&mut self, _: &str) -> fmt::Result {
        let _ = self.result.is_ready();
        self.asked += 1;
        Ok(())
    }
}

#[test]
fn is_ready_from_a_debug_writer_does_not_deadlock() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("is_ready() from the writer of {:?}");
        let result = txaio.run_in_runtime(|| Ok::<_, Failure>(1_u8));
        assert_eq!(result.wait(LONG).unwrap(), 1);
        let mut writer = AsksWhileWriting {
            result: &result,
            asked: 0,
        };
        fmt::write(&mut writer, format_args!("{result:?}")).unwrap();
        assert!(writer.asked > 0);
    });
}

#[test]
fn t_clone_taking_an_application_lock_does_not_deadlock_abba() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("T::clone under the result's lock against an application lock");
        let app_lock = Arc::new(Mutex::new(()));
        let (entered, in_clone) = mpsc::channel();
        let lock = app_lock.clone();
        let cell = settled_probe(txaio, move || {
            let _ = entered.send(());
            drop(lock.lock().unwrap_or_else(PoisonError::into_inner));
        });
        // This thread holds the application lock; the waiter's clone blocks on it.
        let held = app_lock.lock().unwrap();
        let waiter = {
            let cell = cell.clone();
            std::thread::spawn(move || cell.get().unwrap().wait(LONG).map(drop))
        };
        in_clone.recv_timeout(LONG).unwrap();
        // The other order: the result's lock after the application's.
        let result = cell.get().unwrap();
        assert!(result.is_ready());
        assert!(format!("{result:?}").contains("succeeded"));
        drop(held);
        assert!(waiter.join().unwrap().is_ok());
    });
}

#[test]
fn a_clone_stuck_in_wait_does_not_block_the_runtime() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("a runtime task looking at a result whose clone is stuck");
        let (release, released) = mpsc::channel::<()>();
        let released = Mutex::new(released);
        let (entered, in_clone) = mpsc::channel();
        let cell = settled_probe(txaio, move || {
            let _ = entered.send(());
            let _ = released.lock().unwrap().recv();
        });
        let waiter = {
            let cell = cell.clone();
            std::thread::spawn(move || cell.get().unwrap().wait(LONG).map(drop))
        };
        in_clone.recv_timeout(LONG).unwrap();
        // A task of the runtime that looks at the result, as a status page would.
        let looked = cell.clone();
        let outcome = txaio.wait_for(LONG, move || {
            let result = looked.get().unwrap();
            Ok::<_, Failure>((result.is_ready(), format!("{result:?}")))
        });
        let (ready, debug) = outcome.unwrap();
        assert!(ready);
        assert!(debug.contains("succeeded"), "{debug}");
        // Other results still arrive meanwhile.
        assert_eq!(txaio.wait_for(LONG, || Ok::<_, Failure>(5)).unwrap(), 5);
        drop(release);
        assert!(waiter.join().unwrap().is_ok());
    });
}

#[test]
fn a_panicking_t_clone_in_wait_is_a_panic_failure() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("a panicking T::clone");
        let clones = Arc::new(AtomicUsize::new(0));
        let counted = clones.clone();
        let cell = settled_probe(txaio, move || {
            let first = counted.fetch_add(1, Ordering::SeqCst) == 0;
            assert!(!first, "clone refuses");
        });
        let result = cell.get().unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| result.wait(LONG)));
        let failure = caught.expect("the panic stays inside wait").err().unwrap();
        let panic = failure.downcast_ref::<Panic>().expect("a Panic failure");
        assert_eq!(panic.message(), "clone refuses");
        // The value is still there for the next wait, and the lock is not poisoned.
        assert!(result.wait(LONG).is_ok());
        assert!(result.is_ready());
        assert_eq!(clones.load(Ordering::SeqCst), 2);
    });
}

/// Several threads waiting on one result at once all get the value (they take turns with it,
/// since `T` need not be `Sync`).
#[test]
fn concurrent_waits_all_get_the_value() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("concurrent waits");
        let result = Arc::new(txaio.run_in_runtime(|| Ok::<_, Failure>(vec![1_u8, 2, 3])));
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let result = result.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .map(|_| result.wait(LONG).unwrap())
                        .all(|value| value == [1, 2, 3])
                })
            })
            .collect();
        for waiter in waiters {
            assert!(waiter.join().unwrap());
        }
        // Nothing was lost: the same value, once more.
        assert_eq!(result.wait(Duration::ZERO).unwrap(), [1, 2, 3]);
    });
}

/// The outcome of `d`, as its errback or callback hears it, sent on a channel.
fn outcome_of<T: Send + 'static>(d: &txaio::Deferred<T>) -> mpsc::Receiver<Result<(), Failure>> {
    let (tell, told) = mpsc::channel();
    let fail = tell.clone();
    txaio::add_callbacks(
        d,
        move |_| drop(tell.send(Ok(()))),
        move |failure| drop(fail.send(Err(failure.clone()))),
    );
    told
}

fn stopped(told: &mpsc::Receiver<Result<(), Failure>>) -> bool {
    told.recv_timeout(LONG)
        .expect("the deferred fired")
        .is_err_and(|failure| failure.is::<txaio::blocking::RuntimeStoppedError>())
}

/// A task that never completes on its own: it awaits a deferred nobody fires.
async fn forever() -> Result<u8, Failure> {
    txaio::create_future::<u8>().await
}

#[cfg(feature = "tokio")]
#[test]
fn a_task_dropped_by_its_dropped_tokio_runtime_fails_with_runtime_stopped() {
    let _watchdog = watchdog("a task of a dropped tokio runtime");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let txaio = txaio::with_config(txaio::Config::tokio(runtime.handle().clone()));
    let parked = txaio.spawn(forever());
    let parked_told = outcome_of(&parked);
    let sleeping = txaio.spawn(async {
        txaio::sleep(Duration::from_secs(3600)).await?;
        Ok::<_, Failure>(1_u8)
    });
    let sleeping_told = outcome_of(&sleeping);
    // Both have run up to their first await (a deferred the task awaits is registered then).
    let probe = txaio.spawn(async { Ok::<_, Failure>(()) });
    txaio.wait_for(LONG, move || probe).unwrap();
    drop(runtime);
    assert!(stopped(&parked_told));
    assert!(stopped(&sleeping_told));
    // The same for a task the runtime never polled.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let txaio = txaio::with_config(txaio::Config::tokio(runtime.handle().clone()));
    let unpolled = txaio.spawn(forever());
    let unpolled_told = outcome_of(&unpolled);
    // A detached task nobody holds: a shutdown is not news, nothing is logged.
    drop(txaio.spawn(forever()));
    let ((), logs) = txaio::testutil::capture_logs(|| drop(runtime));
    assert!(stopped(&unpolled_told));
    assert!(logs.is_empty(), "{logs:?}");
}

#[cfg(feature = "smol")]
#[test]
fn a_task_dropped_by_its_dropped_smol_executor_fails_with_runtime_stopped() {
    let _watchdog = watchdog("a task of a dropped smol executor");
    let executor = Arc::new(smol::Executor::new());
    let txaio = txaio::with_config(txaio::Config::smol(executor.clone()));
    let parked = txaio.spawn(forever());
    let parked_told = outcome_of(&parked);
    let unpolled_told = {
        // Run the executor until the first task has parked, then spawn one it never polls.
        smol::block_on(executor.run(async {
            for _ in 0..10 {
                smol::future::yield_now().await;
            }
        }));
        outcome_of(&txaio.spawn(forever()))
    };
    drop(txaio);
    drop(executor);
    assert!(stopped(&parked_told));
    assert!(stopped(&unpolled_told));
}

#[test]
fn a_cancelled_task_keeps_its_cancelled_error_when_dropped() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("a cancelled task, dropped");
        let d = txaio.spawn(forever());
        let told = outcome_of(&d);
        txaio::cancel(&d);
        let failure = told.recv_timeout(LONG).unwrap().unwrap_err();
        assert!(failure.is::<txaio::CancelledError>(), "{failure}");
        // The runtime drops the task soon after; nothing else arrives.
        assert!(told.recv_timeout(Duration::from_millis(50)).is_err());
    });
}

#[cfg(feature = "tokio")]
fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[cfg(feature = "tokio")]
fn refused<T>(outcome: &Result<T, Failure>) -> bool {
    outcome
        .as_ref()
        .is_err_and(Failure::is::<txaio::RuntimeThreadError>)
}

/// tokio's own blocking pool and a plain thread that entered a runtime cannot deadlock a wait:
/// neither runs tasks. They were refused with `RuntimeThreadError`, as tokio's
/// `Handle::try_current` answers yes on both.
#[cfg(feature = "tokio")]
#[test]
fn tokio_spawn_blocking_and_entered_threads_may_wait() {
    let _watchdog = watchdog("a wait on tokio's blocking pool");
    let runtime = tokio_runtime();
    let txaio = txaio::with_config(txaio::Config::background(txaio::Runtime::Tokio));
    let _current = txaio::__private::enter(txaio::Runtime::Tokio);
    let result = txaio.run_in_runtime(|| Ok::<_, Failure>(3_u8));
    let on_pool = runtime
        .block_on(
            runtime
                .spawn_blocking(move || (txaio::blocking::in_runtime_thread(), result.wait(LONG))),
        )
        .unwrap();
    assert_eq!((on_pool.0, on_pool.1.unwrap()), (false, 3));
    // A task that moves off its worker with `block_in_place` (multi-thread runtime) may too.
    let result = txaio.run_in_runtime(|| Ok::<_, Failure>(4_u8));
    let in_place = runtime
        .block_on(
            runtime.spawn(async move { tokio::task::block_in_place(move || result.wait(LONG)) }),
        )
        .unwrap();
    assert_eq!(in_place.unwrap(), 4);
    // A plain thread holding `enter()`.
    let entered = runtime.enter();
    assert!(!txaio::blocking::in_runtime_thread());
    assert_eq!(txaio.wait_for(LONG, || Ok::<_, Failure>(5_u8)).unwrap(), 5);
    drop(entered);
    // Still refused: a worker's task, a `block_on` (the entered thread's too), a task of a
    // current-thread runtime, a `LocalSet`'s task.
    let result = Arc::new(txaio.run_in_runtime(|| Ok::<_, Failure>(6_u8)));
    let waiting = result.clone();
    let on_worker = runtime
        .block_on(runtime.spawn(async move { waiting.wait(LONG) }))
        .unwrap();
    assert!(refused(&on_worker));
    assert!(refused(&runtime.block_on(async { result.wait(LONG) })));
    let entered = runtime.enter();
    let handle = tokio::runtime::Handle::current();
    assert!(refused(&handle.block_on(async { result.wait(LONG) })));
    drop(entered);
    let current = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let waiting = result.clone();
    let in_task = current
        .block_on(current.spawn(async move { waiting.wait(LONG) }))
        .unwrap();
    assert!(refused(&in_task));
    let local = tokio::task::LocalSet::new();
    let waiting = result.clone();
    let in_local = runtime
        .block_on(local.run_until(async move {
            tokio::task::spawn_local(async move { waiting.wait(LONG) }).await
        }))
        .unwrap();
    assert!(refused(&in_local));
    // A task that used up its cooperative budget is refused just the same.
    let waiting = result.clone();
    let spent = runtime
        .block_on(runtime.spawn(async move {
            while tokio::task::coop::has_budget_remaining() {
                tokio::task::coop::consume_budget().await;
            }
            waiting.wait(LONG)
        }))
        .unwrap();
    assert!(refused(&spent));
    assert_eq!(result.wait(LONG).unwrap(), 6);
}

/// The "Unhandled error in EventualResult" reports among `logs`.
fn eventual_reports(logs: &[txaio::testutil::CapturedLog]) -> Vec<&str> {
    logs.iter()
        .map(|log| log.message.as_str())
        .filter(|message| message.starts_with("Unhandled error in EventualResult"))
        .collect()
}

/// crochet's `test_error_logged_no_wait`: a result that failed and that nobody looked at is
/// reported when it drops, whatever failed it, its caller's own `cancel` included (crochet logs
/// the `CancelledError` of a cancelled result dropped unwaited). (`wait_for`'s own cancel after
/// its timeout is not: the caller had the `TimeoutError`; `blocking_unhandled.rs` checks that on
/// the process-wide log, as the failure may arrive on a runtime thread.)
#[test]
fn a_cancelled_result_dropped_unwaited_is_reported() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("a cancelled result, dropped unwaited");
        let cancelled = txaio.run_in_runtime(txaio::create_future::<u32>);
        cancelled.cancel();
        while !cancelled.is_ready() {
            std::thread::yield_now();
        }
        let ((), logs) = txaio::testutil::capture_logs(|| drop(cancelled));
        let reports = eventual_reports(&logs);
        assert_eq!(reports.len(), 1, "{logs:?}");
        assert!(reports[0].contains("CancelledError"), "{reports:?}");
        // Looked at, it is not reported.
        let looked_at = txaio.run_in_runtime(txaio::create_future::<u32>);
        looked_at.cancel();
        while looked_at.original_failure().is_none() {
            std::thread::yield_now();
        }
        let ((), logs) = txaio::testutil::capture_logs(|| drop(looked_at));
        assert!(eventual_reports(&logs).is_empty(), "{logs:?}");
        // A failure that came before a cancel (which then does nothing) is reported too.
        let failed = txaio.run_in_runtime(|| Err::<u32, _>(Failure::msg("failed first")));
        while !failed.is_ready() {
            std::thread::yield_now();
        }
        failed.cancel();
        let ((), logs) = txaio::testutil::capture_logs(|| drop(failed));
        let reports = eventual_reports(&logs);
        assert_eq!(reports.len(), 1, "{logs:?}");
        assert!(
            reports[0].starts_with("Unhandled error in EventualResult: Error: failed first"),
            "{reports:?}"
        );
    });
}

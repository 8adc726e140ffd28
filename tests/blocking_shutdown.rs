//! The book, "From blocking code": shutdown: `blocking::shutdown` fails every pending result, waiters included, and
//! never hangs. Ports of crochet's `ResultRegistryTests` (`test_stopped_registered`,
//! `test_stopped_new_registration`, `test_stopped_already_have_result`),
//! `test_reactor_stop_unblocks_EventualResult` (and `_in_threadpool`), `WaitTests.
//! test_reactor_stop_unblocks` and `ResultStoreTests.test_log_errors`. Shutdown is process-wide,
//! so this binary holds one test, which runs the steps in order on every backend at once.

mod blocking_support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use blocking_support::{LONG, watchdog};
use txaio::blocking::{self, RuntimeStoppedError};
use txaio::{Config, Failure, LogLevel, Runtime, with_config};

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn stopped<T>(outcome: &Result<T, Failure>) -> bool {
    outcome
        .as_ref()
        .is_err_and(Failure::is::<RuntimeStoppedError>)
}

#[test]
fn shutdown_fails_pending_results_and_refuses_new_ones() {
    let _watchdog = watchdog("shutdown");
    let lines = Lines::default();
    txaio::start_logging_with_writer(LogLevel::Info, lines.clone()).unwrap();

    let mut already = Vec::new();
    let mut waiters = Vec::new();
    let mut stashed = Vec::new();
    for &runtime in Runtime::compiled() {
        let _entered = txaio::__private::enter(runtime);
        let txaio = with_config(Config::background(runtime));
        // test_stopped_already_have_result
        let done = blocking::run_in_runtime(|| Ok::<_, Failure>(123));
        assert_eq!(done.wait(LONG).unwrap(), 123);
        already.push(done);
        // test_stopped_registered / test_reactor_stop_unblocks_EventualResult: a plain thread
        // blocked in `wait` without a time limit.
        let pending = blocking::run_in_runtime(txaio::create_future::<u32>);
        waiters.push(std::thread::spawn(move || pending.wait(Duration::MAX)));
        // ..._in_threadpool: the waiter is a blocking-pool thread of the runtime itself.
        let pending = blocking::run_in_runtime(txaio::create_future::<u32>);
        let in_pool = txaio.defer_to_thread(move || Ok::<_, Failure>(pending.wait(Duration::MAX)));
        let txaio_for_pool = txaio.clone();
        waiters.push(std::thread::spawn(move || {
            // Picked up through the Txaio, which the shutdown stopped too: collect the pool's
            // answer with a blocking wait on the deferred itself.
            let (tell, told) = std::sync::mpsc::channel();
            txaio::add_callbacks(
                &in_pool,
                move |outcome| tell.send(outcome.clone()).unwrap(),
                |_| {},
            );
            drop(txaio_for_pool);
            told.recv_timeout(LONG).unwrap()
        }));
        // WaitTests.test_reactor_stop_unblocks: a thread inside `wait_for`.
        waiters.push(std::thread::spawn(move || {
            let _entered = txaio::__private::enter(runtime);
            blocking::wait_for(Duration::MAX, txaio::create_future::<u32>)
        }));
        // test_log_errors: stashed results, two of them failed.
        stashed.push(blocking::run_in_runtime(txaio::create_future::<u32>).stash());
        let failed = blocking::run_in_runtime(move || {
            Err::<u32, _>(Failure::msg(format!("stashed-zero-division-{runtime}")))
        });
        while !failed.is_ready() {
            std::thread::sleep(Duration::from_millis(1));
        }
        stashed.push(failed.stash());
        stashed.push(blocking::run_in_runtime(|| Ok::<_, Failure>(1_u32)).stash());
    }

    // Let the waiters block, then stop from inside the runtime, as crochet's test stops the
    // reactor from a `callLater`.
    std::thread::sleep(Duration::from_millis(20));
    let _entered = txaio::__private::enter(txaio::runtime());
    let trigger = blocking::run_in_runtime(|| {
        txaio::call_later(Duration::from_millis(10), blocking::shutdown);
        txaio::create_future::<u32>()
    });
    assert!(stopped(&trigger.wait(LONG)));

    for waiter in waiters {
        assert!(stopped(&waiter.join().unwrap()));
    }
    for done in &already {
        assert_eq!(
            done.wait(LONG).unwrap(),
            123,
            "a result that was there stays"
        );
    }

    // test_stopped_new_registration: later calls fail at once, on every backend.
    for &runtime in Runtime::compiled() {
        let _entered = txaio::__private::enter(runtime);
        let late = blocking::run_in_runtime(|| Ok::<_, Failure>(1));
        assert!(stopped(&late.wait(Duration::ZERO)));
        assert!(stopped(&blocking::wait_for(LONG, || Ok::<_, Failure>(1))));
        blocking::setup(); // does nothing, does not hang
    }
    blocking::shutdown(); // again: nothing more

    // test_log_errors: the stashed failures nobody saw were logged, one line each.
    let text = String::from_utf8_lossy(&lines.0.lock().unwrap()).into_owned();
    for &runtime in Runtime::compiled() {
        let marker = format!("stashed-zero-division-{runtime}");
        let logged = text
            .lines()
            .filter(|line| {
                line.contains("Unhandled error in EventualResult") && line.contains(&marker)
            })
            .count();
        assert_eq!(logged, 1, "{text}");
    }
    for id in stashed {
        drop(blocking::retrieve_result::<u32>(id));
    }
}

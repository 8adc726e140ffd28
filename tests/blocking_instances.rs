//! The book, "From blocking code": `Config`, `with_config`, `Txaio`: a runtime instance captured once and called into
//! from anywhere. Two tokio runtimes keep their tasks and timers apart; plain threads drive a
//! `Txaio`; its timers run on the virtual clock inside `replace_loop`.

mod blocking_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use blocking_support::{LONG, on_every_backend, watchdog};
use txaio::testutil::replace_loop;
use txaio::{Config, Failure, Txaio, with_config};

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("").to_owned()
}

/// A library type holding a `Txaio`: no runtime type, no generic, in its API.
#[derive(Clone)]
struct Client {
    txaio: Txaio,
}

impl Client {
    fn new(txaio: Txaio) -> Client {
        Client { txaio }
    }

    /// Where a task, a timer, a sleep and a blocking job of this client run.
    fn where_things_run(&self) -> Result<[String; 4], Failure> {
        let task = self.txaio.spawn(async { Ok::<_, Failure>(thread_name()) });
        let (tell, told) = mpsc::channel();
        self.txaio.call_later(Duration::from_millis(1), move || {
            tell.send(thread_name()).unwrap();
        });
        let nap = self.txaio.sleep(Duration::from_millis(1));
        let after_sleep = self.txaio.spawn(async move {
            nap.await?;
            // Spawned with the global `txaio::spawn` from inside the instance's task: it stays.
            txaio::spawn(async { Ok::<_, Failure>(thread_name()) }).await
        });
        let pool = self
            .txaio
            .defer_to_thread(|| Ok::<_, Failure>(thread_name()));
        let wait = |d: txaio::Deferred<String>| self.txaio.wait_for(LONG, move || d);
        Ok([
            wait(task)?,
            told.recv_timeout(LONG).map_err(Failure::new)?,
            wait(after_sleep)?,
            wait(pool)?,
        ])
    }
}

#[test]
fn txaio_is_clone_send_sync() {
    fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    clone_send_sync::<Txaio>();
    clone_send_sync::<Config>();
    clone_send_sync::<Client>();
}

#[cfg(feature = "tokio")]
fn named_runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .enable_time()
        .build()
        .unwrap()
}

#[cfg(feature = "tokio")]
#[test]
fn two_tokio_runtimes_keep_their_tasks_and_timers_apart() {
    let _watchdog = watchdog("two tokio runtimes");
    let (a, b) = (named_runtime("runtime-a"), named_runtime("runtime-b"));
    let client_a = Client::new(with_config(Config::tokio(a.handle().clone())));
    let client_b = Client::new(with_config(Config::tokio(b.handle().clone())));
    assert!(!client_a.txaio.same_instance(&client_b.txaio));
    for _ in 0..20 {
        for name in client_a.where_things_run().unwrap() {
            assert_eq!(name, "runtime-a");
        }
        for name in client_b.where_things_run().unwrap() {
            assert_eq!(name, "runtime-b");
        }
    }
    // A batched timer made through an instance arms its buckets there, whichever thread adds.
    let timers = client_b
        .txaio
        .make_batched_timer(Duration::from_millis(2), 10);
    let (tell, told) = mpsc::channel();
    for _ in 0..5 {
        let tell = tell.clone();
        timers.call_later(Duration::from_millis(1), move || {
            tell.send(thread_name()).unwrap();
        });
    }
    for _ in 0..5 {
        assert_eq!(told.recv_timeout(LONG).unwrap(), "runtime-b");
    }
}

#[cfg(feature = "tokio")]
#[test]
fn config_current_inside_a_runtime_and_inside_an_instance_task() {
    let runtime = named_runtime("runtime-current");
    let txaio = with_config(Config::tokio(runtime.handle().clone()));
    let captured = runtime.block_on(async {
        let _entered = txaio::__private::enter(txaio::Runtime::Tokio);
        Config::current()
    });
    assert!(with_config(captured).same_instance(&txaio));
    let inside = txaio
        .wait_for(LONG, || Ok::<_, Failure>(with_config(Config::current())))
        .unwrap();
    assert!(inside.same_instance(&txaio));
}

#[cfg(feature = "tokio")]
#[test]
fn config_current_outside_a_tokio_runtime_names_the_fix() {
    let _entered = txaio::__private::enter(txaio::Runtime::Tokio);
    let panic = std::panic::catch_unwind(Config::current).unwrap_err();
    let message = txaio::Panic::from_payload(&*panic).message().to_owned();
    assert!(message.contains("Config::tokio(handle)"), "{message}");
    assert!(message.contains("Config::background"), "{message}");
}

#[cfg(feature = "smol")]
#[test]
fn a_smol_executor_of_the_application_runs_the_instance() {
    let _watchdog = watchdog("a smol executor");
    let executor = Arc::new(smol::Executor::<'static>::new());
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let runner = {
        let executor = executor.clone();
        std::thread::Builder::new()
            .name("app-executor".into())
            .spawn(move || smol::block_on(executor.run(stopped.recv())))
            .unwrap()
    };
    let client = Client::new(with_config(Config::smol(executor)));
    assert_eq!(client.txaio.runtime(), txaio::Runtime::Smol);
    let [task, timer, after_sleep, pool] = client.where_things_run().unwrap();
    assert_eq!(task, "app-executor");
    assert_eq!(timer, "app-executor");
    assert_eq!(after_sleep, "app-executor");
    // smol's blocking pool is shared by every executor.
    assert!(pool.starts_with("blocking"), "{pool}");
    smol::block_on(stop.send(())).unwrap();
    runner.join().unwrap().unwrap();
}

#[test]
fn a_txaio_works_from_a_plain_thread_on_every_backend() {
    on_every_backend(|txaio| {
        let client = Client::new(txaio.clone());
        let handle = std::thread::spawn(move || client.where_things_run());
        let names = handle.join().unwrap().unwrap();
        assert!(names.iter().all(|name| !name.is_empty()), "{names:?}");
    });
}

#[test]
fn a_txaio_driven_from_16_plain_threads_at_once() {
    const THREADS: usize = 16;
    const ROUNDS: usize = 50;
    on_every_backend(|txaio| {
        let _watchdog = watchdog("16 plain threads on one Txaio");
        let fired = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (txaio, fired, start) = (txaio.clone(), fired.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let mut sum = 0;
                    for round in 0..ROUNDS {
                        let n = thread * ROUNDS + round;
                        let fired = fired.clone();
                        txaio.call_later(Duration::ZERO, move || {
                            fired.fetch_add(1, Ordering::SeqCst);
                        });
                        let task = txaio.spawn(async move { Ok::<_, Failure>(n) });
                        sum += txaio.wait_for(LONG, move || task).unwrap();
                        sum += txaio
                            .run_in_runtime(move || Ok::<_, Failure>(n))
                            .wait(LONG)
                            .unwrap();
                    }
                    sum
                })
            })
            .collect();
        let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        let n = THREADS * ROUNDS;
        assert_eq!(total, n * (n - 1)); // each n counted twice
        let deadline = std::time::Instant::now() + LONG;
        while fired.load(Ordering::SeqCst) < n && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(fired.load(Ordering::SeqCst), n, "every timer fired once");
    });
}

#[test]
fn txaio_timers_run_on_the_virtual_clock() {
    on_every_backend(|txaio| {
        replace_loop(|clock| {
            let fired = Arc::new(AtomicUsize::new(0));
            let count = fired.clone();
            let call = txaio.call_later(Duration::from_secs(10), move || {
                count.fetch_add(1, Ordering::SeqCst);
            });
            let nap = txaio.sleep(Duration::from_secs(20));
            let timers = txaio.make_batched_timer(Duration::from_secs(1), 100);
            let count = fired.clone();
            timers.call_later(Duration::from_secs(30), move || {
                count.fetch_add(1, Ordering::SeqCst);
            });
            assert_eq!(clock.pending(), 3);
            clock.advance(Duration::from_secs(10));
            assert!(!call.active());
            assert_eq!(fired.load(Ordering::SeqCst), 1);
            assert!(!txaio::is_called(&nap));
            clock.advance(Duration::from_secs(10));
            assert!(txaio::is_called(&nap));
            clock.advance(Duration::from_secs(11));
            assert_eq!(fired.load(Ordering::SeqCst), 2);
            assert_eq!(clock.pending(), 0);
        });
    });
}

#[test]
fn config_background_is_the_bridge_instance() {
    on_every_backend(|txaio| {
        assert_eq!(txaio.config().runtime(), txaio.runtime());
        let again = with_config(Config::background(txaio.runtime()));
        assert!(again.same_instance(txaio));
        // Inside its tasks, `Config::current` is that instance again.
        let inside = txaio
            .wait_for(LONG, || Ok::<_, Failure>(with_config(Config::current())))
            .unwrap();
        assert!(inside.same_instance(txaio));
    });
}

#[test]
fn a_panicking_task_or_timer_of_an_instance_is_contained() {
    on_every_backend(|txaio| {
        let task = txaio.spawn(async { Err::<u8, Failure>(Failure::msg("no")) });
        assert!(txaio.wait_for(LONG, move || task).is_err());
        let panicked = txaio.spawn(async {
            assert!(thread_name() == "never", "task panic");
            Ok::<u8, Failure>(1)
        });
        let failure = txaio.wait_for(LONG, move || panicked).unwrap_err();
        assert!(failure.is::<txaio::Panic>());
        let (tell, told) = mpsc::channel();
        txaio.call_later(Duration::ZERO, || panic!("timer panic"));
        txaio.call_later(Duration::from_millis(1), move || tell.send(()).unwrap());
        told.recv_timeout(LONG).expect("the other timer still runs");
    });
}

#[cfg(feature = "tokio")]
#[test]
fn a_runtime_dropped_under_a_waiter_fails_its_results_instead_of_hanging() {
    let _watchdog = watchdog("a tokio runtime dropped under a waiter");
    let runtime = named_runtime("runtime-dropped");
    let txaio = with_config(Config::tokio(runtime.handle().clone()));
    let pending = txaio.run_in_runtime(txaio::create_future::<u32>);
    let waiter = std::thread::spawn(move || pending.wait(Duration::MAX));
    // Let `f` run and the waiter block, most likely; either way the answer is the same.
    std::thread::sleep(Duration::from_millis(20));
    drop(runtime);
    let failure = waiter.join().unwrap().unwrap_err();
    assert!(
        failure.is::<txaio::blocking::RuntimeStoppedError>(),
        "{failure}"
    );
    // The `Txaio` outlives its runtime: a later call fails the same way, at once.
    let late = txaio.run_in_runtime(|| Ok::<_, Failure>(1));
    assert!(
        late.wait(LONG)
            .unwrap_err()
            .is::<txaio::blocking::RuntimeStoppedError>()
    );
}

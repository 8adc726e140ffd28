//! The book, "From blocking code": `setup`: ports of crochet's `SetupTests` (`crochet/tests/test_setup.py`) that mean
//! something here, each on every backend. crochet's logging, warnings, watchdog-thread and
//! `no_setup` tests concern Twisted's global reactor and have no counterpart.

mod blocking_support;

use std::process::Command;

use blocking_support::{LONG, on_every_backend, watchdog};
use txaio::{Config, Failure, blocking, with_config};

#[test]
fn test_first_runs_reactor() {
    on_every_backend(|txaio| {
        blocking::setup();
        let caller = std::thread::current().id();
        let (thread, name) = blocking::wait_for(LONG, || {
            let current = std::thread::current();
            Ok::<_, Failure>((current.id(), current.name().map(str::to_owned)))
        })
        .unwrap();
        assert_ne!(thread, caller, "the runtime runs on a background thread");
        if txaio.runtime() == txaio::Runtime::Tokio {
            assert_eq!(name.as_deref(), Some("txaio-runtime"));
        }
    });
}

#[test]
fn test_second_does_nothing() {
    on_every_backend(|txaio| {
        blocking::setup();
        let first = with_config(Config::background(txaio.runtime()));
        blocking::setup();
        blocking::setup();
        let second = with_config(Config::background(txaio.runtime()));
        assert!(
            first.same_instance(&second),
            "one background instance per backend"
        );
        assert!(first.same_instance(txaio));
    });
}

#[test]
fn setup_from_many_threads_at_once_starts_one_instance() {
    on_every_backend(|txaio| {
        let runtime = txaio.runtime();
        let instances: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || {
                    let _entered = txaio::__private::enter(runtime);
                    blocking::setup();
                    with_config(Config::background(runtime))
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .collect();
        assert!(
            instances
                .iter()
                .all(|instance| instance.same_instance(txaio))
        );
    });
}

/// The child process of `test_stop_on_exit`: does nothing unless asked to.
#[test]
fn exit_child() {
    if std::env::var_os("TXAIO_BLOCKING_EXIT_CHILD").is_none() {
        return;
    }
    blocking::setup();
    // A thread blocked for ever on a result that never comes, a stashed pending result and a
    // task of the background runtime: none of them may keep the process from exiting.
    let pending = blocking::run_in_runtime(txaio::create_future::<u32>);
    std::thread::spawn(move || pending.wait(std::time::Duration::MAX));
    blocking::run_in_runtime(txaio::create_future::<u32>).stash();
    drop(blocking::run_in_runtime(|| {
        txaio::sleep(std::time::Duration::from_secs(3600))
    }));
}

#[test]
fn test_stop_on_exit() {
    let _watchdog = watchdog("a process exiting with the bridge running");
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "exit_child", "--test-threads", "1"])
        .env("TXAIO_BLOCKING_EXIT_CHILD", "1")
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(out.contains("1 passed"), "{out}");
}

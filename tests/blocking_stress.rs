//! The book, "From blocking code": under load, outside the default run (`cargo test --test blocking_stress --
//! --ignored`, once in CI): 16 threads × 10,000 `run_in_runtime(..).wait(..)` round trips on
//! every backend, nothing lost, no deadlock (a watchdog ends the process otherwise).

mod blocking_support;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use blocking_support::{on_every_backend, watchdog};
use txaio::Failure;

const THREADS: u64 = 16;
const ROUND_TRIPS: u64 = 10_000;

#[test]
#[ignore = "a stress test: run with --ignored"]
fn sixteen_threads_times_ten_thousand_round_trips() {
    on_every_backend(|txaio| {
        let _watchdog = watchdog("16 x 10,000 round trips");
        let start = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (txaio, start) = (txaio.clone(), start.clone());
                let runtime = txaio.runtime();
                std::thread::spawn(move || {
                    let _entered = txaio::__private::enter(runtime);
                    start.wait();
                    let mut sum = 0_u64;
                    for n in 0..ROUND_TRIPS {
                        let value = thread * ROUND_TRIPS + n;
                        // Every other round trip goes through a task, so both paths are loaded.
                        let result = if n % 2 == 0 {
                            txaio::blocking::run_in_runtime(move || Ok::<_, Failure>(value))
                        } else {
                            txaio::blocking::run_in_runtime(move || {
                                txaio::spawn(async move { Ok::<_, Failure>(value) })
                            })
                        };
                        sum += result.wait(Duration::from_secs(60)).unwrap();
                    }
                    drop(txaio);
                    sum
                })
            })
            .collect();
        let total: u64 = threads
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .sum();
        let n = THREADS * ROUND_TRIPS;
        assert_eq!(
            total,
            n * (n - 1) / 2,
            "every round trip came back with its own value"
        );
    });
}

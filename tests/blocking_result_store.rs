//! The book, "From blocking code": `stash` / `retrieve_result`: ports of crochet's `ResultStoreTests`
//! (`crochet/tests/test_resultstore.py`) and of `test_stash` / `test_retrieve_result`
//! (`test_api.py`), each on every backend. `test_log_errors` (stashed failures logged at
//! shutdown) is in `blocking_shutdown.rs`, as shutdown is process-wide.

mod blocking_support;

use std::collections::BTreeSet;

use blocking_support::{LONG, on_every_backend};
use txaio::Failure;
use txaio::blocking::{self, EventualResult};

fn pending() -> EventualResult<u32> {
    blocking::run_in_runtime(txaio::create_future::<u32>)
}

#[test]
fn test_store_and_retrieve() {
    on_every_backend(|_| {
        let d = txaio::create_future::<u32>();
        let source = d.clone();
        let uid = blocking::run_in_runtime(move || source).stash();
        let dr = blocking::retrieve_result::<u32>(uid).unwrap();
        // The same result: it sees the deferred fire.
        txaio::resolve(&d, 5).unwrap();
        assert_eq!(dr.wait(LONG).unwrap(), 5);
    });
}

#[test]
fn test_retrieve_only_once() {
    on_every_backend(|_| {
        let uid = pending().stash();
        assert!(blocking::retrieve_result::<u32>(uid).is_some());
        assert!(blocking::retrieve_result::<u32>(uid).is_none());
    });
}

#[test]
fn test_uniqueness() {
    on_every_backend(|_| {
        let mut previous = pending().stash();
        for _ in 0..100 {
            assert!(blocking::retrieve_result::<u32>(previous).is_some());
            let uid = pending().stash();
            assert!(uid > previous);
            previous = uid;
        }
    });
}

#[test]
fn test_synchronized() {
    // crochet checks that the store takes a lock; here: 8 threads stash at once, every id is
    // distinct, and each thread's ids increase.
    on_every_backend(|txaio| {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let txaio = txaio.clone();
                std::thread::spawn(move || {
                    let ids: Vec<u64> = (0..200_u32)
                        .map(|n| txaio.run_in_runtime(move || Ok::<_, Failure>(n)).stash())
                        .collect();
                    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
                    ids
                })
            })
            .collect();
        let ids: Vec<u64> = threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect();
        let distinct: BTreeSet<u64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len());
        for id in ids {
            assert!(blocking::retrieve_result::<u32>(id).is_some());
        }
    });
}

#[test]
fn test_stash() {
    on_every_backend(|_| {
        let uid = blocking::run_in_runtime(|| Ok::<_, Failure>(3_u32)).stash();
        assert_eq!(
            blocking::retrieve_result::<u32>(uid)
                .unwrap()
                .wait(LONG)
                .unwrap(),
            3
        );
    });
}

#[test]
fn test_retrieve_result() {
    on_every_backend(|_| {
        let uid = pending().stash();
        let result = blocking::retrieve_result::<u32>(uid).unwrap();
        result.cancel();
        assert!(result.wait(LONG).unwrap_err().is::<txaio::CancelledError>());
    });
}

#[test]
fn a_wrong_type_gives_none_and_leaves_it_stored() {
    on_every_backend(|_| {
        let uid = blocking::run_in_runtime(|| Ok::<_, Failure>(String::from("kept"))).stash();
        assert!(blocking::retrieve_result::<u32>(uid).is_none());
        assert!(blocking::retrieve_result::<&'static str>(uid).is_none());
        let kept = blocking::retrieve_result::<String>(uid).unwrap();
        assert_eq!(kept.wait(LONG).unwrap(), "kept");
        assert!(blocking::retrieve_result::<String>(uid).is_none());
    });
}

#[test]
fn an_id_never_given_is_none() {
    assert!(blocking::retrieve_result::<u32>(0).is_none());
    assert!(blocking::retrieve_result::<u32>(u64::MAX).is_none());
}

//! `gather`, as its docs describe it.

use txaio::CancelledError;
use txaio::testutil::capture_logs;

#[txaio::test]
async fn gather_fires_when_all_fired_in_input_order() {
    let inputs: Vec<_> = (0..5).map(|_| txaio::create_future::<usize>()).collect();
    let all = txaio::gather(inputs.clone(), true);
    for (i, d) in inputs.iter().enumerate().rev() {
        assert!(!txaio::is_called(&all));
        if i == 2 {
            txaio::reject(d, std::fmt::Error).unwrap();
        } else {
            txaio::resolve(d, i * 10).unwrap();
        }
    }
    let results = all.await.unwrap();
    assert_eq!(results.len(), 5);
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(value) => assert_eq!(*value, i * 10),
            Err(failure) => {
                assert_eq!(i, 2);
                assert!(failure.is::<std::fmt::Error>());
            }
        }
    }
}

#[txaio::test]
async fn gather_of_nothing_fires_at_once() {
    let all = txaio::gather(Vec::<txaio::Deferred<u8>>::new(), false);
    assert!(txaio::is_called(&all));
    assert!(all.await.unwrap().is_empty());
}

#[txaio::test]
async fn gather_of_already_fired_inputs_fires_at_once() {
    let all = txaio::gather(
        [
            txaio::create_future_success(1),
            txaio::create_future_success(2),
        ],
        true,
    );
    assert!(txaio::is_called(&all));
    let values: Vec<_> = all.await.unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(values, [1, 2]);
}

#[txaio::test]
async fn cancelling_gather_cancels_every_pending_input() {
    let done = txaio::create_future_success(1u8);
    let pending = txaio::create_future::<u8>();
    let all = txaio::gather([done.clone(), pending.clone()], true);
    txaio::cancel(&all);
    assert!(all.await.unwrap_err().is::<CancelledError>());
    assert!(pending.await.unwrap_err().is::<CancelledError>());
    assert_eq!(done.await.unwrap(), 1);
}

#[txaio::test]
async fn consume_exceptions_decides_whether_input_failures_are_reported() {
    let report_count = |consume: bool| {
        let ((), logs) = capture_logs(|| {
            let d = txaio::create_future::<u8>();
            let all = txaio::gather([d.clone()], consume);
            txaio::reject(&d, std::fmt::Error).unwrap();
            assert!(txaio::is_called(&all));
        });
        logs.iter()
            .filter(|l| l.message.starts_with("Unhandled error in Deferred"))
            .count()
    };
    assert_eq!(report_count(true), 0);
    assert_eq!(report_count(false), 1);
}

#[txaio::test]
async fn gather_works_across_spawned_tasks() {
    let tasks: Vec<_> = (0..20u64)
        .map(|i| txaio::spawn(async move { Ok::<_, txaio::Failure>(i * i) }))
        .collect();
    let results = txaio::gather(tasks, true).await.unwrap();
    let squares: Vec<u64> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(squares, (0..20).map(|i| i * i).collect::<Vec<_>>());
}

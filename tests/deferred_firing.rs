//! The book, "Deferreds and callbacks" (the rules): a deferred fires once; callbacks run in order, see the same value, and are dropped
//! on firing; resolving twice keeps the first value.

use std::sync::{Arc, Mutex};

use txaio::{AlreadyCalledError, Deferred};

fn recorder() -> (
    Arc<Mutex<Vec<String>>>,
    impl Fn(String) + Clone + Send + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (seen, move |entry| sink.lock().unwrap().push(entry))
}

#[txaio::test]
async fn resolve_twice_keeps_the_first_value() {
    let d = txaio::create_future();
    assert_eq!(txaio::resolve(&d, 1), Ok(()));
    assert_eq!(txaio::resolve(&d, 2), Err(AlreadyCalledError));
    assert_eq!(txaio::reject(&d, std::fmt::Error), Err(AlreadyCalledError));
    assert_eq!(d.clone().await.unwrap(), 1);
    let (seen, record) = recorder();
    txaio::add_callback(&d, move |value| record(format!("late {value}")));
    assert_eq!(*seen.lock().unwrap(), ["late 1"]);
}

#[txaio::test]
async fn reject_then_resolve_keeps_the_failure() {
    let d = txaio::create_future::<u32>();
    txaio::reject(&d, std::io::Error::other("first")).unwrap();
    assert_eq!(txaio::resolve(&d, 5), Err(AlreadyCalledError));
    let failure = d.await.unwrap_err();
    assert_eq!(txaio::failure_message(&failure), "Error: first");
}

#[txaio::test]
async fn callbacks_run_in_order_and_all_see_the_same_value() {
    let (seen, record) = recorder();
    let d = txaio::create_future::<String>();
    for name in ["a", "b", "c"] {
        let record = record.clone();
        txaio::add_callbacks(
            &d,
            move |v| record(format!("{name}:{v}")),
            |_| unreachable!(),
        );
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing runs before firing"
    );
    txaio::resolve(&d, "x".to_owned()).unwrap();
    assert_eq!(*seen.lock().unwrap(), ["a:x", "b:x", "c:x"]);
}

#[txaio::test]
async fn errbacks_run_in_order_and_callbacks_are_skipped() {
    let (seen, record) = recorder();
    let d = txaio::create_future::<u32>();
    let first = record.clone();
    txaio::add_errback(&d, move |f| first(format!("eb1 {}", f.type_name())));
    txaio::add_callback(&d, |_| unreachable!("a callback does not run on failure"));
    let second = record.clone();
    txaio::add_callbacks(&d, |_| unreachable!(), move |f| second(format!("eb2 {f}")));
    txaio::reject(&d, std::fmt::Error).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "eb1 Error",
            "eb2 Error: an error occurred when formatting an argument"
        ]
    );
}

#[txaio::test]
async fn a_callback_added_after_firing_runs_at_once() {
    let d = txaio::create_future_success(9);
    let (seen, record) = recorder();
    txaio::add_callback(&d, move |v| record(format!("{v}")));
    assert_eq!(*seen.lock().unwrap(), ["9"]);
}

#[txaio::test]
async fn a_callback_added_while_callbacks_run_is_queued_behind_them() {
    let (seen, record) = recorder();
    let d = txaio::create_future::<u8>();
    let (inner_d, inner_record, first) = (d.clone(), record.clone(), record.clone());
    txaio::add_callback(&d, move |_| {
        first("first".into());
        txaio::add_callback(&inner_d, move |_| inner_record("added during".into()));
        first("first ends".into());
    });
    let second = record.clone();
    txaio::add_callback(&d, move |_| second("second".into()));
    txaio::resolve(&d, 0).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["first", "first ends", "second", "added during"]
    );
}

#[txaio::test]
async fn callbacks_run_on_the_thread_that_fires() {
    let d = txaio::create_future::<()>();
    let ran_on = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&ran_on);
    txaio::add_callback(&d, move |()| {
        *slot.lock().unwrap() = Some(std::thread::current().id());
    });
    let firing = std::thread::spawn({
        let d = d.clone();
        move || {
            txaio::resolve(&d, ()).unwrap();
            std::thread::current().id()
        }
    })
    .join()
    .unwrap();
    assert_eq!(*ran_on.lock().unwrap(), Some(firing));
}

#[txaio::test]
async fn callbacks_and_canceller_are_dropped_when_the_deferred_fires() {
    let token = Arc::new(());
    let (in_callback, in_errback, in_canceller) = (token.clone(), token.clone(), token.clone());
    let d = txaio::create_future_with_canceller::<u8>(move |_| drop(in_canceller));
    txaio::add_callbacks(&d, move |_| drop(in_callback), move |_| drop(in_errback));
    let pending_callback = token.clone();
    txaio::add_callback(&d, move |_| drop(pending_callback));
    assert_eq!(Arc::strong_count(&token), 5);
    txaio::resolve(&d, 1).unwrap();
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "nothing captured outlives the firing"
    );
    drop(d);
}

#[txaio::test]
async fn is_called_follows_the_firing() {
    let d = txaio::create_future::<()>();
    assert!(!txaio::is_called(&d));
    txaio::resolve(&d, ()).unwrap();
    assert!(txaio::is_called(&d));
    assert!(txaio::is_called(&d.clone()));
}

#[test]
fn deferred_is_send_and_sync_for_a_send_value() {
    fn assert_send_sync<T: Send + Sync>() {}
    // `Cell` is `Send` but not `Sync`: the deferred must still be shareable.
    assert_send_sync::<Deferred<std::cell::Cell<u8>>>();
    assert_send_sync::<txaio::Failure>();
    assert_send_sync::<txaio::DelayedCall>();
}

#[txaio::test]
async fn a_non_sync_value_is_handed_to_callbacks_and_awaiters() {
    let d = txaio::create_future::<std::cell::Cell<u8>>();
    let seen = Arc::new(Mutex::new(0));
    let slot = Arc::clone(&seen);
    txaio::add_callback(&d, move |cell| *slot.lock().unwrap() = cell.get());
    let resolver = d.clone();
    std::thread::spawn(move || txaio::resolve(&resolver, std::cell::Cell::new(4)).unwrap())
        .join()
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), 4);
    assert_eq!(d.await.unwrap().get(), 4);
}

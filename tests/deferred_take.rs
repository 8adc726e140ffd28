//! `Deferred::take`: moving a result that is not `Clone` out of a deferred.

use std::sync::{Arc, Mutex};

use txaio::testutil::capture_logs;
use txaio::{Deferred, TakenError};

/// A value that cannot be cloned, as a socket cannot.
#[derive(Debug, PartialEq, Eq)]
struct Socket {
    fd: u32,
}

#[txaio::portable]
async fn connect(fd: u32) -> Result<Socket, std::io::Error> {
    txaio::sleep(std::time::Duration::from_millis(1))
        .await
        .map_err(std::io::Error::other)?;
    Ok(Socket { fd })
}

#[txaio::portable]
async fn fd_of_a_new_connection(fd: u32) -> Result<u32, txaio::Failure> {
    let socket = connect(fd).take().await?;
    Ok(socket.fd)
}

/// Polls a future that is ready at once (a `take` of a fired deferred).
fn ready_now<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the take was not ready"),
    }
}

#[txaio::test]
async fn a_value_that_is_not_clone_comes_out_of_a_portable_fn_with_take() {
    let socket = connect(7).take().await.unwrap();
    assert_eq!(socket, Socket { fd: 7 });
    assert_eq!(fd_of_a_new_connection(9).await.unwrap(), 9);
}

#[txaio::test]
async fn the_first_take_gets_the_value_and_later_ones_a_taken_error() {
    let d = txaio::create_future::<Socket>();
    let first = d.clone().take();
    let second = d.clone();
    txaio::resolve(&d, Socket { fd: 1 }).unwrap();
    assert_eq!(first.await.unwrap(), Socket { fd: 1 });
    let failure = second.take().await.unwrap_err();
    assert!(failure.is::<TakenError>());
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    txaio::add_errback(&d, move |failure| {
        *record.lock().unwrap() = Some(failure.is::<TakenError>());
    });
    assert_eq!(*seen.lock().unwrap(), Some(true), "a later errback sees it");
}

#[txaio::test]
async fn an_awaiter_after_a_take_sees_a_taken_error() {
    let d = txaio::create_future_success(String::from("only once"));
    assert_eq!(d.clone().take().await.unwrap(), "only once");
    assert!(d.await.unwrap_err().is::<TakenError>());
}

#[txaio::test]
async fn callbacks_added_before_firing_see_the_value_before_take_moves_it() {
    let d = txaio::create_future::<Socket>();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    txaio::add_callback(&d, move |socket| record.lock().unwrap().push(socket.fd));
    let taker = std::thread::spawn({
        let d = d.clone();
        move || txaio::__private::block_on_default(d.take())
    });
    txaio::resolve(&d, Socket { fd: 4 }).unwrap();
    assert_eq!(taker.join().unwrap().unwrap(), Socket { fd: 4 });
    assert_eq!(*seen.lock().unwrap(), vec![4]);
}

#[txaio::test]
async fn every_take_of_a_failed_deferred_gets_its_failure_and_nothing_is_reported() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future_error::<Socket>(std::io::Error::other("refused"));
        for _ in 0..3 {
            let failure = ready_now(d.clone().take()).unwrap_err();
            assert!(failure.is::<std::io::Error>());
        }
    });
    assert!(logs.is_empty(), "{logs:?}");
}

#[txaio::test]
async fn a_taken_error_is_never_reported_as_unhandled() {
    let ((), logs) = capture_logs(|| {
        let d = txaio::create_future_success(Socket { fd: 2 });
        let _socket = ready_now(d.clone().take()).unwrap();
        let again: Deferred<Socket> = d.clone();
        drop(again.take());
        drop(d);
    });
    assert!(logs.is_empty(), "{logs:?}");
}

#[txaio::test]
async fn take_waits_for_a_resolve_from_another_thread() {
    let d = txaio::create_future::<Socket>();
    let resolver = {
        let d = d.clone();
        std::thread::spawn(move || txaio::resolve(&d, Socket { fd: 11 }).unwrap())
    };
    assert_eq!(d.take().await.unwrap(), Socket { fd: 11 });
    resolver.join().unwrap();
}

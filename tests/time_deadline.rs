//! SPEC §13b: `now`, `sleep_until`, and a deadline that can be moved without a new timer, on
//! the virtual clock and on every backend.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use txaio::testutil::replace_loop;

fn poll_once(future: Pin<&mut impl Future<Output = ()>>) -> Poll<()> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn now_follows_the_virtual_clock_and_real_time_outside_it() {
    replace_loop(|clock| {
        let start = txaio::now();
        assert_eq!(
            txaio::now(),
            start,
            "no real time passes on the virtual clock"
        );
        clock.advance(Duration::from_millis(1500));
        assert_eq!(txaio::now() - start, Duration::from_millis(1500));
    });
    let before = Instant::now();
    assert!(txaio::now() >= before);
}

#[test]
fn sleep_until_fires_at_its_deadline_exactly() {
    replace_loop(|clock| {
        let due = txaio::sleep_until(txaio::now() + Duration::from_secs(30));
        clock.advance(Duration::from_secs(30) - Duration::from_nanos(1));
        assert!(!txaio::is_called(&due));
        clock.advance(Duration::from_nanos(1));
        assert!(txaio::is_called(&due));
    });
}

#[test]
fn a_passed_deadline_fires_at_once_and_an_unrepresentable_one_never() {
    replace_loop(|clock| {
        clock.advance(Duration::from_secs(10));
        let past = txaio::sleep_until(txaio::now().checked_sub(Duration::from_secs(5)).unwrap());
        clock.advance(Duration::ZERO);
        assert!(txaio::is_called(&past));
        let far = txaio::now() + Duration::from_secs(u64::from(u32::MAX));
        let never = txaio::sleep_until(far);
        clock.advance(Duration::from_secs(86_400 * 365));
        assert!(!txaio::is_called(&never));
        txaio::cancel(&never);
        assert_eq!(clock.pending(), 0, "the cancel released the timer");
    });
}

#[test]
fn a_deadline_moved_later_or_earlier_completes_at_the_new_one() {
    replace_loop(|clock| {
        let start = txaio::now();
        let mut timer = Box::pin(txaio::deadline(start + Duration::from_secs(10)));
        assert_eq!(timer.deadline(), start + Duration::from_secs(10));
        assert!(poll_once(timer.as_mut()).is_pending());

        timer.as_mut().reset(start + Duration::from_secs(30));
        clock.advance(Duration::from_secs(10));
        assert!(poll_once(timer.as_mut()).is_pending(), "moved later");
        assert!(!timer.is_elapsed());

        timer.as_mut().reset(start + Duration::from_secs(15));
        clock.advance(Duration::from_secs(5));
        assert!(timer.is_elapsed());
        assert!(poll_once(timer.as_mut()).is_ready(), "moved earlier");

        // Reset after it completed: it waits again.
        timer.as_mut().reset(txaio::now() + Duration::from_secs(1));
        assert!(poll_once(timer.as_mut()).is_pending());
        clock.advance(Duration::from_secs(1));
        assert!(poll_once(timer.as_mut()).is_ready());
        drop(timer);
        assert_eq!(clock.pending(), 0);
    });
}

#[test]
fn a_dropped_deadline_releases_its_virtual_timer() {
    replace_loop(|clock| {
        let timers: Vec<_> = (0..100)
            .map(|_| txaio::deadline(txaio::now() + Duration::from_secs(3600)))
            .collect();
        assert_eq!(clock.pending(), 100);
        drop(timers);
        assert_eq!(clock.pending(), 0);
    });
}

#[txaio::test]
async fn a_real_deadline_moves_on_every_backend() {
    let mut timer = Box::pin(txaio::deadline(txaio::now() + Duration::from_secs(3600)));
    assert!(!timer.is_elapsed());
    // Moved from an hour to a millisecond: it completes (the test would hang otherwise).
    timer
        .as_mut()
        .reset(txaio::now() + Duration::from_millis(1));
    timer.as_mut().await;
    assert!(timer.is_elapsed());
    timer
        .as_mut()
        .reset(txaio::now() + Duration::from_millis(1));
    timer.as_mut().await;
    txaio::sleep_until(txaio::now() + Duration::from_millis(1))
        .await
        .unwrap();
}

#[test]
fn the_deadline_is_send() {
    fn send<T: Send>() {}
    send::<txaio::Deadline>();
}

#[test]
fn a_dropped_sleep_until_releases_its_timer() {
    replace_loop(|clock| {
        let sleeps: Vec<_> = (0..100)
            .map(|_| txaio::sleep_until(txaio::now() + Duration::from_secs(3600)))
            .collect();
        assert_eq!(clock.pending(), 100);
        drop(sleeps);
        assert_eq!(clock.pending(), 0);
    });
}

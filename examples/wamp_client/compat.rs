//! `timeout(d, after)` in the shape of `txaio::timeout` (SPEC §6b), for as long as this branch
//! builds against a txaio without it: a new deferred with `d`'s outcome, or `TimeoutError`
//! after `after` (and `d` cancelled).

use std::time::Duration;

use txaio::{Deferred, TimeoutError};

/// `d`'s outcome, or [`TimeoutError`] when `d` has not fired `after` from now; then `d` is
/// cancelled (for a call: forgotten, and CANCEL sent).
pub fn timeout<T: Clone + Send + 'static>(d: &Deferred<T>, after: Duration) -> Deferred<T> {
    let inner = d.clone();
    let outer = txaio::create_future_with_canceller(move |_: &Deferred<T>| txaio::cancel(&inner));
    let expired = d.clone();
    let on_expiry = outer.clone();
    let timer = txaio::call_later(after, move || {
        if !txaio::is_called(&expired) {
            let _ = txaio::reject(&on_expiry, TimeoutError);
            txaio::cancel(&expired);
        }
    });
    let (ok, err) = (outer.clone(), outer.clone());
    let (t1, t2) = (timer.clone(), timer);
    txaio::add_callbacks(
        d,
        move |value: &T| {
            t1.cancel();
            let _ = txaio::resolve(&ok, value.clone());
        },
        move |failure| {
            t2.cancel();
            let _ = txaio::reject(&err, failure.clone());
        },
    );
    outer
}

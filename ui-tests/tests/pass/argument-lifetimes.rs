//! Every argument of a portable `async fn` lives as long as its body, as in a plain `async fn`:
//! the ones the body never names (`_permit`, `_`, a tuple's `_b`, an unused `self`) too.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts its drops in the shared counter.
pub struct Guard(Arc<AtomicUsize>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[txaio::portable]
async fn serve(dropped: Arc<AtomicUsize>, _permit: Guard, _: Guard) -> usize {
    txaio::sleep(std::time::Duration::from_millis(1))
        .await
        .unwrap();
    dropped.load(Ordering::SeqCst)
}

#[txaio::portable]
async fn destructured(dropped: Arc<AtomicUsize>, (_a, _b): (Guard, Guard), mut n: u8) -> usize {
    n += 1;
    assert_eq!(n, 1);
    dropped.load(Ordering::SeqCst)
}

pub struct Conn {
    dropped: Arc<AtomicUsize>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

#[txaio::portable]
impl Conn {
    async fn close(self, dropped: Arc<AtomicUsize>) -> usize {
        dropped.load(Ordering::SeqCst)
    }
}

#[txaio::main]
pub async fn main() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let guard = || Guard(dropped.clone());
    assert_eq!(serve(dropped.clone(), guard(), guard()).await.unwrap(), 0);
    assert_eq!(dropped.load(Ordering::SeqCst), 2);
    let seen = destructured(dropped.clone(), (guard(), guard()), 0);
    assert_eq!(seen.await.unwrap(), 2);
    assert_eq!(dropped.load(Ordering::SeqCst), 4);
    let conn = Conn {
        dropped: dropped.clone(),
    };
    assert_eq!(conn.close(dropped.clone()).await.unwrap(), 4);
    assert_eq!(dropped.load(Ordering::SeqCst), 5);
}

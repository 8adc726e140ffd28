//! Waiting on a condition variable, a barrier or a blocking channel blocks the event loop.
//! (`parking_lot` and `crossbeam_channel` are modules here with those crates' shapes: the
//! macro reads paths.)

use std::sync::Mutex;
use std::time::Duration;

mod parking_lot {
    pub struct Condvar;
    pub struct MutexGuard;
    impl Condvar {
        pub fn new() -> Condvar {
            Condvar
        }
        pub fn wait_for(&self, _guard: &mut MutexGuard, _timeout: std::time::Duration) {}
    }
}

mod crossbeam_channel {
    pub use std::sync::mpsc::{Receiver, Sender};
    pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
        std::sync::mpsc::channel()
    }
}

#[txaio::portable]
async fn condvar(ready: Mutex<bool>) -> bool {
    use std::sync::Condvar;
    let condvar = Condvar::new();
    let guard = ready.lock().unwrap();
    let guard = condvar.wait_while(guard, |ready| !*ready).unwrap();
    let (guard, _) = condvar
        .wait_timeout(guard, Duration::from_millis(1))
        .unwrap();
    *guard
}

#[txaio::portable]
async fn barrier(parties: usize) -> bool {
    let barrier = std::sync::Barrier::new(parties);
    barrier.wait().is_leader()
}

#[txaio::portable]
async fn parking(mut guard: parking_lot::MutexGuard) {
    let condvar = parking_lot::Condvar::new();
    condvar.wait_for(&mut guard, Duration::from_millis(1));
}

#[txaio::portable]
async fn crossbeam() -> u8 {
    let (tx, rx) = crossbeam_channel::unbounded();
    tx.send(1).unwrap();
    rx.recv().unwrap()
}

fn main() {}

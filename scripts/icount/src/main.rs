//! `icount <operation> <rounds>`: runs one operation of the benches `sync` and `chain` the
//! given number of times, for `scripts/icount.sh` to count its instructions under callgrind.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Polls a future once; every future here is ready.
fn ready<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a future of this driver was pending"),
    }
}

const LINKS: u64 = 10_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let operation = args.next().unwrap_or_default();
    let rounds: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    match operation.as_str() {
        "put-get" => {
            let queue = txaio::DeferredQueue::new(None, None);
            for _ in 0..rounds {
                queue.put(black_box(7u64)).unwrap();
                black_box(ready(queue.get().unwrap()).unwrap());
            }
        }
        "get-waits-put" => {
            let queue = txaio::DeferredQueue::new(None, None);
            for _ in 0..rounds {
                let get = queue.get().unwrap();
                queue.put(black_box(7u64)).unwrap();
                black_box(ready(get).unwrap());
            }
        }
        "floor" => {
            for _ in 0..rounds {
                black_box(ready(txaio::create_future_success(black_box(7u64))).unwrap());
            }
        }
        "run" => {
            let lock = txaio::DeferredLock::new();
            for _ in 0..rounds {
                black_box(ready(lock.run(|| Ok::<_, txaio::Failure>(black_box(7u64)))).unwrap());
            }
        }
        "cancel" => {
            for _ in 0..rounds {
                let d = txaio::create_future::<u64>();
                txaio::cancel(&d);
                black_box(d.is_called());
            }
        }
        // `rounds` links, in chains of 10,000 as in `benches/chain.rs`.
        "chain" => {
            for _ in 0..rounds / LINKS {
                let source = txaio::create_future::<u64>();
                let mut end = source.clone();
                for _ in 0..LINKS {
                    end = txaio::then(&end, |n| Ok::<_, txaio::Failure>(n + 1));
                }
                txaio::resolve(&source, black_box(0)).unwrap();
                black_box(ready(end).unwrap());
            }
        }
        "chain-returning-deferreds" => {
            for _ in 0..rounds / LINKS {
                let innermost = txaio::create_future::<u64>();
                let mut end = innermost.clone();
                for _ in 0..LINKS {
                    let next = end;
                    end = txaio::then(&txaio::create_future_success(()), move |()| next);
                }
                txaio::resolve(&innermost, black_box(LINKS)).unwrap();
                black_box(ready(end.take()).unwrap());
            }
        }
        other => {
            eprintln!(
                "unknown operation {other:?}: put-get, get-waits-put, floor, run, cancel, \
                 chain, chain-returning-deferreds"
            );
            std::process::exit(2);
        }
    }
}

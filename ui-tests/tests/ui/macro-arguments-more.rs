//! The arguments of `matches!`, `pin!` and the arms of `futures::select!` are checked too;
//! so is a method of a trait the function has as a bound (`A: ToSocketAddrs`).

use futures::FutureExt as _;

#[txaio::portable]
async fn checks(path: String) -> bool {
    let found = matches!(std::fs::metadata(&path), Ok(m) if m.len() > 0);
    let pinned = std::pin::pin!(async { std::fs::read(&path).is_ok() });
    let mut ready = futures::future::ready(1).fuse();
    futures::select! {
        _ = ready => std::thread::sleep(std::time::Duration::from_millis(1)),
    }
    found && pinned.await
}

#[txaio::portable]
async fn resolve<A: std::net::ToSocketAddrs + Send + 'static>(addr: A) -> usize {
    addr.to_socket_addrs().map(Iterator::count).unwrap_or(0)
}

fn main() {}

//! Only txaio's own `defer_to_thread` exempts its closure: a function of the user's with the
//! same name does not turn the checks off.

mod pool {
    pub fn defer_to_thread<T>(work: impl FnOnce() -> T) -> T {
        work()
    }
}

#[txaio::portable]
async fn load(path: String) -> std::io::Result<Vec<u8>> {
    pool::defer_to_thread(move || std::fs::read(path))
}

fn main() {}

//! Names alone are never refused: locals called `tokio`, a user type's `block_on`, a `util`
//! module's own `block_on`, `std::fs::Metadata` methods, a sleep on a thread of its own.

use std::time::Duration;

pub struct Executor;

impl Executor {
    pub fn block_on(&self, value: u8) -> u8 {
        value
    }
}

mod util {
    pub fn block_on(value: u8) -> u8 {
        value + 1
    }
}

#[txaio::portable]
async fn names(tokio: u8, executor: Executor) -> u8 {
    let smol = tokio + 1;
    executor.block_on(smol) + util::block_on(0)
}

#[txaio::portable]
async fn inspect(metadata: std::fs::Metadata) -> bool {
    let kind: std::fs::FileType = metadata.file_type();
    metadata.len() > 0 || kind.is_dir() || std::fs::Metadata::is_file(&metadata)
}

#[txaio::portable]
async fn on_its_own_thread() -> u8 {
    let worker = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(1));
        5
    });
    drop(worker);
    5
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert_eq!(names(1, Executor).await.unwrap(), 3);
        let metadata = std::fs::metadata(".").unwrap();
        assert!(inspect(metadata).await.unwrap());
        assert_eq!(on_its_own_thread().await.unwrap(), 5);
    });
}

//! In Rust a value does not shadow a module: `thread::sleep` after `let thread = ..` is still
//! `std::thread::sleep`, `fs::read` with a parameter `fs` still `std::fs::read`.

use std::time::Duration;

#[txaio::portable]
async fn nap(fs: String) -> usize {
    use std::{fs, thread};
    let thread = 1;
    thread::sleep(Duration::from_millis(thread));
    fs::read(&fs).map(|bytes| bytes.len()).unwrap_or(0)
}

fn main() {}

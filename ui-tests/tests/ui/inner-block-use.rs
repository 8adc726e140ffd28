//! A `use` in an inner block counts inside that block (and only there).

#[txaio::portable]
async fn backoff(attempts: u32) {
    for _ in 0..attempts {
        use std::thread::sleep as nap;
        nap(std::time::Duration::from_millis(100));
    }
}

fn main() {}

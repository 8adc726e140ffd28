#[txaio::portable]
const TIMEOUT_SECS: u64 = 30;

fn main() {}

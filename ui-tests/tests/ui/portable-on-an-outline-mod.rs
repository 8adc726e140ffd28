#[txaio::portable]
mod protocol;

fn main() {}

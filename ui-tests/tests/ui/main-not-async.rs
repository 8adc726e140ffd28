#[txaio::main]
fn main() {}

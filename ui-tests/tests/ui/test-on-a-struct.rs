#[txaio::test]
struct NotATest;

fn main() {}

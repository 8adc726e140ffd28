#[txaio::test]
#[test]
async fn runs_twice() {}

fn main() {}

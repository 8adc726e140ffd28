#[txaio::test]
async fn takes_a_parameter(count: u32) {
    assert_eq!(count, 1);
}

fn main() {}

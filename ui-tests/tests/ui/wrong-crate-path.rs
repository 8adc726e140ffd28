#[txaio::portable(crate = "my_facade::txaio")]
async fn answer() -> u8 {
    42
}

fn main() {}

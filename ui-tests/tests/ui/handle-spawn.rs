#[txaio::portable]
async fn background() {
    tokio::runtime::Handle::current().spawn(async {});
}

fn main() {}

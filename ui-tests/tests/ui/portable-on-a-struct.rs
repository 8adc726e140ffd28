#[txaio::portable]
struct Connection {
    peer: String,
}

fn main() {}

#[txaio::portable]
trait Transport {
    fn send(&self, frame: Vec<u8>);
}

fn main() {}

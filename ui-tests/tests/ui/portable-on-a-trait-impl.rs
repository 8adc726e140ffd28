struct Ticker;

#[txaio::portable]
impl Iterator for Ticker {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        None
    }
}

fn main() {}

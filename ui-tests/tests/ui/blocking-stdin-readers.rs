//! Reading stdin through `std::io::read_to_string`, `read_until` or a `BufReader` blocks the
//! event loop as `read_line` does.

use std::io::BufRead;

#[txaio::portable]
async fn whole() -> std::io::Result<String> {
    std::io::read_to_string(std::io::stdin())
}

#[txaio::portable]
async fn until() -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    std::io::stdin().lock().read_until(b'\n', &mut line)?;
    Ok(line)
}

#[txaio::portable]
async fn lines() -> usize {
    std::io::BufReader::new(std::io::stdin()).lines().count()
}

fn main() {}

//! Methods that block, on receivers the code shows to be a blocking type.

#[txaio::portable]
async fn append(path: String) -> std::io::Result<()> {
    let _file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
    Ok(())
}

#[txaio::portable]
async fn lines() -> usize {
    std::io::stdin().lock().lines().count()
}

use std::io::BufRead as _;

fn main() {}

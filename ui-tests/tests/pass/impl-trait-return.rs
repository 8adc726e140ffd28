//! `-> impl Trait` and `-> Result<impl Trait, E>`.

use std::fmt::Display;

#[txaio::portable]
async fn label(n: u8) -> impl Display + Clone + Send {
    format!("#{n}")
}

#[txaio::portable]
async fn opaque(n: u8) -> impl Display + Send {
    n * 2
}

#[txaio::portable]
async fn items(n: u8) -> Result<impl Iterator<Item = u8> + Clone + Send, txaio::Failure> {
    Ok(0..n)
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert_eq!(label(4).await.unwrap().to_string(), "#4");
        assert_eq!(items(3).await.unwrap().sum::<u8>(), 3);
        // Not `Clone`: taken rather than awaited.
        assert_eq!(opaque(2).take().await.unwrap().to_string(), "4");
    });
}

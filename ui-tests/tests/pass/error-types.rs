//! Error types: a boxed error, `fmt::Result`, and `Result` aliases a portable `mod` declares.

use std::error::Error;
use std::fmt::{self, Write as _};

#[txaio::portable]
async fn parse(text: String) -> Result<u8, Box<dyn Error + Send + Sync>> {
    Ok(text.parse()?)
}

#[txaio::portable]
async fn render(value: u8) -> fmt::Result {
    let mut out = String::new();
    write!(out, "{value}")
}

#[txaio::portable]
mod aliased {
    pub type R<T> = Result<T, std::io::Error>;

    pub async fn read_nothing(fail: bool) -> R<u8> {
        if fail {
            Err(std::io::Error::other("asked to fail"))
        } else {
            Ok(1)
        }
    }
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert_eq!(parse("7".into()).await.unwrap(), 7);
        let failure = parse("x".into()).await.unwrap_err();
        assert!(failure.to_string().contains("invalid digit"), "{failure}");
        let rendered: txaio::Deferred<()> = render(3);
        rendered.await.unwrap();
        // The alias is seen through: an `Err` is the deferred's failure, not a success value.
        let value: u8 = aliased::read_nothing(false).await.unwrap();
        assert_eq!(value, 1);
        assert!(aliased::read_nothing(true).await.is_err());
    });
}

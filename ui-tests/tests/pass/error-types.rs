//! Error types: a boxed error (also behind an alias), `fmt::Result`, and `Result` aliases a
//! portable `mod` declares.

use std::error::Error;
use std::fmt::{self, Write as _};

#[txaio::portable]
async fn parse(text: String) -> Result<u8, Box<dyn Error + Send + Sync>> {
    Ok(text.parse()?)
}

type BoxError = Box<dyn Error + Send + Sync>;

// The alias hides the box from the macro; the deferred still fails with the boxed error.
#[txaio::portable]
async fn parse_aliased(text: String) -> Result<u8, BoxError> {
    Ok(text.parse()?)
}

// Kept, the signature returns the alias as written.
#[txaio::portable(keep_signature)]
async fn parse_kept(text: String) -> Result<u8, BoxError> {
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
        let aliased: txaio::Deferred<u8> = parse_aliased("x".into());
        let failure = aliased.await.unwrap_err();
        assert!(failure.to_string().contains("invalid digit"), "{failure}");
        assert_eq!(parse_aliased("8".into()).await.unwrap(), 8);
        let kept: Result<u8, BoxError> = parse_kept("x".into()).await;
        assert!(kept.unwrap_err().to_string().contains("invalid digit"));
        let rendered: txaio::Deferred<()> = render(3);
        rendered.await.unwrap();
        // The alias is seen through: an `Err` is the deferred's failure, not a success value.
        let value: u8 = aliased::read_nothing(false).await.unwrap();
        assert_eq!(value, 1);
        assert!(aliased::read_nothing(true).await.is_err());
    });
}

//! Inner attributes and `//!` docs of a portable `mod` stay inside it.

#[txaio::portable]
mod protocol {
    //! The protocol's messages.
    #![allow(clippy::needless_return)]

    pub async fn answer() -> u8 {
        return 42;
    }
}

#[txaio::main]
pub async fn main() {
    assert_eq!(protocol::answer().await.unwrap(), 42);
}

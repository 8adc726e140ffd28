//! A type named `Result` that is not one (WAMP's RESULT message) is a plain return type; the
//! `Result`s of std and their aliases stay results.

mod messages {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Result {
        pub request: u64,
    }
}

#[txaio::portable]
async fn call(request: u64) -> messages::Result {
    messages::Result { request }
}

#[txaio::portable]
async fn full(n: u8) -> std::result::Result<u8, std::io::Error> {
    Ok(n)
}

#[txaio::portable]
async fn formatted() -> std::fmt::Result {
    Ok(())
}

#[txaio::main]
pub async fn main() {
    assert_eq!(call(7).await.unwrap(), messages::Result { request: 7 });
    assert_eq!(full(1).await.unwrap(), 1);
    formatted().await.unwrap();
}

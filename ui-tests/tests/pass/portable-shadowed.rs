//! The expansion of #[txaio::portable] uses absolute paths only: shadowing `core`, `std`,
//! `txaio` and prelude names in the calling module changes nothing.

#![allow(dead_code, non_camel_case_types)]

mod core {}
mod std {}
mod txaio {}
struct Result;
struct Ok;
struct Box;
struct Send;

#[::txaio::portable]
async fn with_result(n: u32) -> ::core::result::Result<u32, ::std::fmt::Error> {
    ::core::result::Result::Ok(n)
}

#[::txaio::portable]
async fn without_result() -> u8 {
    1
}

#[::txaio::portable]
fn callback_style() -> ::txaio::Deferred<u8> {
    ::txaio::create_future_success(2)
}

struct Session;

#[::txaio::portable]
impl Session {
    async fn join(self: ::std::sync::Arc<Self>) -> u8 {
        3
    }
}

pub fn main() {
    let value = ::txaio::__private::block_on_default(async {
        with_result(1).await.unwrap() as u8
            + without_result().await.unwrap()
            + callback_style().await.unwrap()
            + ::std::sync::Arc::new(Session).join().await.unwrap()
    });
    assert_eq!(value, 7);
}

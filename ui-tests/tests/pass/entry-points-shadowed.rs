//! The expansions of #[txaio::main] and #[txaio::test] use absolute paths only: shadowing
//! `core`, `std` and `txaio` in the calling module changes nothing.

#![allow(dead_code)]

mod core {}
mod std {}
mod txaio {}
struct Result;
struct Ok;

#[::txaio::test]
async fn a_test() {}

#[::txaio::test]
async fn a_test_returning_result() -> ::core::result::Result<(), ::std::fmt::Error> {
    ::core::result::Result::Ok(())
}

#[::txaio::main]
pub async fn main() {
    let d = ::txaio::create_future_success(1);
    assert_eq!(d.await.unwrap(), 1);
}

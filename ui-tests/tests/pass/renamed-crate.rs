//! `crate = "..."` names txaio for facades and renamed dependencies.

mod facade {
    pub use ::txaio as rt;
}

#[txaio::portable(crate = "crate::pass_renamed_crate::facade::rt")]
async fn answer() -> u8 {
    42
}

pub fn main() {
    assert_eq!(
        txaio::__private::block_on_default(async { answer().await }).unwrap(),
        42
    );
}

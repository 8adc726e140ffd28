//! A function pinned to `tokio` runs there, whatever the default backend.

#[txaio::portable(runtime = "tokio")]
async fn where_am_i() -> txaio::Runtime {
    txaio::current_runtime()
}

#[txaio::portable(runtime = "tokio")]
fn schedule() -> txaio::Runtime {
    txaio::current_runtime()
}

pub fn main() {
    let expected = txaio::Runtime::compiled()
        .iter()
        .copied()
        .find(|runtime| runtime.feature() == "tokio")
        .expect("the pinned backend is compiled in");
    assert_eq!(schedule(), expected);
    let ran_on = txaio::__private::block_on(expected, async { where_am_i().await }).unwrap();
    assert_eq!(ran_on, expected);
}

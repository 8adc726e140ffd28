//! A function pinned to `async-std` runs there, whatever the default backend.

#[txaio::portable(runtime = "async-std")]
async fn where_am_i() -> txaio::Runtime {
    txaio::current_runtime()
}

#[txaio::portable(runtime = "async-std")]
fn schedule() -> txaio::Runtime {
    txaio::current_runtime()
}

pub fn main() {
    let expected = txaio::Runtime::compiled()
        .iter()
        .copied()
        .find(|runtime| runtime.feature() == "async-std")
        .expect("the pinned backend is compiled in");
    assert_eq!(schedule(), expected);
    let ran_on = txaio::__private::block_on(expected, async { where_am_i().await }).unwrap();
    assert_eq!(ran_on, expected);
}

//! Runtime types in the signature and in `let` annotations.

#[txaio::portable]
async fn with_handle(handle: tokio::runtime::Handle) {
    drop(handle);
}

#[txaio::portable]
fn start() -> tokio::task::JoinHandle<()> {
    unimplemented!()
}

#[txaio::portable]
async fn annotated() {
    let lock: Option<tokio::sync::Mutex<u8>> = None;
    drop(lock);
}

fn main() {}

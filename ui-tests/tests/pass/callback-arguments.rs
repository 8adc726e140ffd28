//! Callback types borrow nothing: the references in their own arguments are the callback's.

use std::sync::Arc;

pub struct Event(pub u8);

#[txaio::portable]
async fn on_bytes(callback: Box<dyn Fn(&[u8]) -> usize + Send>) -> usize {
    callback(b"abc")
}

#[txaio::portable]
async fn on_name(callback: fn(&str) -> usize) -> usize {
    callback("name")
}

#[txaio::portable]
async fn on_event(callback: Arc<dyn Fn(&Event) -> u8 + Send + Sync>) -> u8 {
    callback(&Event(7))
}

#[txaio::portable]
async fn on_static(
    greeting: &'static str,
    callback: impl Fn(&str) -> usize + Send + 'static,
) -> usize {
    callback(greeting)
}

pub fn main() {
    txaio::__private::block_on_default(async {
        assert_eq!(on_bytes(Box::new(<[u8]>::len)).await.unwrap(), 3);
        assert_eq!(on_name(str::len).await.unwrap(), 4);
        assert_eq!(
            on_event(Arc::new(|event: &Event| event.0)).await.unwrap(),
            7
        );
        assert_eq!(on_static("hi", str::len).await.unwrap(), 2);
    });
}

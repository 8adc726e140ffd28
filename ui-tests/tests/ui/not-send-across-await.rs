use std::rc::Rc;
use std::time::Duration;

#[txaio::portable]
async fn count(name: String) -> usize {
    let shared = Rc::new(name);
    txaio::sleep(Duration::from_millis(1)).await.ok();
    shared.len()
}

fn main() {}

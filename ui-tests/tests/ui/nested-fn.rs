//! A nested `fn` is checked like the body around it.

#[txaio::portable]
async fn start() {
    fn settle() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    settle();
}

fn main() {}

#[txaio::portable]
async fn first() -> Option<u8> {
    use std::sync::mpsc;
    let (sender, receiver) = mpsc::channel();
    sender.send(1).ok()?;
    receiver.recv().ok()
}

#[txaio::portable]
async fn drain(receiver: std::sync::mpsc::Receiver<u8>) -> usize {
    let mut count = 0;
    for _ in receiver {
        count += 1;
    }
    count
}

fn main() {}

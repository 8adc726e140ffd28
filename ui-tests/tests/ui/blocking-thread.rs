#[txaio::portable]
async fn compute() -> u64 {
    use std::thread;
    let worker = thread::spawn(|| 6 * 7);
    worker.join().unwrap_or(0)
}

#[txaio::portable]
async fn wait_for_unpark() {
    std::thread::park();
}

#[txaio::portable]
#[allow(deprecated)]
async fn old_sleep() {
    std::thread::sleep_ms(10);
}

#[txaio::portable]
async fn scoped(values: Vec<u64>) -> u64 {
    std::thread::scope(|scope| scope.spawn(|| values.iter().sum()).join().unwrap_or(0))
}

fn main() {}

//! A tour of txaio: the "overview by example" of Python txaio's docs, in Rust.
//!
//! ```text
//! cargo run --release --example tour                                          # tokio
//! cargo run --release --example tour --no-default-features --features smol
//! cargo run --release --example tour --no-default-features --features async-std
//! ```

use std::time::{Duration, Instant};

use txaio::{Deferred, Failure};

// ANCHOR: callbacks
/// Callback style, exactly as a txaio library would write it.
fn callbacks() {
    let f = txaio::create_future::<String>();
    txaio::add_callbacks(
        &f,
        |value| println!("  Callback: {value}"),
        |fail| {
            println!("  Errback: {}", txaio::failure_message(fail));
        },
    );
    // ...other things happen... then "somehow" resolve or reject every future you created.
    match do_something() {
        Ok(answer) => txaio::resolve(&f, answer).expect("fires once"),
        Err(fail) => txaio::reject(&f, fail).expect("fires once"),
    }

    let g = txaio::create_future::<String>();
    txaio::add_errback(&g, |fail| {
        println!("  Errback: {}", txaio::failure_message(fail));
    });
    // A failure prints as `Type: message`, as in Python txaio (`ConnectionRefused: ...`); an
    // `io::Error`'s type is `Error`.
    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "nobody listens");
    txaio::reject(&g, refused).expect("fires once");

    // A deferred fires once: the second result is refused and the first one stands.
    if let Err(error) = txaio::resolve(&f, "too late".to_owned()) {
        println!("  resolving twice: {error}");
    }
}

fn do_something() -> Result<String, Failure> {
    let answer: u32 = "42".parse()?;
    Ok(format!("the answer is {answer}"))
}
// ANCHOR_END: callbacks

// ANCHOR: as_future
/// `as_future` calls a function now and gives its result as a deferred, whatever it returned:
/// a plain `Result`, a deferred, or a panic.
fn as_future() {
    let parsed = txaio::as_future(|| "42".parse::<u32>());
    txaio::add_callback(&parsed, |n| println!("  as_future parsed {n}"));
    let broken = txaio::as_future(|| "forty-two".parse::<u32>());
    txaio::add_errback(&broken, |fail| println!("  as_future failed: {fail}"));
    let panicked =
        quietly(|| txaio::as_future(|| -> Result<u32, Failure> { panic!("no panic escapes") }));
    txaio::add_errback(&panicked, |fail| println!("  as_future caught: {fail}"));
}

/// Runs `f` with Rust's default panic hook silenced, so that a panic txaio contains on purpose
/// does not print a report that reads like a crash (with `RUST_BACKTRACE=1`, a backtrace).
fn quietly<R>(f: impl FnOnce() -> R) -> R {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = f();
    std::panic::set_hook(hook);
    result
}
// ANCHOR_END: as_future

// ANCHOR: async
/// The same machinery from async code: spawn tasks, gather them, await timers.
async fn fetch(id: u64) -> Result<String, Failure> {
    txaio::sleep(Duration::from_millis(10 * id)).await?;
    if id == 3 {
        return Err(Failure::msg(format_args!("record {id} is missing")));
    }
    Ok(format!("record {id}"))
}

async fn concurrently() -> Result<(), Failure> {
    let started = Instant::now();
    let fetches: Vec<Deferred<String>> = (1..=4).map(|id| txaio::spawn(fetch(id))).collect();
    let results = txaio::gather(fetches, true).await?;
    for result in &results {
        match result {
            Ok(record) => println!("  gathered {record}"),
            Err(fail) => println!("  gathered a failure: {fail}"),
        }
    }
    println!("  4 fetches took {:?} together", started.elapsed());

    let (tick, fired) = (Instant::now(), txaio::create_future::<Duration>());
    let signal = fired.clone();
    txaio::call_later(Duration::from_millis(25), move || {
        let _ = txaio::resolve(&signal, tick.elapsed());
    });
    println!("  call_later(25 ms) ran after {:?}", fired.await?);
    Ok(())
}
// ANCHOR_END: async

#[txaio::main]
async fn main() -> Result<(), Failure> {
    println!("txaio tour on the {} runtime", txaio::current_runtime());
    println!("callback style:");
    callbacks();
    println!("as_future:");
    as_future();
    println!("async style:");
    concurrently().await?;
    println!("done");
    Ok(())
}

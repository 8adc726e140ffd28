//! The book, "Portable functions": what a `#[txaio::portable]` function does at run time, on every backend.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use txaio::{CancelledError, Deferred, Failure, Panic};

#[txaio::portable]
async fn double(n: u64) -> Result<u64, std::num::TryFromIntError> {
    txaio::sleep(Duration::from_millis(1))
        .await
        .expect("a sleep is never cancelled here");
    let small: u32 = u32::try_from(n)?;
    Ok(u64::from(small) * 2)
}

#[txaio::portable]
async fn greeting(name: String) -> String {
    format!("hello {name}")
}

#[txaio::portable]
async fn nothing() {}

#[txaio::portable]
async fn explode(message: &'static str) -> Result<(), Failure> {
    panic!("{message}");
}

#[txaio::portable]
async fn largest<T: PartialOrd + Clone + Send + Sync + 'static>(items: Vec<T>) -> Option<T> {
    items
        .iter()
        .fold(None, |best: Option<&T>, item| match best {
            Some(best) if best >= item => Some(best),
            _ => Some(item),
        })
        .cloned()
}

#[txaio::portable]
fn callback_style(value: u8) -> Deferred<u8> {
    let d = txaio::create_future();
    let target = d.clone();
    txaio::call_later(Duration::from_millis(1), move || {
        txaio::resolve(&target, value).unwrap();
    });
    d
}

#[txaio::test]
async fn an_async_fn_returns_an_awaitable_deferred() {
    let doubled: Deferred<u64> = double(21);
    assert_eq!(doubled.await.unwrap(), 42);
    assert_eq!(greeting("bob".to_owned()).await.unwrap(), "hello bob");
    nothing().await.unwrap();
    assert_eq!(largest(vec![3, 9, 2]).await.unwrap(), Some(9));
    assert_eq!(callback_style(5).await.unwrap(), 5);
}

#[txaio::test]
async fn the_deferred_accepts_add_callbacks() {
    let seen = Arc::new(AtomicUsize::new(0));
    let d = double(4);
    let counter = seen.clone();
    txaio::add_callbacks(
        &d,
        move |value| {
            counter.store(usize::try_from(*value).unwrap(), Ordering::SeqCst);
        },
        |failure| panic!("unexpected {failure}"),
    );
    d.clone().await.unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 8);
}

#[txaio::test]
async fn an_err_and_a_panic_both_arrive_as_failures() {
    let failure = double(u64::MAX).await.unwrap_err();
    assert!(failure.is::<std::num::TryFromIntError>());
    let failure = explode("portable body exploded").await.unwrap_err();
    assert!(failure.is::<Panic>());
    assert_eq!(
        txaio::failure_message(&failure),
        "Panic: portable body exploded"
    );
}

struct Guard(Deferred<()>);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = txaio::resolve(&self.0, ());
    }
}

#[txaio::portable]
async fn wait_forever(started: Deferred<()>, dropped: Deferred<()>) -> Result<(), Failure> {
    let _guard = Guard(dropped);
    txaio::resolve(&started, ())?;
    txaio::create_future::<()>().await?;
    unreachable!("nothing resolves the future above");
}

#[txaio::test]
async fn cancel_aborts_the_task() {
    let (started, dropped) = (txaio::create_future(), txaio::create_future());
    let task = wait_forever(started.clone(), dropped.clone());
    started.await.unwrap();
    txaio::cancel(&task);
    assert!(task.await.unwrap_err().is::<CancelledError>());
    dropped.await.unwrap();
}

struct Session {
    realm: String,
    calls: AtomicUsize,
}

#[txaio::portable]
impl Session {
    async fn join(self: Arc<Self>, attempt: u32) -> Result<String, Failure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(format!("{} #{attempt}", self.realm))
    }

    async fn into_realm(self) -> String {
        self.realm
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[txaio::test]
async fn an_impl_block_makes_each_method_portable() {
    let session = Arc::new(Session {
        realm: "realm1".to_owned(),
        calls: AtomicUsize::new(0),
    });
    assert_eq!(session.clone().join(2).await.unwrap(), "realm1 #2");
    assert_eq!(session.calls(), 1);
    let owned = Session {
        realm: "realm2".to_owned(),
        calls: AtomicUsize::new(0),
    };
    assert_eq!(owned.into_realm().await.unwrap(), "realm2");
}

#[txaio::portable]
async fn where_am_i() -> txaio::Runtime {
    txaio::current_runtime()
}

#[txaio::test]
async fn an_unpinned_function_runs_on_the_current_backend() {
    assert_eq!(where_am_i().await.unwrap(), txaio::current_runtime());
}

#[cfg(feature = "smol")]
#[txaio::portable(runtime = "smol")]
async fn on_smol() -> txaio::Runtime {
    txaio::sleep(Duration::from_millis(1))
        .await
        .expect("not cancelled");
    txaio::current_runtime()
}

#[cfg(feature = "smol")]
#[txaio::portable(runtime = "smol")]
fn callback_on_smol() -> Deferred<txaio::Runtime> {
    let d = txaio::create_future();
    let target = d.clone();
    let runtime = txaio::current_runtime();
    txaio::call_later(Duration::from_millis(1), move || {
        txaio::resolve(&target, runtime).unwrap();
    });
    d
}

#[cfg(feature = "smol")]
#[txaio::test]
async fn a_pinned_function_runs_on_its_backend_from_any_other() {
    assert_eq!(on_smol().await.unwrap(), txaio::Runtime::Smol);
    assert_eq!(callback_on_smol().await.unwrap(), txaio::Runtime::Smol);
}

/// A session whose state is a `Cell`: `&Counter` is not `Send`, so no task could hold it.
struct Counter {
    seen: Cell<usize>,
}

/// Not an `Error`, so not `Into<Failure>`: a typed error no deferred could carry.
#[derive(Debug, PartialEq, Eq)]
enum CounterError {
    TooMany(usize),
}

#[txaio::portable]
impl Counter {
    // Async without an await, as a method of a protocol's API often is (clippy would say so
    // of a plain `async fn` too).
    #[allow(clippy::unused_async)]
    async fn bump(&self, by: &str) -> Result<usize, CounterError> {
        let now = self.seen.get() + by.len();
        if now > 5 {
            return Err(CounterError::TooMany(now));
        }
        self.seen.set(now);
        Ok(now)
    }

    async fn bump_later(&self, by: &str) -> Result<usize, CounterError> {
        txaio::sleep(Duration::from_millis(1))
            .await
            .expect("a sleep is never cancelled here");
        self.bump(by).await
    }
}

#[txaio::test]
async fn a_borrowing_method_runs_in_its_callers_task_and_returns_its_typed_error() {
    let counter = Counter { seen: Cell::new(0) };
    // Polled once by hand with a waker that wakes nothing, it is done within that poll: the
    // body ran in this task, on this thread (a spawned body would leave it pending).
    let mut first = pin!(counter.bump("abc"));
    let polled = first.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    assert_eq!(polled, Poll::Ready(Ok(3)));
    // Never polled, never run (a task starts at once, awaited or not).
    drop(counter.bump("x"));
    assert_eq!(counter.seen.get(), 3);
    // Across an `.await` too, and the error is the method's own type, not a `Failure`.
    let error: CounterError = counter.bump_later("abcd").await.unwrap_err();
    assert_eq!(error, CounterError::TooMany(7));
    assert_eq!(counter.bump_later("ab").await, Ok(5));
}

#[txaio::portable(keep_signature)]
#[allow(clippy::unused_async)]
async fn parse_port(text: String) -> Result<u16, std::num::ParseIntError> {
    text.parse()
}

#[txaio::test]
async fn keep_signature_keeps_an_owned_fns_typed_error() {
    let error: std::num::ParseIntError = parse_port("http".to_owned()).await.unwrap_err();
    assert_eq!(error.to_string(), "invalid digit found in string");
    assert_eq!(parse_port("8080".to_owned()).await, Ok(8080));
}

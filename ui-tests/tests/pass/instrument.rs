//! `#[portable] #[tracing::instrument]`: the span covers the body, across its `.await`s, on
//! whichever thread the task runs.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Just enough of a subscriber to tell which span an event happens in.
#[derive(Default)]
struct Spans {
    next: AtomicU64,
    metadata: Mutex<HashMap<u64, &'static Metadata<'static>>>,
}

/// Each event's message, with the name of the span it happened in.
static SEEN: Mutex<Vec<(String, Option<&'static str>)>> = Mutex::new(Vec::new());

thread_local! {
    static ENTERED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

impl Subscriber for Spans {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.metadata.lock().unwrap().insert(id, span.metadata());
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let span = ENTERED.with(|entered| entered.borrow().last().copied());
        let name = span.map(|id| self.metadata.lock().unwrap()[&id].name());
        SEEN.lock()
            .unwrap()
            .push((event.metadata().name().to_owned(), name));
    }

    fn enter(&self, span: &Id) {
        ENTERED.with(|entered| entered.borrow_mut().push(span.into_u64()));
    }

    fn exit(&self, _: &Id) {
        ENTERED.with(|entered| entered.borrow_mut().pop());
    }
}

#[txaio::portable]
#[tracing::instrument]
async fn traced(peer: u8) -> u8 {
    txaio::sleep(Duration::from_millis(1)).await.ok();
    tracing::info!(name: "traced body", "after an await");
    peer
}

pub struct Session;

#[txaio::portable]
impl Session {
    #[tracing::instrument(skip(self))]
    async fn join(self: std::sync::Arc<Self>) {
        txaio::sleep(Duration::from_millis(1)).await.ok();
        tracing::info!(name: "join body", "after an await");
    }

    // Borrowing: kept as an `async fn`, which the instrumentation wraps as it is.
    #[tracing::instrument(skip(self))]
    async fn realm(&self, name: &str) -> usize {
        txaio::sleep(Duration::from_millis(1)).await.ok();
        tracing::info!(name: "realm body", "after an await");
        name.len()
    }
}

pub fn main() {
    tracing::subscriber::set_global_default(Spans::default()).expect("the only subscriber");
    for &runtime in txaio::Runtime::compiled() {
        txaio::__private::block_on(runtime, async {
            assert_eq!(traced(1).await.unwrap(), 1);
            std::sync::Arc::new(Session).join().await.unwrap();
            assert_eq!(Session.realm("realm1").await, 6);
        });
        // Only this case's events: other tests of the same program may log.
        let seen: Vec<_> = std::mem::take(&mut *SEEN.lock().unwrap())
            .into_iter()
            .filter(|(name, _)| name.ends_with(" body"))
            .collect();
        assert_eq!(
            seen,
            [
                ("traced body".to_owned(), Some("traced")),
                ("join body".to_owned(), Some("join")),
                ("realm body".to_owned(), Some("realm"))
            ],
            "on {runtime}"
        );
    }
}

//! `capture_logs`: every `tracing` event of the calling thread, as values a test can assert on.

use std::sync::{Arc, Mutex, PoisonError};

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use crate::log::{EventLine, LogLevel};

/// One record seen by [`capture_logs`].
///
/// # Examples
///
/// ```
/// let ((), records) = txaio::testutil::capture_logs(|| {
///     txaio::warn!(txaio::make_logger!(), "disk {}% full", 93);
/// });
/// let record: &txaio::testutil::CapturedLog = &records[0];
/// assert_eq!(record.level, txaio::LogLevel::Warn);
/// assert_eq!(record.namespace, module_path!());
/// assert_eq!(record.message, "disk 93% full");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedLog {
    /// Its level (`Critical` for an ERROR event carrying a `critical` field).
    pub level: LogLevel,
    /// Its namespace: the logger's module path (the `tracing` target).
    pub namespace: String,
    /// The formatted message, then any other fields as `name=value`.
    pub message: String,
}

/// Runs `f` and returns, beside its result, every `tracing` event emitted on this thread
/// inside it: txaio's own reports ("Unhandled error in Deferred", panicking callbacks), records
/// of txaio loggers, and other libraries' events.
///
/// # Examples
///
/// ```
/// let ((), logs) = txaio::testutil::capture_logs(|| {
///     let d = txaio::create_future::<u32>();
///     txaio::reject(&d, std::io::Error::other("lost")).unwrap();
///     drop(d); // nobody handled the failure
/// });
/// assert!(logs[0].message.starts_with("Unhandled error in Deferred: Error: lost"));
/// ```
pub fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, Vec<CapturedLog>) {
    let collector = Collector::default();
    let records = Arc::clone(&collector.records);
    let result = tracing::subscriber::with_default(collector, f);
    let records = std::mem::take(&mut *records.lock().unwrap_or_else(PoisonError::into_inner));
    (result, records)
}

#[derive(Default)]
struct Collector {
    records: Arc<Mutex<Vec<CapturedLog>>>,
}

impl Subscriber for Collector {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Ask each time: other threads may run under different subscribers.
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let line = EventLine::read(event);
        let record = CapturedLog {
            level: line.level(event),
            namespace: event.metadata().target().to_owned(),
            message: line.message + &line.fields,
        };
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

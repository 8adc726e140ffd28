//! `capture_logs`: every `tracing` event of the calling thread, as values a test can assert on.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

use crate::log::LogLevel;

/// One record seen by [`capture_logs`].
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
        let mut fields = Fields::default();
        event.record(&mut fields);
        let metadata = event.metadata();
        let level = match *metadata.level() {
            Level::ERROR if fields.critical => LogLevel::Critical,
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            Level::TRACE => LogLevel::Trace,
        };
        let namespace = metadata.target().to_owned();
        let record = CapturedLog {
            level,
            namespace,
            message: fields.message + &fields.others,
        };
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct Fields {
    message: String,
    others: String,
    critical: bool,
}

impl Visit for Fields {
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "critical" {
            self.critical = value;
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.others, " {}={value:?}", field.name());
        }
    }
}

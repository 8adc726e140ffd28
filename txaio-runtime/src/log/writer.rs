//! `start_logging`: txaio's plain writer, `2016-01-21T01:02:03-0100 message` per line.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use super::{EventLine, LogLevel, level_enabled, set_global_log_level};

/// Why [`start_logging`] did not start.
///
/// # Examples
///
/// ```
/// // An application that installed its own subscriber keeps it; txaio's writer steps aside.
/// tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default()).unwrap();
/// assert_eq!(
///     txaio::start_logging(txaio::LogLevel::Info),
///     Err(txaio::LoggingError::SubscriberAlreadySet),
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoggingError {
    /// `start_logging` had already been called; the first writer stays.
    AlreadyStarted,
    /// The application had installed its own global `tracing` subscriber, which keeps
    /// receiving txaio's records.
    SubscriberAlreadySet,
}

impl fmt::Display for LoggingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LoggingError::AlreadyStarted => "txaio logging was already started",
            LoggingError::SubscriberAlreadySet => {
                "a global tracing subscriber is already installed; txaio records go to it"
            }
        })
    }
}

impl std::error::Error for LoggingError {}

static STARTED: AtomicBool = AtomicBool::new(false);

/// Starts txaio's plain log writer on stderr, at `level` (txaio's `start_logging`).
///
/// Every line is `2016-01-21T01:02:03-0100 message`, in local time. The writer is installed as
/// the global `tracing` subscriber, so other libraries' `tracing` events appear too, and
/// `log`-crate records are forwarded to it (unless the application installed a `log` logger
/// of its own, which then keeps them). The level changes live with
/// [`set_global_log_level`](crate::set_global_log_level).
///
/// # Errors
///
/// [`LoggingError::AlreadyStarted`] on a second call; [`LoggingError::SubscriberAlreadySet`]
/// if the application installed its own global subscriber first.
///
/// # Examples
///
/// ```
/// txaio::start_logging(txaio::LogLevel::Debug).unwrap();
/// let log = txaio::make_logger!();
/// txaio::debug!(log, "Hopping {} times.", 42);
/// assert_eq!(txaio::start_logging(txaio::LogLevel::Info), Err(txaio::LoggingError::AlreadyStarted));
/// ```
pub fn start_logging(level: LogLevel) -> Result<(), LoggingError> {
    start_logging_with_writer(level, std::io::stderr())
}

/// [`start_logging`], writing to `writer` instead of stderr (a file, a buffer in a test).
///
/// # Errors
///
/// As [`start_logging`].
///
/// # Examples
///
/// ```
/// let log_file = std::env::temp_dir().join("txaio-doc-example.log");
/// let file = std::fs::File::create(&log_file).unwrap();
/// txaio::start_logging_with_writer(txaio::LogLevel::Info, file).unwrap();
/// txaio::info!(txaio::make_logger!(), "written to {}", log_file.display());
/// ```
pub fn start_logging_with_writer(
    level: LogLevel,
    writer: impl Write + Send + 'static,
) -> Result<(), LoggingError> {
    if STARTED.swap(true, Ordering::SeqCst) {
        return Err(LoggingError::AlreadyStarted);
    }
    let subscriber = PlainWriter {
        out: Mutex::new(Box::new(writer)),
    };
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        STARTED.store(false, Ordering::SeqCst);
        return Err(LoggingError::SubscriberAlreadySet);
    }
    set_global_log_level(level);
    // Fails only if the application set a `log` logger of its own; its records stay there.
    let _ = tracing_log::LogTracer::init();
    Ok(())
}

struct PlainWriter {
    out: Mutex<Box<dyn Write + Send>>,
}

impl Subscriber for PlainWriter {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Ask every time, so that the global level can change live.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let level = LogLevel::from_tracing(*metadata.level());
        // A critical record is an ERROR event; whether it is critical shows only in its fields.
        let level = if level == LogLevel::Error {
            LogLevel::Critical
        } else {
            level
        };
        level_enabled(level)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let line = EventLine::read(event);
        if !level_enabled(line.level(event)) {
            return;
        }
        let timestamp = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%z");
        let text = format!("{timestamp} {}{}\n", line.message, line.fields);
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        // A log line that cannot be written has nowhere else to go.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

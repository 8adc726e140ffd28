//! Reading a `tracing` event's fields into one line: txaio's writer and `capture_logs` both
//! show records this way.

use std::fmt::{self, Write as _};

use tracing::Event;
use tracing::field::{Field, Visit};

use super::LogLevel;

/// An event's message, its other fields as ` name=value`, and its txaio level.
#[derive(Default)]
pub(crate) struct EventLine {
    pub(crate) message: String,
    pub(crate) fields: String,
    critical: bool,
}

impl EventLine {
    pub(crate) fn read(event: &Event<'_>) -> EventLine {
        let mut line = EventLine::default();
        event.record(&mut line);
        line
    }

    /// The record's level: `Critical` for an ERROR event carrying `critical = true`.
    pub(crate) fn level(&self, event: &Event<'_>) -> LogLevel {
        match LogLevel::from_tracing(*event.metadata().level()) {
            LogLevel::Error if self.critical => LogLevel::Critical,
            level => level,
        }
    }
}

impl Visit for EventLine {
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "critical" {
            self.critical = value;
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => {
                let _ = write!(self.message, "{value:?}");
            }
            // Bookkeeping fields of `log` records forwarded by tracing-log.
            name if name.starts_with("log.") => {}
            name => {
                let _ = write!(self.fields, " {name}={value:?}");
            }
        }
    }
}

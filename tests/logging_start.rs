//! The book, "Logging": `start_logging`'s writer: line format, other libraries' `tracing` and `log`
//! records, live level changes, and the double-start error. One test: it installs the
//! process-wide subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use txaio::{LogLevel, LoggingError};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn take_lines(&self) -> Vec<String> {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap());
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// Whether `stamp` has the shape `2016-01-21T01:02:03-0100`.
fn is_timestamp(stamp: &str) -> bool {
    let shape: String = stamp
        .chars()
        .map(|c| if c.is_ascii_digit() { 'D' } else { c })
        .collect();
    shape == "DDDD-DD-DDTDD:DD:DD+DDDD" || shape == "DDDD-DD-DDTDD:DD:DD-DDDD"
}

/// The first line of each record, without its timestamp. A record's further lines (a
/// backtrace) carry no timestamp.
fn messages(buffer: &Buffer) -> Vec<String> {
    let lines = buffer.take_lines();
    if let Some(first) = lines.first() {
        assert!(
            is_timestamp(first.split(' ').next().unwrap_or("")),
            "{first:?}"
        );
    }
    lines
        .iter()
        .filter_map(|line| {
            let (stamp, message) = line.split_once(' ')?;
            is_timestamp(stamp).then(|| message.to_owned())
        })
        .collect()
}

#[test]
fn start_logging_writes_plain_lines_from_every_source() {
    println!("output before start_logging");
    let buffer = Buffer::default();
    txaio::start_logging_with_writer(LogLevel::Debug, buffer.clone()).unwrap();
    assert_eq!(txaio::global_log_level(), LogLevel::Debug);

    let log = txaio::make_logger!();
    let times = 42;
    log.debug(format_args!("Hopping {times} times."));
    log.trace(format_args!("not at debug level"));
    tracing::info!(target: "some_tracing_library", "a tracing event");
    tracing::warn!(peer = 7, "with a field");
    log::info!(target: "some_log_library", "a log record");
    log::trace!("a log record below the level");
    assert_eq!(
        messages(&buffer),
        [
            "Hopping 42 times.",
            "a tracing event",
            "with a field peer=7",
            "a log record"
        ]
    );

    // Live level changes, up and down, for txaio's loggers and everyone else's records.
    txaio::set_global_log_level(LogLevel::Warn);
    log.info(format_args!("hidden"));
    tracing::info!("hidden too");
    log::info!("and this");
    log.warn(format_args!("shown"));
    txaio::set_global_log_level(LogLevel::Trace);
    log.trace(format_args!("trace now shown"));
    log::trace!("log trace shown");
    txaio::set_global_log_level(LogLevel::Critical);
    log.error(format_args!("hidden error"));
    log.critical(format_args!("critical shown"));
    assert_eq!(
        messages(&buffer),
        [
            "shown",
            "trace now shown",
            "log trace shown",
            "critical shown"
        ]
    );

    // txaio's own reports arrive through the same writer.
    txaio::set_global_log_level(LogLevel::Info);
    drop(txaio::create_future_error::<u8>(std::io::Error::other(
        "nobody cared",
    )));
    let lines = messages(&buffer);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("Unhandled error in Deferred: Error: nobody cared"));

    assert_eq!(
        txaio::start_logging(LogLevel::Info),
        Err(LoggingError::AlreadyStarted)
    );
}

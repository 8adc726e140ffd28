//! Logging: txaio's `make_logger`, `start_logging` and levels, on top of `tracing`.
//!
//! Records of a [`Logger`] are `tracing` events whose target is the logger's namespace, so an
//! application's own subscriber sees them; [`start_logging`] installs txaio's plain writer for
//! applications that have none. A global level, changed live by [`set_global_log_level`],
//! gates every txaio logger before anything else happens: a disabled call is one atomic load.

mod fields;
mod level;
mod logger;
mod writer;

use std::sync::atomic::{AtomicU8, Ordering};

pub(crate) use fields::EventLine;
pub use level::{LogLevel, ParseLogLevelError};
pub use logger::Logger;
pub use writer::{LoggingError, start_logging, start_logging_with_writer};

static GLOBAL_LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Info as u8);

/// Sets the level of every txaio logger (and of txaio's writer, if started), live, up or down.
///
/// The default is `Info`. Python txaio's `set_global_log_level`.
///
/// # Examples
///
/// ```
/// txaio::set_global_log_level(txaio::LogLevel::Debug);
/// assert_eq!(txaio::global_log_level(), txaio::LogLevel::Debug);
/// txaio::set_global_log_level(txaio::LogLevel::Info);
/// ```
pub fn set_global_log_level(level: LogLevel) {
    GLOBAL_LEVEL.store(level as u8, Ordering::Relaxed);
}

/// The level set by [`set_global_log_level`] (or [`start_logging`]).
///
/// # Examples
///
/// ```
/// assert_eq!(txaio::global_log_level(), txaio::LogLevel::Info); // the default
/// ```
#[must_use]
pub fn global_log_level() -> LogLevel {
    LogLevel::from_index(GLOBAL_LEVEL.load(Ordering::Relaxed))
}

/// Whether a record at `level` passes the global level: one relaxed atomic load.
#[inline]
pub(crate) fn level_enabled(level: LogLevel) -> bool {
    level != LogLevel::None && level as u8 <= GLOBAL_LEVEL.load(Ordering::Relaxed)
}

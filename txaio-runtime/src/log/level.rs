//! Log levels (txaio's `log_levels`).

use std::error::Error;
use std::fmt;
use std::str::FromStr;

/// How much to log, from nothing to everything (txaio's level names).
///
/// Levels are ordered: `LogLevel::Warn < LogLevel::Debug` means debug is the more verbose.
///
/// # Examples
///
/// ```
/// use txaio::LogLevel;
///
/// let level: LogLevel = "debug".parse().unwrap();
/// assert_eq!(level, LogLevel::Debug);
/// assert!(LogLevel::Warn < LogLevel::Debug);
/// assert!("loud".parse::<LogLevel>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LogLevel {
    /// Nothing at all.
    None,
    /// Failures that stop the program or a whole component.
    Critical,
    /// Failures of one operation.
    Error,
    /// Something unexpected that was handled.
    Warn,
    /// What the program is doing, briefly.
    Info,
    /// Detail for whoever debugs the program.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// Every level, quietest first.
    pub const ALL: [LogLevel; 7] = [
        LogLevel::None,
        LogLevel::EMITTING[0],
        LogLevel::EMITTING[1],
        LogLevel::EMITTING[2],
        LogLevel::EMITTING[3],
        LogLevel::EMITTING[4],
        LogLevel::EMITTING[5],
    ];

    /// The levels a record can have: all but `None`, quietest first.
    pub(crate) const EMITTING: [LogLevel; 6] = [
        LogLevel::Critical,
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];

    pub(crate) fn from_index(index: u8) -> LogLevel {
        LogLevel::ALL
            .get(usize::from(index))
            .copied()
            .unwrap_or(LogLevel::Trace)
    }

    /// The `tracing` level records of this level are emitted at (`Critical` is `ERROR` with a
    /// `critical` field); `None` for `LogLevel::None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use txaio::LogLevel;
    ///
    /// assert_eq!(LogLevel::Critical.to_tracing(), Some(tracing::Level::ERROR));
    /// assert_eq!(LogLevel::None.to_tracing(), None);
    /// ```
    #[must_use]
    pub fn to_tracing(self) -> Option<tracing::Level> {
        match self {
            LogLevel::None => None,
            LogLevel::Critical | LogLevel::Error => Some(tracing::Level::ERROR),
            LogLevel::Warn => Some(tracing::Level::WARN),
            LogLevel::Info => Some(tracing::Level::INFO),
            LogLevel::Debug => Some(tracing::Level::DEBUG),
            LogLevel::Trace => Some(tracing::Level::TRACE),
        }
    }

    /// The level of a `tracing` level (`ERROR` is `Error`).
    ///
    /// # Examples
    ///
    /// ```
    /// use txaio::LogLevel;
    ///
    /// assert_eq!(LogLevel::from_tracing(tracing::Level::WARN), LogLevel::Warn);
    /// ```
    #[must_use]
    pub fn from_tracing(level: tracing::Level) -> LogLevel {
        match level {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warn,
            tracing::Level::INFO => LogLevel::Info,
            tracing::Level::DEBUG => LogLevel::Debug,
            tracing::Level::TRACE => LogLevel::Trace,
        }
    }

    /// The level's name, as [`FromStr`] accepts it.
    ///
    /// # Examples
    ///
    /// ```
    /// use txaio::LogLevel;
    ///
    /// assert_eq!(LogLevel::Debug.as_str(), "debug");
    /// assert_eq!("debug".parse::<LogLevel>(), Ok(LogLevel::Debug));
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::None => "none",
            LogLevel::Critical => "critical",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`LogLevel`].
///
/// # Examples
///
/// ```
/// let error = "loud".parse::<txaio::LogLevel>().unwrap_err();
/// assert!(error.to_string().starts_with("unknown log level `loud`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLogLevelError {
    given: String,
}

impl fmt::Display for ParseLogLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown log level `{}`; expected one of none, critical, error, warn, info, debug, trace",
            self.given
        )
    }
}

impl Error for ParseLogLevelError {}

impl FromStr for LogLevel {
    type Err = ParseLogLevelError;

    fn from_str(name: &str) -> Result<LogLevel, ParseLogLevelError> {
        LogLevel::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| ParseLogLevelError {
                given: name.to_owned(),
            })
    }
}

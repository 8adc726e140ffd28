//! `Logger` and `make_logger!`: txaio's logging API, emitting `tracing` events whose target is
//! the logger's namespace.
//!
//! `tracing` callsites are static, one per macro call site, but a txaio logger's namespace is
//! known only where `make_logger!()` runs. So each namespace gets its own callsites, made once
//! (per namespace and level), leaked, and registered with `tracing` like any macro's: the
//! application's subscriber sees a real target and filters it as usual.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use tracing::callsite::{Callsite, Identifier};
use tracing::field::{FieldSet, Value};
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata};

use super::{LogLevel, level_enabled};

/// A logger for one namespace (txaio's `ILogger`), made by [`make_logger!`](crate::make_logger).
///
/// Its methods take `format_args!`, with named and captured arguments; the `txaio::info!`-style
/// macros read shorter. Records below the global level
/// ([`set_global_log_level`](crate::set_global_log_level)) cost one atomic load.
///
/// # Examples
///
/// ```
/// struct Bunny {
///     log: txaio::Logger,
/// }
///
/// impl Bunny {
///     fn hop(&self, times: u32) {
///         self.log.trace(format_args!("Bunny.hop(times={times})"));
///         self.log.debug(format_args!("Hopping {times} times."));
///         txaio::info!(self.log, "Hopped {} times", times);
///     }
/// }
///
/// let jack = Bunny { log: txaio::make_logger!() };
/// assert_eq!(jack.log.namespace(), module_path!());
/// jack.hop(42);
/// ```
#[derive(Clone, Copy)]
pub struct Logger {
    sites: &'static NamespaceSites,
}

struct NamespaceSites {
    namespace: &'static str,
    /// One callsite per level, `Critical` first.
    levels: [&'static DynamicCallsite; 6],
}

const MESSAGE_ONLY: &[&str] = &["message"];
const MESSAGE_AND_CRITICAL: &[&str] = &["message", "critical"];

struct DynamicCallsite {
    metadata: OnceLock<Metadata<'static>>,
    interest: AtomicU8,
}

const NEVER: u8 = 0;
const SOMETIMES: u8 = 1;
const ALWAYS: u8 = 2;

impl Callsite for DynamicCallsite {
    fn set_interest(&self, interest: Interest) {
        let value = if interest.is_never() {
            NEVER
        } else if interest.is_always() {
            ALWAYS
        } else {
            SOMETIMES
        };
        self.interest.store(value, Ordering::Relaxed);
    }

    fn metadata(&self) -> &Metadata<'_> {
        // Set in `DynamicCallsite::leak` before the callsite is registered or shared.
        self.metadata
            .get()
            .expect("callsite metadata is set before registration")
    }
}

impl DynamicCallsite {
    fn leak(namespace: &'static str, level: LogLevel) -> &'static DynamicCallsite {
        let callsite: &'static DynamicCallsite = Box::leak(Box::new(DynamicCallsite {
            metadata: OnceLock::new(),
            interest: AtomicU8::new(SOMETIMES),
        }));
        let names = if level == LogLevel::Critical {
            MESSAGE_AND_CRITICAL
        } else {
            MESSAGE_ONLY
        };
        let tracing_level = level.to_tracing().unwrap_or(tracing::Level::TRACE);
        let metadata = Metadata::new(
            "txaio log record",
            namespace,
            tracing_level,
            None,
            None,
            Some(namespace),
            FieldSet::new(names, Identifier(callsite)),
            Kind::EVENT,
        );
        let _ = callsite.metadata.set(metadata);
        tracing::callsite::register(callsite);
        callsite
    }

    fn metadata_static(&'static self) -> &'static Metadata<'static> {
        self.metadata
            .get()
            .expect("callsite metadata is set before registration")
    }
}

fn sites_for(namespace: &'static str) -> &'static NamespaceSites {
    static REGISTRY: OnceLock<Mutex<HashMap<&'static str, &'static NamespaceSites>>> =
        OnceLock::new();
    let registry = REGISTRY.get_or_init(Default::default);
    let mut registry = registry.lock().unwrap_or_else(PoisonError::into_inner);
    registry.entry(namespace).or_insert_with(|| {
        let levels = LogLevel::EMITTING.map(|level| DynamicCallsite::leak(namespace, level));
        Box::leak(Box::new(NamespaceSites { namespace, levels }))
    })
}

impl Logger {
    /// A logger for `namespace`; [`make_logger!`](crate::make_logger) passes `module_path!()`.
    ///
    /// Loggers of one namespace share their `tracing` callsites, made on first use.
    ///
    /// # Examples
    ///
    /// ```
    /// let log = txaio::Logger::new("my_protocol::session");
    /// assert_eq!(log.namespace(), "my_protocol::session");
    /// ```
    #[must_use]
    pub fn new(namespace: &'static str) -> Logger {
        Logger {
            sites: sites_for(namespace),
        }
    }

    /// The namespace: the module that made the logger.
    ///
    /// # Examples
    ///
    /// ```
    /// let log = txaio::make_logger!();
    /// assert_eq!(log.namespace(), module_path!());
    /// ```
    #[must_use]
    pub fn namespace(&self) -> &str {
        self.sites.namespace
    }

    /// Logs at `level` (does nothing for `LogLevel::None`).
    ///
    /// # Examples
    ///
    /// ```
    /// let log = txaio::make_logger!();
    /// let level: txaio::LogLevel = "warn".parse().unwrap(); // e.g. from a config file
    /// log.log(level, format_args!("peer {} is slow", "p1"));
    /// ```
    #[inline]
    pub fn log(&self, level: LogLevel, message: fmt::Arguments<'_>) {
        if level_enabled(level) {
            self.emit(level, message);
        }
    }

    /// Logs a failure that stops the program or a component (`ERROR` with `critical = true`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
    /// let log = txaio::make_logger!();
    /// log.critical(format_args!("router unreachable, giving up"));
    /// # let _ = (id, secs, realm, len, state);
    /// ```
    #[inline]
    pub fn critical(&self, message: fmt::Arguments<'_>) {
        self.log(LogLevel::Critical, message);
    }

    /// Logs the failure of one operation.
    ///
    /// # Examples
    ///
    /// ```
    /// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
    /// let log = txaio::make_logger!();
    /// log.error(format_args!("call {id} failed"));
    /// # let _ = (id, secs, realm, len, state);
    /// ```
    #[inline]
    pub fn error(&self, message: fmt::Arguments<'_>) {
        self.log(LogLevel::Error, message);
    }

    /// Logs something unexpected that was handled.
    ///
    /// # Examples
    ///
    /// ```
    /// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
    /// let log = txaio::make_logger!();
    /// log.warn(format_args!("retrying in {secs} s"));
    /// # let _ = (id, secs, realm, len, state);
    /// ```
    #[inline]
    pub fn warn(&self, message: fmt::Arguments<'_>) {
        self.log(LogLevel::Warn, message);
    }

    /// Logs what the program is doing.
    ///
    /// # Examples
    ///
    /// ```
    /// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
    /// let log = txaio::make_logger!();
    /// log.info(format_args!("joined realm {realm}"));
    /// # let _ = (id, secs, realm, len, state);
    /// ```
    #[inline]
    pub fn info(&self, message: fmt::Arguments<'_>) {
        self.log(LogLevel::Info, message);
    }

    /// Logs detail for whoever debugs the program.
    ///
    /// # Examples
    ///
    /// ```
    /// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
    /// let log = txaio::make_logger!();
    /// log.debug(format_args!("frame of {len} bytes"));
    /// # let _ = (id, secs, realm, len, state);
    /// ```
    #[inline]
    pub fn debug(&self, message: fmt::Arguments<'_>) {
        self.log(LogLevel::Debug, message);
    }

    /// Logs everything.
    ///
    /// # Examples
    ///
    /// ```
    /// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
    /// let log = txaio::make_logger!();
    /// log.trace(format_args!("state is {state:?}"));
    /// # let _ = (id, secs, realm, len, state);
    /// ```
    #[inline]
    pub fn trace(&self, message: fmt::Arguments<'_>) {
        self.log(LogLevel::Trace, message);
    }

    #[cold]
    fn emit(self, level: LogLevel, message: fmt::Arguments<'_>) {
        let Some(callsite) = self.sites.levels.get(level as usize - 1) else {
            return;
        };
        let metadata = callsite.metadata_static();
        let interest = callsite.interest.load(Ordering::Relaxed);
        // One look at the current dispatcher: `None` when there is no subscriber at all.
        let enabled = tracing::dispatcher::get_default(|dispatch| {
            if dispatch.is::<tracing::subscriber::NoSubscriber>() {
                None
            } else {
                Some(interest == ALWAYS || (interest == SOMETIMES && dispatch.enabled(metadata)))
            }
        });
        match enabled {
            None => return forward_to_log(metadata, level, message),
            Some(false) => return,
            Some(true) => {}
        }
        let fields = metadata.fields();
        let Some(message_field) = fields.field("message") else {
            return;
        };
        if let Some(critical_field) = fields.field("critical") {
            let values: [(&_, Option<&dyn Value>); 2] = [
                (&message_field, Some(&message)),
                (&critical_field, Some(&true)),
            ];
            Event::dispatch(metadata, &fields.value_set(&values));
        } else {
            let values: [(&_, Option<&dyn Value>); 1] = [(&message_field, Some(&message))];
            Event::dispatch(metadata, &fields.value_set(&values));
        }
    }
}

/// With no `tracing` subscriber anywhere, an application logging through the `log` crate
/// still sees txaio's records, with the namespace as target.
fn forward_to_log(metadata: &Metadata<'static>, level: LogLevel, message: fmt::Arguments<'_>) {
    let log_level = match level {
        LogLevel::None => return,
        LogLevel::Critical | LogLevel::Error => log::Level::Error,
        LogLevel::Warn => log::Level::Warn,
        LogLevel::Info => log::Level::Info,
        LogLevel::Debug => log::Level::Debug,
        LogLevel::Trace => log::Level::Trace,
    };
    if log_level > log::max_level() {
        return;
    }
    let logger = log::logger();
    let record = log::Record::builder()
        .level(log_level)
        .target(metadata.target())
        .module_path_static(metadata.module_path())
        .args(message)
        .build();
    logger.log(&record);
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("namespace", &self.sites.namespace)
            .finish()
    }
}

/// A [`Logger`] whose namespace is the calling module (txaio's `make_logger()`).
///
/// # Examples
///
/// ```
/// let log = txaio::make_logger!();
/// log.info(format_args!("starting up"));
/// ```
#[macro_export]
macro_rules! make_logger {
    () => {
        $crate::Logger::new(::core::module_path!())
    };
}

/// Logs at critical level: `txaio::critical!(log, "lost {peer}")`.
///
/// # Examples
///
/// ```
/// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
/// let log = txaio::make_logger!();
/// txaio::critical!(log, "router unreachable, giving up");
/// # let _ = (id, secs, realm, len, state);
/// ```
#[macro_export]
macro_rules! critical {
    ($logger:expr, $($arg:tt)+) => {
        $logger.critical(::core::format_args!($($arg)+))
    };
}

/// Logs at error level: `txaio::error!(log, "call {id} failed")`.
///
/// # Examples
///
/// ```
/// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
/// let log = txaio::make_logger!();
/// txaio::error!(log, "call {id} failed");
/// # let _ = (id, secs, realm, len, state);
/// ```
#[macro_export]
macro_rules! error {
    ($logger:expr, $($arg:tt)+) => {
        $logger.error(::core::format_args!($($arg)+))
    };
}

/// Logs at warn level: `txaio::warn!(log, "retrying in {secs}s")`.
///
/// # Examples
///
/// ```
/// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
/// let log = txaio::make_logger!();
/// txaio::warn!(log, "retrying in {secs} s");
/// # let _ = (id, secs, realm, len, state);
/// ```
#[macro_export]
macro_rules! warn {
    ($logger:expr, $($arg:tt)+) => {
        $logger.warn(::core::format_args!($($arg)+))
    };
}

/// Logs at info level: `txaio::info!(log, "Hopping {times} times.")`, the same as
/// `log.info(format_args!("Hopping {times} times."))`.
///
/// # Examples
///
/// ```
/// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
/// let log = txaio::make_logger!();
/// txaio::info!(log, "joined realm {realm}");
/// # let _ = (id, secs, realm, len, state);
/// ```
#[macro_export]
macro_rules! info {
    ($logger:expr, $($arg:tt)+) => {
        $logger.info(::core::format_args!($($arg)+))
    };
}

/// Logs at debug level: `txaio::debug!(log, "frame {n}")`.
///
/// # Examples
///
/// ```
/// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
/// let log = txaio::make_logger!();
/// txaio::debug!(log, "frame of {len} bytes");
/// # let _ = (id, secs, realm, len, state);
/// ```
#[macro_export]
macro_rules! debug {
    ($logger:expr, $($arg:tt)+) => {
        $logger.debug(::core::format_args!($($arg)+))
    };
}

/// Logs at trace level: `txaio::trace!(log, "bytes {bytes:?}")`.
///
/// # Examples
///
/// ```
/// let (id, secs, realm, len, state) = (7, 2, "realm1", 128, Some(3));
/// let log = txaio::make_logger!();
/// txaio::trace!(log, "state is {state:?}");
/// # let _ = (id, secs, realm, len, state);
/// ```
#[macro_export]
macro_rules! trace {
    ($logger:expr, $($arg:tt)+) => {
        $logger.trace(::core::format_args!($($arg)+))
    };
}

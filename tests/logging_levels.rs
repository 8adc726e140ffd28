//! The book, "Logging": loggers, levels and namespaces, observed with `capture_logs`.
//!
//! The global level is process-wide and tests run in parallel, so the test that changes it
//! has a binary of its own, `logging_live_level.rs`.

use txaio::LogLevel;
use txaio::testutil::capture_logs;

mod bunny {
    pub(crate) fn logger() -> txaio::Logger {
        txaio::make_logger!()
    }
}

#[test]
fn the_namespace_is_the_calling_module() {
    let log = bunny::logger();
    assert_eq!(log.namespace(), "logging_levels::bunny");
    let ((), logs) = capture_logs(|| log.warn(format_args!("Fox spotted!")));
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].namespace, "logging_levels::bunny");
    assert_eq!(logs[0].level, LogLevel::Warn);
    assert_eq!(logs[0].message, "Fox spotted!");
}

#[test]
fn messages_take_named_and_captured_arguments() {
    let log = txaio::make_logger!();
    let times = 42;
    let ((), logs) = capture_logs(|| {
        log.info(format_args!("Hopping {times} times."));
        log.info(format_args!("Bunny.hop(times={count})", count = times + 1));
        txaio::info!(log, "macro form {}", times);
    });
    let messages: Vec<_> = logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        messages,
        ["Hopping 42 times.", "Bunny.hop(times=43)", "macro form 42"]
    );
}

#[test]
fn critical_is_an_error_event_with_a_critical_marker() {
    let log = txaio::make_logger!();
    let ((), logs) = capture_logs(|| {
        txaio::critical!(log, "the reactor melted");
        txaio::error!(log, "one call failed");
    });
    assert_eq!(logs[0].level, LogLevel::Critical);
    assert_eq!(logs[1].level, LogLevel::Error);
}

#[test]
fn level_names_parse_and_unknown_ones_are_a_clear_error() {
    for level in LogLevel::ALL {
        assert_eq!(level.as_str().parse::<LogLevel>(), Ok(level));
    }
    assert_eq!("DEBUG".parse::<LogLevel>(), Ok(LogLevel::Debug));
    let error = "verbose".parse::<LogLevel>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown log level `verbose`; expected one of none, critical, error, warn, info, debug, trace"
    );
}

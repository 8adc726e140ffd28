//! The book, "Logging": each level filtered, and the global level changed live both ways. Alone in its
//! binary: the global level is process-wide.

use txaio::LogLevel;
use txaio::testutil::capture_logs;

#[test]
fn each_level_is_filtered_and_the_level_changes_live_both_ways() {
    let log = txaio::make_logger!();
    let emit_all = || {
        capture_logs(|| {
            txaio::critical!(log, "critical");
            txaio::error!(log, "error");
            txaio::warn!(log, "warn");
            txaio::info!(log, "info");
            txaio::debug!(log, "debug");
            txaio::trace!(log, "trace");
        })
        .1
        .into_iter()
        .map(|record| record.message)
        .collect::<Vec<_>>()
    };
    let expected = ["critical", "error", "warn", "info", "debug", "trace"];
    assert_eq!(
        txaio::global_log_level(),
        LogLevel::Info,
        "the default level"
    );
    for (count, level) in LogLevel::ALL.into_iter().enumerate() {
        txaio::set_global_log_level(level);
        assert_eq!(emit_all(), expected[..count], "at level {level}");
    }
    // And down again, live.
    txaio::set_global_log_level(LogLevel::Warn);
    assert_eq!(emit_all(), ["critical", "error", "warn"]);
    txaio::set_global_log_level(LogLevel::Debug);
    assert_eq!(emit_all(), expected[..5]);
    txaio::set_global_log_level(LogLevel::Info);
}

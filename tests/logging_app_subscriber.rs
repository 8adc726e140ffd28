//! The book, "Logging": an application with its own `tracing` subscriber sees txaio's records, with the
//! namespace as target, and `start_logging` afterwards is an error, not a panic.

use txaio::LoggingError;
use txaio::testutil::capture_logs;

#[test]
fn an_application_subscriber_keeps_txaio_records_and_start_logging_is_refused() {
    // Any global subscriber will do; capture_logs's collector is used through its scoped form,
    // so install a plain one globally.
    tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::new()).unwrap();
    assert_eq!(
        txaio::start_logging(txaio::LogLevel::Info),
        Err(LoggingError::SubscriberAlreadySet)
    );
    // The application's (scoped) subscriber sees txaio's records with their namespace.
    let log = txaio::make_logger!();
    let ((), logs) = capture_logs(|| log.info(format_args!("to the app")));
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].namespace, module_path!());
}

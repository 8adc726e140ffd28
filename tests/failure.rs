//! Failures, as the `Failure` docs and the book's "Deferreds and callbacks" (failures) describe them.

use std::backtrace::BacktraceStatus;
use std::fmt;

use txaio::{CancelledError, Failure, TimeoutError};

#[derive(Debug)]
struct ParseError<T>(T);

impl<T: fmt::Debug> fmt::Display for ParseError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot parse {:?}", self.0)
    }
}

impl<T: fmt::Debug> std::error::Error for ParseError<T> {}

#[txaio::test]
async fn failure_message_uses_the_short_type_name() {
    let io = txaio::create_failure(std::io::Error::other("it failed"));
    assert_eq!(txaio::failure_message(&io), "Error: it failed");
    let parse = txaio::create_failure(ParseError(8u8));
    assert_eq!(txaio::failure_message(&parse), "ParseError: cannot parse 8");
    assert_eq!(
        txaio::failure_message(&Failure::msg("plain")),
        "Error: plain"
    );
    assert!(!txaio::failure_message(&parse).contains('\n'));
}

#[txaio::test]
async fn is_and_downcast_ref_see_the_error_inside() {
    let failure = Failure::new(ParseError("x"));
    assert!(failure.is::<ParseError<&str>>());
    assert!(!failure.is::<ParseError<u8>>());
    assert!(!failure.is::<CancelledError>());
    assert_eq!(failure.downcast_ref::<ParseError<&str>>().unwrap().0, "x");
    assert_eq!(failure.value().to_string(), "cannot parse \"x\"");
}

#[txaio::test]
async fn txaio_errors_are_std_errors_and_answer_is() {
    fn as_error(_: &dyn std::error::Error) {}
    as_error(&txaio::AlreadyCalledError);
    as_error(&CancelledError);
    as_error(&TimeoutError);
    assert!(Failure::from(TimeoutError).is::<TimeoutError>());
    assert!(Failure::from(CancelledError).is::<CancelledError>());
}

#[txaio::test]
async fn clones_share_one_error() {
    let failure = Failure::msg("shared");
    let copy = failure.clone();
    assert!(std::ptr::eq(failure.value(), copy.value()));
}

#[txaio::test]
async fn format_traceback_starts_with_the_message_and_lists_sources() {
    let inner = std::io::Error::other(ParseError(1u8));
    let failure = Failure::new(inner);
    let text = txaio::failure_format_traceback(&failure);
    assert!(text.starts_with("Error: cannot parse 1"), "{text}");
}

// One test, not two: `set_debugging` is process-wide and tests run in parallel.
#[test]
fn backtraces_are_captured_only_when_asked_for() {
    let asked = ["RUST_BACKTRACE", "RUST_LIB_BACKTRACE"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|value| value != "0"));
    if !asked {
        let failure = txaio::create_failure(std::fmt::Error);
        assert_eq!(
            txaio::failure_traceback(&failure).status(),
            BacktraceStatus::Disabled
        );
    }
    txaio::set_debugging(true);
    let failure = txaio::create_failure(std::fmt::Error);
    txaio::set_debugging(false);
    assert_eq!(
        txaio::failure_traceback(&failure).status(),
        BacktraceStatus::Captured
    );
    assert!(txaio::failure_format_traceback(&failure).contains("backtrace:"));
}

/// Marks the child process of the test below.
const CHILD: &str = "TXAIO_TEST_BACKTRACE_CHILD";

/// With `RUST_BACKTRACE=1` (which production services often set), a cancel, a timeout or a
/// stopped runtime made a backtrace each: a cancel cost 4.7 µs instead of 0.3 µs. These
/// signals of txaio's machinery capture one only while debugging; panics and the
/// application's own errors still follow `RUST_BACKTRACE`. Runs itself again in a child
/// process with `RUST_BACKTRACE=1` (std reads it once per process), so that the check never
/// depends on the environment of the run, and `set_debugging` there races no other test.
#[test]
fn cancel_with_rust_backtrace_captures_no_backtrace_unless_debugging() {
    if std::env::var_os(CHILD).is_none() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "cancel_with_rust_backtrace_captures_no_backtrace_unless_debugging",
                "--exact",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("RUST_BACKTRACE", "1")
            .env_remove("RUST_LIB_BACKTRACE")
            .status()
            .unwrap();
        assert!(status.success(), "the child run failed: {status}");
        return;
    }
    let status = |failure: &Failure| txaio::failure_traceback(failure).status();
    let cancelled = || {
        let d = txaio::create_future::<u8>();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let slot = seen.clone();
        txaio::add_callbacks(
            &d,
            |_| {},
            move |failure| {
                *slot.lock().unwrap() = Some(failure.clone());
            },
        );
        txaio::cancel(&d);
        let failure = seen.lock().unwrap().take();
        failure.expect("the cancel failed the deferred")
    };
    let signals = [
        cancelled(),
        Failure::new(CancelledError),
        Failure::new(TimeoutError),
        Failure::new(txaio::blocking::RuntimeStoppedError),
        Failure::new(txaio::RuntimeThreadError),
    ];
    for failure in &signals {
        assert_eq!(status(failure), BacktraceStatus::Disabled, "{failure}");
    }
    // The application's errors and panics keep theirs.
    assert_eq!(
        status(&Failure::new(std::fmt::Error)),
        BacktraceStatus::Captured
    );
    let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    assert_eq!(
        status(&Failure::from_panic(&*payload)),
        BacktraceStatus::Captured
    );
    // While debugging, the signals have theirs too.
    txaio::set_debugging(true);
    let debugged = [cancelled(), Failure::new(TimeoutError)];
    txaio::set_debugging(false);
    for failure in &debugged {
        assert_eq!(status(failure), BacktraceStatus::Captured, "{failure}");
    }
}

//! Ports of Twisted's `test_defer.py` tests of `setDebugging` (`AlreadyCalledTests`,
//! `LogTests.test_errorLogDebugInfo`), named after the Twisted test. Debugging is
//! process-wide, so this binary holds only these tests and runs them one at a time.

use std::sync::{Mutex, MutexGuard, PoisonError};

use txaio::testutil::capture_logs;
use txaio::{AlreadyCalledError, Deferred};

static DEBUGGING: Mutex<()> = Mutex::new(());

/// Debugging set for the guard's life (Twisted's `setUp`/`tearDown`).
struct Debugging {
    _serial: MutexGuard<'static, ()>,
}

impl Debugging {
    fn set(on: bool) -> Self {
        let serial = DEBUGGING.lock().unwrap_or_else(PoisonError::into_inner);
        txaio::set_debugging(on);
        Debugging { _serial: serial }
    }
}

impl Drop for Debugging {
    fn drop(&mut self) {
        txaio::set_debugging(false);
    }
}

/// Each returns the line it fires on.
fn call_1(d: &Deferred<&'static str>) -> u32 {
    let line = line!() + 1;
    txaio::resolve(d, "hello").unwrap();
    line
}

fn call_2(d: &Deferred<&'static str>) -> (AlreadyCalledError, u32) {
    let line = line!() + 1;
    (txaio::resolve(d, "twice").unwrap_err(), line)
}

fn err_1(d: &Deferred<&'static str>) -> u32 {
    let line = line!() + 1;
    txaio::reject(d, std::io::Error::other("runtime error")).unwrap();
    line
}

fn err_2(d: &Deferred<&'static str>) -> (AlreadyCalledError, u32) {
    let line = line!() + 1;
    (
        txaio::reject(d, std::io::Error::other("runtime error")).unwrap_err(),
        line,
    )
}

fn fresh() -> Deferred<&'static str> {
    let d = txaio::create_future();
    txaio::add_callbacks(&d, |_| {}, |_| {});
    d
}

/// The error names the first firing, not the second (Twisted's `_check`).
fn check((error, second): (AlreadyCalledError, u32), first: u32) {
    let fired = error
        .first_fired()
        .expect("debugging records the first firing");
    assert_eq!((fired.file(), fired.line()), (file!(), first), "{error}");
    let text = error.to_string();
    assert!(text.contains(&format!("{}:{first}", file!())), "{text}");
    assert!(!text.contains(&format!(":{second}")), "{text}");
}

#[test]
fn test_already_called_cc() {
    let _debugging = Debugging::set(true);
    let d = fresh();
    let first = call_1(&d);
    let second = call_2(&d);
    assert_ne!(
        second.0,
        txaio::AlreadyCalledError,
        "it names its first firing"
    );
    check(second, first);
}

#[test]
fn test_already_called_ce() {
    let _debugging = Debugging::set(true);
    let d = fresh();
    let first = call_1(&d);
    check(err_2(&d), first);
}

#[test]
fn test_already_called_ee() {
    let _debugging = Debugging::set(true);
    let d = fresh();
    let first = err_1(&d);
    check(err_2(&d), first);
}

#[test]
fn test_already_called_ec() {
    let _debugging = Debugging::set(true);
    let d = fresh();
    let first = err_1(&d);
    check(call_2(&d), first);
}

#[test]
fn test_no_debugging() {
    let _debugging = Debugging::set(false);
    let d = fresh();
    call_1(&d);
    let (error, _) = call_2(&d);
    assert_eq!(error.first_fired(), None);
    assert_eq!(error.to_string(), "the deferred has already fired");
}

#[test]
fn test_switch_debugging() {
    // Deferreds made with debugging off and fired with it on (and the reverse) work.
    let debugging = Debugging::set(false);
    let d = txaio::create_future::<()>();
    let both = txaio::add_both(&d, |_| Ok::<_, txaio::Failure>(()));
    txaio::set_debugging(true);
    txaio::resolve(&d, ()).unwrap();
    assert_eq!(txaio::resolve(&d, ()).unwrap_err().first_fired(), None);
    txaio::set_debugging(false);
    let d = txaio::create_future::<()>();
    txaio::resolve(&d, ()).unwrap();
    txaio::set_debugging(true);
    assert!(txaio::is_called(&both));
    drop(debugging);
}

#[test]
fn test_error_log_debug_info() {
    let _debugging = Debugging::set(true);
    let (then_line, logs) = capture_logs(|| {
        let d = txaio::create_future::<u32>();
        let then_line = line!() + 1;
        let chained = txaio::then(&d, |n| u32::try_from(i64::from(n) - 2));
        txaio::resolve(&d, 1).unwrap();
        drop((d, chained));
        then_line
    });
    assert_eq!(logs.len(), 1, "{logs:?}");
    let report = &logs[0].message;
    assert!(
        report.starts_with("Unhandled error in Deferred: TryFromIntError"),
        "{report}"
    );
    // The failed deferred is the chained one: created by `then` on its line, fired inside
    // txaio when `d` fired; the report names both sites and carries both backtraces.
    assert!(
        report.contains(&format!("created at {}:{then_line}", file!())),
        "{report}"
    );
    assert!(report.contains("and first fired at "), "{report}");
    assert!(report.contains("\ncreated:\n"), "{report}");
    assert!(report.contains("\nfired:\n"), "{report}");
}

#[test]
fn the_unhandled_report_names_where_a_deferred_was_created_and_fired() {
    let _debugging = Debugging::set(true);
    let (lines, logs) = capture_logs(|| {
        let created = line!() + 1;
        let d = txaio::create_future::<u32>();
        let fired = line!() + 1;
        txaio::reject(&d, std::io::Error::other("nobody listened")).unwrap();
        drop(d);
        (created, fired)
    });
    assert_eq!(logs.len(), 1, "{logs:?}");
    let report = &logs[0].message;
    assert!(
        report.contains(&format!("created at {}:{}", file!(), lines.0)),
        "{report}"
    );
    assert!(
        report.contains(&format!("first fired at {}:{}", file!(), lines.1)),
        "{report}"
    );
}

/// Not Twisted's: a get that finds a value stored takes the firing path while debugging
/// (to record where it fired), and must still give the value back when dropped unseen (a
/// select's losing branch), as it does with debugging off.
#[test]
fn a_stored_value_got_while_debugging_and_dropped_unseen_goes_back() {
    let _debugging = Debugging::set(true);
    let queue = txaio::DeferredQueue::new(None, None);
    queue.put(1).unwrap();
    drop(queue.get().unwrap());
    assert_eq!(queue.try_get(), Some(1), "the value came back to the queue");
}

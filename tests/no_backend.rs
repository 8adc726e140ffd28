//! A build with no backend, as a library is built on its own (docs.rs, `cargo publish`): the
//! callback-style core works, and a call that needs a runtime panics with the message that
//! names the features, instead of failing to compile.
//!
//! Runs as `cargo test -p txaio --no-default-features --test no_backend` (in CI); with a
//! backend compiled there is nothing to check here.
#![cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]

use std::time::Duration;

const MESSAGE: &str = "txaio needs a runtime backend: enable one of the cargo features `tokio` (the default), `smol` or `async-std`";

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("a runtime-dependent call panics");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_default()
}

#[test]
fn no_backend_is_compiled() {
    assert!(txaio::Runtime::compiled().is_empty());
    assert!(!txaio::Runtime::Tokio.is_compiled());
}

#[test]
fn callback_style_needs_no_runtime() {
    let d = txaio::create_future::<u32>();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let into = std::sync::Arc::clone(&seen);
    txaio::add_callback(&d, move |value| {
        into.store(*value, std::sync::atomic::Ordering::SeqCst);
    });
    txaio::resolve(&d, 7).expect("fires once");
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 7);
    let chained = txaio::then(&d, |value| Ok::<_, txaio::Failure>(value * 6));
    assert!(txaio::is_called(&chained));
}

#[test]
fn the_virtual_clock_needs_no_runtime() {
    txaio::testutil::replace_loop(|clock| {
        let timer = txaio::call_later(Duration::from_secs(1), || {});
        clock.advance(Duration::from_secs(1));
        assert!(!timer.active());
    });
}

#[test]
fn a_call_that_needs_a_runtime_panics_naming_the_features() {
    let message = panic_message(|| {
        let _ = txaio::spawn(async { Ok::<_, txaio::Failure>(()) });
    });
    assert!(message.contains(MESSAGE), "{message}");
    let message = panic_message(|| {
        txaio::call_later(Duration::from_millis(1), || {});
    });
    assert!(message.contains(MESSAGE), "{message}");
    let message = panic_message(|| {
        txaio::__private::block_on_default(async {});
    });
    assert!(message.contains(MESSAGE), "{message}");
}

//! Runtime selection, as the book's "Choosing a runtime" describes it.

use txaio::Runtime;

#[test]
fn the_default_backend_is_the_first_compiled_in_precedence_order() {
    let expected = if cfg!(feature = "tokio") {
        Runtime::Tokio
    } else if cfg!(feature = "smol") {
        Runtime::Smol
    } else {
        Runtime::AsyncStd
    };
    assert_eq!(txaio::runtime(), expected);
    assert_eq!(Runtime::compiled()[0], expected);
    let using = [
        txaio::USING_TOKIO,
        txaio::USING_SMOL,
        txaio::USING_ASYNC_STD,
    ];
    assert_eq!(
        using.iter().filter(|on| **on).count(),
        1,
        "exactly one default"
    );
    assert_eq!(txaio::USING_TOKIO, expected == Runtime::Tokio);
    assert_eq!(txaio::USING_SMOL, expected == Runtime::Smol);
    assert_eq!(txaio::USING_ASYNC_STD, expected == Runtime::AsyncStd);
}

#[test]
fn every_enabled_feature_is_compiled() {
    assert_eq!(Runtime::Tokio.is_compiled(), cfg!(feature = "tokio"));
    assert_eq!(Runtime::Smol.is_compiled(), cfg!(feature = "smol"));
    assert_eq!(Runtime::AsyncStd.is_compiled(), cfg!(feature = "async-std"));
}

#[txaio::test]
async fn inside_a_txaio_test_the_current_runtime_is_the_one_running() {
    let outer = txaio::current_runtime();
    let inner = txaio::spawn(async { Ok::<_, txaio::Failure>(txaio::current_runtime()) });
    assert_eq!(
        inner.await.unwrap(),
        outer,
        "spawned tasks stay on the backend they came from"
    );
}

#[cfg(feature = "tokio")]
#[test]
fn outside_a_tokio_runtime_the_panic_names_the_fix() {
    let outcome = std::thread::spawn(|| {
        drop(txaio::spawn(async { Ok::<_, txaio::Failure>(()) }));
    })
    .join();
    let payload = outcome.expect_err("spawn outside a runtime must panic");
    let message = txaio::Panic::from_payload(&*payload).message().to_owned();
    assert!(message.contains("#[txaio::main]"), "{message}");
    assert!(!message.contains("no reactor running"), "{message}");
}

#[test]
fn smol_and_async_std_need_no_setup() {
    for runtime in [Runtime::Smol, Runtime::AsyncStd] {
        if !runtime.is_compiled() {
            continue;
        }
        let value = txaio::__private::block_on(runtime, async {
            txaio::spawn(async { Ok::<_, txaio::Failure>(5) }).await
        });
        assert_eq!(value.unwrap(), 5);
    }
}

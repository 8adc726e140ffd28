//! The application picks the backend, and a run never silently uses another one: entry points
//! pinned with `runtime = ".."`, `TXAIO_RUNTIME` for `#[txaio::main]`, and `TXAIO_TEST_RUNTIME`
//! for tests, where a name that is not compiled in fails instead of running nothing.
//!
//! The environment is the process's: the checks run this test binary again as a child with
//! the variable set, and look at what its probe test printed.

use std::process::{Command, Output};

use txaio::Runtime;

/// A `#[txaio::main]` like an application's: it reports the backend it ran on.
#[txaio::main]
async fn unpinned_main() -> Runtime {
    txaio::current_runtime()
}

#[test]
fn probe_unpinned_main() {
    println!("main ran on {}", unpinned_main());
}

#[txaio::test]
async fn probe_test_runs() {
    println!("test ran on {}", txaio::current_runtime());
}

/// This binary, run again on one probe test with `variable=value`.
fn probe(test: &str, variable: &str, value: &str) -> Output {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(variable, value)
        .env_remove(if variable == "TXAIO_RUNTIME" {
            "TXAIO_TEST_RUNTIME"
        } else {
            "TXAIO_RUNTIME"
        })
        .output()
        .expect("run the test binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn txaio_runtime_picks_each_compiled_backend_for_main() {
    for &runtime in Runtime::compiled() {
        let output = probe("probe_unpinned_main", "TXAIO_RUNTIME", runtime.feature());
        let text = text(&output);
        assert!(output.status.success(), "{text}");
        assert!(text.contains(&format!("main ran on {runtime}")), "{text}");
    }
}

#[test]
fn a_txaio_runtime_that_names_no_compiled_backend_stops_main_before_it_runs() {
    for wrong in ["async_std", "tokyo"] {
        let output = probe("probe_unpinned_main", "TXAIO_RUNTIME", wrong);
        let text = text(&output);
        assert!(!output.status.success(), "{text}");
        assert!(!text.contains("main ran on"), "{text}");
        assert!(
            text.contains(&format!(
                "TXAIO_RUNTIME={wrong}: unknown runtime `{wrong}`; expected one of `tokio`, `smol`, `async-std`"
            )),
            "{text}"
        );
    }
    for runtime in [Runtime::Tokio, Runtime::Smol, Runtime::AsyncStd] {
        if runtime.is_compiled() {
            continue;
        }
        let output = probe("probe_unpinned_main", "TXAIO_RUNTIME", runtime.feature());
        let text = text(&output);
        assert!(!output.status.success(), "{text}");
        assert!(
            text.contains(&format!("the `{runtime}` backend is not compiled in")),
            "{text}"
        );
    }
}

#[test]
fn a_misspelt_txaio_test_runtime_fails_the_test_with_the_valid_names() {
    let output = probe("probe_test_runs", "TXAIO_TEST_RUNTIME", "async_std");
    let text = text(&output);
    assert!(!output.status.success(), "{text}");
    assert!(!text.contains("test ran on"), "{text}");
    assert!(
        text.contains("did not run: TXAIO_TEST_RUNTIME=async_std: unknown runtime `async_std`; expected one of `tokio`, `smol`, `async-std`"),
        "{text}"
    );
}

#[test]
fn txaio_test_runtime_runs_tests_on_that_backend_only() {
    for &runtime in Runtime::compiled() {
        let output = probe("probe_test_runs", "TXAIO_TEST_RUNTIME", runtime.feature());
        let text = text(&output);
        assert!(output.status.success(), "{text}");
        assert_eq!(text.matches("test ran on").count(), 1, "{text}");
        assert!(text.contains(&format!("test ran on {runtime}")), "{text}");
    }
}

#[test]
fn an_empty_variable_is_unset() {
    let output = probe("probe_test_runs", "TXAIO_TEST_RUNTIME", "");
    let text = text(&output);
    assert!(output.status.success(), "{text}");
    assert_eq!(
        text.matches("test ran on").count(),
        Runtime::compiled().len(),
        "{text}"
    );
}

#[test]
fn runtime_names_parse_as_the_cargo_features_spell_them() {
    for runtime in [Runtime::Tokio, Runtime::Smol, Runtime::AsyncStd] {
        assert_eq!(runtime.feature().parse::<Runtime>(), Ok(runtime));
    }
    let error = "async_std".parse::<Runtime>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown runtime `async_std`; expected one of `tokio`, `smol`, `async-std`"
    );
}

#[cfg(feature = "smol")]
mod pinned_to_smol {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use txaio::Runtime;

    #[txaio::main(runtime = "smol")]
    async fn smol_main() -> Runtime {
        txaio::current_runtime()
    }

    #[test]
    fn a_pinned_main_runs_on_its_backend_whatever_is_the_default() {
        assert_eq!(smol_main(), Runtime::Smol);
    }

    #[test]
    fn probe_pinned_main() {
        println!("main ran on {}", smol_main());
    }

    #[test]
    fn a_pinned_main_refuses_a_txaio_runtime_that_names_another_backend() {
        let output = super::probe(
            "pinned_to_smol::probe_pinned_main",
            "TXAIO_RUNTIME",
            "tokio",
        );
        let text = super::text(&output);
        if Runtime::Tokio.is_compiled() {
            assert!(!output.status.success(), "{text}");
            assert!(
                text.contains("TXAIO_RUNTIME=tokio, but this `main` is pinned to `smol`"),
                "{text}"
            );
        } else {
            assert!(
                text.contains("the `tokio` backend is not compiled in"),
                "{text}"
            );
        }
        let output = super::probe("pinned_to_smol::probe_pinned_main", "TXAIO_RUNTIME", "smol");
        assert!(output.status.success(), "{}", super::text(&output));
    }

    static PINNED_RUNS: AtomicUsize = AtomicUsize::new(0);

    #[txaio::test(runtime = "smol")]
    async fn a_pinned_test_runs_once_on_its_backend() {
        PINNED_RUNS.fetch_add(1, Ordering::SeqCst);
        assert_eq!(txaio::current_runtime(), Runtime::Smol);
        assert_eq!(PINNED_RUNS.load(Ordering::SeqCst), 1);
    }
}

/// A crate that renames its txaio dependency (`rt = { package = "txaio", .. }`) names it in
/// the entry points as in `#[portable(crate = "..")]`.
mod renamed {
    pub(crate) use ::txaio as rt;

    #[rt::main(crate = "crate::renamed::rt")]
    async fn renamed_main() -> u8 {
        rt::sleep(std::time::Duration::ZERO).await.expect("slept");
        7
    }

    #[test]
    fn main_takes_the_crate_path() {
        assert_eq!(renamed_main(), 7);
    }

    #[rt::test(crate = "crate::renamed::rt")]
    async fn test_takes_the_crate_path() {
        rt::sleep(std::time::Duration::ZERO).await.expect("slept");
    }
}

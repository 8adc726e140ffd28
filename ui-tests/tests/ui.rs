//! Every misuse of the txaio macros, with its exact message (the forms that must compile are
//! `pass.rs`).
//!
//! Built for speed: with no pass case among them, trybuild checks all the compile-fail cases
//! in one `cargo check --keep-going` (in parallel, dependencies checked, never built). And the
//! cases run once, not once per feature set: the macro's expansion does not depend on the
//! features, so the `ui/` cases run in the default build (`tokio` alone, the one a developer
//! runs and one of CI's); a build with another backend runs only the `not-compiled/` cases
//! that exist for it, and a build with all three has none. `TXAIO_UI_ALL=1` runs `ui/` in any
//! build.

#[test]
fn compile_fail() {
    let tokio = cfg!(feature = "tokio");
    let smol = cfg!(feature = "smol");
    let async_std = cfg!(feature = "async-std");
    let mut cases = Vec::new();
    if (tokio && !smol && !async_std) || std::env::var_os("TXAIO_UI_ALL").is_some() {
        cases.push("tests/ui/*.rs".to_owned());
    }
    // Pinning a backend names the feature when it is not compiled in.
    for (backend, compiled) in [("tokio", tokio), ("smol", smol), ("async-std", async_std)] {
        if !compiled {
            cases.push(format!("tests/not-compiled/{backend}.rs"));
        }
    }
    if cases.is_empty() {
        eprintln!("no compile-fail case applies to this feature set (see the module docs)");
        return;
    }
    let tests = trybuild::TestCases::new();
    for case in cases {
        tests.compile_fail(case);
    }
}

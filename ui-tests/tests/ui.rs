//! Every misuse of the txaio macros, with its exact message (the forms that must compile are
//! `pass.rs`).
//!
//! Built for speed: with no pass case among them, trybuild checks all the compile-fail cases
//! in one `cargo check --keep-going` (in parallel, dependencies checked, never built).

#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    // Pinning a backend names the feature when it is not compiled in.
    for (backend, compiled) in [
        ("tokio", cfg!(feature = "tokio")),
        ("smol", cfg!(feature = "smol")),
        ("async-std", cfg!(feature = "async-std")),
    ] {
        if !compiled {
            cases.compile_fail(format!("tests/not-compiled/{backend}.rs"));
        }
    }
}

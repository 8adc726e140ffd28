//! Every misuse of the txaio macros, with its exact message; and the forms that must compile.
//!
//! Built for speed: the compile-fail cases are one `TestCases` without pass cases, which
//! trybuild checks in one `cargo check --keep-going` over all of them (in parallel), and the
//! pass cases are modules of one program (`pass/every-form.rs`), built and run once per
//! feature set rather than once per case.

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

#[test]
fn pass() {
    // Pinned cases (`pinned/*.rs`) are modules of the same program, each behind its feature.
    trybuild::TestCases::new().pass("tests/pass/every-form.rs");
}

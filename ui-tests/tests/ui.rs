//! Every misuse of the txaio macros, with its exact message; and the forms that must compile.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/pass/*.rs");
    // Pinning a backend works when it is compiled in, and names the feature when it is not.
    for (backend, compiled) in [
        ("tokio", cfg!(feature = "tokio")),
        ("smol", cfg!(feature = "smol")),
        ("async-std", cfg!(feature = "async-std")),
    ] {
        if compiled {
            cases.pass(format!("tests/pinned/{backend}.rs"));
        } else {
            cases.compile_fail(format!("tests/not-compiled/{backend}.rs"));
        }
    }
}

//! Every form `#[txaio::portable]`, `#[txaio::main]` and `#[txaio::test]` must accept,
//! compiled and run: one case per file in `pass/` (and `pinned/`), each a module of this one
//! test program, so that they build once per feature set with the rest of the workspace
//! instead of once per case (the compile-fail cases are trybuild's, in `ui.rs`).

// The cases are user code as users write it, not linted as this workspace's own.
#![allow(
    dead_code,
    unreachable_pub,
    missing_debug_implementations,
    clippy::all,
    clippy::pedantic
)]

#[path = "pass/argument-lifetimes.rs"]
mod pass_argument_lifetimes;
#[path = "pass/blocking-helpers.rs"]
mod pass_blocking_helpers;
#[path = "pass/callback-arguments.rs"]
mod pass_callback_arguments;
#[path = "pass/cfg-test-code.rs"]
mod pass_cfg_test_code;
#[path = "pass/entry-points-shadowed.rs"]
mod pass_entry_points_shadowed;
#[path = "pass/error-types.rs"]
mod pass_error_types;
#[path = "pass/impl-trait-return.rs"]
mod pass_impl_trait_return;
#[path = "pass/inner-attributes.rs"]
mod pass_inner_attributes;
#[path = "pass/instrument.rs"]
mod pass_instrument;
#[path = "pass/kept-signatures.rs"]
mod pass_kept_signatures;
#[path = "pass/legitimate-names.rs"]
mod pass_legitimate_names;
#[cfg(all(feature = "tokio", feature = "smol"))]
#[path = "pass/method-override.rs"]
mod pass_method_override;
#[path = "pass/modules-and-macros.rs"]
mod pass_modules_and_macros;
#[path = "pass/never-returns.rs"]
mod pass_never_returns;
#[path = "pass/offloaded.rs"]
mod pass_offloaded;
#[path = "pass/portable-forms.rs"]
mod pass_portable_forms;
#[path = "pass/portable-shadowed.rs"]
mod pass_portable_shadowed;
#[path = "pass/renamed-crate.rs"]
mod pass_renamed_crate;
#[path = "pass/result-named-types.rs"]
mod pass_result_named_types;
#[path = "pass/scopes.rs"]
mod pass_scopes;
#[cfg(feature = "async-std")]
#[path = "pinned/async-std.rs"]
mod pinned_async_std;
#[cfg(feature = "smol")]
#[path = "pinned/smol.rs"]
mod pinned_smol;
#[cfg(feature = "tokio")]
#[path = "pinned/tokio.rs"]
mod pinned_tokio;

#[test]
fn argument_lifetimes() {
    pass_argument_lifetimes::main();
}

#[test]
fn blocking_helpers() {
    pass_blocking_helpers::main();
}

#[test]
fn cfg_test_code() {
    pass_cfg_test_code::main();
}

#[test]
fn modules_and_macros() {
    pass_modules_and_macros::main();
}

#[test]
fn inner_attributes() {
    pass_inner_attributes::main();
}

#[test]
fn never_returns() {
    pass_never_returns::main();
}

#[test]
fn result_named_types() {
    pass_result_named_types::main();
}

#[test]
fn callback_arguments() {
    pass_callback_arguments::main();
}

#[test]
fn entry_points_shadowed() {
    pass_entry_points_shadowed::main();
}

#[test]
fn error_types() {
    pass_error_types::main();
}

#[test]
fn impl_trait_return() {
    pass_impl_trait_return::main();
}

#[test]
fn instrument() {
    pass_instrument::main();
}

#[test]
fn kept_signatures() {
    pass_kept_signatures::main();
}

#[test]
fn legitimate_names() {
    pass_legitimate_names::main();
}

#[test]
#[cfg(all(feature = "tokio", feature = "smol"))]
fn method_override() {
    pass_method_override::main();
}

#[test]
fn offloaded() {
    pass_offloaded::main();
}

#[test]
fn portable_forms() {
    pass_portable_forms::main();
}

#[test]
fn portable_shadowed() {
    pass_portable_shadowed::main();
}

#[test]
fn renamed_crate() {
    pass_renamed_crate::main();
}

#[test]
fn scopes() {
    pass_scopes::main();
}

#[test]
#[cfg(feature = "async-std")]
fn pinned_async_std() {
    pinned_async_std::main();
}

#[test]
#[cfg(feature = "smol")]
fn pinned_smol() {
    pinned_smol::main();
}

#[test]
#[cfg(feature = "tokio")]
fn pinned_tokio() {
    pinned_tokio::main();
}

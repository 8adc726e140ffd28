//! Every form that must compile, built as one program (one build per feature set, not one
//! per case) and run. Each module is one case.

#[path = "callback-arguments.rs"]
mod pass_callback_arguments;
#[path = "entry-points-shadowed.rs"]
mod pass_entry_points_shadowed;
#[path = "error-types.rs"]
mod pass_error_types;
#[path = "impl-trait-return.rs"]
mod pass_impl_trait_return;
#[path = "instrument.rs"]
mod pass_instrument;
#[path = "legitimate-names.rs"]
mod pass_legitimate_names;
#[cfg(feature = "tokio")]
#[path = "method-override.rs"]
mod pass_method_override;
#[path = "offloaded.rs"]
mod pass_offloaded;
#[path = "portable-forms.rs"]
mod pass_portable_forms;
#[path = "portable-shadowed.rs"]
mod pass_portable_shadowed;
#[path = "renamed-crate.rs"]
mod pass_renamed_crate;
#[path = "scopes.rs"]
mod pass_scopes;

#[cfg(feature = "async-std")]
#[path = "../pinned/async-std.rs"]
mod pinned_async_std;
#[cfg(feature = "smol")]
#[path = "../pinned/smol.rs"]
mod pinned_smol;
#[cfg(feature = "tokio")]
#[path = "../pinned/tokio.rs"]
mod pinned_tokio;

fn main() {
    pass_callback_arguments::main();
    pass_entry_points_shadowed::main();
    pass_error_types::main();
    pass_impl_trait_return::main();
    pass_instrument::main();
    pass_legitimate_names::main();
    #[cfg(feature = "tokio")]
    pass_method_override::main();
    pass_offloaded::main();
    pass_portable_forms::main();
    pass_portable_shadowed::main();
    pass_renamed_crate::main();
    pass_scopes::main();
    #[cfg(feature = "async-std")]
    pinned_async_std::main();
    #[cfg(feature = "smol")]
    pinned_smol::main();
    #[cfg(feature = "tokio")]
    pinned_tokio::main();
}

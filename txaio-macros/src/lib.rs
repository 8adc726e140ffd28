//! Procedural macros of [txaio](https://docs.rs/txaio): use them through the `txaio` crate,
//! as `#[txaio::main]` and `#[txaio::test]`.
//!
//! The macros never read cargo features: they expand to `::txaio::__private::…`, and the
//! runtime crate's `cfg` picks the backend (cargo does not unify a proc-macro's features with
//! the library's).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::TokenStream;

#[cfg(test)]
mod corpus;
mod ctxt;
mod entry;
mod portable;

/// Makes a function portable across runtimes. See `txaio::portable`.
#[proc_macro_attribute]
pub fn portable(args: TokenStream, input: TokenStream) -> TokenStream {
    portable::expand(args.into(), &input.into()).into()
}

/// Runs an `async fn main` on the chosen backend. See `txaio::main`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, input: TokenStream) -> TokenStream {
    entry::expand_main(args.into(), input.into()).into()
}

/// Runs an async test once on every compiled backend. See `txaio::test`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, input: TokenStream) -> TokenStream {
    entry::expand_test(args.into(), input.into()).into()
}

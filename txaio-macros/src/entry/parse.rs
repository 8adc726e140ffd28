//! Parsing an entry point: the item must be a function, and the attribute takes no arguments.

use proc_macro2::TokenStream;
use syn::ItemFn;
use syn::spanned::Spanned;

use super::Entry;
use crate::ctxt::Ctxt;

/// The function, or `None` (with the error in `cx`) if the item is not one.
pub(super) fn parse(
    cx: &Ctxt,
    entry: Entry,
    args: &TokenStream,
    input: &TokenStream,
) -> Option<ItemFn> {
    let name = entry.name();
    if !args.is_empty() {
        cx.error_spanned_by(
            args,
            format!(
                "#[txaio::{name}] takes no arguments; the backend comes from the cargo features of `txaio`"
            ),
        );
    }
    if let Ok(function) = syn::parse2::<ItemFn>(input.clone()) {
        Some(function)
    } else {
        cx.syn_error(syn::Error::new(
            input.span(),
            format!("#[txaio::{name}] goes on an `async fn`"),
        ));
        None
    }
}

//! The one error collector of the macro crate (serde_derive's `Ctxt` shape): every check
//! pushes into it, and the boundary turns what it holds into `compile_error!`s once.

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects the errors of one macro invocation, in source order of discovery.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub(crate) fn new() -> Ctxt {
        Ctxt::default()
    }

    /// An error pointing at `tokens` (the smallest offending ones).
    pub(crate) fn error_spanned_by<T: ToTokens, M: std::fmt::Display>(
        &self,
        tokens: T,
        message: M,
    ) {
        self.syn_error(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// An error syn already built (a parse error, or one with a computed span).
    pub(crate) fn syn_error(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    /// How many errors so far (to tell whether a step added any).
    pub(crate) fn len(&self) -> usize {
        self.errors.borrow().len()
    }

    /// The errors added since there were `start`, taken out (to be emitted inside the item
    /// they are about, under its `cfg`).
    pub(crate) fn take_since(&self, start: usize) -> Vec<syn::Error> {
        let mut errors = self.errors.borrow_mut();
        let start = start.min(errors.len());
        errors.split_off(start)
    }

    /// The item as it should be emitted: alone, or after the `compile_error!`s. Emitting the
    /// item too keeps one mistake from cascading into errors at every caller.
    pub(crate) fn finish(self, item: TokenStream) -> TokenStream {
        let errors = self.errors.into_inner();
        if errors.is_empty() {
            return item;
        }
        let mut tokens: TokenStream = errors
            .into_iter()
            .map(syn::Error::into_compile_error)
            .collect();
        tokens.extend(item);
        tokens
    }
}

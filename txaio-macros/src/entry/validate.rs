//! What an entry point must be: an `async fn` without arguments or generics, and for a test,
//! not already a `#[test]` (the attribute adds it).

use syn::{Attribute, ItemFn};

use super::Entry;
use crate::ctxt::Ctxt;

pub(super) fn validate(cx: &Ctxt, entry: Entry, function: &ItemFn) {
    let name = entry.name();
    if function.sig.asyncness.is_none() {
        cx.error_spanned_by(
            function.sig.fn_token,
            format!("#[txaio::{name}] needs an `async fn`; add `async` before `fn`"),
        );
    }
    if let Some(first) = function.sig.inputs.first() {
        cx.error_spanned_by(
            first,
            format!("#[txaio::{name}] functions take no arguments"),
        );
    }
    if !function.sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &function.sig.generics,
            format!("#[txaio::{name}] functions cannot be generic"),
        );
    }
    if entry == Entry::Test
        && let Some(test) = function.attrs.iter().find(|attr| is_test_attribute(attr))
    {
        cx.error_spanned_by(
            test,
            "#[txaio::test] already makes this a test (once per compiled backend); remove this attribute",
        );
    }
}

/// `#[test]`, `#[core::prelude::v1::test]`, `#[tokio::test]`, `#[async_std::test]`, ...
fn is_test_attribute(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|last| last.ident == "test")
}

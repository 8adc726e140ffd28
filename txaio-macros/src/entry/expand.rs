//! The code an entry point becomes.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ItemFn;

use super::Entry;

pub(super) fn expand(entry: Entry, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    let span = sig
        .asyncness
        .map_or_else(proc_macro2::Span::call_site, |token| token.span);
    sig.asyncness = None;
    match entry {
        Entry::Main => quote! {
            #(#attrs)*
            #vis #sig {
                ::txaio::__private::block_on_default(async move #block)
            }
        },
        Entry::Test => {
            let name = sig.ident.to_string();
            let output = match &sig.output {
                syn::ReturnType::Default => quote!(()),
                syn::ReturnType::Type(_, ty) => quote!(#ty),
            };
            sig.output = syn::ReturnType::Default;
            // The type check sits at the user's return type, so a mismatch points there.
            let body = quote_spanned! {span=>
                ::txaio::__private::run_test(#name, || async move {
                    let outcome: #output = async move #block.await;
                    outcome
                })
            };
            quote! {
                #[::core::prelude::v1::test]
                #(#attrs)*
                #vis #sig {
                    #body
                }
            }
        }
    }
}

/// The item kept beside its errors, as a plain fn whose body cannot cascade into more errors
/// (an `async fn main` left as it was would add rustc's own complaint).
pub(super) fn placeholder(function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        ..
    } = function;
    sig.asyncness = None;
    let attrs = attrs.iter().filter(|attr| {
        attr.path()
            .segments
            .last()
            .is_none_or(|s| s.ident != "test")
    });
    quote! {
        #(#attrs)*
        #[allow(unused_variables)]
        #vis #sig { ::core::unreachable!("this function did not compile") }
    }
}

//! The code an entry point becomes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ItemFn;

use super::Entry;
use super::parse::EntryArgs;

/// The runtime check and the `Option<Runtime>` of the pinned backend: a pinned backend that is
/// not compiled in, or no backend at all, is one compile error, at the runtime's name or the
/// attribute.
fn runtime_choice(args: &EntryArgs) -> (TokenStream, TokenStream) {
    let krate = args.krate();
    match args.runtime {
        Some((backend, span)) => {
            let requirement = format_ident!("{}", backend.requirement(), span = span);
            let variant = format_ident!("{}", backend.variant());
            (
                quote_spanned!(span=> #krate::__private::#requirement!();),
                quote!(::core::option::Option::Some(#krate::Runtime::#variant)),
            )
        }
        None => (
            quote!(#krate::__private::__require_backend!();),
            quote!(::core::option::Option::None),
        ),
    }
}

pub(super) fn expand(entry: Entry, args: &EntryArgs, function: ItemFn) -> TokenStream {
    let krate = args.krate();
    let (requirement, pinned) = match args.sim {
        Some(span) => (
            quote_spanned!(span=> #krate::__private::__require_sim!();),
            quote!(),
        ),
        None => runtime_choice(args),
    };
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
                #requirement
                #krate::__private::run_main(#pinned, async move #block)
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
            let body = if args.sim.is_some() {
                let seeds = args.seeds.map_or(1, |(seeds, _)| seeds);
                quote_spanned! {span=>
                    #krate::__private::run_sim_test(#name, #seeds, || async move {
                        let outcome: #output = async move #block.await;
                        outcome
                    })
                }
            } else {
                quote_spanned! {span=>
                    #krate::__private::run_test(#name, #pinned, || async move {
                        let outcome: #output = async move #block.await;
                        outcome
                    })
                }
            };
            quote! {
                #[::core::prelude::v1::test]
                #(#attrs)*
                #vis #sig {
                    #requirement
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

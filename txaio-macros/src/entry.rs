//! `#[txaio::main]` and `#[txaio::test]`: entry points that start a runtime.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, parse2};

/// Parses the item and checks what both attributes need; on error, the item is still emitted
/// beside the `compile_error!`, so one mistake does not cascade.
fn parse_entry(
    attribute: &str,
    args: TokenStream,
    input: TokenStream,
) -> Result<ItemFn, TokenStream> {
    let Ok(function) = parse2::<ItemFn>(input.clone()) else {
        let error = syn::Error::new(
            input.span(),
            format!("#[txaio::{attribute}] goes on an `async fn`"),
        );
        let mut tokens = error.into_compile_error();
        tokens.extend(input);
        return Err(tokens);
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(all) => all.combine(error),
        None => errors = Some(error),
    };
    if !args.is_empty() {
        push(syn::Error::new_spanned(
            args,
            format!(
                "#[txaio::{attribute}] takes no arguments; the backend comes from the cargo features of `txaio`"
            ),
        ));
    }
    if function.sig.asyncness.is_none() {
        push(syn::Error::new_spanned(
            function.sig.fn_token,
            format!("#[txaio::{attribute}] needs an `async fn`; add `async` before `fn`"),
        ));
    }
    if let Some(first) = function.sig.inputs.first() {
        push(syn::Error::new_spanned(
            first,
            format!("#[txaio::{attribute}] functions take no arguments"),
        ));
    }
    if !function.sig.generics.params.is_empty() {
        push(syn::Error::new_spanned(
            &function.sig.generics,
            format!("#[txaio::{attribute}] functions cannot be generic"),
        ));
    }
    match errors {
        None => Ok(function),
        Some(error) => {
            // Keep the item, as a plain fn whose body cannot cascade into more errors (an
            // `async fn main` left as it was would add rustc's own complaint).
            let ItemFn {
                attrs,
                vis,
                mut sig,
                ..
            } = function;
            sig.asyncness = None;
            let mut tokens = error.into_compile_error();
            tokens.extend(quote! {
                #(#attrs)*
                #[allow(unused_variables)]
                #vis #sig { ::core::unreachable!("this function did not compile") }
            });
            Err(tokens)
        }
    }
}

pub(crate) fn expand_main(args: TokenStream, input: TokenStream) -> TokenStream {
    let function = match parse_entry("main", args, input) {
        Ok(function) => function,
        Err(tokens) => return tokens,
    };
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    sig.asyncness = None;
    quote! {
        #(#attrs)*
        #vis #sig {
            ::txaio::__private::block_on_default(async move #block)
        }
    }
}

pub(crate) fn expand_test(args: TokenStream, input: TokenStream) -> TokenStream {
    let function = match parse_entry("test", args, input) {
        Ok(function) => function,
        Err(tokens) => return tokens,
    };
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    sig.asyncness = None;
    let name = sig.ident.to_string();
    let output = match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    sig.output = syn::ReturnType::Default;
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis #sig {
            ::txaio::__private::run_test(#name, || async move {
                let outcome: #output = async move #block.await;
                outcome
            })
        }
    }
}

//! Rewriting portable functions.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{Block, GenericArgument, PathArguments, ReturnType, Signature, Type, parse_quote};

use super::args::Args;

/// The expression for the runtime a function runs on: the pinned one, or the current one.
fn runtime_expr(args: &Args) -> TokenStream {
    let Some((backend, span)) = args.runtime else {
        return quote!(::txaio::__private::current());
    };
    let requirement = format_ident!("{}", backend.requirement(), span = span);
    let variant = format_ident!("{}", backend.variant());
    quote_spanned! {span=>
        {
            ::txaio::__private::#requirement!();
            ::txaio::Runtime::#variant
        }
    }
}

/// `Result<T, ..>` (also a one-argument alias such as `io::Result<T>`) -> `Some(T)`.
fn result_value_type(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.first()? {
        GenericArgument::Type(value) => Some(value),
        _ => None,
    }
}

/// `async fn f(args) -> R { body }` -> `fn f(args) -> Deferred<T> { spawn(body) }`.
pub(crate) fn async_fn(args: &Args, sig: &mut Signature, block: &Block) -> Block {
    let runtime = runtime_expr(args);
    let declared: Type = match &sig.output {
        ReturnType::Default => parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    let (value, outcome) = match result_value_type(&declared) {
        Some(value) => (
            value.clone(),
            quote!(::txaio::__private::result_into_outcome(__txaio_output)),
        ),
        None => (
            declared.clone(),
            quote!(::core::result::Result::<_, ::txaio::Failure>::Ok(
                __txaio_output
            )),
        ),
    };
    sig.asyncness = None;
    sig.output = parse_quote!(-> ::txaio::Deferred<#value>);
    parse_quote!({
        ::txaio::__private::spawn_portable(#runtime, async move {
            let __txaio_output: #declared = async move #block.await;
            #outcome
        })
    })
}

/// A callback-style `fn`: the body runs with its backend current, so its txaio calls go there.
pub(crate) fn plain_fn(args: &Args, block: &Block) -> Block {
    if args.runtime.is_none() {
        return block.clone();
    }
    let runtime = runtime_expr(args);
    parse_quote!({
        let __txaio_entered = ::txaio::__private::enter(#runtime);
        #block
    })
}

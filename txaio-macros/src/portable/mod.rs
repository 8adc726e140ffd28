//! `#[txaio::portable]`: parse the arguments, validate the item, expand it.

mod args;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{ImplItem, Item, ItemFn, ItemImpl};

use args::Args;

/// What validation found.
#[derive(Default)]
struct Diagnostics {
    errors: Vec<syn::Error>,
    /// A signature that cannot be expanded (borrowed arguments of an `async fn`).
    signature_refused: bool,
}

pub(crate) fn expand(args: TokenStream, input: &TokenStream) -> TokenStream {
    let mut found = Diagnostics::default();
    let args = args::parse(args).unwrap_or_else(|error| {
        found.errors.push(error);
        Args::default()
    });
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(item) => item,
        Err(error) => return with_errors(vec![error], input),
    };
    let expanded = match item {
        Item::Fn(function) => portable_fn(&args, function, &mut found),
        Item::Impl(block) => portable_impl(&args, block, &mut found),
        other => {
            found.errors.push(syn::Error::new(
                item_keyword_span(&other),
                "#[txaio::portable] goes on a `fn`, an `async fn` or an `impl` block",
            ));
            other.into_token_stream()
        }
    };
    if found.errors.is_empty() {
        expanded
    } else if found.signature_refused {
        // A signature that cannot be expanded: the user's item as written, beside the errors.
        with_errors(found.errors, input)
    } else {
        // The expansion is sound even with a refused call in the body; emitting it keeps the
        // function's callers from failing too (one mistake, one message).
        with_errors(found.errors, &expanded)
    }
}

fn with_errors(errors: Vec<syn::Error>, item: &TokenStream) -> TokenStream {
    let errors = errors.into_iter().map(syn::Error::into_compile_error);
    quote!(#(#errors)* #item)
}

/// The span of what kind of item it is (`struct`, `const`, `trait`, ...).
fn item_keyword_span(item: &Item) -> proc_macro2::Span {
    match item {
        Item::Struct(item) => item.struct_token.span,
        Item::Enum(item) => item.enum_token.span,
        Item::Const(item) => item.const_token.span,
        Item::Static(item) => item.static_token.span,
        Item::Trait(item) => item.trait_token.span,
        Item::Type(item) => item.type_token.span,
        Item::Mod(item) => item.mod_token.span,
        Item::Use(item) => item.use_token.span,
        other => other.span(),
    }
}

fn portable_fn(args: &Args, mut function: ItemFn, found: &mut Diagnostics) -> TokenStream {
    let duplicate = "#[txaio::portable] is given twice; remove one";
    *function.block = portable_body(
        args,
        &function.attrs,
        &mut function.sig,
        &function.block,
        duplicate,
        found,
    );
    function.into_token_stream()
}

/// Validates one function (or method) and returns its new body; the signature changes too
/// for an `async fn`.
fn portable_body(
    args: &Args,
    attrs: &[syn::Attribute],
    sig: &mut syn::Signature,
    block: &syn::Block,
    duplicate_message: &str,
    found: &mut Diagnostics,
) -> syn::Block {
    if let Some(duplicate) = validate::duplicated_attribute(attrs) {
        found
            .errors
            .push(syn::Error::new_spanned(duplicate, duplicate_message));
    }
    found.signature_refused |= validate::check_signature(sig, &mut found.errors);
    validate::check_body(block, &mut found.errors);
    if sig.asyncness.is_some() {
        expand::async_fn(args, sig, block)
    } else {
        expand::plain_fn(args, block)
    }
}

fn portable_impl(args: &Args, mut block: ItemImpl, found: &mut Diagnostics) -> TokenStream {
    if let Some((_, trait_path, _)) = &block.trait_ {
        found.errors.push(syn::Error::new_spanned(
            trait_path,
            "#[txaio::portable] changes method signatures (`async fn` becomes `fn -> Deferred<T>`), \
             which a trait impl cannot; put it on an inherent `impl` block",
        ));
        return block.into_token_stream();
    }
    let duplicate =
        "#[txaio::portable] on the `impl` block already covers this method; remove this one";
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else { continue };
        method.block = portable_body(
            args,
            &method.attrs,
            &mut method.sig,
            &method.block,
            duplicate,
            found,
        );
    }
    block.into_token_stream()
}

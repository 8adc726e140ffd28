//! `#[txaio::portable]`: parse the arguments, validate the item, expand it. One [`Ctxt`]
//! collects every error; the item is always emitted too (rewritten where it can be), so one
//! mistake gives one error and its callers still compile.

pub(crate) mod args;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::Parser as _;
use syn::spanned::Spanned;
use syn::{Attribute, ImplItem, Item, ItemFn, ItemImpl, ItemMod};

use args::Args;
use validate::Scope;

use crate::ctxt::Ctxt;

/// Expands `#[txaio::portable(args)]` on `input`: the entry point, also for tests that run it
/// over other crates' code.
pub(crate) fn expand(args: TokenStream, input: &TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let args = args::parse(&cx, args);
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(item) => item,
        Err(error) => {
            cx.syn_error(error);
            return cx.finish(input.clone());
        }
    };
    let expanded = portable_item(&cx, &args, &Scope::default(), &[], item, true);
    cx.finish(expanded)
}

/// One item under the attribute. `top` is false for items inside a portable `mod`, where
/// items that are not functions or impl blocks are left alone.
fn portable_item(
    cx: &Ctxt,
    args: &Args,
    scope: &Scope,
    aliases: &[String],
    item: Item,
    top: bool,
) -> TokenStream {
    match item {
        Item::Fn(function) => portable_fn(cx, args, scope, aliases, function),
        Item::Impl(block) => portable_impl(cx, args, scope, aliases, block),
        Item::Mod(module) => portable_mod(cx, args, module),
        other if top => {
            cx.syn_error(syn::Error::new(
                item_keyword_span(&other),
                "#[txaio::portable] goes on a `fn`, an `async fn`, an `impl` block or an inline `mod`",
            ));
            other.into_token_stream()
        }
        other => other.into_token_stream(),
    }
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
        Item::Use(item) => item.use_token.span,
        other => other.span(),
    }
}

/// The arguments for an item inside a portable `impl` or `mod`: its own `#[portable(..)]`
/// overrides the outer one's (and is removed); a bare `#[portable]` there is redundant.
fn own_args(cx: &Ctxt, outer: &Args, attrs: &mut Vec<Attribute>, redundant: &str) -> Args {
    let Some(index) = attrs
        .iter()
        .position(|attr| validate::portable_attribute(std::slice::from_ref(attr)).is_some())
    else {
        return outer.clone();
    };
    let attr = attrs.remove(index);
    match &attr.meta {
        syn::Meta::List(list) if !list.tokens.is_empty() => {
            let own = args::parse(cx, list.tokens.clone());
            Args {
                runtime: own.runtime.or(outer.runtime),
                krate: own.krate.or_else(|| outer.krate.clone()),
                keep_signature: own.keep_signature || outer.keep_signature,
                validated: outer.validated,
            }
        }
        _ => {
            cx.error_spanned_by(&attr, redundant);
            outer.clone()
        }
    }
}

fn portable_fn(
    cx: &Ctxt,
    args: &Args,
    scope: &Scope,
    aliases: &[String],
    mut function: ItemFn,
) -> TokenStream {
    if let Some(duplicate) = validate::portable_attribute(&function.attrs) {
        cx.error_spanned_by(duplicate, "#[txaio::portable] is given twice; remove one");
        function
            .attrs
            .retain(|attr| validate::portable_attribute(std::slice::from_ref(attr)).is_none());
    }
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    let (attrs, block) = portable_body(cx, args, scope, aliases, attrs, &mut sig, &block);
    // `ItemFn` prints inner attributes (`#![allow(..)]`) inside the body, where they belong.
    ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(block),
    }
    .into_token_stream()
}

/// Validates one function (or method) and returns its attributes and new body. An `async fn`
/// that takes only owned arguments becomes a `fn` returning a `Deferred` (its signature
/// changes); one that borrows, or is under `keep_signature`, keeps its signature and runs in
/// its caller's task.
fn portable_body(
    cx: &Ctxt,
    args: &Args,
    scope: &Scope,
    aliases: &[String],
    attrs: Vec<Attribute>,
    sig: &mut syn::Signature,
    block: &syn::Block,
) -> (Vec<Attribute>, syn::Block) {
    let kept = sig.asyncness.is_none() || args.keep_signature || validate::borrows(sig);
    let original = sig.clone();
    let output = validate::output(&original, aliases);
    if !args.validated {
        if let validate::Output::Result {
            error: Some(error), ..
        } = &output
            && !kept
        {
            validate::check_error_type(cx, error);
        }
        validate::check_function(cx, &args.crate_names(), scope, sig, block);
        if !kept && attrs.iter().any(validate::is_instrument) {
            // `#[tracing::instrument]` must see the `async fn` to cover its body: it runs
            // first, then this attribute again (marked as validated) on what it wrote.
            let (mut reordered, others): (Vec<Attribute>, Vec<Attribute>) =
                attrs.into_iter().partition(validate::is_instrument);
            reordered.extend(
                Attribute::parse_outer
                    .parse2(args.to_attribute())
                    .unwrap_or_default(),
            );
            reordered.extend(others);
            return (reordered, block.clone());
        }
    }
    let body = if kept {
        expand::kept_fn(args, sig, block)
    } else {
        expand::async_fn(args, sig, block, &output)
    };
    (attrs, body)
}

fn portable_impl(
    cx: &Ctxt,
    args: &Args,
    scope: &Scope,
    aliases: &[String],
    mut block: ItemImpl,
) -> TokenStream {
    // A trait impl cannot change its methods' signatures: they are all kept (and checked).
    let is_trait_impl = block.trait_.is_some();
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else { continue };
        let mut own = own_args(
            cx,
            args,
            &mut method.attrs,
            "#[txaio::portable] on the `impl` block already covers this method; remove this one \
             (or give it arguments, such as `runtime = \"smol\"`, to override the block's)",
        );
        own.keep_signature |= is_trait_impl;
        let attrs = std::mem::take(&mut method.attrs);
        let (attrs, body) = portable_body(
            cx,
            &own,
            scope,
            aliases,
            attrs,
            &mut method.sig,
            &method.block,
        );
        method.attrs = attrs;
        method.block = body;
    }
    block.into_token_stream()
}

fn portable_mod(cx: &Ctxt, args: &Args, mut module: ItemMod) -> TokenStream {
    let Some((_, items)) = module.content.take() else {
        cx.error_spanned_by(
            &module,
            "#[txaio::portable] on a `mod` needs its items inline (`mod name { ... }`): a proc macro \
             cannot see the file of `mod name;`",
        );
        return module.into_token_stream();
    };
    let scope = validate::module_scope(cx, &args.crate_names(), &items);
    let aliases = validate::result_aliases(&items);
    let ItemMod {
        attrs,
        vis,
        unsafety,
        mod_token,
        ident,
        ..
    } = module;
    let items = items.into_iter().map(|mut item| {
        let attrs = match &mut item {
            Item::Fn(function) => Some(&mut function.attrs),
            Item::Impl(block) => Some(&mut block.attrs),
            _ => None,
        };
        let own = match attrs {
            Some(attrs) => own_args(
                cx,
                args,
                attrs,
                "#[txaio::portable] on the `mod` already covers this item; remove this one (or give \
                 it arguments, such as `runtime = \"smol\"`, to override the module's)",
            ),
            None => args.clone(),
        };
        portable_item(cx, &own, &scope, &aliases, item, false)
    });
    let items: Vec<TokenStream> = items.collect();
    quote!(#(#attrs)* #vis #unsafety #mod_token #ident { #(#items)* })
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::expand;

    #[test]
    fn expands_or_explains_every_item() {
        let out = expand(
            quote!(),
            &quote!(
                async fn f() -> Result<u8, E> {
                    Ok(1)
                }
            ),
        )
        .to_string();
        assert!(
            out.contains("spawn_portable") && !out.contains("compile_error"),
            "{out}"
        );
        let out = expand(
            quote!(),
            &quote!(
                struct S;
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        let out = expand(
            quote!(),
            &quote!(
                mod m {
                    use tokio::time::sleep;
                    async fn f() {
                        sleep(d).await
                    }
                }
            ),
        )
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        let out = expand(
            quote!(),
            &quote!(
                async fn f(s: &str) {}
            ),
        )
        .to_string();
        // A borrowing `async fn` keeps its signature, with no spawn and no error.
        assert!(
            out.contains("async fn f") && !out.contains("spawn") && !out.contains("compile_error"),
            "{out}"
        );
        let out = expand(
            quote!(keep_signature),
            &quote!(
                async fn f(id: u32) -> Result<u8, MyError> {
                    Ok(1)
                }
            ),
        )
        .to_string();
        assert!(
            out.contains("async fn f") && out.contains("MyError") && !out.contains("spawn"),
            "{out}"
        );

        let out = expand(
            quote!(),
            &quote!(impl S { #[txaio::portable(runtime = "smol")] async fn f(self) {} async fn g(self) {} }),
        )
        .to_string();
        assert!(
            !out.contains("compile_error") && out.contains("__require_runtime_smol"),
            "{out}"
        );
        assert_eq!(out.matches("__private :: current").count(), 1, "{out}");
    }
}

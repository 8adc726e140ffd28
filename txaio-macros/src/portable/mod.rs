//! `#[txaio::portable]`: parse the arguments, validate the item, expand it. One [`Ctxt`]
//! collects every error; the item is always emitted too (rewritten where it can be), so one
//! mistake gives one error and its callers still compile.

pub(crate) mod args;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ext::IdentExt as _;
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
    let cfgs = cfg_attributes(&item);
    let expanded = portable_item(&cx, &args, &Scope::default(), &[], item, true);
    let errors = cx.take_since(0);
    cx.finish(with_cfg_errors(errors, &cfgs, expanded))
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
    if let Some(span) = args.blocking
        && !matches!(item, Item::Fn(_))
    {
        cx.syn_error(syn::Error::new(
            span,
            "`blocking` marks one sync `fn` (a helper run only through `defer_to_thread`); put it \
             on that function",
        ));
    }
    match item {
        Item::Fn(function) => portable_fn(cx, args, scope, aliases, function),
        Item::Impl(block) => portable_impl(cx, args, scope, aliases, block),
        Item::Mod(module) => portable_mod(cx, args, (!top).then_some(scope), module),
        other if top => {
            cx.syn_error(syn::Error::new(
                item_keyword_span(&other),
                "#[txaio::portable] goes on a `fn`, an `async fn`, an `impl` block or an inline `mod`",
            ));
            other.into_token_stream()
        }
        other => {
            let start = cx.len();
            if !args.validated {
                validate::check_other_item(cx, &args.crate_names(), scope, &other);
            }
            // A refused `include!` is left out, so its file is not read for errors of its own.
            let refused_include = matches!(&other, Item::Macro(item) if item.mac.path.segments.last().is_some_and(|last| last.ident == "include"))
                && cx.len() > start;
            if refused_include {
                TokenStream::new()
            } else {
                other.into_token_stream()
            }
        }
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
                blocking: own.blocking,
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
    if args.blocking.is_some() {
        // A blocking helper: its body may block (it runs on the blocking pool); its callers
        // are checked to call it only there.
        if let Some(asyncness) = sig.asyncness {
            cx.error_spanned_by(
                asyncness,
                "`blocking` marks a sync helper run on the blocking pool (through \
                 `defer_to_thread`); an `async fn` runs on the event loop and cannot be one: \
                 remove `async`, or remove `blocking` and move the blocking calls into \
                 `defer_to_thread`",
            );
        } else if !args.validated {
            validate::check_blocking_helper(cx, &args.crate_names(), scope, sig, block);
        }
        return (attrs, expand::kept_fn(args, sig, block));
    }
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
    if !args.validated {
        validate::check_other_item(cx, &args.crate_names(), scope, &Item::Impl(block.clone()));
    }
    // Its blocking helpers, which the other methods may call on the blocking pool only.
    let mut scope = scope.clone();
    scope.blocking_methods = block
        .items
        .iter()
        .filter_map(|item| match item {
            ImplItem::Fn(method) if validate::is_blocking_helper(&method.attrs) => {
                Some(method.sig.ident.unraw().to_string())
            }
            _ => None,
        })
        .collect();
    let scope = &scope;
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

/// `parent` is the scope of the portable `mod` this one is nested in, if any.
fn portable_mod(
    cx: &Ctxt,
    args: &Args,
    parent: Option<&Scope>,
    mut module: ItemMod,
) -> TokenStream {
    let Some((_, items)) = module.content.take() else {
        cx.error_spanned_by(
            &module,
            "#[txaio::portable] on a `mod` needs its items inline (`mod name { ... }`): a proc macro \
             cannot see the file of `mod name;`",
        );
        return module.into_token_stream();
    };
    let (scope, import_errors) = validate::module_scope(cx, &args.crate_names(), &items, parent);
    let aliases = validate::result_aliases(&items);
    let ItemMod {
        attrs,
        vis,
        unsafety,
        mod_token,
        ident,
        ..
    } = module;
    let items = items.into_iter().zip(import_errors).map(|(mut item, mut errors)| {
        if let Item::Fn(function) = &item
            && validate::is_test(&function.attrs)
        {
            // Test code, left to its own attribute (`#[txaio::test]` needs the `async fn`).
            return with_errors(errors, &item, item.to_token_stream());
        }
        let start = cx.len();
        let attrs = match &mut item {
            Item::Fn(function) => Some(&mut function.attrs),
            Item::Impl(block) => Some(&mut block.attrs),
            Item::Mod(module) => Some(&mut module.attrs),
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
        let cfgs = cfg_attributes(&item);
        let expanded = portable_item(cx, &own, &scope, &aliases, item, false);
        errors.extend(cx.take_since(start));
        with_cfg_errors(errors, &cfgs, expanded)
    });
    let items: Vec<TokenStream> = items.collect();
    // `//!` docs and `#![allow(..)]` stay inside the braces, where they were written.
    let (inner, outer): (Vec<Attribute>, Vec<Attribute>) = attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)));
    quote!(#(#outer)* #vis #unsafety #mod_token #ident { #(#inner)* #(#items)* })
}

/// An item's `#[cfg(..)]` attributes.
fn cfg_attributes(item: &Item) -> Vec<Attribute> {
    let attrs: &[Attribute] = match item {
        Item::Fn(item) => &item.attrs,
        Item::Impl(item) => &item.attrs,
        Item::Mod(item) => &item.attrs,
        Item::Use(item) => &item.attrs,
        Item::Struct(item) => &item.attrs,
        Item::Enum(item) => &item.attrs,
        Item::Const(item) => &item.attrs,
        Item::Static(item) => &item.attrs,
        Item::Trait(item) => &item.attrs,
        Item::Type(item) => &item.attrs,
        Item::ExternCrate(item) => &item.attrs,
        Item::Macro(item) => &item.attrs,
        _ => &[],
    };
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .cloned()
        .collect()
}

fn with_errors(errors: Vec<syn::Error>, item: &Item, expanded: TokenStream) -> TokenStream {
    with_cfg_errors(errors, &cfg_attributes(item), expanded)
}

/// The errors about one item, each under the item's `cfg`s (so that what `cfg` compiles out is
/// not refused), then the item.
fn with_cfg_errors(
    errors: Vec<syn::Error>,
    cfgs: &[Attribute],
    expanded: TokenStream,
) -> TokenStream {
    let mut tokens = TokenStream::new();
    for error in errors {
        tokens.extend(quote!(#(#cfgs)*));
        tokens.extend(error.into_compile_error());
    }
    tokens.extend(expanded);
    tokens
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

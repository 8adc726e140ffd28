//! What `#[txaio::portable]` refuses: calls that block the event loop, paths that tie the code
//! to one runtime, and error types a deferred cannot fail with; and which `async fn`s borrow
//! (they keep their signatures).
//!
//! A proc macro sees only the item it is on. What it sees, it checks with Rust's scoping: the
//! `use` items of the function, of its blocks, and of an inline `mod` it is on.

mod body;
mod kinds;
mod paths;
mod scope;
mod signature;
mod table;

use syn::visit::Visit;
use syn::{Attribute, Block, Item, Signature};

pub(crate) use scope::Scope;
pub(crate) use signature::{
    Output, borrows, boxed_dyn_error, check_error_type, error_refusal, output,
};

use crate::ctxt::Ctxt;

/// The scope an inline module gives its items: its `use`s (runtime-specific ones refused
/// here, once) and its own item names.
/// The errors are returned by item (in `items`' order), to be emitted under each item's `cfg`.
/// `parent` is the scope of the portable `mod` around this one, if any (for `super::` paths).
pub(crate) fn module_scope(
    cx: &Ctxt,
    krate: &[String],
    items: &[Item],
    parent: Option<&Scope>,
) -> (Scope, Vec<Vec<syn::Error>>) {
    let mut checker = body::Checker::new(
        cx,
        krate,
        Scope {
            barrier: true,
            parent: parent.map(|parent| std::rc::Rc::new(parent.clone())),
            ..Scope::default()
        },
    );
    let mut errors = Vec::with_capacity(items.len());
    for item in items {
        let start = cx.len();
        checker.declare_items(std::iter::once(item));
        errors.push(cx.take_since(start));
    }
    (checker.into_scope(), errors)
}

/// Whether a function is test code (`#[test]`, `#[txaio::test]`, `#[tokio::test]`, ...), left
/// to its own attribute.
pub(crate) fn is_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|last| last.ident == "test")
    })
}

/// Checks one function: runtime-specific paths in its signature, then its body.
pub(crate) fn check_function(
    cx: &Ctxt,
    krate: &[String],
    outer: &Scope,
    sig: &Signature,
    block: &Block,
) {
    let mut checker = body::Checker::new(cx, krate, outer.clone());
    checker.push(false);
    checker.bind_bounds(sig);
    checker.bind_inputs(&sig.inputs);
    checker.visit_signature(sig);
    checker.visit_block(block);
    checker.pop();
}

/// Checks an item of a portable `mod` that is not rewritten (a `static` or `const`
/// initialiser, a type alias, a trait with its default method bodies), or the header of an
/// `impl` block (its generics, `where` clause and self type): the same checks as a body.
pub(crate) fn check_other_item(cx: &Ctxt, krate: &[String], outer: &Scope, item: &Item) {
    let mut checker = body::Checker::new(cx, krate, outer.clone());
    checker.push(false);
    match item {
        Item::Static(_) | Item::Const(_) | Item::Type(_) | Item::Trait(_) | Item::Macro(_) => {
            checker.visit_item(item);
        }
        Item::Impl(block) => {
            checker.visit_generics(&block.generics);
            if let Some((_, path, _)) = &block.trait_ {
                checker.visit_path(path);
            }
            checker.visit_type(&block.self_ty);
            for member in &block.items {
                match member {
                    syn::ImplItem::Const(constant) => checker.visit_impl_item_const(constant),
                    syn::ImplItem::Type(alias) => checker.visit_impl_item_type(alias),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    checker.pop();
}

/// Checks a `#[portable(blocking)]` helper: it runs on the blocking pool, so its body may
/// block; runtime-specific paths are refused all the same.
pub(crate) fn check_blocking_helper(
    cx: &Ctxt,
    krate: &[String],
    outer: &Scope,
    sig: &Signature,
    block: &Block,
) {
    let mut checker = body::Checker::new(cx, krate, outer.clone());
    checker.offload();
    checker.push(false);
    checker.bind_inputs(&sig.inputs);
    checker.visit_signature(sig);
    checker.visit_block(block);
    checker.pop();
}

/// Whether `attrs` marks a blocking helper: `#[portable(blocking)]` (or
/// `#[txaio::portable(blocking, ..)]`).
pub(crate) fn is_blocking_helper(attrs: &[Attribute]) -> bool {
    portable_attribute(attrs).is_some_and(|attr| match &attr.meta {
        syn::Meta::List(list) => list
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|metas| metas.iter().any(|meta| meta.path().is_ident("blocking"))),
        _ => false,
    })
}

/// Whether `attrs` holds another `#[portable]` (written `#[txaio::portable]` or `#[portable]`).
pub(crate) fn portable_attribute(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|last| last.ident == "portable")
    })
}

/// `#[instrument]` or `#[tracing::instrument]`.
pub(crate) fn is_instrument(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|last| last.ident == "instrument")
}

/// The `type R<T> = Result<..>;` aliases among a module's items, by name.
pub(crate) fn result_aliases(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Type(alias) => match &*alias.ty {
                syn::Type::Path(path)
                    if path
                        .path
                        .segments
                        .last()
                        .is_some_and(|last| last.ident == "Result") =>
                {
                    Some(alias.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;

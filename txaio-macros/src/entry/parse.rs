//! Parsing an entry point: the item must be a function; the attribute takes `runtime = ".."`
//! and `crate = ".."`, as `#[portable]` does.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{ItemFn, Meta, Token};

use super::Entry;
use crate::ctxt::Ctxt;
use crate::portable::args::{Backend, backend, respan, string_value};

/// The arguments of `#[txaio::main]` / `#[txaio::test]`.
#[derive(Default)]
pub(super) struct EntryArgs {
    /// `runtime = ".."`: the one backend to run on, with the string's span.
    pub(super) runtime: Option<(Backend, Span)>,
    /// `crate = ".."`: where txaio is, for renamed dependencies.
    pub(super) krate: Option<syn::Path>,
}

impl EntryArgs {
    /// The path of the txaio crate in generated code.
    pub(super) fn krate(&self) -> TokenStream {
        self.krate
            .as_ref()
            .map_or_else(|| quote!(::txaio), ToTokens::to_token_stream)
    }
}

/// The arguments (each mistake into `cx`), and the function, or `None` (with the error in
/// `cx`) if the item is not one.
pub(super) fn parse(
    cx: &Ctxt,
    entry: Entry,
    args: TokenStream,
    input: &TokenStream,
) -> (EntryArgs, Option<ItemFn>) {
    let name = entry.name();
    let parsed = parse_args(cx, name, args);
    if let Ok(function) = syn::parse2::<ItemFn>(input.clone()) {
        (parsed, Some(function))
    } else {
        cx.syn_error(syn::Error::new(
            input.span(),
            format!("#[txaio::{name}] goes on an `async fn`"),
        ));
        (parsed, None)
    }
}

fn parse_args(cx: &Ctxt, name: &str, args: TokenStream) -> EntryArgs {
    let expected = format!(
        "#[txaio::{name}] takes `runtime = \"tokio\" | \"smol\" | \"async-std\"` (one backend, which must be compiled in) or `crate = \"path\"`"
    );
    let mut parsed = EntryArgs::default();
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => metas,
        Err(error) => {
            cx.syn_error(error);
            return parsed;
        }
    };
    for meta in metas {
        match &meta {
            Meta::NameValue(pair) if pair.path.is_ident("runtime") => {
                let Some(text) = string_value(
                    cx,
                    &pair.value,
                    "the runtime is a string: `runtime = \"tokio\"`, `\"smol\"` or `\"async-std\"`",
                ) else {
                    continue;
                };
                if parsed.runtime.is_some() {
                    cx.error_spanned_by(&pair.path, "`runtime` is given twice");
                } else if let Some(found) = backend(cx, text) {
                    parsed.runtime = Some((found, text.span()));
                }
            }
            Meta::NameValue(pair) if pair.path.is_ident("crate") => {
                let Some(text) = string_value(
                    cx,
                    &pair.value,
                    "the crate is a path in a string: `crate = \"my_facade::txaio\"`",
                ) else {
                    continue;
                };
                if parsed.krate.is_some() {
                    cx.error_spanned_by(&pair.path, "`crate` is given twice");
                    continue;
                }
                match text.parse_with(syn::Path::parse_mod_style) {
                    Ok(path) => parsed.krate = Some(respan(path, text.span())),
                    Err(_) => cx.error_spanned_by(
                        text,
                        format!(
                            "`{}` is not a path; expected `crate = \"path::to::txaio\"`",
                            text.value()
                        ),
                    ),
                }
            }
            other => cx.error_spanned_by(other, format!("unknown argument; {expected}")),
        }
    }
    parsed
}

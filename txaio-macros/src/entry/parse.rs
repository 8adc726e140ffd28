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
use crate::portable::args::{Backend, read_crate, read_runtime};

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
                read_runtime(cx, pair, &mut parsed.runtime);
            }
            Meta::NameValue(pair) if pair.path.is_ident("crate") => {
                read_crate(cx, pair, &mut parsed.krate);
            }
            other => cx.error_spanned_by(other, format!("unknown argument; {expected}")),
        }
    }
    parsed
}

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
    /// `sim` (tests only): run in a deterministic simulation (`txaio::sim`).
    pub(super) sim: Option<Span>,
    /// `seeds = N` (with `sim`): run over the seeds `0..N`.
    pub(super) seeds: Option<(u64, Span)>,
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
    let parsed = parse_args(cx, entry, args);
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

fn parse_args(cx: &Ctxt, entry: Entry, args: TokenStream) -> EntryArgs {
    let name = entry.name();
    let sim = if entry == Entry::Test {
        ", `sim` (a deterministic simulation) with `seeds = N`,"
    } else {
        ""
    };
    let expected = format!(
        "#[txaio::{name}] takes `runtime = \"tokio\" | \"smol\" | \"async-std\"` (one backend, which must be compiled in){sim} or `crate = \"path\"`"
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
            Meta::Path(path) if entry == Entry::Test && path.is_ident("sim") => {
                if parsed.sim.is_some() {
                    cx.error_spanned_by(path, "`sim` is given twice");
                }
                parsed.sim = Some(path.span());
            }
            Meta::NameValue(pair) if entry == Entry::Test && pair.path.is_ident("seeds") => {
                read_seeds(cx, pair, &mut parsed.seeds);
            }
            other => cx.error_spanned_by(other, format!("unknown argument; {expected}")),
        }
    }
    if let (Some(span), Some((_, runtime))) = (parsed.sim, parsed.runtime) {
        let mut error = syn::Error::new(
            runtime,
            "a simulated test runs on txaio's simulation, not on a backend: drop `runtime` or `sim`",
        );
        error.combine(syn::Error::new(span, "the simulation is asked for here"));
        cx.syn_error(error);
    }
    if let (Some((_, span)), None) = (parsed.seeds, parsed.sim) {
        cx.syn_error(syn::Error::new(
            span,
            "`seeds` goes with `sim`: `#[txaio::test(sim, seeds = 1000)]`",
        ));
    }
    parsed
}

fn read_seeds(cx: &Ctxt, pair: &syn::MetaNameValue, slot: &mut Option<(u64, Span)>) {
    let expected = "the number of seeds is a positive integer: `seeds = 1000`";
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = &pair.value
    else {
        cx.error_spanned_by(&pair.value, expected);
        return;
    };
    match int.base10_parse::<u64>() {
        Ok(0) | Err(_) => cx.error_spanned_by(int, expected),
        Ok(_) if slot.is_some() => cx.error_spanned_by(&pair.path, "`seeds` is given twice"),
        Ok(seeds) => *slot = Some((seeds, pair.path.span())),
    }
}

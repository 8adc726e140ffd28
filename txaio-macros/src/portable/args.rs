//! Parsing `#[txaio::portable(...)]`'s arguments.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, MetaNameValue, Token};

use crate::ctxt::Ctxt;

/// A backend a function can be pinned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Tokio,
    Smol,
    AsyncStd,
}

impl Backend {
    fn from_name(name: &str) -> Option<Backend> {
        match name {
            "tokio" => Some(Backend::Tokio),
            "smol" => Some(Backend::Smol),
            "async-std" => Some(Backend::AsyncStd),
            _ => None,
        }
    }

    /// The variant of `txaio::Runtime`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Backend::Tokio => "Tokio",
            Backend::Smol => "Smol",
            Backend::AsyncStd => "AsyncStd",
        }
    }

    /// The `txaio::__private` macro that refuses a backend that is not compiled in.
    pub(crate) fn requirement(self) -> &'static str {
        match self {
            Backend::Tokio => "__require_runtime_tokio",
            Backend::Smol => "__require_runtime_smol",
            Backend::AsyncStd => "__require_runtime_async_std",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Backend::Tokio => "tokio",
            Backend::Smol => "smol",
            Backend::AsyncStd => "async-std",
        }
    }
}

/// The parsed arguments; each keeps the user's tokens' span for errors.
#[derive(Default, Clone)]
pub(crate) struct Args {
    /// `runtime = "..."`, with the span of the string.
    pub(crate) runtime: Option<(Backend, Span)>,
    /// `crate = "path"`: where txaio is, for facades and renamed dependencies.
    pub(crate) krate: Option<syn::Path>,
    /// `keep_signature`: every `async fn` keeps its signature (typed errors included) and runs
    /// in its caller's task; its body is checked all the same.
    pub(crate) keep_signature: bool,
    /// `blocking`: a sync helper that blocks, run only on the blocking pool (passed to
    /// `defer_to_thread`): its body may block; a call to it outside `defer_to_thread` is refused.
    pub(crate) blocking: Option<Span>,
    /// Set on the attribute this macro re-emits under `#[tracing::instrument]`: the item was
    /// validated already, before the instrumentation rewrote its body.
    pub(crate) validated: bool,
}

/// The argument that keeps every function's signature (see [`Args::keep_signature`]).
pub(crate) const KEEP_SIGNATURE: &str = "keep_signature";

/// The argument that marks a blocking sync helper (see [`Args::blocking`]).
pub(crate) const BLOCKING: &str = "blocking";

/// The hidden argument that marks a re-emitted attribute (see [`Args::validated`]).
pub(crate) const VALIDATED: &str = "__txaio_validated";

const EXPECTED: &str = "expected `runtime = \"tokio\" | \"smol\" | \"async-std\"`, `crate = \"path\"`, \
     `keep_signature` or `blocking`";

impl Args {
    /// The path of the txaio crate in generated code: `::txaio` unless `crate = ".."` says.
    pub(crate) fn krate(&self) -> TokenStream {
        self.krate
            .as_ref()
            .map_or_else(|| quote!(::txaio), ToTokens::to_token_stream)
    }

    /// The names the txaio crate goes by in the user's code, for recognising its calls.
    pub(crate) fn crate_names(&self) -> Vec<String> {
        let mut names = vec!["txaio".to_owned()];
        if let Some(last) = self.krate.as_ref().and_then(|path| path.segments.last()) {
            names.push(last.ident.to_string());
        }
        names
    }

    /// These arguments as attribute tokens, for the re-emitted attribute.
    pub(crate) fn to_attribute(&self) -> TokenStream {
        let krate = self.krate();
        let validated = syn::Ident::new(VALIDATED, Span::call_site());
        let mut list = vec![quote!(#validated)];
        if self.keep_signature {
            let keep = syn::Ident::new(KEEP_SIGNATURE, Span::call_site());
            list.push(quote!(#keep));
        }
        if let Some((backend, span)) = self.runtime {
            let name = LitStr::new(backend.name(), span);
            list.push(quote!(runtime = #name));
        }
        if let Some(path) = &self.krate {
            let text = LitStr::new(
                &path.to_token_stream().to_string().replace(' ', ""),
                Span::call_site(),
            );
            list.push(quote!(crate = #text));
        }
        quote_spanned!(Span::call_site()=> #[#krate::portable(#(#list),*)])
    }
}

/// Parses the arguments; each mistake goes to `cx` and the rest are still read.
pub(crate) fn parse(cx: &Ctxt, args: TokenStream) -> Args {
    let mut parsed = Args::default();
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => metas,
        Err(error) => {
            cx.syn_error(error);
            return parsed;
        }
    };
    for meta in metas {
        match &meta {
            Meta::Path(path) if path.is_ident(VALIDATED) => parsed.validated = true,
            Meta::Path(path) if path.is_ident(KEEP_SIGNATURE) => {
                if parsed.keep_signature {
                    cx.error_spanned_by(path, "`keep_signature` is given twice");
                }
                parsed.keep_signature = true;
            }
            Meta::Path(path) if path.is_ident(BLOCKING) => {
                if parsed.blocking.is_some() {
                    cx.error_spanned_by(path, "`blocking` is given twice");
                }
                parsed.blocking = Some(path.span());
            }
            Meta::NameValue(pair) if pair.path.is_ident("runtime") => {
                read_runtime(cx, pair, &mut parsed.runtime);
            }
            Meta::NameValue(pair) if pair.path.is_ident("crate") => {
                read_crate(cx, pair, &mut parsed.krate);
            }
            Meta::NameValue(pair) => {
                let name = pair.path.get_ident().map_or_else(
                    || pair.path.to_token_stream().to_string(),
                    ToString::to_string,
                );
                cx.error_spanned_by(
                    &pair.path,
                    format!("unknown argument `{name}` to #[txaio::portable]; {EXPECTED}"),
                );
            }
            other => cx.error_spanned_by(
                other,
                format!("unknown argument to #[txaio::portable]; {EXPECTED}"),
            ),
        }
    }
    parsed
}

/// `runtime = ".."` into `slot` (shared with `#[txaio::main]`/`#[txaio::test]`); each mistake
/// goes to `cx`.
pub(crate) fn read_runtime(cx: &Ctxt, pair: &MetaNameValue, slot: &mut Option<(Backend, Span)>) {
    let Some(name) = string_value(
        cx,
        &pair.value,
        "the runtime is a string: `runtime = \"tokio\"`, `\"smol\"` or `\"async-std\"`",
    ) else {
        return;
    };
    if slot.is_some() {
        cx.error_spanned_by(&pair.path, "`runtime` is given twice");
    } else if let Some(backend) = backend(cx, name) {
        *slot = Some((backend, name.span()));
    }
}

/// `crate = ".."` into `slot` (shared with `#[txaio::main]`/`#[txaio::test]`); each mistake
/// goes to `cx`.
pub(crate) fn read_crate(cx: &Ctxt, pair: &MetaNameValue, slot: &mut Option<syn::Path>) {
    let Some(text) = string_value(
        cx,
        &pair.value,
        "the crate is a path in a string: `crate = \"my_facade::txaio\"`",
    ) else {
        return;
    };
    if slot.is_some() {
        cx.error_spanned_by(&pair.path, "`crate` is given twice");
        return;
    }
    match text.parse_with(syn::Path::parse_mod_style) {
        Ok(path) => *slot = Some(respan(path, text.span())),
        Err(_) => cx.error_spanned_by(
            text,
            format!(
                "`{}` is not a path; expected `crate = \"path::to::txaio\"`",
                text.value()
            ),
        ),
    }
}

fn string_value<'a>(cx: &Ctxt, value: &'a Expr, message: &str) -> Option<&'a LitStr> {
    if let Expr::Lit(ExprLit {
        lit: Lit::Str(text),
        ..
    }) = value
    {
        Some(text)
    } else {
        cx.error_spanned_by(value, message);
        None
    }
}

/// The path with every token at the string's span, so that an unresolved crate path is
/// reported at the `crate = "..."` the user wrote.
fn respan(mut path: syn::Path, span: Span) -> syn::Path {
    if let Some(colon) = &mut path.leading_colon {
        colon.spans = [span, span];
    }
    for segment in &mut path.segments {
        segment.ident.set_span(span);
    }
    for mut pair in path.segments.pairs_mut() {
        if let Some(punct) = pair.punct_mut() {
            punct.spans = [span, span];
        }
    }
    path
}

fn backend(cx: &Ctxt, name: &LitStr) -> Option<Backend> {
    let value = name.value();
    let found = Backend::from_name(&value);
    if found.is_none() {
        let hint = if value == "async_std" || value == "asyncstd" {
            "; the feature is spelled `async-std`"
        } else {
            ""
        };
        cx.syn_error(syn::Error::new(
            name.span(),
            format!(
                "unknown runtime `{value}`; expected one of `tokio`, `smol`, `async-std`{hint}"
            ),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Backend, parse};
    use crate::ctxt::Ctxt;

    fn errors(args: proc_macro2::TokenStream) -> String {
        let cx = Ctxt::new();
        parse(&cx, args);
        cx.finish(quote!()).to_string()
    }

    #[test]
    fn parses_each_runtime_crate_and_nothing() {
        let cx = Ctxt::new();
        assert!(parse(&cx, quote!()).runtime.is_none());
        let parsed = parse(&cx, quote!(runtime = "async-std", crate = "facade::txaio"));
        assert_eq!(
            parsed.runtime.map(|(backend, _)| backend),
            Some(Backend::AsyncStd)
        );
        assert_eq!(parsed.crate_names(), ["txaio", "txaio"]);
        assert_eq!(parsed.krate().to_string(), "facade :: txaio");
        assert_eq!(cx.len(), 0);
    }

    #[test]
    fn refuses_unknown_names_and_arguments() {
        let error = errors(quote!(runtime = "tokyo"));
        assert!(
            error.contains("unknown runtime `tokyo`; expected one of `tokio`, `smol`, `async-std`"),
            "{error}"
        );
        assert!(errors(quote!(flavor = "x")).contains("unknown argument `flavor`"));
        assert!(errors(quote!(runtime = "smol", runtime = "tokio")).contains("given twice"));
        assert!(errors(quote!(runtime = smol)).contains("is a string"));
        assert!(errors(quote!(crate = "not a path")).contains("is not a path"));
    }
}

//! Parsing `#[txaio::portable(...)]`'s arguments.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

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
}

/// The parsed arguments; each keeps the user's tokens' span for errors.
#[derive(Debug, Default)]
pub(crate) struct Args {
    /// `runtime = "..."`, with the span of the string.
    pub(crate) runtime: Option<(Backend, Span)>,
}

const EXPECTED: &str =
    "expected `runtime = \"tokio\"`, `runtime = \"smol\"` or `runtime = \"async-std\"`";

pub(crate) fn parse(args: TokenStream) -> syn::Result<Args> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut parsed = Args::default();
    for meta in metas {
        let Meta::NameValue(pair) = &meta else {
            return Err(syn::Error::new_spanned(
                &meta,
                format!("unknown argument to #[txaio::portable]; {EXPECTED}"),
            ));
        };
        if !pair.path.is_ident("runtime") {
            let name = pair
                .path
                .get_ident()
                .map_or_else(|| "?".to_owned(), ToString::to_string);
            return Err(syn::Error::new_spanned(
                &pair.path,
                format!("unknown argument `{name}` to #[txaio::portable]; {EXPECTED}"),
            ));
        }
        let Expr::Lit(ExprLit {
            lit: Lit::Str(name),
            ..
        }) = &pair.value
        else {
            return Err(syn::Error::new_spanned(
                &pair.value,
                "the runtime is a string: `runtime = \"tokio\"`, `\"smol\"` or `\"async-std\"`",
            ));
        };
        if parsed.runtime.is_some() {
            return Err(syn::Error::new_spanned(
                &pair.path,
                "`runtime` is given twice",
            ));
        }
        parsed.runtime = Some((backend(name)?, name.span()));
    }
    Ok(parsed)
}

fn backend(name: &LitStr) -> syn::Result<Backend> {
    let value = name.value();
    Backend::from_name(&value).ok_or_else(|| {
        let hint = if value == "async_std" || value == "asyncstd" {
            "; the feature is spelled `async-std`"
        } else {
            ""
        };
        syn::Error::new(
            name.span(),
            format!(
                "unknown runtime `{value}`; expected one of `tokio`, `smol`, `async-std`{hint}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Backend, parse};

    #[test]
    fn parses_each_runtime_and_nothing() {
        assert!(parse(quote!()).unwrap().runtime.is_none());
        let parsed = parse(quote!(runtime = "async-std")).unwrap();
        assert_eq!(
            parsed.runtime.map(|(backend, _)| backend),
            Some(Backend::AsyncStd)
        );
    }

    #[test]
    fn refuses_unknown_names_and_arguments() {
        let error = parse(quote!(runtime = "tokyo")).unwrap_err().to_string();
        assert_eq!(
            error,
            "unknown runtime `tokyo`; expected one of `tokio`, `smol`, `async-std`"
        );
        let error = parse(quote!(flavor = "x")).unwrap_err().to_string();
        assert!(error.starts_with("unknown argument `flavor`"), "{error}");
        assert!(parse(quote!(runtime = "smol", runtime = "tokio")).is_err());
        assert!(parse(quote!(runtime = smol)).is_err());
    }
}

//! `#[txaio::main]` and `#[txaio::test]`: entry points that start a runtime. Parse, validate,
//! expand, like `#[portable]`; one [`Ctxt`] collects the errors.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;

/// Which attribute is being expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Main,
    Test,
}

impl Entry {
    fn name(self) -> &'static str {
        match self {
            Entry::Main => "main",
            Entry::Test => "test",
        }
    }
}

pub(crate) fn expand_main(args: &TokenStream, input: TokenStream) -> TokenStream {
    run(Entry::Main, args, input)
}

pub(crate) fn expand_test(args: &TokenStream, input: TokenStream) -> TokenStream {
    run(Entry::Test, args, input)
}

fn run(entry: Entry, args: &TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let Some(function) = parse::parse(&cx, entry, args, &input) else {
        return cx.finish(input);
    };
    let before = cx.len();
    validate::validate(&cx, entry, &function);
    let item = if cx.len() == before {
        expand::expand(entry, function)
    } else {
        expand::placeholder(function)
    };
    cx.finish(item)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{expand_main, expand_test};

    #[test]
    fn main_and_test_expand_or_explain() {
        let out = expand_main(
            &quote!(),
            quote!(
                async fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("block_on_default"), "{out}");
        let out = expand_test(
            &quote!(),
            quote!(
                #[test]
                async fn t() {}
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        let out = expand_test(
            &quote!(x),
            quote!(
                struct S;
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
    }
}
